import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase } from '../../src/config/types.js';
import { executeStatement } from '../../src/db/execute.js';
import { introspectLocal } from '../../src/introspect/introspect-local.js';
import { collectNeeds } from '../../src/introspect/remote-needs.js';
import type { RemoteColumn, RemoteTable } from '../../src/introspect/types.js';
import { planDatabase } from '../../src/plan/plan-database.js';
import { renderDatabaseSql } from '../../src/plan/statements.js';
import { parsePostgresUrl } from '../../src/wrappers/postgres/parse-url.js';
import { createDatabase, withClient } from '../support/databases.js';

/** Text a hostile or compromised remote could put in its catalog, built from the pieces attacks are made of. */
const ATTACK_PIECES = [
  "'",
  '"',
  ';',
  ')',
  '(',
  '--',
  '/*',
  '*/',
  '$$',
  '\\',
  '\n',
  ' DROP TABLE public.victim',
  ' NOT NULL',
  ' SERVER x',
  'E',
  'a',
];
const hostileText = fc.oneof(
  fc.array(fc.constantFrom(...ATTACK_PIECES), { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    '0); DROP TABLE public.victim; --',
    "1) STORED NOT NULL) SERVER billing OPTIONS (table_name 'x') --",
    "'x'::text) NOT NULL, evil integer DEFAULT (1",
    '(1)) /* */ , (2',
    "E'\\'); DROP TABLE public.victim; --'",
    "nextval('public.victim'::regclass)",
  ),
);
const name = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\0'));

const column: fc.Arbitrary<RemoteColumn> = fc.record({
  name,
  type: fc.oneof(
    { arbitrary: fc.constant({ schema: 'pg_catalog', name: 'int4', typmod: -1 }), weight: 4 },
    { arbitrary: fc.constant({ schema: 'pg_catalog', name: 'text', typmod: -1 }), weight: 4 },
    { arbitrary: fc.record({ schema: hostileText, name: hostileText, typmod: fc.integer({ min: -1, max: 70000 }) }), weight: 1 },
  ),
  notNull: fc.boolean(),
  collation: fc.option(
    fc.record({ schema: fc.oneof(fc.constant('pg_catalog'), hostileText), name: fc.oneof(fc.constant('C'), hostileText) }),
    {
      freq: 2,
    },
  ),
  default: fc.option(hostileText),
  generated: fc.constantFrom('', 's'),
});

const table: fc.Arbitrary<RemoteTable> = fc.record({
  name,
  kind: fc.constant('r'),
  isPartition: fc.constant(false),
  readable: fc.boolean(),
  columns: fc.uniqueArray(column, { maxLength: 4, selector: (c) => c.name }),
});

/** Everything in the database outside the link's schema: what no remote may change. */
async function outsideTheLink(client: pg.Client): Promise<unknown[]> {
  const { rows } = await client.query(
    `SELECT n.nspname::text, c.relname::text, c.relkind::text, (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('billing', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'
      UNION ALL SELECT 'server', srvname::text, array_to_string(srvoptions, ','), 0 FROM pg_foreign_server WHERE srvname <> 'billing'
      ORDER BY 1, 2`,
  );
  return rows;
}

describe('a hostile remote catalog', () => {
  it('never changes a local object outside the link, whatever names, types, collations and defaults it returns', async () => {
    const local = await createDatabase('hostile');
    await local.query('CREATE EXTENSION postgres_fdw');
    await local.query('CREATE TABLE public.victim (id integer)');
    await local.query('CREATE SEQUENCE public.victim_seq');
    const target = parsePostgresUrl('postgres://u:pw@127.0.0.1:1/remote');
    if (!target.ok) throw new Error(target.message);
    // One session of the test's own reads the catalog and cleans up between runs (each run still
    // applies in a new session): three new sessions per run were 120 backend starts, 3 s of server CPU.
    const watcher = new pg.Client({ connectionString: local.url });
    await watcher.connect();
    onTestFinished(() => watcher.end());
    const before = await outsideTheLink(watcher);
    let applied = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(table, { minLength: 1, maxLength: 3, selector: (t) => t.name }),
        fc.record({ import_default: fc.boolean(), import_collate: fc.boolean(), import_generated: fc.boolean() }),
        async (tables, flags) => {
          const database: DesiredDatabase = {
            alias: 'main',
            target: target.target,
            urlSource: '${LOCAL_URL}',
            position: { file: 'x', line: 1, column: 1 },
            links: [
              {
                name: 'billing',
                remote: { target: target.target, variable: 'R', urlSource: '${R}', schema: 'public' },
                tables: null,
                exclude: [],
                access: 'read',
                grantTo: [],
                serverOptions: {},
                importOptions: { ...DEFAULT_IMPORT_OPTIONS, ...flags },
                position: { file: 'x', line: 1, column: 1 },
              },
            ],
          };
          await withClient(local.url, async (client) => {
            await client.query('SET search_path = pg_catalog');
            const catalog = await introspectLocal(client, {
              roles: [],
              links: ['billing'],
              remoteNeeds: Promise.resolve(collectNeeds([{ ok: true, tables }])),
            });
            await client.query('RESET search_path');
            const plan = planDatabase(database, {
              alias: 'main',
              local: { ok: true, catalog },
              remotes: { billing: { ok: true, tables } },
            });
            const statements = renderDatabaseSql(plan, { passwordFor: () => 'pw', now: 'now' });
            await client.query('BEGIN');
            try {
              // As apply runs them: one statement per query (extended protocol).
              for (const statement of statements) await executeStatement(client, statement.sql);
              await client.query('COMMIT');
              if (statements.length > 0) applied++;
            } catch {
              await client.query('ROLLBACK');
            }
          });
          expect(await outsideTheLink(watcher)).toEqual(before);
          await watcher.query('DROP SCHEMA IF EXISTS billing CASCADE');
          await watcher.query('DROP SERVER IF EXISTS billing CASCADE');
        },
      ),
      { numRuns: 40, seed: Number(process.env.DATALINKS_SEED ?? 20261125) },
    );
    // The property is only worth something if hostile catalogs were also applied, not just refused.
    expect(applied).toBeGreaterThan(8);
  });
});

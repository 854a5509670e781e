import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/cli/run-plan.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { ImportOptions } from '../../src/config/types.js';
import { pinSession } from '../../src/db/session-settings.js';
import { recordText } from '../../src/introspect/table-signature.js';
import type { ObservedDatabase } from '../../src/introspect/types.js';
import { expectedSignature } from '../../src/plan/unchanged-tables.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { adminUrl, createLinkedPair, type TestDatabase, withClient } from '../support/databases.js';
import { type LocalCatalogColumn, localSignature } from '../support/signature-model.js';

const IMPORT_OPTION_SETS = [
  '',
  '        import_options: { import_default: true }\n',
  '        import_options: { import_collate: false, import_not_null: false, import_generated: false, import_default: true }\n',
];

/** Remote tables with every part a column signature covers. */
async function remoteSchema(local: TestDatabase, remote: TestDatabase, tables: number): Promise<void> {
  // One session per database (each query of a TestDatabase is a new session).
  const kinds = `CREATE SCHEMA kinds;
    CREATE TYPE kinds.mood AS ENUM ('ok', 'sad');
    CREATE DOMAIN kinds.code AS text COLLATE "C" CHECK (VALUE <> '');
    CREATE SEQUENCE public.t_seq;`;
  await local.query(kinds);
  const remoteTables = Array.from(
    { length: tables },
    (_, t) => `CREATE TABLE "t ${t}" (
      id integer NOT NULL DEFAULT nextval('public.t_seq'),
      "Name" varchar(40) COLLATE "C",
      price numeric(12,2) DEFAULT 1.5,
      at timestamptz DEFAULT '2024-01-02 03:04:05+00',
      mood kinds.mood,
      code kinds.code,
      tags text[] NOT NULL DEFAULT '{}',
      "Ä 😀" text DEFAULT 'é😀',
      "a,(b)""c\\ " text DEFAULT 'x,(y)"z\\',
      doubled numeric GENERATED ALWAYS AS (price * 2) STORED);`,
  );
  await remote.query(`${kinds}\n${remoteTables.join('\n')}\nCREATE VIEW v AS SELECT id, tags FROM "t 0";`);
}

async function plan(
  local: TestDatabase,
  remote: TestDatabase,
  importOptions: string,
  yaml = oneLinkConfig(importOptions),
): Promise<{ observed: ObservedDatabase; summary: string; options: Record<string, ImportOptions> }> {
  const config = await parseConfig('inline.yaml', Buffer.from(yaml), { LOCAL_URL: local.url, BILLING_URL: remote.url });
  if (!config.ok) throw new Error('config should be valid');
  const { plan, observed } = await runPlan(config.value, { connectTimeoutMs: 10_000, parallelism: 1, planOptions: {} });
  const database = plan.databases[0];
  expect(database?.errors).toEqual([]);
  const options = Object.fromEntries(config.value.databases.flatMap((d) => d.links.map((link) => [link.name, link.importOptions])));
  return { observed: observed[0] as ObservedDatabase, summary: JSON.stringify(plan.summary), options };
}

/** A local foreign table's columns as pg_attribute holds them, for the model (expressions read in a pinned session, as datalinks reads them). */
async function catalogColumns(db: TestDatabase, schema: string, table: string): Promise<LocalCatalogColumn[]> {
  return withClient(db.url, async (client) => {
    await pinSession(client, 10_000);
    const result = await client.query<LocalCatalogColumn>(
      `SELECT a.attname::text AS name, a.attfdwoptions AS options, a.atttypid::int AS "typeOid", a.atttypmod AS typmod,
            a.attnotnull AS "notNull", a.attcollation::int AS "collationOid", a.attgenerated::text AS generated,
            pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_catalog.pg_attribute a
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = pg_catalog.format('%I.%I', $1::text, $2::text)::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
      [schema, table],
    );
    return result.rows;
  });
}

/**
 * For each foreign table of the link `schema`: the SQL's signature is the model's over its catalog
 * values, and the one the planner expects of its remote table (so no column needs reading).
 */
async function expectSignaturesAgree(local: TestDatabase, unchanged: Awaited<ReturnType<typeof plan>>, schema: string): Promise<void> {
  if (!unchanged.observed.local.ok) throw new Error(unchanged.observed.local.error);
  const { foreignTables, resolved } = unchanged.observed.local.catalog;
  const remoteTables = unchanged.observed.remotes[schema];
  if (!remoteTables?.ok) throw new Error('the remote should be read');
  const tables = foreignTables.filter((t) => t.schema === schema);
  expect(tables.length).toBeGreaterThan(0);
  for (const table of tables) {
    const source = remoteTables.tables.find((t) => t.name === table.name);
    if (!source) throw new Error(`remote table ${table.name} should exist`);
    expect({ table: table.name, sql: table.signature }).toEqual({
      table: table.name,
      sql: localSignature(await catalogColumns(local, schema, table.name)),
    });
    expect({ table: table.name, sql: table.signature }).toEqual({
      table: table.name,
      sql: expectedSignature(source, unchanged.options[schema] as ImportOptions, resolved),
    });
  }
}

/** The names of the link's foreign tables whose columns introspection read. */
function read(observed: ObservedDatabase): string[] {
  if (!observed.local.ok) throw new Error(observed.local.error);
  return observed.local.catalog.foreignTables.filter((t) => t.schema === 'billing' && t.columns !== null).map((t) => t.name);
}

describe('column signatures', () => {
  for (const options of IMPORT_OPTION_SETS) {
    it(`a no-op plan reads no columns, and a changed column is still found (${options.trim() || 'default import options'})`, async () => {
      const { local, remote } = await createLinkedPair();
      await remoteSchema(local, remote, 4);
      const config = writeConfig(oneLinkConfig(options));
      const cli = (...args: string[]) => runCli([...args, '-c', config], { LOCAL_URL: local.url, BILLING_URL: remote.url });
      expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);

      const unchanged = await plan(local, remote, options);
      expect(unchanged.summary).toBe('{"create":0,"update":0,"destroy":0}');
      expect(read(unchanged.observed)).toEqual([]);
      // The unit tests' model of the signature is the local SQL, and the planner expects what it computes.
      await expectSignaturesAgree(local, unchanged, 'billing');

      // A remote change: only that table's columns are read, and the plan fixes it.
      await remote.query(`ALTER TABLE "t 1" ALTER COLUMN "Name" TYPE varchar(50)`);
      const retyped = await plan(local, remote, options);
      expect(retyped.summary).toBe('{"create":0,"update":1,"destroy":0}');
      expect(read(retyped.observed)).toEqual(['t 1']);
      expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);
      expect(read((await plan(local, remote, options)).observed)).toEqual([]);

      // A local change by hand is found too.
      await local.query(`ALTER FOREIGN TABLE billing."t 2" ALTER COLUMN "Name" TYPE varchar(41)`);
      const drifted = await plan(local, remote, options);
      expect(drifted.summary).toBe('{"create":0,"update":1,"destroy":0}');
      expect(read(drifted.observed)).toEqual(['t 2']);
      expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);
      expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
    });
  }

  it('proves the tables of links that read one remote with different import options', async () => {
    const { local, remote } = await createLinkedPair();
    await remoteSchema(local, remote, 2);
    const yaml = `${oneLinkConfig()}      plain:
        remote:
          url: \${BILLING_URL}
        import_options: { import_collate: false, import_not_null: false, import_generated: false, import_default: true }
`;
    const config = writeConfig(yaml);
    const cli = (...args: string[]) => runCli([...args, '-c', config], { LOCAL_URL: local.url, BILLING_URL: remote.url });
    expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);
    const unchanged = await plan(local, remote, '', yaml);
    expect(unchanged.summary).toBe('{"create":0,"update":0,"destroy":0}');
    if (!unchanged.observed.local.ok) throw new Error(unchanged.observed.local.error);
    expect(unchanged.observed.local.catalog.foreignTables.filter((t) => t.columns !== null)).toEqual([]);
    await expectSignaturesAgree(local, unchanged, 'billing');
    await expectSignaturesAgree(local, unchanged, 'plain');

    await local.query(`ALTER FOREIGN TABLE plain."t 1" ALTER COLUMN "Name" SET NOT NULL`);
    const drifted = await plan(local, remote, '', yaml);
    expect(drifted.summary).toBe('{"create":0,"update":1,"destroy":0}');
    if (!drifted.observed.local.ok) throw new Error(drifted.observed.local.error);
    const read = drifted.observed.local.catalog.foreignTables.filter((t) => t.columns !== null).map((t) => `${t.schema}.${t.name}`);
    expect(read).toEqual(['plain.t 1']);
  });

  it('the planner writes a column record as PostgreSQL does, whatever the names, options and expressions', async () => {
    // Text as a catalog can hold it (no NUL), with every character the record and array outputs quote.
    const text = fc
      .string({
        unit: fc.oneof(
          fc.constantFrom(...'"\\(),{} \t\n\v\f\r=Nnul'.split('')),
          fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }),
        ),
        maxLength: 12,
      })
      .filter((s) => !s.includes('\0'));
    await withClient(adminUrl(), async (client) => {
      await fc.assert(
        fc.asyncProperty(
          text,
          fc.option(fc.array(text, { maxLength: 3 })),
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.integer({ min: -1, max: 2 ** 31 - 1 }),
          fc.boolean(),
          fc.constantFrom('', 's', 'v'),
          fc.option(text),
          async (name, options, oid, typmod, flag, generated, expression) => {
            const { rows } = await client.query<{ record: string }>(
              `SELECT ROW($1::text, $2::text[], $3::pg_catalog.oid, $4::int, $5::bool, $3::pg_catalog.oid, $6::"char", $7::text)::text AS record`,
              [name, options, oid, typmod, flag, generated, expression],
            );
            expect(recordText([name, options, oid, typmod, flag, oid, generated, expression])).toBe(rows[0]?.record);
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  it('finds each kind of column change, on either side', async () => {
    const { local, remote } = await createLinkedPair();
    await remoteSchema(local, remote, 1);
    const options = IMPORT_OPTION_SETS[1] as string;
    const config = writeConfig(oneLinkConfig(options));
    const cli = (...args: string[]) => runCli([...args, '-c', config], { LOCAL_URL: local.url, BILLING_URL: remote.url });
    expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);
    const changes = [
      [remote, `ALTER TABLE "t 0" ALTER COLUMN id DROP NOT NULL`],
      [remote, `ALTER TABLE "t 0" ALTER COLUMN "Name" TYPE varchar(40) COLLATE "POSIX"`],
      [remote, `ALTER TABLE "t 0" ALTER COLUMN price SET DEFAULT 2.5`],
      [remote, `ALTER TABLE "t 0" RENAME COLUMN tags TO labels`],
      [remote, `ALTER TABLE "t 0" ADD COLUMN extra int`],
      [local, `ALTER FOREIGN TABLE billing."t 0" ALTER COLUMN at DROP DEFAULT`],
      [local, `ALTER FOREIGN TABLE billing."t 0" ALTER COLUMN mood OPTIONS (SET column_name 'feeling')`],
      [local, `ALTER FOREIGN TABLE billing."t 0" ALTER COLUMN "Name" SET NOT NULL`],
      [local, `ALTER FOREIGN TABLE billing."t 0" ALTER COLUMN code TYPE text COLLATE "C"`],
    ] as const;
    for (const [db, sql] of changes) {
      await db.query(sql);
      const changed = await plan(local, remote, options);
      expect({ sql, summary: changed.summary }).toEqual({ sql, summary: '{"create":0,"update":1,"destroy":0}' });
      expect(read(changed.observed)).toEqual(['t 0']);
      const applied = await cli('apply', '--auto-approve', '--no-verify');
      expect({ sql, code: applied.code, out: applied.code ? applied.stdout : '' }).toEqual({ sql, code: 0, out: '' });
      expect({ sql, read: read((await plan(local, remote, options)).observed) }).toEqual({ sql, read: [] });
    }
  });
});

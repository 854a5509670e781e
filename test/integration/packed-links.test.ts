import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/cli/run-plan.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { DesiredState } from '../../src/config/types.js';
import { FOREIGN_TABLES_WITH_SIGNATURES_QUERY } from '../../src/introspect/local-queries.js';
import { readLinkCatalog } from '../../src/introspect/observe.js';
import type { ObservedDatabase } from '../../src/introspect/types.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, createRole, type TestDatabase, withClient } from '../support/databases.js';
import { localSignature } from '../support/signature-model.js';

/** Names whose bytewise (COLLATE "C") order is not JavaScript's, and characters that JSON and arrays escape. */
const NAMES = ['a', 'Z', 'é', '😀', '\uFFFD', 'a,(b)"c\\ ', 'x y', 'new\nline', '{}'];

function twoLinks(role: string): string {
  return `${oneLinkConfig()}      shop:
        remote:
          url: \${BILLING_URL}
        grant_to: [${role}]
        import_options: { import_default: true }
`;
}

async function setUp(): Promise<{
  local: TestDatabase;
  desired: DesiredState;
  cli: (...args: string[]) => ReturnType<typeof runCli>;
  reader: string;
}> {
  const { local, remote } = await createLinkedPair();
  const reader = await createRole('reader');
  const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
  await remote.query(NAMES.map((name) => `CREATE TABLE ${quoted(name)} (id integer NOT NULL, label text DEFAULT 'x')`).join(';\n'));
  const yaml = twoLinks(reader.name);
  const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
  const config = writeConfig(yaml);
  const cli = (...args: string[]) => runCli([...args, '-c', config], env);
  expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);
  const desired = await parseConfig('inline.yaml', Buffer.from(yaml), env);
  if (!desired.ok) throw new Error('config should be valid');
  return { local, desired: desired.value, cli, reader: reader.name };
}

async function plan(desired: DesiredState): Promise<{ observed: ObservedDatabase; summary: string }> {
  const { plan, observed } = await runPlan(desired, { connectTimeoutMs: 10_000, parallelism: 1, planOptions: {} });
  expect(plan.databases[0]?.errors).toEqual([]);
  return { observed: observed[0] as ObservedDatabase, summary: JSON.stringify(plan.summary) };
}

/** The links whose foreign tables FOREIGN_TABLES_WITH_SIGNATURES_QUERY sends as one row. */
async function packedLinks(local: TestDatabase): Promise<string[]> {
  return withClient(local.url, async (client) => {
    const { rows } = await client.query<{ schema: string; tables: unknown }>(FOREIGN_TABLES_WITH_SIGNATURES_QUERY, [['billing', 'shop']]);
    return rows.filter((row) => row.tables !== null).map((row) => row.schema);
  });
}

/**
 * The plan's foreign tables are the catalog's, row for row and in its order (what `list` reads, one
 * row a table), and each signature is the one of the table's own columns.
 */
async function expectTheCatalogs(local: TestDatabase, desired: DesiredState, observed: ObservedDatabase): Promise<void> {
  if (!observed.local.ok) throw new Error(observed.local.error);
  const [database] = desired.databases;
  if (!database) throw new Error('one database expected');
  const catalog = await readLinkCatalog(database, { connectTimeoutMs: 10_000 });
  const tables = observed.local.catalog.foreignTables;
  expect(tables.map(({ schema, name, server, owner, options, grants }) => ({ schema, name, server, owner, options, grants }))).toEqual(
    catalog.foreignTables,
  );
  const columns = await withClient(local.url, async (client) => {
    // Expressions as datalinks reads them (search_path = pg_catalog).
    await client.query('SET search_path = pg_catalog, pg_temp');
    const { rows } = await client.query<{ schema: string; name: string; columns: never[] }>(
      `SELECT n.nspname AS schema, c.relname AS name,
              pg_catalog.json_agg(pg_catalog.json_build_object('name', a.attname, 'options', a.attfdwoptions, 'typeOid', a.atttypid,
                'typmod', a.atttypmod, 'notNull', a.attnotnull, 'collationOid', a.attcollation, 'generated', a.attgenerated,
                'default', pg_catalog.pg_get_expr(d.adbin, d.adrelid)) ORDER BY a.attnum) AS columns
         FROM pg_catalog.pg_foreign_table ft
         JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        GROUP BY 1, 2`,
    );
    return new Map(rows.map((row) => [`${row.schema}.${row.name}`, row.columns]));
  });
  for (const table of tables) {
    const own = columns.get(`${table.schema}.${table.name}`);
    expect({ table: table.name, signature: table.signature }).toEqual({ table: table.name, signature: own && localSignature(own) });
  }
}

describe('the foreign tables of a link whose tables are all alike, read as one row', () => {
  it('are the catalog’s tables, row for row, whatever their names', async () => {
    const { local, desired } = await setUp();
    const unchanged = await plan(desired);
    expect(unchanged.summary).toBe('{"create":0,"update":0,"destroy":0}');
    expect(await packedLinks(local)).toEqual(['billing', 'shop']);
    await expectTheCatalogs(local, desired, unchanged.observed);
    if (!unchanged.observed.local.ok) throw new Error(unchanged.observed.local.error);
    const tables = unchanged.observed.local.catalog.foreignTables;
    expect(tables.filter((t) => t.columns !== null)).toEqual([]);
    expect(tables.filter((t) => t.schema === 'shop').every((t) => t.grants.length > 0)).toBe(true);
    expect(tables.filter((t) => t.schema === 'billing').map((t) => t.name)).toHaveLength(NAMES.length);
  });

  it('a table made unlike the others sends its link as a row a table, and the plan puts it right', async () => {
    const { local, desired, cli, reader } = await setUp();
    const other = await createRole('other');
    // Each: the change by hand, whether its link is then still one row (its tables still alike), and
    // for a change the plan keeps (an option postgres_fdw reads the same way), how to undo it by hand.
    const drifts: { sql: string; packed: boolean; undo?: string }[] = [
      { sql: `GRANT SELECT ON shop."x y" TO ${other.name}`, packed: false },
      { sql: `REVOKE SELECT ON shop."😀" FROM ${reader}`, packed: false },
      { sql: `ALTER FOREIGN TABLE billing.a OPTIONS (SET table_name 'Z')`, packed: false },
      { sql: `ALTER FOREIGN TABLE billing."é" OPTIONS (SET schema_name 'elsewhere')`, packed: false },
      { sql: `ALTER FOREIGN TABLE billing."😀" RENAME TO "😀😀"`, packed: false },
      {
        sql: `ALTER FOREIGN TABLE billing."é" OPTIONS (DROP table_name)`,
        packed: false,
        undo: `ALTER FOREIGN TABLE billing."é" OPTIONS (ADD table_name 'é')`,
      },
      {
        sql: `ALTER FOREIGN TABLE billing."é" OPTIONS (ADD use_remote_estimate 'true')`,
        packed: false,
        undo: `ALTER FOREIGN TABLE billing."é" OPTIONS (DROP use_remote_estimate)`,
      },
      { sql: `ALTER FOREIGN TABLE billing."{}" OPTIONS (DROP schema_name, DROP table_name)`, packed: false },
      {
        sql: `CREATE FOREIGN TABLE billing.gone (id integer) SERVER billing OPTIONS (schema_name 'public', table_name 'gone')`,
        packed: true,
      },
      { sql: 'DROP FOREIGN TABLE shop."{}"', packed: true },
      { sql: 'ALTER FOREIGN TABLE shop.a ALTER COLUMN label DROP DEFAULT', packed: true },
    ];
    const noChanges = '{"create":0,"update":0,"destroy":0}';
    for (const { sql, packed, undo } of drifts) {
      await local.query(sql);
      const drifted = await plan(desired);
      expect({ sql, packed: await packedLinks(local) }).toEqual({
        sql,
        packed: packed ? ['billing', 'shop'] : ['billing', 'shop'].filter((link) => !sql.includes(` ${link}.`)),
      });
      await expectTheCatalogs(local, desired, drifted.observed);
      expect({ sql, changes: drifted.summary !== noChanges }).toEqual({ sql, changes: undo === undefined });
      const applied = await cli('apply', '--auto-approve', '--no-verify');
      expect({ sql, code: applied.code, out: applied.code ? applied.stdout + applied.stderr : '' }).toEqual({ sql, code: 0, out: '' });
      if (undo) await local.query(undo);
      const again = await plan(desired);
      expect({ sql, summary: again.summary, packed: await packedLinks(local) }).toEqual({
        sql,
        summary: noChanges,
        packed: ['billing', 'shop'],
      });
      await expectTheCatalogs(local, desired, again.observed);
    }
  });
});

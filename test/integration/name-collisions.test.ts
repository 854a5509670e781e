import { describe, expect, it } from 'vitest';
import { expectNoChanges, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, type TestDatabase } from '../support/databases.js';

/** What a user made by hand in the link's schema, one object of each kind that holds a name there, and how it reads back. */
const HAND_MADE: { name: string; sql: string; kind: string }[] = [
  { name: 'k_view', sql: 'CREATE VIEW zoo.k_view AS SELECT 1 AS one', kind: 'view' },
  { name: 'k_table', sql: 'CREATE TABLE zoo.k_table (id integer)', kind: 'table' },
  { name: 'k_partitioned', sql: 'CREATE TABLE zoo.k_partitioned (id integer) PARTITION BY RANGE (id)', kind: 'partitioned table' },
  { name: 'k_seq', sql: 'CREATE SEQUENCE zoo.k_seq', kind: 'sequence' },
  { name: 'k_index', sql: 'CREATE INDEX k_index ON zoo.k_table (id)', kind: 'index' },
  { name: 'k_matview', sql: 'CREATE MATERIALIZED VIEW zoo.k_matview AS SELECT 1 AS one', kind: 'materialized view' },
  { name: 'k_composite', sql: 'CREATE TYPE zoo.k_composite AS (a integer, b text)', kind: 'composite type' },
  { name: 'k_enum', sql: "CREATE TYPE zoo.k_enum AS ENUM ('a', 'b')", kind: 'enum type' },
  { name: 'k_domain', sql: 'CREATE DOMAIN zoo.k_domain AS integer CHECK (VALUE > 0)', kind: 'domain' },
  { name: 'k_range', sql: 'CREATE TYPE zoo.k_range AS RANGE (subtype = integer)', kind: 'range type' },
  // PostgreSQL 14+ makes the range's multirange type beside it, named after it.
  { name: 'k_multirange', sql: 'SELECT 1', kind: 'multirange type' },
  {
    name: 'k_foreign',
    sql: "CREATE SERVER other_server FOREIGN DATA WRAPPER postgres_fdw; CREATE FOREIGN TABLE zoo.k_foreign (id integer) SERVER other_server OPTIONS (table_name 'x')",
    kind: 'foreign table',
  },
];

/** Every object in schema zoo that is not a foreign table of server zoo, with its oid: what must be left exactly as it was. */
async function handMadeObjects(local: TestDatabase): Promise<{ name: string; kind: string; oid: number }[]> {
  return local.query(
    `SELECT c.relname::text AS name, 'relation ' || c.relkind::text AS kind, c.oid::int AS oid
       FROM pg_class c
       LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
       LEFT JOIN pg_foreign_server s ON s.oid = ft.ftserver
      WHERE c.relnamespace = 'zoo'::regnamespace AND s.srvname IS DISTINCT FROM 'zoo'
     UNION ALL
     SELECT t.typname::text, 'type ' || t.typtype::text, t.oid::int FROM pg_type t
      WHERE t.typnamespace = 'zoo'::regnamespace AND t.typrelid = 0
        AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
     ORDER BY 1, 2`,
  );
}

async function setup() {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE animals (id integer, name text)');
  await remote.query("INSERT INTO animals VALUES (1, 'okapi')");
  const other = await createLinkedPair();
  await other.remote.query('CREATE TABLE ledger (id integer)');
  const env = { LOCAL_URL: local.url, ZOO_URL: remote.url, OTHER_URL: other.remote.url };
  const config = writeConfig(`version: 1
databases:
  main:
    url: \${LOCAL_URL}
    links:
      zoo:
        remote:
          url: \${ZOO_URL}
      other:
        remote:
          url: \${OTHER_URL}
`);
  const cli = (...args: string[]) => runCli([...args, '-c', config], env);
  return { local, remote, other: other.remote, cli };
}

describe("a remote table whose name an object made by hand in the link's schema holds", () => {
  it('is skipped with a warning for every kind of object; apply links everything else and leaves the objects as they were', async () => {
    const { local, remote, other, cli } = await setup();
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    for (const object of HAND_MADE) await local.query(object.sql);
    const before = await handMadeObjects(local);
    expect(before.map((o) => o.name)).toEqual(expect.arrayContaining(HAND_MADE.map((o) => o.name)));
    // The remote gains a table of each of those names, and one that collides with nothing; the other link changes too.
    for (const object of HAND_MADE) await remote.query(`CREATE TABLE ${object.name} (id integer)`);
    await remote.query('CREATE TABLE fresh (id integer); INSERT INTO fresh VALUES (7); INSERT INTO k_view VALUES (1)');
    await other.query('CREATE TABLE payouts (id integer)');

    const plan = await cli('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('+ foreign table zoo.fresh (1 column)');
    expect(plan.stdout).toContain('+ foreign table other.payouts (1 column)');
    for (const object of HAND_MADE) {
      expect(plan.stdout).toContain(
        `warning: link "zoo": remote table "${object.name}" is not linked: the ${object.kind} zoo.${object.name}, made by hand, holds its name in the link's schema (it is left as it is).`,
      );
      expect(plan.stdout).not.toContain(`+ foreign table zoo.${object.name} `);
    }
    expect(plan.stdout).toContain('to keep it and stop this warning, leave the table out with `exclude: [k_view]`');
    expect(plan.stdout).toContain('Plan: 0 to create, 2 to update, 0 to destroy.');

    const json = JSON.parse((await cli('plan', '--json')).stdout);
    const warnings = json.databases[0].notes.filter((n: { code: string }) => n.code === 'table_name_taken');
    expect(warnings.map((n: { table: string; kind: string; severity: string }) => [n.table, n.kind, n.severity])).toContainEqual([
      'k_matview',
      'materialized_view',
      'warning',
    ]);
    expect(warnings).toHaveLength(HAND_MADE.length);

    const apply = await cli('apply', '--auto-approve');
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(await local.query('SELECT id FROM zoo.fresh')).toEqual([{ id: 7 }]);
    expect(await local.query('SELECT count(*)::int AS n FROM other.payouts')).toEqual([{ n: 0 }]);
    // Not one of them was touched: the same objects, the same oids, and the view still reads its own query.
    expect(await handMadeObjects(local)).toEqual(before);
    expect(await local.query('SELECT one FROM zoo.k_view')).toEqual([{ one: 1 }]);
    await expectNoChanges(cli);
  });

  it('links the table once the object is moved out of the way, following the warning', async () => {
    const { local, remote, cli } = await setup();
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await local.query('CREATE VIEW zoo.report AS SELECT 1 AS one');
    await remote.query('CREATE TABLE report (id integer); INSERT INTO report VALUES (3)');
    const plan = await cli('plan');
    expect(plan.stdout).toContain('ALTER VIEW zoo.report SET SCHEMA ...;');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);

    await local.query('ALTER VIEW zoo.report SET SCHEMA public');
    const again = await cli('plan');
    expect(again.stdout).not.toContain('warning:');
    expect(again.stdout).toContain('+ foreign table zoo.report (1 column)');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(await local.query('SELECT id FROM zoo.report')).toEqual([{ id: 3 }]);
    expect(await local.query('SELECT one FROM public.report')).toEqual([{ one: 1 }]);
    await expectNoChanges(cli);
  });
});

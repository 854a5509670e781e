import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, linkByHand, type TestDatabase } from '../support/databases.js';

const REMOTE_SCHEMA = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
  CREATE TABLE kitchen_sink (
    id integer PRIMARY KEY,
    code varchar(20) NOT NULL,
    name text COLLATE "C" NOT NULL DEFAULT 'unnamed',
    price numeric(10,2) DEFAULT 0,
    tags text[],
    feeling mood,
    amount positive,
    created_at timestamptz NOT NULL DEFAULT now(),
    doubled integer GENERATED ALWAYS AS (id * 2) STORED,
    payload jsonb
  );
  CREATE TABLE "Odd ""Name""; DROP TABLE x" ("select" integer, "col with space" text, "ünïcødé" text);
  CREATE TABLE gone (a integer, b integer);
  ALTER TABLE gone DROP COLUMN a, DROP COLUMN b;
  CREATE VIEW sink_view AS SELECT id, name FROM kitchen_sink;
  CREATE MATERIALIZED VIEW sink_matview AS SELECT id, code FROM kitchen_sink;
  CREATE TABLE measurements (at date NOT NULL, value real) PARTITION BY RANGE (at);
  CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
`;

/** What the catalogs say about every foreign table of one schema, for comparing two imports. */
async function foreignTableShapes(db: TestDatabase, schema: string) {
  await db.query('SET search_path = pg_catalog');
  return db.query(
    `SELECT c.relname, ft.ftoptions,
            (SELECT json_agg(json_build_object(
                      'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull,
                      'collation', co.collname, 'default', pg_get_expr(d.adbin, d.adrelid), 'generated', a.attgenerated,
                      'options', a.attfdwoptions) ORDER BY a.attnum)
               FROM pg_attribute a
               LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               LEFT JOIN pg_collation co ON co.oid = a.attcollation
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
       FROM pg_foreign_table ft
       JOIN pg_class c ON c.oid = ft.ftrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1
      ORDER BY c.relname`,
    [schema],
  );
}

describe('foreign tables in the shape of IMPORT FOREIGN SCHEMA', () => {
  const cases = [
    { label: 'default import options', options: null, importClause: '' },
    {
      label: 'every import option flipped',
      options: '{ import_collate: false, import_default: true, import_not_null: false, import_generated: false }',
      importClause: `OPTIONS (import_collate 'false', import_default 'true', import_not_null 'false', import_generated 'false')`,
    },
  ];

  it.each(cases)('matches postgres_fdw with $label', async ({ options, importClause }) => {
    const { local, remote } = await createLinkedPair();
    await remote.query(REMOTE_SCHEMA);
    // The local database needs the remote's own types to link columns that use them.
    await local.query(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE DOMAIN positive AS integer CHECK (VALUE > 0);`);
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const config = writeConfig(`version: 1
databases:
  main:
    url: \${LOCAL_URL}
    links:
      ours:
        remote:
          url: \${BILLING_URL}
${options ? `        import_options: ${options}\n` : ''}`);
    const apply = await runCli(['apply', '--auto-approve', '-c', config], env);
    expect(apply.stdout).toContain('applied');
    expect(apply.code).toBe(0);

    await linkByHand(local, remote.url, 'theirs', importClause);

    const ours = await foreignTableShapes(local, 'ours');
    const theirs = await foreignTableShapes(local, 'theirs');
    expect(ours.map((t) => t.relname)).toEqual([
      'Odd "Name"; DROP TABLE x',
      'gone',
      'kitchen_sink',
      'measurements',
      'sink_matview',
      'sink_view',
    ]);
    expect(ours).toEqual(theirs);
    expect((await runCli(['plan', '--detailed-exitcode', '-c', config], env)).code).toBe(0);
    expect(await local.query(`SELECT "select", "col with space", "ünïcødé" FROM ours."Odd ""Name""; DROP TABLE x"`)).toEqual([]);
  });
});

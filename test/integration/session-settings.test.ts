import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { withConnection } from '../../src/db/connect.js';
import { parsePostgresUrl } from '../../src/wrappers/postgres/parse-url.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createDatabase, createLinkedPair, type TestDatabase, withClient } from '../support/databases.js';

/** Each column's default (or generation expression) as a session pinned like postgres_fdw's reads it. */
async function expressions(database: TestDatabase, table: string): Promise<Record<string, string | null>> {
  return withClient(database.url, async (client) => {
    await client.query(
      `SET search_path = pg_catalog; SET DateStyle = ISO; SET TimeZone = UTC; SET IntervalStyle = postgres; SET bytea_output = hex`,
    );
    const { rows } = await client.query<{ name: string; expr: string | null }>(
      `SELECT a.attname AS name, pg_get_expr(d.adbin, d.adrelid) AS expr
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [table],
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.expr]));
  });
}

describe('session settings', () => {
  it('defaults keep their meaning when remote and local sessions default to other date, time zone, interval and bytea styles', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query(`
      CREATE TABLE events (
        id integer,
        day date DEFAULT '2020-02-01',
        at timestamptz DEFAULT '2020-02-01 12:30:00+00',
        span interval DEFAULT '-1 day +02:03:04',
        raw bytea DEFAULT '\\x0102ff'::bytea,
        days_since integer GENERATED ALWAYS AS (day - '2020-01-15'::date) STORED
      )`);
    // Set after the table, so its constants are unambiguous; every new session of these databases
    // (datalinks' included) now starts with them.
    await remote.query(
      `ALTER DATABASE ${pg.escapeIdentifier(remote.name)} SET DateStyle = 'SQL, DMY';
       ALTER DATABASE ${pg.escapeIdentifier(remote.name)} SET TimeZone = 'America/Los_Angeles';
       ALTER DATABASE ${pg.escapeIdentifier(remote.name)} SET IntervalStyle = 'sql_standard';
       ALTER DATABASE ${pg.escapeIdentifier(remote.name)} SET bytea_output = 'escape'`,
    );
    await local.query(
      `ALTER DATABASE ${pg.escapeIdentifier(local.name)} SET DateStyle = 'German, MDY';
       ALTER DATABASE ${pg.escapeIdentifier(local.name)} SET TimeZone = 'Asia/Kolkata';
       ALTER DATABASE ${pg.escapeIdentifier(local.name)} SET IntervalStyle = 'iso_8601';
       ALTER DATABASE ${pg.escapeIdentifier(local.name)} SET extra_float_digits = 0`,
    );
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const file = writeConfig(oneLinkConfig('        access: write\n        import_options: { import_default: true }\n'));

    const apply = await runCli(['apply', '--auto-approve', '-c', file], env);
    expect(apply.stdout).toContain('Database main: applied');

    // The local defaults mean what the remote's mean...
    const remoteExpressions = await expressions(remote, 'public.events');
    expect(remoteExpressions.day).toBe(`'2020-02-01'::date`);
    expect(await expressions(local, 'billing.events')).toEqual(remoteExpressions);
    // ...and a row inserted through the link gets the remote's values.
    await local.query('INSERT INTO billing.events (id) VALUES (1)');
    const inserted = await withClient(remote.url, async (client) => {
      await client.query(`SET DateStyle = ISO; SET TimeZone = UTC; SET IntervalStyle = postgres; SET bytea_output = hex`);
      return (await client.query('SELECT day::text, at::text, span::text, raw::text, days_since FROM events WHERE id = 1')).rows;
    });
    expect(inserted).toEqual([
      { day: '2020-02-01', at: '2020-02-01 12:30:00+00', span: '-1 days +02:03:04', raw: '\\x0102ff', days_since: 17 },
    ]);

    // And the plan settles.
    const plan = await runCli(['plan', '--detailed-exitcode', '-c', file], env);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });

  it('runs without JIT, whatever the database or role starts its sessions with', async () => {
    // On a server built with LLVM (Debian's PostgreSQL), JIT-compiling the catalog queries made a plan 5x slower.
    const database = await createDatabase('jit');
    await database.query(
      `ALTER DATABASE ${pg.escapeIdentifier(database.name)} SET jit = on;
       ALTER DATABASE ${pg.escapeIdentifier(database.name)} SET jit_above_cost = 0`,
    );
    const parsed = parsePostgresUrl(database.url);
    if (!parsed.ok) throw new Error(parsed.message);
    const settings = await withConnection(parsed.target, { connectTimeoutMs: 10_000 }, async (client) => {
      const { rows } = await client.query(
        `SELECT pg_catalog.current_setting('jit') AS jit, pg_catalog.current_setting('jit_above_cost') AS cost`,
      );
      return rows[0];
    });
    expect(settings).toEqual({ jit: 'off', cost: '0' });
  });
});

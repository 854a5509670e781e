import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { APPLY_LOCK_KEY } from '../../src/apply/advisory-lock.js';
import { runCli, writeConfig } from '../support/cli.js';
import { adminQuery, createLinkedPair } from '../support/databases.js';

const CONFIG =
  'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      billing:\n        remote:\n          url: ${BILLING_URL}\n';
const ADVISORY_LOCK = `SELECT pg_advisory_lock(${APPLY_LOCK_KEY.join(', ')})`;

async function setup(yaml = CONFIG) {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer, total numeric)');
  const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
  const config = writeConfig(yaml);
  return { local, remote, env, config, cli: (...args: string[]) => runCli([...args, '-c', config], env) };
}

/** A session of its own, kept open by the test (to hold locks). */
async function session(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  sessions.push(client);
  return client;
}
const sessions: pg.Client[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const client of sessions.splice(0)) await client.end().catch(() => undefined);
  for (const server of servers.splice(0)) server.close();
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const waitingApply = (database: string) => async () =>
  (
    await adminQuery(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'datalinks' AND wait_event_type = 'Lock'`, [
      database,
    ])
  ).length > 0;

describe('faults during plan and apply', () => {
  it('gives up on a server that accepts TCP but never answers, after --connect-timeout, naming the database and host', async () => {
    const { env, config } = await setup();
    const silent = createServer(() => {});
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const result = await runCli(['plan', '--connect-timeout', '1s', '-c', config], {
      ...env,
      LOCAL_URL: `postgres://u:p@127.0.0.1:${port}/app`,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`cannot connect to database "main" (127.0.0.1:${port}/app): no answer within 1s (connect timeout)`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('rolls the whole database back when a statement fails mid-apply, and names the link', async () => {
    const yaml = `${CONFIG}      crm:\n        remote:\n          url: \${BILLING_URL}\n`;
    const { local, cli } = await setup(yaml);
    // A fault no plan can foresee: an event trigger that refuses the crm link's foreign tables.
    await local.query(`CREATE FUNCTION refuse_crm() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() WHERE schema_name = 'crm') THEN
          RAISE EXCEPTION 'crm is closed today';
        END IF;
      END $$`);
    await local.query(
      `CREATE EVENT TRIGGER refuse_crm ON ddl_command_end WHEN TAG IN ('CREATE FOREIGN TABLE') EXECUTE FUNCTION refuse_crm()`,
    );
    const result = await cli('apply', '--auto-approve');
    await local.query('DROP EVENT TRIGGER refuse_crm');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Database main: FAILED: link "crm": crm is closed today');
    expect(result.stdout).toContain('rolled back, nothing was applied');
    expect(result.stdout).toContain('while running: CREATE FOREIGN TABLE "crm"."invoices"');
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
    expect(await local.query(`SELECT extname FROM pg_extension WHERE extname = 'postgres_fdw'`)).toEqual([]);
  });

  it('gives up after --lock-timeout when another session holds a lock the apply needs, changing nothing', async () => {
    const { local, remote, cli } = await setup();
    await cli('apply', '--auto-approve');
    await remote.query('ALTER TABLE invoices ADD COLUMN note text');
    const reader = await session(local.url);
    await reader.query('BEGIN');
    await reader.query('SELECT * FROM billing.invoices LIMIT 0');

    const result = await cli('apply', '--auto-approve', '--lock-timeout', '1s');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('canceling statement due to lock timeout');
    expect(result.stdout).toContain('another session holds a lock on an object this apply must change');
    await reader.query('ROLLBACK');
    const columns = await local.query(
      `SELECT attname FROM pg_attribute WHERE attrelid = 'billing.invoices'::regclass AND attnum > 0 ORDER BY attnum`,
    );
    expect(columns).toEqual([{ attname: 'id' }, { attname: 'total' }]);
  });

  it('serialises two applies at once: one applies, the other finds the state changed, never a half state', async () => {
    const { local, cli } = await setup();
    const [a, b] = await Promise.all([cli('apply', '--auto-approve'), cli('apply', '--auto-approve')]);
    const outputs = [a.stdout, b.stdout];
    expect(outputs.filter((o) => o.includes('Database main: applied'))).toHaveLength(1);
    const other = outputs.find((o) => !o.includes('Database main: applied')) ?? '';
    expect(other).toMatch(/state changed since plan|no changes/);
    expect(other).not.toContain('already exists');
    expect(await local.query(`SELECT count(*)::int AS n FROM billing.invoices`)).toEqual([{ n: 0 }]);
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });

  it('tells a second apply that another one holds the lock, after --lock-timeout', async () => {
    const { local, cli } = await setup();
    const holder = await session(local.url);
    await holder.query(ADVISORY_LOCK);
    const result = await cli('apply', '--auto-approve', '--lock-timeout', '1s');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('another datalinks apply is running on this database (waited 1s for its lock)');
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
  });

  it('reports a local connection lost mid-apply, and nothing is applied', async () => {
    const { local, cli } = await setup();
    const holder = await session(local.url);
    await holder.query(ADVISORY_LOCK);
    const applying = cli('apply', '--auto-approve', '--lock-timeout', '30s');
    await waitFor(waitingApply(local.name));
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'datalinks'`, [
      local.name,
    ]);
    const result = await applying;
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Database main: FAILED: .*terminat/);
    await holder.query('SELECT pg_advisory_unlock_all()');
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
  });
});

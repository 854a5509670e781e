import { constants } from 'node:os';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { APPLY_LOCK_KEY } from '../../src/apply/advisory-lock.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { startDatalinks, waitFor } from '../support/cli-process.js';
import { adminQuery, adminUrl, createLinkedPair, createRole, type TestDatabase, urlFor } from '../support/databases.js';
import { type Leftovers, settledLeftovers } from '../support/leftovers.js';
import { type StallingProxy, startStallingProxy, throughProxy } from '../support/stalling-proxy.js';

/**
 * DESIGN "Exits and signals", tried as an operator would: the built CLI runs as a process of its own
 * and is stopped by a signal at each moment of its work. Afterwards the local server's pg_stat_activity
 * and pg_locks show nothing of datalinks' (nor of the links' connections to the remote), the process
 * exited within its bound, and its exit code is 128 + the signal's number.
 */

const proxies: StallingProxy[] = [];
const holders: pg.Client[] = [];
afterEach(async () => {
  for (const client of holders.splice(0)) await client.end().catch(() => undefined);
  for (const proxy of proxies.splice(0)) await proxy.close();
});

/** A session of the test's own that holds locks (its application_name is not datalinks'). */
async function holder(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'test-holder' });
  await client.connect();
  holders.push(client);
  return client;
}

async function proxied(url: string, mode: StallingProxy['mode']): Promise<StallingProxy> {
  const proxy = await startStallingProxy(url, mode);
  proxies.push(proxy);
  return proxy;
}

/** A local and a remote database with a table, the remote reached through a proxy the test controls. */
async function setup(mode: StallingProxy['mode'] = 'forward') {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer, total numeric)');
  const role = await createRole('exits');
  await remote.query(`GRANT SELECT ON invoices TO ${pg.escapeIdentifier(role.name)}`);
  const proxy = await proxied(remote.url, mode);
  // Without TLS, so that the proxy can stall the local server's connection at a chosen message.
  const env = { LOCAL_URL: local.url, BILLING_URL: `${throughProxy(urlFor(remote.name, role), proxy)}?sslmode=disable` };
  const config = writeConfig(oneLinkConfig());
  return { local, remote, proxy, env, config };
}

const ADVISORY_LOCK = `SELECT pg_advisory_lock(${APPLY_LOCK_KEY.join(', ')})`;

/** A datalinks session of `database` waits for a lock. */
const waitsForLock = (database: TestDatabase) => async () =>
  (
    await adminQuery(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'datalinks' AND wait_event_type = 'Lock'`, [
      database.name,
    ])
  ).length > 0;

/** The local server's connection through the link reached the remote, which then stalled (`state` there). */
const stalledLinkSession =
  (remote: TestDatabase, state = 'idle') =>
  async () =>
    (
      await remote.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'postgres_fdw' AND state = '${state}'`,
      )
    ).length > 0;

const exitCode = (signal: NodeJS.Signals) => 128 + constants.signals[signal];

/** Nothing of datalinks' on the local and the remote database (within `withinMs`), or what is left. */
function nothingLeft(databases: TestDatabase[], withinMs = 1000): Promise<Leftovers> {
  return settledLeftovers(
    adminUrl(),
    databases.map((database) => database.name),
    withinMs,
  );
}

const NOTHING: Leftovers = { sessions: [], locks: [] };

describe('an apply stopped by a signal', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    'while it waits for the apply lock: %s cancels the wait, rolls back and exits 128+n with nothing left',
    async (signal) => {
      const { local, remote, env, config } = await setup();
      await (await holder(local.url)).query(ADVISORY_LOCK);
      const run = startDatalinks(['apply', '--auto-approve', '--lock-timeout', '60s', '-c', config], env);
      await waitFor('apply waits for the lock', waitsForLock(local));
      run.kill(signal);
      const exit = await run.exited;
      expect(exit).toMatchObject({ code: exitCode(signal), signal: null });
      expect(exit.ms).toBeLessThan(5000);
      expect(run.stdout()).toContain(`Database main: FAILED: interrupted by ${signal}: rolled back, nothing was applied`);
      expect(await nothingLeft([local, remote])).toEqual(NOTHING);
      expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
    },
  );

  it('while a statement waits for a reader’s lock: SIGTERM cancels it, so nothing stays queued and readers are not blocked', async () => {
    const { local, remote, env, config } = await setup();
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    // The remote table gained a column: apply alters the foreign table and waits for the reader.
    await remote.query('ALTER TABLE invoices ADD COLUMN note text');
    const reader = await holder(local.url);
    await reader.query('BEGIN');
    await reader.query('SELECT * FROM billing.invoices LIMIT 0');
    const run = startDatalinks(['apply', '--auto-approve', '--lock-timeout', '60s', '-c', config], env);
    await waitFor('apply waits for the reader', waitsForLock(local));
    run.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 143, signal: null });
    expect(exit.ms).toBeLessThan(5000);
    expect(run.stdout()).toContain('interrupted by SIGTERM: rolled back, nothing was applied');
    expect(await nothingLeft([local])).toEqual(NOTHING);
    // A new reader is not queued behind an ALTER that nobody will ever run.
    const next = await holder(local.url);
    await next.query(`SET lock_timeout = '1s'`);
    expect((await next.query('SELECT * FROM billing.invoices LIMIT 0')).rows).toEqual([]);
    // The readers' own connections to the remote go with them; then nothing is left there either.
    await Promise.all([reader.end(), next.end()]);
    expect(await nothingLeft([local, remote])).toEqual(NOTHING);
  });

  it('while it connects to the local database: SIGHUP gives up at once', async () => {
    const { local, remote, env, config } = await setup();
    const silentLocal = await proxied(local.url, 'silent');
    const run = startDatalinks(['apply', '--auto-approve', '-c', config], { ...env, LOCAL_URL: throughProxy(local.url, silentLocal) });
    await waitFor('apply connects', () => silentLocal.connections > 0);
    run.kill('SIGHUP');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 129, signal: null });
    expect(exit.ms).toBeLessThan(3000);
    expect(silentLocal.open()).toBe(0);
    expect(await nothingLeft([local, remote])).toEqual(NOTHING);
  });

  it('while it reads a stalled remote: SIGINT closes that connection and exits at once', async () => {
    // The plan's read goes through; apply's own read of the remote (the second connection) stalls.
    const { local, remote, proxy, env, config } = await setup((n) => (n === 1 ? 'forward' : { stallAfterReady: 2 }));
    const planFile = `${config}.plan.json`;
    expect((await runCli(['plan', '--out', planFile, '-c', config], env)).code).toBe(0);
    const run = startDatalinks(['apply', planFile, '--statement-timeout', '10min', '-c', config], env);
    await waitFor('apply reads the remote', () => proxy.connections >= 2);
    await waitFor(
      'the read stalls',
      async () =>
        (
          await remote.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'datalinks' AND state = 'idle'`,
          )
        ).length > 0,
    );
    run.kill('SIGINT');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 130, signal: null });
    expect(exit.ms).toBeLessThan(5000);
    expect(run.stdout()).toContain('interrupted by SIGINT: rolled back, nothing was applied');
    expect(proxy.open()).toBe(0);
    expect(await nothingLeft([local, remote])).toEqual(NOTHING);
  });

  it('while the local server proves the link to a stalled remote: SIGTERM ends the proof, rolls back and leaves nothing', async () => {
    // With --auto-approve on one database the plan is made under the lock: the second connection to
    // the remote is the local server's, proving the link before COMMIT.
    const { local, remote, proxy, env, config } = await setup((n) => (n === 1 ? 'forward' : { stallAfterReady: 2 }));
    const run = startDatalinks(['apply', '--auto-approve', '--statement-timeout', '10min', '-c', config], env);
    await waitFor('the local server connects to the remote', () => proxy.connections >= 2);
    await waitFor(
      'the proof stalls',
      async () =>
        (
          await remote.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'postgres_fdw' AND state = 'idle'`,
          )
        ).length > 0,
    );
    run.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 143, signal: null });
    expect(exit.ms).toBeLessThan(10_000);
    // The stall is in postgres_fdw's set-up of its remote session, before any remote transaction:
    // cancelled, it just disconnects (14 to 18).
    expect(run.stdout()).toContain('Database main: FAILED: interrupted by SIGTERM: rolled back, nothing was applied');
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
    expect(await nothingLeft([local, remote])).toEqual(NOTHING);
  });
});

describe('a session the server cannot end yet', () => {
  it('SIGTERM while the server reads through the link from a remote that stalls mid-query: exits at once and names the session, which ends once its remote connection drops', async () => {
    // The remote stops answering in the middle of the proof's read (postgres_fdw's FETCH), its remote
    // transaction open. Cancelled, postgres_fdw rolls back by asking the remote to cancel too, and
    // waits for it up to 30 s with interrupts held (PostgreSQL 14 to 18): pg_terminate_backend waits too.
    const { local, remote, proxy, env, config } = await setup((n) => (n === 1 ? 'forward' : { stallOnClient: 'FETCH' }));
    const run = startDatalinks(['apply', '--auto-approve', '--statement-timeout', '10min', '-c', config], env);
    await waitFor('the local server connects to the remote', () => proxy.connections >= 2);
    await waitFor('the read stalls', stalledLinkSession(remote, 'idle in transaction'));
    run.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 143, signal: null });
    // Cancel (1 s), closing (2 s), asking the server to end it (2 s).
    expect(exit.ms).toBeLessThan(10_000);
    const stdout = run.stdout();
    expect(stdout).toContain('Database main: FAILED: interrupted by SIGTERM: nothing was committed, but its session is still open');
    expect(stdout).not.toContain('rolled back');
    const pid = Number(/left running: session (\d+) on /.exec(stdout)?.[1]);
    const left = await nothingLeft([local], 100);
    expect(left.sessions.map((session) => session.pid)).toEqual([pid]);
    expect(left.locks.some((lock) => lock.locktype === 'advisory')).toBe(true);
    // The route recovers (the proxy drops its connections): the session ends, and nothing is left.
    await proxy.dropAll();
    expect(await nothingLeft([local, remote], 5000)).toEqual(NOTHING);
  });
});

describe('a session the cancel request does not reach', () => {
  it('is ended with pg_terminate_backend from a second connection, as the same role and without being a superuser', async () => {
    const { local, remote, env, config } = await setup();
    const owner = await createRole('owner');
    await adminQuery(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(local.name)} TO ${pg.escapeIdentifier(owner.name)}`);
    await local.query('CREATE EXTENSION postgres_fdw');
    await local.query(`GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${pg.escapeIdentifier(owner.name)}`);
    await (await holder(local.url)).query(ADVISORY_LOCK);
    // The apply's session (1) is held open toward the server after datalinks lets it go, its cancel
    // request (2) is swallowed; the connection after that (3) goes through.
    const localProxy = await proxied(local.url, (n) => (n === 1 ? 'hold' : n === 2 ? 'silent' : 'forward'));
    const ownerUrl = throughProxy(urlFor(local.name, owner), localProxy);
    const run = startDatalinks(['apply', '--auto-approve', '--lock-timeout', '60s', '--connect-timeout', '1s', '-c', config], {
      ...env,
      LOCAL_URL: ownerUrl,
    });
    await waitFor('apply waits for the lock', waitsForLock(local));
    run.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 143, signal: null });
    expect(exit.ms).toBeLessThan(10_000);
    expect(run.stdout()).toContain('Database main: FAILED: interrupted by SIGTERM: rolled back, nothing was applied');
    expect(localProxy.connections).toBe(3);
    expect(await nothingLeft([local, remote])).toEqual(NOTHING);
  });
});

describe('a process killed outright (SIGKILL), which can run no clean-up', () => {
  it('has its statement queued for a lock ended by the server within a second or two', async () => {
    const { local, remote, env, config } = await setup();
    await (await holder(local.url)).query(ADVISORY_LOCK);
    const run = startDatalinks(['apply', '--auto-approve', '--lock-timeout', '60s', '-c', config], env);
    await waitFor('apply waits for the lock', waitsForLock(local));
    run.kill('SIGKILL');
    expect(await run.exited).toMatchObject({ code: null, signal: 'SIGKILL' });
    // client_connection_check_interval: the server looks at the closed socket every second.
    expect(await nothingLeft([local, remote], 3000)).toEqual(NOTHING);
  });
});

describe('a process killed outright during the proof (SIGKILL)', () => {
  it('has the local server end the session waiting for a stalled remote', async () => {
    const { local, remote, proxy, env, config } = await setup((n) => (n === 1 ? 'forward' : { stallAfterReady: 2 }));
    const run = startDatalinks(['apply', '--auto-approve', '--statement-timeout', '10min', '-c', config], env);
    await waitFor('the local server connects to the remote', () => proxy.connections >= 2);
    await waitFor('the proof stalls', stalledLinkSession(remote));
    run.kill('SIGKILL');
    expect(await run.exited).toMatchObject({ code: null, signal: 'SIGKILL' });
    // The server notices its client gone while it waits for the remote (client_connection_check_interval),
    // ends the session, and with it the link's connection: measured 0.9 s on PostgreSQL 14, 15 and 17.
    expect(await nothingLeft([local, remote], 3000)).toEqual(NOTHING);
  });
});

describe('check stopped by a signal', () => {
  it('during the probe of a stalled remote: SIGHUP stops it, the probe is rolled back, and nothing is left', async () => {
    const { local, remote, proxy, env, config } = await setup();
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    proxy.mode = { stallAfterReady: 2 };
    const before = proxy.connections;
    const run = startDatalinks(['check', '--statement-timeout', '10min', '-c', config], env);
    await waitFor('the local server connects to the remote', () => proxy.connections >= before + 2);
    await waitFor(
      'the probe stalls',
      async () =>
        (
          await remote.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'postgres_fdw' AND state = 'idle'`,
          )
        ).length > 0,
    );
    run.kill('SIGHUP');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 129, signal: null });
    expect(exit.ms).toBeLessThan(10_000);
    expect(run.stdout()).toContain('checking database "main" was interrupted by SIGHUP');
    expect(await nothingLeft([local, remote])).toEqual(NOTHING);
  });
});

describe('a closed pipe', () => {
  it('datalinks apply | head -1: the reader going away is not an error; apply finishes its work and leaves nothing', async () => {
    const { local, remote, env, config } = await setup();
    const run = startDatalinks(['apply', '--auto-approve', '-c', config], env);
    // Close our end of its stdout once the first line (of the plan) is in, as head -1 does: the
    // outcome it prints after applying meets a closed pipe (EPIPE).
    await waitFor('the first line', () => run.stdout().includes('\n'));
    run.closeStdout();
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(run.stderr()).toBe('');
    expect(await nothingLeft([local, remote])).toEqual(NOTHING);
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([{ srvname: 'billing' }]);
  });
});

import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { withPlainClient } from '../../src/db/plain-client.js';
import { runCli, writeConfig } from '../support/cli.js';
import { startDatalinks, waitFor } from '../support/cli-process.js';
import { type Leftovers, settledLeftovers } from '../support/leftovers.js';
import { createLocalDatabase, createMysqlDatabase, type LocalDatabase, mysqlMissing } from '../support/mysql.js';
import { type StallingProxy, startStallingProxy, throughProxy } from '../support/stalling-proxy.js';

/**
 * DESIGN "Exits and signals" with MySQL remotes, on Debian's PostgreSQL 15 with mysql_fdw 2.8 and a
 * real MariaDB. mysql_fdw's connection attempt and reads cannot be interrupted (neither a cancel nor
 * pg_terminate_backend stops mysql_real_connect): when the route from the database server to the remote
 * stalls while datalinks' own route answers, the server's session is stuck until that connection ends.
 * datalinks then stops waiting within its bound, asks the server to end the session, and names the
 * session it could not end; once the remote's connection drops, the session ends by itself.
 */

const proxies: StallingProxy[] = [];
const holders: pg.Client[] = [];
afterEach(async () => {
  for (const client of holders.splice(0)) await client.end().catch(() => undefined);
  for (const proxy of proxies.splice(0)) await proxy.close();
});

const config = () =>
  writeConfig(`version: 1
databases:
  main:
    url: \${LOCAL_URL}
    links:
      shop:
        remote:
          url: \${SHOP_URL}
`);

/** A MariaDB database with a table, a local database, and a proxy in front of MariaDB that the test controls. */
async function setup(mode: StallingProxy['mode'] = 'forward') {
  const [remote, local] = await Promise.all([createMysqlDatabase('exits'), createLocalDatabase()]);
  await remote.query('CREATE TABLE orders (id int PRIMARY KEY, total decimal(10,2))');
  const proxy = await startStallingProxy(remote.url, mode);
  proxies.push(proxy);
  const env = { LOCAL_URL: local.url, SHOP_URL: throughProxy(remote.url, proxy) };
  return { remote, local, proxy, env, file: config() };
}

const nameOf = (local: LocalDatabase) => new URL(local.url).pathname.slice(1);

/** Nothing of datalinks' left on the local database (within `withinMs`), or what is. */
const nothingLeft = (local: LocalDatabase, withinMs = 1000): Promise<Leftovers> =>
  settledLeftovers(inject('mysqlLocalAdminUrl'), [nameOf(local)], withinMs);

const NOTHING: Leftovers = { sessions: [], locks: [] };

/** The pid that a "left running: session PID on ..." line names. */
function leftPid(output: string): number | null {
  const match = /left running: session (\d+) on /.exec(output);
  return match ? Number(match[1]) : null;
}

describe.skipIf(mysqlMissing() !== '')('MySQL remotes that stall, and signals (mysql_fdw)', () => {
  it('apply whose proof stalls toward the server stops in bounded time, names the session it could not end, and never says rolled back', async () => {
    // Connections 1 and 2 are datalinks' own (its read of the remote, then reaching it again just
    // before the proof); the third, the local server's, is swallowed: its mysql_real_connect never returns.
    const { local, proxy, env, file } = await setup((n) => (n <= 2 ? 'forward' : 'silent'));
    const run = startDatalinks(['apply', '--auto-approve', '--statement-timeout', '2s', '-c', file], env);
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 1, signal: null });
    // The proof's bound (2s, plus 3s for the server), closing (2s) and asking the server to end it (2s).
    expect(exit.ms).toBeLessThan(15_000);
    const stdout = run.stdout();
    expect(stdout).toContain('Database main: FAILED: link shop: unreachable: the local server did not answer');
    expect(stdout).toContain('nothing was committed, but its session is still open on the server (below)');
    expect(stdout).not.toContain('rolled back');
    // No hint suggests what validate refuses for a MySQL URL.
    expect(stdout).not.toContain('connect_timeout');
    expect(stdout).toContain('mysql_fdw has no connect timeout to set');
    const pid = leftPid(stdout);
    expect(pid).not.toBeNull();
    // It is really there, as said, with the apply's locks.
    const left = await nothingLeft(local);
    expect(left.sessions.map((s) => s.pid)).toEqual([pid]);
    expect(left.locks.some((l) => l.locktype === 'advisory')).toBe(true);

    // Once the server's connection to the remote drops, the session ends (it was asked to), and the
    // next apply goes through.
    proxy.mode = 'forward';
    await proxy.dropAll();
    expect(await nothingLeft(local, 10_000)).toEqual(NOTHING);
    const again = await runCli(['apply', '--auto-approve', '-c', file], env);
    expect(again.stdout).toContain('Database main: applied');
    expect(again.code).toBe(0);
  });

  it('SIGTERM while the server is stuck in the proof exits 143 at once and names the session left', async () => {
    const { local, proxy, env, file } = await setup((n) => (n <= 2 ? 'forward' : 'silent'));
    const run = startDatalinks(['apply', '--auto-approve', '--statement-timeout', '10min', '-c', file], env);
    await waitFor('the local server connects to the remote', () => proxy.connections >= 3);
    run.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 143, signal: null });
    expect(exit.ms).toBeLessThan(10_000);
    expect(run.stdout()).toContain('Database main: FAILED: interrupted by SIGTERM: nothing was committed, but its session is still open');
    const pid = leftPid(run.stdout());
    expect((await nothingLeft(local)).sessions.map((s) => s.pid)).toEqual([pid]);
    await proxy.dropAll();
    expect(await nothingLeft(local, 10_000)).toEqual(NOTHING);
  });

  it('check against a remote that stalls toward the server names the session it left, in text and --json, and it holds no lock on the linked tables', async () => {
    const { local, proxy, env, file } = await setup();
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
    // Check reads the remote (the plan) and reaches it before the probe: those two go through, the server's does not.
    const before = proxy.connections;
    proxy.mode = (n) => (n <= before + 2 ? 'forward' : 'silent');
    const run = startDatalinks(['check', '--json', '--statement-timeout', '2s', '-c', file], env);
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.ms).toBeLessThan(15_000);
    const database = JSON.parse(run.stdout()).databases[0];
    expect(database.links[0]).toMatchObject({ state: 'unreachable', failure: { code: 'stalled' } });
    expect(database.links[0].failure.hint).not.toContain('connect_timeout');
    expect(database.left_session).toMatchObject({ reason: 'still_running', pid: expect.any(Number) });
    expect((await nothingLeft(local)).sessions.map((s) => s.pid)).toEqual([database.left_session.pid]);
    // The stuck probe connected through a temporary table: an apply or a reader can still lock the linked table.
    await withPlainClient(local.url, async (client) => {
      await client.query(`SET lock_timeout = '1s'`);
      await client.query('BEGIN');
      // (LOCK TABLE takes no foreign table; a DROP, rolled back, takes the same ACCESS EXCLUSIVE lock.)
      await client.query('DROP FOREIGN TABLE shop.orders');
      await client.query('ROLLBACK');
    });
    await proxy.dropAll();
    expect(await nothingLeft(local, 10_000)).toEqual(NOTHING);
  });

  it('check does not ask the local server to connect when datalinks itself cannot reach the remote', async () => {
    const { local, proxy, env, file } = await setup();
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
    proxy.mode = 'silent';
    const before = proxy.connections;
    const result = await runCli(['check', '--json', '--connect-timeout', '1s', '-c', file], env);
    expect(result.code).toBe(1);
    const database = JSON.parse(result.stdout).databases[0];
    expect(database.links[0]).toMatchObject({ state: 'unreachable', failure: { code: 'not_reached' } });
    expect(database.links[0].failure.message).toContain('datalinks could not reach the remote');
    expect(database.left_session).toBeNull();
    // Its plan's read and its own attempt to reach the remote; none from the server.
    expect(proxy.connections - before).toBe(2);
    expect(await nothingLeft(local)).toEqual(NOTHING);
  });

  it('check sends mysql_fdw no option it refuses (no connect_timeout), so the server logs no error', async () => {
    const { env, file } = await setup();
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
    const log = inject('mysqlLocalServerLog');
    const logged = readFileSync(log, 'utf8').length;
    const result = await runCli(['check', '--statement-timeout', '5s', '-c', file], env);
    expect(result.stdout).toContain('✓ shop: ok');
    expect(result.code).toBe(0);
    expect(readFileSync(log, 'utf8').slice(logged)).not.toMatch(/ERROR|connect_timeout/);
  });

  it('a remote that never closes its side of the connection does not keep the process alive', async () => {
    const { env, file } = await setup('never-close');
    const run = startDatalinks(['plan', '--detailed-exitcode', '-c', file], env);
    const exit = await run.exited;
    expect(run.stdout()).toContain('+ link shop will be created');
    expect(exit).toMatchObject({ code: 2, signal: null });
    expect(exit.ms).toBeLessThan(5000);
  });

  it('SIGINT while datalinks reads a remote that stopped answering closes the connection and exits 130 at once', async () => {
    // The greeting and the authentication's OK go through; the catalog query is never answered.
    const { local, proxy, env, file } = await setup({ stallAfterMysqlPackets: 2 });
    const run = startDatalinks(['plan', '--statement-timeout', '10min', '-c', file], env);
    await waitFor('plan reads the remote', () => proxy.connections >= 1 && proxy.open() >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    run.kill('SIGINT');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 130, signal: null });
    expect(exit.ms).toBeLessThan(3000);
    expect(run.stderr()).toContain('interrupted by SIGINT: stopped before anything was changed');
    await waitFor('the proxy sees the connection closed', () => proxy.open() === 0, 2000);
    expect(await nothingLeft(local)).toEqual(NOTHING);
  });
});

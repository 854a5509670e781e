import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, createRole, urlFor } from '../support/databases.js';
import { type StallingProxy, startStallingProxy, throughProxy } from '../support/stalling-proxy.js';

const proxies: StallingProxy[] = [];
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
});

/** A local and a remote database; the remote is reached through a proxy the test controls. */
async function setup(mode: StallingProxy['mode']) {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer, total numeric)');
  // A role of its own, so its password is unique and can be looked for in the output.
  const role = await createRole('stalled');
  await remote.query(`GRANT SELECT ON invoices TO ${role.name}`);
  const proxy = await startStallingProxy(remote.url, mode);
  proxies.push(proxy);
  const env = { LOCAL_URL: local.url, BILLING_URL: throughProxy(urlFor(remote.name, role), proxy) };
  const config = writeConfig(oneLinkConfig());
  const cli = (...args: string[]) => runCli([...args, '-c', config], env);
  return { local, remote, proxy, role, env, config, cli, where: `127.0.0.1:${proxy.port}/${remote.name}` };
}

/** Sessions datalinks still has on `database` (none should outlive a command). */
async function datalinksSessions(local: { query: (sql: string) => Promise<unknown[]> }) {
  return local.query(
    `SELECT state, query FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'datalinks' AND pid <> pg_backend_pid()`,
  );
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = Date.now();
  const result = await fn();
  return { result, seconds: (Date.now() - started) / 1000 };
}

describe('a remote that stalls', () => {
  it('plan gives up on a remote that accepts the connection and never answers, naming host and port', async () => {
    const { cli, where, role } = await setup('silent');
    const { result, seconds } = await timed(() => cli('plan', '--connect-timeout', '1s'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`link billing: cannot connect to the remote ${where}: no answer within 1s (connect timeout)`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(role.password);
    expect(seconds).toBeLessThan(20);
  });

  it('plan gives up on a remote that completes start-up and authentication, then stops answering', async () => {
    const { cli, where } = await setup({ stallAfterReady: 1 });
    const { result, seconds } = await timed(() => cli('plan', '--connect-timeout', '2s', '--statement-timeout', '30s'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `cannot connect to the remote ${where}: the server accepted the connection but did not answer within 2s (connect timeout)`,
    );
    expect(seconds).toBeLessThan(20);
  });

  it('plan gives up on a remote that stops answering in the middle of its catalog queries, after the statement timeout', async () => {
    const { cli, where } = await setup({ stallAfterReady: 2 });
    const { result, seconds } = await timed(() => cli('plan', '--connect-timeout', '1s', '--statement-timeout', '1s'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `reading the remote failed: no answer from ${where} within 2s (statement timeout 1s, then the connect timeout)`,
    );
    expect(result.stdout).toContain('raise --statement-timeout');
    expect(seconds).toBeLessThan(20);
  });

  it('apply of a saved plan fails fast when the remote stalls, leaves no session or lock behind, and the next apply succeeds', async () => {
    const { local, proxy, cli, where, config } = await setup('forward');
    const planFile = join(config, '..', 'plan.json');
    expect((await cli('plan', '--out', planFile)).code).toBe(0);

    proxy.mode = { stallAfterReady: 2 };
    const { result, seconds } = await timed(() =>
      cli('apply', planFile, '--connect-timeout', '1s', '--statement-timeout', '2s', '--lock-timeout', '1s'),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `Database main: FAILED: link "billing": reading the remote failed: no answer from ${where} within 3s (statement timeout 2s, then the connect timeout); nothing was applied`,
    );
    expect(seconds).toBeLessThan(20);
    expect(await datalinksSessions(local)).toEqual([]);
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);

    proxy.mode = 'forward';
    const again = await cli('apply', planFile, '--lock-timeout', '1s');
    expect(again.stdout).toContain('Database main: applied');
    expect(again.code).toBe(0);
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });

  it('apply whose remote stalls between its plan and its apply exits in bounded time with the lock free', async () => {
    // The first connection (the plan's) goes through; apply's own read of the remote then stalls.
    // A saved plan keeps plan and apply apart (apply --auto-approve of one database plans under its lock).
    const { local, proxy, env, config, where, cli } = await setup((connection) => (connection === 1 ? 'forward' : 'silent'));
    const planFile = join(config, '..', 'plan.json');
    expect((await cli('plan', '--out', planFile)).code).toBe(0);
    const child = spawn(
      'node',
      ['bin/datalinks.js', 'apply', planFile, '--connect-timeout', '2s', '--statement-timeout', '3s', '-c', config],
      {
        env: { PATH: process.env.PATH, ...env },
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect((Date.now() - started) / 1000).toBeLessThan(20);
    expect(code).toBe(1);
    expect(stdout).toContain(
      `Database main: FAILED: link "billing": cannot connect to the remote ${where}: no answer within 2s (connect timeout)`,
    );
    expect(await datalinksSessions(local)).toEqual([]);

    proxy.mode = 'forward';
    const again = await runCli(['apply', '--auto-approve', '--lock-timeout', '1s', '-c', config], env);
    expect(again.stdout).toContain('Database main: applied');
  });

  it('plan gives up on a local database that stops answering after start-up, naming it', async () => {
    const { local, env, config } = await setup('forward');
    const localProxy = await startStallingProxy(local.url, { stallAfterReady: 2 });
    proxies.push(localProxy);
    const { result, seconds } = await timed(() =>
      runCli(['plan', '--connect-timeout', '1s', '--statement-timeout', '1s', '-c', config], {
        ...env,
        LOCAL_URL: throughProxy(local.url, localProxy),
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `reading database "main" failed: no answer from 127.0.0.1:${localProxy.port}/${local.name} within 2s (statement timeout 1s, then the connect timeout)`,
    );
    expect(seconds).toBeLessThan(20);
  });
});

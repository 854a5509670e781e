import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionFailed, closeQuietly, connect } from '../../src/db/connect.js';
import { withPlainClient } from '../../src/db/plain-client.js';
import { type RunningServer, startEmbeddedServer } from '../../src/demo/embedded-server.js';
import { runCli, writeConfig } from '../support/cli.js';

/** A small server: 20 connections, 3 of them kept for superusers, as a managed database's smallest tier. */
const MAX_CONNECTIONS = 20;
const TENANTS = 30;

let server: RunningServer;
const urlOf = (database: string) => {
  const url = new URL(server.url);
  url.pathname = `/${database}`;
  return url.toString();
};

beforeAll(async () => {
  server = await startEmbeddedServer({ settings: { max_connections: String(MAX_CONNECTIONS) } });
  await withPlainClient(server.url, async (client) => {
    // By file copy: in a new cluster that is 15 ms a database, against 100 ms through the WAL (the default).
    for (let i = 0; i < TENANTS; i++) await client.query(`CREATE DATABASE tenant_${i} STRATEGY FILE_COPY`);
    await client.query('CREATE DATABASE catalog STRATEGY FILE_COPY');
  });
  await withPlainClient(urlOf('catalog'), (client) => client.query('CREATE TABLE products (id integer)'));
});

afterAll(async () => {
  await server?.stop();
});

describe('--parallelism on a small server', () => {
  it('plans, applies and checks 30 databases at --parallelism 400 on a server of 20 connections without a connection failure', async () => {
    const databases = Array.from(
      { length: TENANTS },
      (_, i) =>
        `  tenant_${i}:\n    url: ${urlOf(`tenant_${i}`)}\n    links:\n      catalog:\n        remote:\n          url: \${CATALOG_URL}\n`,
    );
    const password = decodeURIComponent(new URL(server.url).password);
    const config = writeConfig(`version: 1\ndatabases:\n${databases.join('').replaceAll(`:${encodeURIComponent(password)}@`, ':${PW}@')}`);
    const env = { CATALOG_URL: urlOf('catalog'), PW: password };
    const cli = (...args: string[]) => runCli([...args, '--parallelism', '400', '-c', config], env);

    const plan = await cli('plan');
    expect(plan.stdout).toContain(`Plan: ${TENANTS} to create, 0 to update, 0 to destroy.`);
    expect(plan.code).toBe(0);
    // What was bounded, and why: the server's free connection slots (17 of 20 for a login role; half of them used).
    expect(plan.stderr).toMatch(
      /note: 127\.0\.0\.1:\d+ takes 17 more connections from this role now: datalinks uses at most 8 of them at once there/,
    );
    const apply = await cli('apply', '--auto-approve');
    expect(apply.stdout).not.toMatch(/too many clients|connect timeout|cannot connect/);
    expect(apply.code).toBe(0);
    const check = await cli('check');
    expect(check.stdout).toContain(`${TENANTS} ok`);
    expect(check.code).toBe(0);
  });

  it('a connection refused while datalinks itself crowds the server says how many of its own were open, and to lower --parallelism', async () => {
    const target = {
      url: urlOf('catalog'),
      host: '127.0.0.1',
      port: new URL(server.url).port,
      dbname: 'catalog',
      user: 'postgres',
      password: null,
      params: {},
    };
    const attempts = await Promise.allSettled(Array.from({ length: 30 }, () => connect(target, { connectTimeoutMs: 10_000 })));
    const failures = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason] : []));
    await Promise.all(attempts.map((a) => (a.status === 'fulfilled' ? closeQuietly(a.value) : undefined)));
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(ConnectionFailed);
      expect((failure as ConnectionFailed).reason).toMatch(
        /^the server has no connection slot left \(too many clients\), and datalinks itself had \d+ other connections to 127\.0\.0\.1:\d+ open or opening/,
      );
      expect((failure as ConnectionFailed).hint).toContain('lower --parallelism');
    }
  });
});

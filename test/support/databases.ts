import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withPlainClient } from '../../src/db/plain-client.js';
import { onFileEnd } from './file-end.js';

export interface TestDatabase {
  name: string;
  /** Superuser URL of this database. */
  url: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

const created: string[] = [];
const createdRoles: string[] = [];

export function adminUrl(): string {
  return inject('adminUrl');
}

export function urlFor(database: string, credentials?: { name: string; password: string }): string {
  const url = new URL(adminUrl());
  url.pathname = `/${encodeURIComponent(database)}`;
  if (credentials) {
    url.username = encodeURIComponent(credentials.name);
    url.password = encodeURIComponent(credentials.password);
  }
  return url.toString();
}

/** A plain connection for one call; tests own their databases. */
export const withClient = withPlainClient;

/**
 * The file's sessions on the server's `postgres` database, for its own administration (databases,
 * roles, pg_stat_activity): kept open for the file, because a new session per statement costs the
 * server a backend start (about 25 ms of CPU here) and the suite ran about a thousand of them.
 * No test changes a setting of these sessions; tests that need a session of their own use withClient.
 */
let adminPool: pg.Pool | undefined;

function admin(): pg.Pool {
  if (!adminPool) {
    adminPool = new pg.Pool({ connectionString: adminUrl(), max: 2, allowExitOnIdle: true });
    // A session the server ends (a test terminating backends) is replaced on the next query.
    adminPool.on('error', () => undefined);
  }
  return adminPool;
}

export async function adminQuery<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
  return (await admin().query<R>(sql, params)).rows;
}

let createStrategy: Promise<string> | undefined;

/**
 * How CREATE DATABASE copies template1: by its files (one checkpoint) rather than block by block
 * through the WAL (PostgreSQL 15+'s default, which writes the whole template, about 7.5 MB, to the
 * WAL for every database: half the server's CPU per database here). 14 only copies files.
 */
function strategy(): Promise<string> {
  createStrategy ??= adminQuery<{ n: string }>("SELECT current_setting('server_version_num') AS n").then(([row]) =>
    Number(row?.n) >= 150000 ? ' STRATEGY FILE_COPY' : '',
  );
  return createStrategy;
}

/** A fresh, empty database of its own for one test; dropped when the file's tests end. */
export async function createDatabase(label: string): Promise<TestDatabase> {
  const name = `dl_${label}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${pg.escapeIdentifier(name)}${await strategy()}`);
  created.push(name);
  const url = urlFor(name);
  return {
    name,
    url,
    query: (sql, params) => withClient(url, async (client) => (await client.query(sql, params)).rows),
  };
}

/** A local and a remote database, as most scenarios need. */
export async function createLinkedPair(): Promise<{ local: TestDatabase; remote: TestDatabase }> {
  const [local, remote] = await Promise.all([createDatabase('local'), createDatabase('remote')]);
  return { local, remote };
}

/** A role a test made itself (a group role, say), dropped with the file's other roles. */
export async function createGroupRole(name: string): Promise<void> {
  await adminQuery(`CREATE ROLE ${pg.escapeIdentifier(name)} NOLOGIN`);
  createdRoles.push(name);
}

/** A login role with a password, unique to this test run. */
export async function createRole(
  label: string,
  password = `pw-${randomBytes(6).toString('hex')}`,
): Promise<{ name: string; password: string }> {
  const name = `dl_${label}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE ROLE ${pg.escapeIdentifier(name)} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
  createdRoles.push(name);
  return { name, password };
}

onFileEnd(async () => {
  for (const name of created.splice(0)) {
    await adminQuery(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }
  for (const role of createdRoles.splice(0)) {
    // DROP OWNED also revokes what the role was granted on shared objects (a parameter's SET, say),
    // which would otherwise keep DROP ROLE from dropping it.
    await adminQuery(`DROP OWNED BY ${pg.escapeIdentifier(role)}`).catch(() => undefined);
    await adminQuery(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`).catch(() => undefined);
  }
  await adminPool?.end();
  adminPool = undefined;
});

/**
 * A link made by hand, the way people do without datalinks: server, user mapping, schema and
 * IMPORT FOREIGN SCHEMA. `remoteUrl` carries the credentials for the user mapping.
 */
export async function linkByHand(local: TestDatabase, remoteUrl: string, name: string, importOptions = ''): Promise<void> {
  const target = new URL(remoteUrl);
  const id = pg.escapeIdentifier(name);
  const lit = (value: string) => pg.escapeLiteral(decodeURIComponent(value));
  // In one session, one statement after the other (each query of a TestDatabase is a session of its own).
  await withClient(local.url, async (client) => {
    await client.query('CREATE EXTENSION IF NOT EXISTS postgres_fdw');
    await client.query(
      `CREATE SERVER ${id} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host ${lit(target.hostname)}, port ${lit(target.port)}, dbname ${lit(target.pathname.slice(1))})`,
    );
    await client.query(
      `CREATE USER MAPPING FOR CURRENT_USER SERVER ${id} OPTIONS (user ${lit(target.username)}, password ${lit(target.password)})`,
    );
    await client.query(`CREATE SCHEMA ${id}`);
    await client.query(`IMPORT FOREIGN SCHEMA public FROM SERVER ${id} INTO ${id} ${importOptions}`);
  });
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { withPlainClient } from '../../src/db/plain-client.js';

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

export async function adminQuery<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
  return withClient(adminUrl(), async (client) => (await client.query<R>(sql, params)).rows);
}

/** A fresh, empty database of its own for one test; dropped when the file's tests end. */
export async function createDatabase(label: string): Promise<TestDatabase> {
  const name = `dl_${label}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
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

afterAll(async () => {
  for (const name of created.splice(0)) {
    await adminQuery(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }
  for (const role of createdRoles.splice(0)) {
    await adminQuery(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`).catch(() => undefined);
  }
});

/**
 * A link made by hand, the way people do without datalinks: server, user mapping, schema and
 * IMPORT FOREIGN SCHEMA. `remoteUrl` carries the credentials for the user mapping.
 */
export async function linkByHand(local: TestDatabase, remoteUrl: string, name: string, importOptions = ''): Promise<void> {
  const target = new URL(remoteUrl);
  const id = pg.escapeIdentifier(name);
  const lit = (value: string) => pg.escapeLiteral(decodeURIComponent(value));
  await local.query('CREATE EXTENSION IF NOT EXISTS postgres_fdw');
  await local.query(
    `CREATE SERVER ${id} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host ${lit(target.hostname)}, port ${lit(target.port)}, dbname ${lit(target.pathname.slice(1))})`,
  );
  await local.query(
    `CREATE USER MAPPING FOR CURRENT_USER SERVER ${id} OPTIONS (user ${lit(target.username)}, password ${lit(target.password)})`,
  );
  await local.query(`CREATE SCHEMA ${id}`);
  await local.query(`IMPORT FOREIGN SCHEMA public FROM SERVER ${id} INTO ${id} ${importOptions}`);
}

import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { inject } from 'vitest';
import { withPlainClient } from '../../src/db/plain-client.js';
import { onFileEnd } from './file-end.js';

/** Why the MySQL project cannot run here, or '' (see mysql-setup.ts). */
export const mysqlMissing = (): string => inject('mysqlMissing');

const cleanups: (() => Promise<unknown>)[] = [];
onFileEnd(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
});

/** Runs statements as MariaDB's root. */
export async function mysqlAdmin(sql: string, values: unknown[] = []): Promise<unknown> {
  const connection = await mysql.createConnection(inject('mysqlAdminUrl'));
  try {
    const [rows] = await connection.query(sql, values);
    return rows;
  } finally {
    await connection.end();
  }
}

export interface MysqlDatabase {
  name: string;
  user: string;
  password: string;
  /** mysql://user:password@127.0.0.1:PORT/name with the password percent-encoded. */
  url: string;
  /** Runs statements in this database as root. */
  query(sql: string): Promise<unknown>;
}

/**
 * A MariaDB database of its own with a user that may do anything in it, whose password has
 * characters a URL must encode. Dropped when the file's tests end.
 */
export async function createMysqlDatabase(label: string, password = `p@ss:${randomBytes(6).toString('hex')}/#`): Promise<MysqlDatabase> {
  const suffix = randomBytes(4).toString('hex');
  const name = `dl_${label}_${suffix}`;
  const user = `u_${suffix}`;
  await mysqlAdmin(`CREATE DATABASE \`${name}\``);
  await mysqlAdmin("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
  await mysqlAdmin(`GRANT ALL ON \`${name}\`.* TO ?@'%'`, [user]);
  cleanups.push(
    () => mysqlAdmin(`DROP DATABASE \`${name}\``),
    () => mysqlAdmin("DROP USER ?@'%'", [user]),
  );
  const admin = new URL(inject('mysqlAdminUrl'));
  const url = `mysql://${user}:${encodeURIComponent(password)}@${admin.host}/${name}`;
  return {
    name,
    user,
    password,
    url,
    query: async (sql) => {
      const connection = await mysql.createConnection({ uri: inject('mysqlAdminUrl'), database: name, multipleStatements: true });
      try {
        return (await connection.query(sql))[0];
      } finally {
        await connection.end();
      }
    },
  };
}

export interface LocalDatabase {
  url: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string): Promise<R[]>;
}

/** A fresh database on the project's PostgreSQL 15 (the one with mysql_fdw). */
export async function createLocalDatabase(): Promise<LocalDatabase> {
  const adminUrl = inject('mysqlLocalAdminUrl');
  const name = `dl_local_${randomBytes(4).toString('hex')}`;
  await withPlainClient(adminUrl, (client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  // Not dropped when the file ends: the cluster is the project's own and is removed when the run ends,
  // and DROP DATABASE waits for every backend of the cluster to take its barrier, which a backend the
  // exits tests leave inside a stalled mysql_fdw call does only when the stall ends (up to 5 s).
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    query: (sql) => withPlainClient(url.toString(), async (client) => (await client.query(sql)).rows),
  };
}

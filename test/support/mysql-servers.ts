import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const MYSQL_FDW = '/usr/lib/postgresql/15/lib/mysql_fdw.so';
const PACKAGES = 'apt-get install postgresql-15 postgresql-15-mysql-fdw mariadb-server';

function which(name: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor<T>(what: string, attempt: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} did not start: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Why MariaDB and PostgreSQL 15 with mysql_fdw cannot be started here, or '' when they can. */
export function missingMysqlPackages(): string {
  const missing = [
    !existsSync(join(PG_BIN, 'initdb')) && 'postgresql-15',
    !existsSync(MYSQL_FDW) && 'postgresql-15-mysql-fdw',
    !(which('mariadbd') && which('mariadb-install-db')) && 'mariadb-server',
  ].filter(Boolean);
  return missing.length > 0 ? `${missing.join(', ')} not installed (${PACKAGES})` : '';
}

export interface MysqlServers {
  /** root@127.0.0.1 URL of the MariaDB. */
  mysqlAdminUrl: string;
  /** Superuser URL of the PostgreSQL 15 (mysql_fdw available). */
  localAdminUrl: string;
  stop(): Promise<void>;
}

/**
 * A throwaway MariaDB and a throwaway Debian PostgreSQL 15 (mysql_fdw from Debian is built for 15
 * only), on loopback ports, for the MySQL tests and `npm run fuzz -- --mysql`. Check
 * missingMysqlPackages() first.
 */
export async function startMysqlServers(): Promise<MysqlServers> {
  const mariadbd = which('mariadbd');
  const installDb = which('mariadb-install-db');
  let mysqlAdminUrl = '';
  let localAdminUrl = '';
  const work = mkdtempSync(join(tmpdir(), 'datalinks-mysql-'));
  const asRoot = process.getuid?.() === 0;
  const stops: (() => void)[] = [];
  const cleanup = async () => {
    for (const stop of stops.reverse()) stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    // MariaDB, as root (the test machine's user), on a loopback port; no anonymous users.
    const mysqlPort = await freePort();
    const data = join(work, 'mariadb');
    execFileSync(
      installDb as string,
      [`--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...(asRoot ? ['--user=root'] : [])],
      {
        stdio: 'ignore',
      },
    );
    const server = spawn(
      mariadbd as string,
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--port=${mysqlPort}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(work, 'mariadb.sock')}`,
        `--pid-file=${join(work, 'mariadb.pid')}`,
        '--skip-log-bin',
        '--innodb-buffer-pool-size=32M',
        ...(asRoot ? ['--user=root'] : []),
      ],
      { stdio: 'ignore' },
    );
    stops.push(() => server.kill('SIGKILL'));
    const rootPassword = `root-${randomBytes(6).toString('hex')}`;
    await waitFor('MariaDB', async () => {
      const c = await mysql.createConnection({ socketPath: join(work, 'mariadb.sock'), user: 'root' });
      await c.query("DELETE FROM mysql.global_priv WHERE User = ''");
      await c.query('ALTER USER root@localhost IDENTIFIED BY ?', [rootPassword]);
      await c.query('CREATE USER IF NOT EXISTS root@127.0.0.1 IDENTIFIED BY ?', [rootPassword]);
      await c.query('GRANT ALL ON *.* TO root@127.0.0.1 WITH GRANT OPTION');
      await c.query('FLUSH PRIVILEGES');
      await c.end();
    });
    mysqlAdminUrl = `mysql://root:${rootPassword}@127.0.0.1:${mysqlPort}/mysql`;

    // PostgreSQL 15 (initdb refuses root: the cluster runs as postgres).
    const pgPort = await freePort();
    const pgPassword = `pg-${randomBytes(6).toString('hex')}`;
    const cluster = join(work, 'pg');
    const asPostgres = (bin: string, args: string[]) =>
      asRoot
        ? execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args], { stdio: 'ignore' })
        : execFileSync(join(PG_BIN, bin), args, { stdio: 'ignore' });
    if (asRoot) {
      try {
        execFileSync('id', ['postgres'], { stdio: 'ignore' });
      } catch {
        execFileSync('useradd', ['--system', '--user-group', 'postgres'], { stdio: 'ignore' });
      }
    }
    const pwfile = join(work, 'pgpass');
    writeFileSync(pwfile, `${pgPassword}\n`);
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(work, uid, gid);
      chownSync(pwfile, uid, gid);
    }
    asPostgres('initdb', ['-D', cluster, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C']);
    asPostgres('pg_ctl', [
      '-D',
      cluster,
      '-l',
      join(work, 'pg.log'),
      '-w',
      'start',
      '-o',
      `-c port=${pgPort} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${work} -c fsync=off`,
    ]);
    stops.push(() => {
      try {
        asPostgres('pg_ctl', ['-D', cluster, '-m', 'immediate', 'stop']);
      } catch {}
    });
    localAdminUrl = `postgres://postgres:${pgPassword}@127.0.0.1:${pgPort}/postgres`;
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { mysqlAdminUrl, localAdminUrl, stop: cleanup };
}

import type { Socket } from 'node:net';
import mysql from 'mysql2';
import type { Connection as PromiseConnection } from 'mysql2/promise';
import { ConnectionFailed, type ConnectOptions } from '../../db/connect.js';
import { mysqlWrapper } from '../../wrappers/mysql/wrapper.js';
import type { ConnectionTarget } from '../../wrappers/types.js';

/** How long a polite close (COM_QUIT) may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

/** MySQL's error codes that name a problem the user can fix. */
const MYSQL_ERROR = {
  accessDenied: 'ER_ACCESS_DENIED_ERROR',
  databaseAccessDenied: 'ER_DBACCESS_DENIED_ERROR',
  unknownDatabase: 'ER_BAD_DB_ERROR',
} as const;

export interface MysqlSession {
  connection: PromiseConnection;
  /** Closes politely (`polite`: a query is not running), then destroys the socket: nothing of it outlives the call. */
  close(polite?: boolean): Promise<void>;
}

/**
 * Opens a mysql2 connection to `target` within `options.connectTimeoutMs` (TCP, handshake and
 * authentication), given up at once on `options.signal`. Failures are ConnectionFailed naming host
 * and port, never the password.
 */
export function openMysql(target: ConnectionTarget, options: ConnectOptions): Promise<MysqlSession> {
  const where = mysqlWrapper.describe(target);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new ConnectionFailed(where, 'interrupted'));
      return;
    }
    const core = mysql.createConnection({
      host: target.host,
      port: Number(target.port ?? mysqlWrapper.defaultPort),
      user: target.user ?? undefined,
      password: target.password ?? undefined,
      database: target.dbname ?? undefined,
      connectTimeout: options.connectTimeoutMs,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    });
    // A connection that fails later, while idle, is reported by the next query; never crash the process.
    core.on('error', () => undefined);
    const close = (polite = true) => closeMysql(core, polite);
    const abort = () => {
      void close(false);
      reject(new ConnectionFailed(where, 'interrupted'));
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    core.once('connect', () => {
      options.signal?.removeEventListener('abort', abort);
      resolve({ connection: core.promise(), close });
    });
    core.once('error', (error) => {
      options.signal?.removeEventListener('abort', abort);
      void close(false);
      reject(connectionFailure(error, where, target, options.connectTimeoutMs));
    });
  });
}

/**
 * Sends COM_QUIT and waits a moment for it, then destroys the socket. mysql2's own destroy() and end()
 * only half-close the socket (FIN), so a peer that never closes its side (a stalled proxy) would keep
 * the process alive for ever.
 */
async function closeMysql(core: mysql.Connection, polite: boolean): Promise<void> {
  const socket = (core as unknown as { stream?: Socket }).stream;
  if (!polite || !socket || socket.destroyed) {
    socket?.destroy();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_GRACE_MS);
  });
  const ending = new Promise<void>((resolve) => {
    try {
      core.end(() => resolve());
    } catch {
      resolve();
    }
  });
  await Promise.race([ending, grace]);
  clearTimeout(timer);
  socket.destroy();
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The user-facing reason a MySQL connection failed: host and port always, the server's own words where it gave some. */
function connectionFailure(error: unknown, where: string, target: ConnectionTarget, timeoutMs: number): ConnectionFailed {
  const code = codeOf(error);
  // An error packet from MySQL (it carries an SQLSTATE): the server answered, and refused.
  const answered = typeof (error as { sqlState?: unknown } | null)?.sqlState === 'string';
  const serverMessage = error instanceof Error ? error.message : String(error);
  const user = target.user ?? '(no user)';
  const failure = (reason: string, hint?: string) => new ConnectionFailed(where, reason, hint, answered);
  switch (code) {
    case MYSQL_ERROR.accessDenied:
      return failure(
        `MySQL refused user "${user}": ${serverMessage}`,
        'check the user name and password in the remote URL, and that the user may connect from this host (MySQL matches user@host)',
      );
    case MYSQL_ERROR.unknownDatabase:
      return failure(
        `database "${target.dbname}" does not exist on the remote`,
        'fix the database name in the remote URL, or create it on the remote',
      );
    case MYSQL_ERROR.databaseAccessDenied:
      return failure(
        // MySQL answers a user without rights on a database the same whether or not it exists.
        `database "${target.dbname}" does not exist on the remote, or user "${user}" may not use it`,
        `fix the database name in the remote URL, or on the remote: GRANT SELECT ON \`${target.dbname}\`.* TO '${user}'@'%';`,
      );
    case 'ECONNREFUSED':
      return failure('connection refused', 'is MySQL running there and listening on that port (and on that address)?');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return failure('host name not found', 'check the host in the remote URL');
    case 'ETIMEDOUT':
      return failure(`no answer within ${Math.round(timeoutMs / 1000)}s`, 'check the host, port and firewall, or raise --connect-timeout');
    default:
      return failure(code ? `${serverMessage} (${code})` : serverMessage);
  }
}

import pg from 'pg';
import { describeTarget } from '../config/parse-url.js';
import type { ConnectionTarget } from '../config/types.js';
import { messageOf } from '../errors.js';

export interface ConnectOptions {
  connectTimeoutMs: number;
  /** Called for every query sent, so tests and the benchmark can count round trips. */
  onQuery?: (sql: string) => void;
}

export class ConnectionFailed extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
    readonly hint?: string,
  ) {
    super(`cannot connect to ${where}: ${reason}`);
  }
}

/** Opens a pg client to `target`. Errors name host, port and database, never the password. */
export async function connect(target: ConnectionTarget, options: ConnectOptions): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: target.url,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'datalinks',
  });
  client.on('error', () => {
    // A connection dropped while idle is reported by the next query; never crash the process.
  });
  if (options.onQuery) {
    const onQuery = options.onQuery;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string }).text ?? '');
      onQuery(text);
      return query(...args);
    };
  }
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new ConnectionFailed(describeTarget(target), connectReason(error, options.connectTimeoutMs), connectHint(error));
  }
  return client;
}

function connectReason(error: unknown, timeoutMs: number): string {
  const code = (error as { code?: string }).code;
  const message = messageOf(error);
  if (code === 'ECONNREFUSED') return 'connection refused (is PostgreSQL running and listening on that host and port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (/timeout/i.test(message)) return `no answer within ${Math.round(timeoutMs / 1000)}s (connect timeout)`;
  if (code === '3D000') return message;
  if (code === '28P01' || code === '28000') return message;
  return message;
}

function connectHint(error: unknown): string | undefined {
  const code = (error as { code?: string }).code;
  if (code === '3D000') return 'create the database, or fix the database name in the URL';
  if (code === '28P01') return 'check the user name and password in the URL';
  if (code === 'ECONNREFUSED') return 'check the host and port in the URL, and that the server accepts TCP connections';
  return undefined;
}

/** Connects, runs `fn`, and always closes the connection. */
export async function withConnection<T>(
  target: ConnectionTarget,
  options: ConnectOptions,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connect(target, options);
  try {
    return await fn(client);
  } finally {
    await closeQuietly(client);
  }
}

export async function closeQuietly(client: pg.Client | undefined): Promise<void> {
  await client?.end().catch(() => undefined);
}

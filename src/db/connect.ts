// db/: connections, sessions pinned like postgres_fdw's, deadlines, cancel requests and signals.
import pg from 'pg';
import { messageOf, UserError } from '../errors.js';
import type { ConnectionTarget } from '../wrappers/types.js';
import { describeTarget } from '../wrappers/url.js';
import { sendCancelRequest } from './cancel.js';
import { crowdedFailure, serverOf, startConnecting } from './connection-load.js';
import { watchScramLogin } from './scram-login.js';
import { pinSession } from './session-settings.js';
import { SQLSTATE, sqlstateOf, systemCodeOf } from './sqlstate.js';

/** apply's --statement-timeout default, and the bound of every other command's statements. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5 * 60_000;

/** How long a polite close (Terminate, then FIN) may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

export interface ConnectOptions {
  /** Bounds the TCP connect, TLS, start-up and authentication together. */
  connectTimeoutMs: number;
  /**
   * Longest any one statement may run: statement_timeout on the server, and on the client the same
   * plus `connectTimeoutMs`, after which the connection is abandoned (a server that never answers).
   */
  statementTimeoutMs?: number;
  /** Called for every query sent, so tests and the benchmark can count round trips. */
  onQuery?: (sql: string) => void;
  /** Ctrl-C: sends PostgreSQL a cancel request for the running statement; the caller then rolls back and closes. */
  signal?: AbortSignal;
}

/** The user's problem, not a bug: the server cannot be reached or refused us (named by host:port/db, never the password). */
export class ConnectionFailed extends UserError {
  constructor(
    readonly where: string,
    readonly reason: string,
    readonly hint?: string,
    /** The server answered, and refused (credentials, a missing database, a setting): it is up and reachable. */
    readonly answered = false,
  ) {
    super('connection_failed', `cannot connect to ${where}: ${reason}`, hint ? [hint] : []);
  }
}

/** A server that accepted the connection but did not answer a statement in time; the connection was closed. */
export class NoAnswer extends UserError {
  readonly hint: string;
  constructor(
    readonly where: string,
    waitedMs: number,
    statementTimeoutMs: number,
  ) {
    const hint = stalledHint(where, '--statement-timeout');
    super(
      'no_answer',
      `no answer from ${where} within ${seconds(waitedMs)} (statement timeout ${seconds(statementTimeoutMs)}, then the connect timeout)`,
      [hint],
    );
    this.hint = hint;
  }
}

/**
 * Opens a pg client to `target` whose every wait is bounded: the connection (with start-up and
 * authentication) by `connectTimeoutMs`, each statement by statement_timeout on the server and a
 * deadline on the client. The session is pinned (search_path, DateStyle, TimeZone, ...: see
 * session-settings.ts). Errors name host, port and database, never the password.
 */
export async function connect(target: ConnectionTarget, options: ConnectOptions): Promise<pg.Client> {
  const where = describeTarget(target);
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const client = new pg.Client({
    connectionString: target.url,
    connectionTimeoutMillis: options.connectTimeoutMs,
    // Lets the operating system notice a peer that vanished while we wait (a network partition).
    keepAlive: true,
    application_name: 'datalinks',
  });
  client.on('error', () => {
    // A connection dropped while idle is reported by the next query; never crash the process.
  });
  watchScramLogin(client);
  // Setting the session up is part of connecting: the connect timeout bounds it too.
  const queries = boundQueries(client, {
    deadlineMs: options.connectTimeoutMs,
    onTimeout: (waitedMs) => new NoAnswer(where, waitedMs, statementTimeoutMs),
    onQuery: options.onQuery,
  });
  let connected = false;
  const stopListening = onAbort(options.signal, () =>
    connected ? interrupt(client, queries.waiting(), options.connectTimeoutMs) : destroySocket(client),
  );
  client.once('end', stopListening);
  // Counted per server, so that a failure while datalinks crowds that server says so (connection-load.ts).
  const attempt = startConnecting(serverOf(target));
  client.once('end', attempt.closed);
  try {
    await client.connect();
    connected = true;
    attempt.connected();
    await pinSession(client, statementTimeoutMs);
  } catch (error) {
    stopListening();
    const others = attempt.failed();
    await closeQuietly(client);
    const timedOut = error instanceof NoAnswer || (!sqlstateOf(error) && /timeout/i.test(messageOf(error)));
    const crowded = crowdedFailure(error, timedOut, others, serverOf(target), options.connectTimeoutMs);
    if (crowded) throw new ConnectionFailed(where, crowded.reason, crowded.hint);
    if (error instanceof NoAnswer) {
      throw new ConnectionFailed(
        where,
        `the server accepted the connection but did not answer within ${seconds(options.connectTimeoutMs)} (connect timeout)`,
        stalledHint(where, '--connect-timeout'),
      );
    }
    const answered = sqlstateOf(error) !== undefined || error instanceof UserError;
    throw new ConnectionFailed(where, connectReason(error, options.connectTimeoutMs), connectHint(error), answered);
  }
  queries.setDeadline(statementTimeoutMs + options.connectTimeoutMs);
  return client;
}

/**
 * Wraps `client.query` with a client-side deadline: a query without an answer in `deadlineMs`
 * rejects with `onTimeout(...)` and the socket is destroyed (after a read timeout the protocol is
 * out of step, so the connection cannot be used again; closing it also ends the session on the
 * server). `waiting()` tells how many queries are waiting for an answer.
 */
function boundQueries(
  client: pg.Client,
  bound: { deadlineMs: number; onTimeout: (waitedMs: number) => Error; onQuery?: (sql: string) => void },
): { waiting: () => number; setDeadline: (ms: number) => void } {
  let waiting = 0;
  let deadlineMs = bound.deadlineMs;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const bounded = (...args: unknown[]) => {
    const first = args[0];
    bound.onQuery?.(typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? ''));
    const pending = query(...args);
    if (!(pending instanceof Promise)) return pending;
    waiting++;
    let timer: NodeJS.Timeout | undefined;
    const waitMs = deadlineMs;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        destroySocket(client);
        reject(bound.onTimeout(waitMs));
      }, waitMs);
    });
    return Promise.race([pending, deadline]).finally(() => {
      waiting--;
      clearTimeout(timer);
    });
  };
  (client as unknown as { query: typeof bounded }).query = bounded;
  return {
    waiting: () => waiting,
    setDeadline: (ms) => {
      deadlineMs = ms;
    },
  };
}

/**
 * On abort: cancel the running statement (if any). The statement then fails at once and the caller
 * rolls back and closes; a session that still has not ended a moment after the cancel was taken (a
 * server that stopped answering) is destroyed.
 */
function interrupt(client: pg.Client, running: number, connectTimeoutMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  const destroyLater = (ms: number) => {
    timer = setTimeout(() => destroySocket(client), ms);
    timer.unref();
  };
  client.once('end', () => clearTimeout(timer));
  if (running === 0) destroyLater(connectTimeoutMs + CLOSE_GRACE_MS);
  else void sendCancelRequest(client, connectTimeoutMs).then(() => destroyLater(CLOSE_GRACE_MS));
}

function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    queueMicrotask(fn);
    return () => {};
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

/** Clients whose socket datalinks destroyed while the session may still be busy on the server. */
const abandoned = new WeakSet<pg.Client>();

function destroySocket(client: pg.Client): void {
  abandoned.add(client);
  client.connection.stream.destroy();
}

function connectReason(error: unknown, timeoutMs: number): string {
  if (error instanceof UserError) return error.message;
  const code = sqlstateOf(error) ?? systemCodeOf(error);
  if (code === 'ECONNREFUSED') return 'connection refused (is PostgreSQL running and listening on that host and port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  // pg destroys the socket with "timeout expired" when the connect timeout passes, at any stage of start-up.
  if (!sqlstateOf(error) && /timeout/i.test(messageOf(error))) return `no answer within ${seconds(timeoutMs)} (connect timeout)`;
  return messageOf(error);
}

function connectHint(error: unknown): string | undefined {
  if (error instanceof UserError) return error.nextSteps[0];
  const code = sqlstateOf(error) ?? systemCodeOf(error);
  if (code === SQLSTATE.invalidCatalogName) return 'create the database, or fix the database name in the URL';
  if (code === SQLSTATE.invalidPassword) return 'check the user name and password in the URL';
  if (code === 'ECONNREFUSED') return 'check the host and port in the URL, and that the server accepts TCP connections';
  if (!sqlstateOf(error) && /timeout/i.test(messageOf(error)))
    return 'check the host and port, that nothing (a firewall, a proxy) swallows the connection, or raise --connect-timeout';
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

/**
 * Closes politely (Terminate), but never waits more than a moment for a peer that does not answer.
 * Resolves true when the session is known to have ended: it was idle, took the Terminate and the
 * server closed the connection (or it never connected). False when the socket had to be destroyed
 * with a statement still running on it (a deadline, an interrupt, a server that did not answer): the
 * server may still be running that statement, so a caller whose statements the server may be unable
 * to interrupt (a link's probe) makes sure with endSession (end-session.ts).
 */
export async function closeQuietly(client: pg.Client | undefined): Promise<boolean> {
  if (!client) return true;
  const stream = client.connection.stream;
  const wasUsable = !stream.destroyed && !abandoned.has(client);
  // pg destroys the socket at once, without a Terminate, when a statement is still running on it.
  const ending = client.end().then(
    () => true,
    () => false,
  );
  const polite = wasUsable && !stream.destroyed;
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
  });
  const closed = await Promise.race([ending, grace]);
  clearTimeout(timer);
  stream.destroy();
  return polite && closed;
}

function stalledHint(where: string, flag: string): string {
  const server = where.slice(0, where.lastIndexOf('/'));
  return `check that the server at ${server} is up and reachable (a stalled proxy, a hung server or a network partition look like this), or raise ${flag}`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

// check/: proves links from the local server's side.
import type pg from 'pg';
import type { DesiredDatabase } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions, closeQuietly, connect } from '../db/connect.js';
import { interruptOf } from '../db/interrupts.js';
import { loggedInWithScram } from '../db/scram-login.js';
import { WATCH_CLIENT_SQL } from '../db/watch-client.js';
import { messageOf } from '../errors.js';
import { endSession, type LeftSession } from './end-session.js';
import { closeLinkConnections, probeLinksOneByOne } from './probe-link.js';
import { remoteReacher } from './remote-reacher.js';
import type { LinkHealth } from './types.js';

export interface CheckDatabaseOptions extends ConnectOptions {
  statementTimeoutMs: number;
}

/**
 * Why a database could not be checked: its server did not answer (unreachable), it answered and
 * refused the login (login_refused: credentials, a missing database, too many connections), the run
 * was interrupted, or a statement of the check failed (check_failed).
 */
export type DatabaseFailureCode = 'unreachable' | 'login_refused' | 'interrupted' | 'check_failed';

/** What checking one database found; `left`: its session, when it could not be ended (see endSession). */
export type DatabaseHealth = (
  | { alias: string; ok: true; links: LinkHealth[] }
  | { alias: string; ok: false; code: DatabaseFailureCode; error: string; hint?: string; interrupted?: true }
) & { left?: LeftSession };

/**
 * The most remote connections a check session holds that it cannot close itself (a wrapper with no
 * disconnect function): past it, the session is ended, which closes them, and a fresh one goes on.
 */
export const MAX_HELD_CONNECTIONS = 4;

/** How long a check waits for its previous session to be gone (with the connections it held) before the next opens. */
const GONE_WAIT_MS = 2000;

/**
 * Probes every link the file gives `database`, from its server, each in a transaction of its own that
 * is always rolled back, and closes the connections postgres_fdw opened for a link as soon as its
 * probe ends, so that a check holds at most one remote connection at a time (a few, for a wrapper that
 * cannot close them, on sessions that are ended in turn) and leaves nothing behind on the local
 * database or the remotes. A connection failure is data, not an exception. A session stuck in a probe
 * the server cannot interrupt is ended from another connection, or reported as left.
 */
export async function checkDatabase(database: DesiredDatabase, options: CheckDatabaseOptions): Promise<DatabaseHealth> {
  const alias = database.alias;
  const links: LinkHealth[] = [];
  let remaining = database.links.map((link) => link.name);
  let previous: number | null = null;
  // One session at a time: a wrapper that cannot close its connections hands back the links left.
  do {
    const session = await checkSession(database, remaining, previous, options);
    if (!session.ok) return session.result;
    links.push(...session.links);
    // A session that could not be ended: what the links probed so far found is kept, and the check stops there.
    if (session.left) return { alias, ok: true, links, left: session.left };
    remaining = session.rest;
    previous = session.pid;
  } while (remaining.length > 0);
  return options.signal?.aborted ? interrupted(alias, options.signal) : { alias, ok: true, links };
}

type SessionResult =
  | { ok: true; links: LinkHealth[]; rest: string[]; pid: number | null; left?: LeftSession }
  | { ok: false; result: DatabaseHealth };

/** One session of a check: probes `names` until done or until it holds as many connections as it may. */
async function checkSession(
  database: DesiredDatabase,
  names: string[],
  previous: number | null,
  options: CheckDatabaseOptions,
): Promise<SessionResult> {
  const alias = database.alias;
  let client: pg.Client | undefined;
  let pid: number | null = null;
  let result: SessionResult;
  try {
    client = await connect(database.target, options);
    const set = await client.query<{ pid: number }>('SELECT pg_catalog.pg_backend_pid() AS pid');
    pid = set.rows[0]?.pid ?? null;
    if (previous !== null) await waitUntilGone(client, previous, options.signal);
    const { health, rest } = await probeLinksOneByOne(client, names, {
      statementTimeoutMs: options.statementTimeoutMs,
      signal: options.signal,
      reach: remoteReacher(database, options),
      scramLogin: loggedInWithScram(client),
      proveMappings: true,
      maxHeld: MAX_HELD_CONNECTIONS,
      // Waiting for a lock (an apply holding the link's tables) is bounded like any statement.
      transactionSetup: {
        text: `SELECT pg_catalog.set_config('lock_timeout', $1, true), ${WATCH_CLIENT_SQL}`,
        values: [`${options.statementTimeoutMs}ms`],
      },
    });
    // A stalled probe is still running on the server: the session is let go, and ended below.
    if (!health.some((link) => link.failure?.code === 'stalled')) await closeLinkConnections(client);
    result = options.signal?.aborted ? { ok: false, result: interrupted(alias, options.signal) } : { ok: true, links: health, rest, pid };
  } catch (error) {
    if (options.signal?.aborted) result = { ok: false, result: interrupted(alias, options.signal) };
    else if (error instanceof ConnectionFailed) {
      result = {
        ok: false,
        result: {
          alias,
          ok: false,
          code: error.answered ? 'login_refused' : 'unreachable',
          error: `cannot connect to database "${alias}" (${error.where}): ${error.reason}`,
          hint: error.hint,
        },
      };
    } else {
      result = {
        ok: false,
        result: { alias, ok: false, code: 'check_failed', error: `checking database "${alias}" failed: ${messageOf(error)}` },
      };
    }
  }
  // Ending the session also ends its transaction and every connection a wrapper holds for it.
  const ended = await closeQuietly(client);
  if (ended || pid === null) return result;
  const left = await endSession(database.target, pid, options);
  if (!left) return result;
  return result.ok ? { ...result, rest: [], left } : { ok: false, result: { ...result.result, left } };
}

/**
 * Waits until the previous session of this check is gone from the server: its backend closes the
 * wrapper's connections as it exits, a moment after its client left.
 */
async function waitUntilGone(client: pg.Client, pid: number, signal: AbortSignal | undefined): Promise<void> {
  const until = Date.now() + GONE_WAIT_MS;
  while (Date.now() < until && !signal?.aborted) {
    const found = await client.query({ text: 'SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = $1', values: [pid] });
    if (found.rowCount === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function interrupted(alias: string, signal: AbortSignal | undefined): DatabaseHealth {
  const by = interruptOf(signal);
  return {
    alias,
    ok: false,
    code: 'interrupted',
    error: `checking database "${alias}" was interrupted${by ? ` by ${by}` : ''}`,
    interrupted: true,
  };
}

// check/: proves links from the local server's side.
import type pg from 'pg';
import type { DesiredDatabase } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions, closeQuietly, connect } from '../db/connect.js';
import { interruptOf } from '../db/interrupts.js';
import { loggedInWithScram } from '../db/scram-login.js';
import { WATCH_CLIENT_SQL } from '../db/watch-client.js';
import { messageOf } from '../errors.js';
import { endSession, type LeftSession } from './end-session.js';
import { closeLinkConnections, probeLinks } from './probe-link.js';
import { remoteReacher } from './remote-reacher.js';
import type { LinkHealth } from './types.js';

export interface CheckDatabaseOptions extends ConnectOptions {
  statementTimeoutMs: number;
}

/** What checking one database found; `left`: its session, when it could not be ended (see endSession). */
export type DatabaseHealth = (
  | { alias: string; ok: true; links: LinkHealth[] }
  | { alias: string; ok: false; error: string; hint?: string; interrupted?: true }
) & { left?: LeftSession };

/**
 * Probes every link the file gives `database`, from its server, in one transaction that is always
 * rolled back, then closes the connections postgres_fdw opened, so that a check leaves nothing behind
 * on the local database or the remotes. A connection failure is data, not an exception. A session
 * stuck in a probe the server cannot interrupt is ended from another connection, or reported as left.
 */
export async function checkDatabase(database: DesiredDatabase, options: CheckDatabaseOptions): Promise<DatabaseHealth> {
  const alias = database.alias;
  let client: pg.Client | undefined;
  let pid: number | null = null;
  let result: DatabaseHealth;
  try {
    client = await connect(database.target, options);
    await client.query('BEGIN');
    // Waiting for a lock (an apply holding the link's tables) is bounded like any statement.
    const set = await client.query<{ pid: number }>({
      text: `SELECT pg_catalog.set_config('lock_timeout', $1, true), ${WATCH_CLIENT_SQL}, pg_catalog.pg_backend_pid() AS pid`,
      values: [`${options.statementTimeoutMs}ms`],
    });
    pid = set.rows[0]?.pid ?? null;
    const links = await probeLinks(
      client,
      database.links.map((link) => link.name),
      {
        statementTimeoutMs: options.statementTimeoutMs,
        signal: options.signal,
        reach: remoteReacher(database, options),
        scramLogin: loggedInWithScram(client),
      },
    );
    // A stalled probe is still running on the server: no ROLLBACK can pass it, the session is let go.
    if (!links.some((link) => link.failure?.code === 'stalled')) {
      await client.query('ROLLBACK');
      await closeLinkConnections(client);
    }
    result = options.signal?.aborted ? interrupted(alias, options.signal) : { alias, ok: true, links };
  } catch (error) {
    if (options.signal?.aborted) result = interrupted(alias, options.signal);
    else if (error instanceof ConnectionFailed) {
      result = { alias, ok: false, error: `cannot connect to database "${alias}" (${error.where}): ${error.reason}`, hint: error.hint };
    } else result = { alias, ok: false, error: `checking database "${alias}" failed: ${messageOf(error)}` };
  }
  // Ending the session also ends its transaction and every connection postgres_fdw holds for it.
  const ended = await closeQuietly(client);
  if (ended || pid === null) return result;
  const left = await endSession(database.target, pid, options);
  return left ? { ...result, left } : result;
}

function interrupted(alias: string, signal: AbortSignal | undefined): DatabaseHealth {
  const by = interruptOf(signal);
  return { alias, ok: false, error: `checking database "${alias}" was interrupted${by ? ` by ${by}` : ''}`, interrupted: true };
}

import { closeQuietly, connect } from '../db/connect.js';
import { SQLSTATE, sqlstateOf } from '../db/sqlstate.js';
import type { ConnectionTarget } from '../wrappers/types.js';
import { describeTarget } from '../wrappers/url.js';

/**
 * A session of datalinks' own that is still on the local server after datalinks let it go: what an
 * operator needs to find it and end it. Reported, never hidden (DESIGN "Exits and signals").
 */
export interface LeftSession {
  /** The backend's process id (pg_stat_activity.pid). */
  pid: number;
  /** host:port/database of the server it is on. */
  where: string;
  /**
   * still_running: the server was asked to end it (pg_terminate_backend) and has not yet: it is inside
   * a call it cannot interrupt (a wrapper's connection attempt or read), and ends when that returns.
   * not_permitted: the role may not signal it. not_verified: the server could not be asked.
   */
  reason: 'still_running' | 'not_permitted' | 'not_verified';
  /** pg_stat_activity's state and wait event when it was last seen; null when not seen. */
  state: string | null;
  waitEvent: string | null;
}

/** How long the server is given to end the session once asked. */
const END_WAIT_MS = 2000;

interface SessionRow {
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  ended: boolean | null;
}

const SESSION = `
SELECT a.state, a.wait_event_type, a.wait_event, NULL::boolean AS ended
  FROM pg_catalog.pg_stat_activity a
 WHERE a.pid = $1 AND a.usename = pg_catalog.session_user()`;

/** pg_terminate_backend with a timeout (PostgreSQL 14+) returns true only once the process has exited. */
const TERMINATE = `
SELECT a.state, a.wait_event_type, a.wait_event, pg_catalog.pg_terminate_backend(a.pid, $2::bigint) AS ended
  FROM pg_catalog.pg_stat_activity a
 WHERE a.pid = $1 AND a.usename = pg_catalog.session_user()`;

/**
 * Makes sure the session `pid` that datalinks opened on `target` (and had to abandon with a statement
 * still running) has ended: from a fresh connection as the same role (which may signal its own
 * sessions without being a superuser), it ends it with pg_terminate_backend and waits a moment for it
 * to go. Resolves null when it is gone, or what is known about it when it is not.
 */
export async function endSession(
  target: ConnectionTarget,
  pid: number,
  options: { connectTimeoutMs: number },
): Promise<LeftSession | null> {
  const where = describeTarget(target);
  const left = (reason: LeftSession['reason'], row?: SessionRow): LeftSession => ({
    pid,
    where,
    reason,
    state: row?.state ?? null,
    waitEvent: row?.wait_event ? `${row.wait_event_type}:${row.wait_event}` : null,
  });
  let client: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    client = await connect(target, { connectTimeoutMs: options.connectTimeoutMs, statementTimeoutMs: END_WAIT_MS + 1000 });
    let row: SessionRow | undefined;
    try {
      row = (await client.query<SessionRow>(TERMINATE, [pid, END_WAIT_MS])).rows[0];
    } catch (error) {
      if (sqlstateOf(error) !== SQLSTATE.insufficientPrivilege) throw error;
      const still = (await client.query<SessionRow>(SESSION, [pid])).rows[0];
      return still ? left('not_permitted', still) : null;
    }
    if (!row || row.ended) return null;
    // Not ended in time, or gone between the two reads of pg_stat_activity: look again.
    const still = (await client.query<SessionRow>(SESSION, [pid])).rows[0];
    return still ? left('still_running', still) : null;
  } catch {
    return left('not_verified');
  } finally {
    await closeQuietly(client);
  }
}

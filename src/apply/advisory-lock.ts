import type pg from 'pg';
import { SQLSTATE, sqlstateOf } from '../db/sqlstate.js';

/**
 * The advisory lock that serialises datalinks applies to one database. Advisory locks are per
 * database, so applies to different databases never wait for each other. The key is the pair
 * (1684827755, 1): 1684827755 is 0x646c6e6b, "dlnk" in ASCII (datalinks), 1 is this lock's number
 * within that space; tools that pick keys at random are unlikely to meet it. Taken with
 * pg_advisory_xact_lock, so it is released with the transaction, however it ends (commit, rollback,
 * or the connection closing).
 */
export const APPLY_LOCK_KEY = [1684827755, 1] as const;

/**
 * Takes the apply lock for the current transaction, waiting at most the transaction's lock_timeout.
 * Returns false if another apply held it for that long.
 */
export async function takeApplyLock(client: pg.Client): Promise<boolean> {
  try {
    await client.query('SELECT pg_catalog.pg_advisory_xact_lock($1, $2)', [...APPLY_LOCK_KEY]);
    return true;
  } catch (error) {
    if (sqlstateOf(error) === SQLSTATE.lockNotAvailable) return false;
    throw error;
  }
}

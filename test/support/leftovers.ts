import { withPlainClient } from '../../src/db/plain-client.js';
import { waitFor } from './cli-process.js';

/** What a command could leave on a server: sessions of datalinks (and of the wrappers it used) and the locks they hold. */
export interface Leftovers {
  sessions: { pid: number; datname: string; application_name: string; state: string | null; wait_event: string | null }[];
  locks: { pid: number; locktype: string; mode: string; granted: boolean }[];
}

/**
 * The sessions on `databases` of the server at `adminUrl` that datalinks opened (application_name
 * datalinks, the CLI's own) or that a wrapper opened for it (postgres_fdw's connections to a remote),
 * and every lock they hold or wait for, as pg_stat_activity and pg_locks show them.
 */
export function leftoversOn(adminUrl: string, databases: string[]): Promise<Leftovers> {
  return withPlainClient(adminUrl, async (client) => {
    const sessions = await client.query(
      `SELECT pid, datname, application_name, state, wait_event FROM pg_stat_activity
        WHERE datname = ANY($1) AND application_name IN ('datalinks', 'postgres_fdw') AND pid <> pg_backend_pid() ORDER BY pid`,
      [databases],
    );
    const locks = await client.query(
      `SELECT l.pid, l.locktype, l.mode, l.granted FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE a.datname = ANY($1) AND a.application_name IN ('datalinks', 'postgres_fdw') AND l.pid <> pg_backend_pid() ORDER BY l.pid`,
      [databases],
    );
    return { sessions: sessions.rows, locks: locks.rows };
  });
}

/** Waits up to `withinMs` for nothing to be left; resolves what is left then (empty when nothing). */
export async function settledLeftovers(adminUrl: string, databases: string[], withinMs: number): Promise<Leftovers> {
  let last: Leftovers = { sessions: [], locks: [] };
  await waitFor(
    'nothing left',
    async () => {
      last = await leftoversOn(adminUrl, databases);
      return last.sessions.length === 0 && last.locks.length === 0;
    },
    withinMs,
  ).catch(() => undefined);
  return last;
}

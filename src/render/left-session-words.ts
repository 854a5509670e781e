import type { LeftSession } from '../check/end-session.js';

/**
 * The words for a session datalinks could not end: which one (pid, server and database) and how an
 * operator ends it. Raw text: each view escapes it.
 */
export function leftSessionWords(left: LeftSession): { message: string; hint: string } {
  const session = `session ${left.pid} on ${left.where}`;
  const look = `SELECT pid, state, wait_event, xact_start FROM pg_stat_activity WHERE pid = ${left.pid};`;
  switch (left.reason) {
    case 'still_running': {
      const seen = [left.state, left.waitEvent && `waiting on ${left.waitEvent}`].filter(Boolean).join(', ');
      return {
        message: `${session} is still running${seen ? ` (${seen})` : ''}: the server did not end it when asked`,
        hint: `it is inside a call the server cannot interrupt (a link's connection attempt or read, or postgres_fdw rolling back on a remote that does not answer, which it gives up after 30 s) and keeps its transaction and locks until that call returns, then ends (pg_terminate_backend was sent); the call returns once the remote answers or the connection to it drops: restore or reset the route from the database server to the remote (a firewall or proxy in between). See it with: ${look}`,
      };
    }
    case 'not_permitted':
      return {
        message: `${session} is still running: the role may not end it`,
        hint: `a superuser or a member of pg_signal_backend can end it: SELECT pg_terminate_backend(${left.pid}); See it with: ${look}`,
      };
    case 'not_verified':
      return {
        message: `${session} may still be running: datalinks could not connect to make sure it ended`,
        hint: `see it with: ${look} and end it with: SELECT pg_terminate_backend(${left.pid});`,
      };
  }
}

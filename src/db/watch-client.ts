/**
 * A SELECT-list item that makes the server end the session soon after datalinks is gone, even in the
 * middle of a statement: client_connection_check_interval (PostgreSQL 14+, any role may set it) has
 * the server look at the client's socket every second while a statement runs (a lock wait, a read
 * through a link). A process killed outright (SIGKILL, the OOM killer) can run no clean-up; its sockets
 * close, and without this a statement queued for a lock would stay queued until its lock_timeout.
 * Set for the transaction only (set_config's is_local). The server refuses any value but 0 where it
 * cannot see a socket close (Windows builds), so there it stays 0.
 */
export const WATCH_CLIENT_SQL = `pg_catalog.set_config('client_connection_check_interval',
  CASE WHEN pg_catalog.version() OPERATOR(pg_catalog.~*) 'visual c|mingw|cygwin' THEN '0' ELSE '1s' END, true)`;

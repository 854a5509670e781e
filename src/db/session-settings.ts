import pg from 'pg';
import { UserError } from '../errors.js';
import { SQLSTATE, sqlstateOf } from './sqlstate.js';

/** How the server refuses a setting: not allowed, no such setting, a bad value, not changeable now. */
const SETTING_REFUSED: ReadonlySet<string> = new Set([
  SQLSTATE.insufficientPrivilege,
  SQLSTATE.undefinedObject,
  SQLSTATE.invalidParameterValue,
  SQLSTATE.cantChangeRuntimeParam,
]);

/**
 * Settings every datalinks session runs with, local and remote, set once right after connecting in
 * one statement (so the number of queries per database stays constant).
 *
 * A session starts with what the database's owner and the role's own settings chose (ALTER DATABASE
 * ... SET, ALTER ROLE ... SET), and the role that runs datalinks is often stronger than that owner.
 * So the session starts over from a state datalinks chose, for everything that changes which object a
 * name means, who runs a statement, or how text is read and written:
 * - search_path = pg_catalog, pg_temp: an unqualified name can only mean a catalog object (pg_temp
 *   last: only this session's own temporary objects, and never for functions or operators), so no
 *   owner's `trap.text` domain or `trap.=` operator is ever picked. It also makes format_type() and
 *   pg_get_expr() qualify every non-catalog name.
 * - role = none: `ALTER DATABASE ... SET role = owner` would otherwise make everything run as the
 *   owner (objects created for it, a user mapping it can read). The session user must be the role the
 *   URL logged in as (see pinSession); session_authorization cannot be pinned by set_config, so it is
 *   checked instead.
 * - default_tablespace, temp_tablespaces: where anything datalinks makes would be stored.
 * - check_function_bodies = on, default_transaction_read_only = off, default_transaction_isolation =
 *   read committed: apply's statements, and its re-read of the catalogs after taking the lock, behave
 *   as written (a repeatable-read default would plan on a snapshot taken before the lock).
 * - quote_all_identifiers = off: format_type() and pg_get_expr() print the same text everywhere.
 * - exit_on_error = off: the proof's expected errors (in savepoints) must not end the session.
 * Expression text depends on the session that reads it: pg_get_expr() prints date, timestamptz,
 * interval, float and bytea constants in the reading session's DateStyle, TimeZone, IntervalStyle,
 * extra_float_digits and bytea_output. postgres_fdw pins its own remote session the same way
 * (connection.c, configure_remote_session), so defaults read on the remote, compared with the local
 * catalog and written into CREATE FOREIGN TABLE keep their meaning and plans settle.
 * jit = off: datalinks' catalog queries are short, but their cost estimates pass jit_above_cost, and a
 *   server built with LLVM (Debian's and Ubuntu's packages, many managed services) then compiles them
 *   first: a plan of 10 links took 1.1 s instead of 0.22 s on Debian's PostgreSQL 15, all of it JIT.
 *   Only where the setting exists: it is speed, not safety, and never a reason to refuse a server.
 * client_encoding = UTF8: pg writes and reads UTF-8, and a database's SJIS or GBK would read the bytes
 * of a quoted name differently than datalinks' quoting meant them (this statement itself is ASCII, and
 * its answer is sent after the setting took effect).
 *
 * Not pinned, on purpose: superuser-only settings (session_replication_role, lc_messages, ...: a
 * non-superuser could not set them, and an owner cannot set them either unless granted SET on them),
 * and settings that change nothing datalinks runs: row_security (catalogs and foreign tables have no
 * row security), default_table_access_method (datalinks creates no table with storage), plpgsql.*
 * (datalinks runs no PL/pgSQL), transform_null_equals (no `= NULL` in its SQL), and the timeouts the
 * commands set themselves.
 *
 * The statement is parsed before any of it takes effect, under the search_path and role the session
 * started with: every name in it is qualified (operators too), so it cannot run anyone's code.
 * Set with set_config (not the startup packet), so connection poolers that refuse unknown startup
 * parameters still work.
 */
const PIN_SESSION = `
SELECT pg_catalog.set_config('client_encoding', 'UTF8', false),
       pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false),
       pg_catalog.set_config('role', 'none', false),
       pg_catalog.set_config('default_tablespace', '', false),
       pg_catalog.set_config('temp_tablespaces', '', false),
       pg_catalog.set_config('check_function_bodies', 'on', false),
       pg_catalog.set_config('default_transaction_read_only', 'off', false),
       pg_catalog.set_config('default_transaction_isolation', 'read committed', false),
       pg_catalog.set_config('quote_all_identifiers', 'off', false),
       pg_catalog.set_config('exit_on_error', 'off', false),
       pg_catalog.set_config('TimeZone', 'UTC', false),
       pg_catalog.set_config('DateStyle', 'ISO', false),
       pg_catalog.set_config('IntervalStyle', 'postgres', false),
       pg_catalog.set_config('extra_float_digits',
                             CASE WHEN pg_catalog.current_setting('server_version_num')::int OPERATOR(pg_catalog.>=) 120000
                                  THEN '3' ELSE '2' END, false),
       pg_catalog.set_config('bytea_output', 'hex', false),
       pg_catalog.set_config('standard_conforming_strings', 'on', false),
       CASE WHEN pg_catalog.current_setting('jit', true) IS NOT NULL THEN pg_catalog.set_config('jit', 'off', false) END,
       pg_catalog.set_config('statement_timeout', $1, false),
       session_user AS session_user,
       pg_catalog.current_database() AS database`;

/** The session does not run as the role the URL logged in as, and datalinks cannot make it. */
export class SessionRoleRefused extends UserError {
  constructor(
    readonly loginRole: string,
    readonly sessionRole: string,
    database: string,
  ) {
    const role = pg.escapeIdentifier(loginRole);
    super('session_role_refused', `the session runs as role "${sessionRole}", not as "${loginRole}" that the URL logs in as`, [
      `datalinks acts only as the role it logs in as: remove the setting that changes it (ALTER DATABASE ${pg.escapeIdentifier(database)} RESET session_authorization; ALTER ROLE ${role} RESET session_authorization), or, behind a connection pooler that logs in as another role, put that role in the URL`,
    ]);
  }
}

/** A setting of PIN_SESSION could not be set: datalinks does not run in a session it did not choose. */
export class SessionNotPinned extends UserError {
  constructor(reason: string) {
    super('session_not_pinned', `cannot set up the session as datalinks needs it: ${reason}`, [
      'datalinks starts every session from settings it chooses (search_path, role, tablespaces, ...: see the README, Security); remove whatever refuses the setting named above (a database or role setting, an extension, a pooler)',
    ]);
  }
}

/**
 * Pins the session (see PIN_SESSION) and bounds every statement on the server side. Refuses a
 * session whose user is not the role the client logged in as (`client.user`): after `role = none`
 * the current user is the session user, so that is who every statement runs as.
 */
export async function pinSession(client: pg.Client, statementTimeoutMs: number): Promise<void> {
  let result: pg.QueryResult<{ session_user: string; database: string }>;
  try {
    result = await client.query(PIN_SESSION, [`${statementTimeoutMs}ms`]);
  } catch (error) {
    // The server's message names the setting ("permission denied to set parameter ...").
    if (error instanceof pg.DatabaseError && SETTING_REFUSED.has(sqlstateOf(error) ?? '')) throw new SessionNotPinned(error.message);
    throw error;
  }
  const row = result.rows[0];
  const loginRole = client.user;
  if (row && loginRole !== undefined && row.session_user !== loginRole)
    throw new SessionRoleRefused(loginRole, row.session_user, row.database);
}

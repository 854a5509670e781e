import type pg from 'pg';

/**
 * Settings every datalinks session runs with, local and remote, set once right after connecting in
 * one statement (so the number of queries per database stays constant).
 *
 * Expression text depends on the session that reads it: pg_get_expr() prints date, timestamptz,
 * interval, float and bytea constants in the reading session's DateStyle, TimeZone, IntervalStyle,
 * extra_float_digits and bytea_output. postgres_fdw pins its own remote session the same way
 * (connection.c, configure_remote_session), so defaults read on the remote, compared with the local
 * catalog and written into CREATE FOREIGN TABLE keep their meaning and plans settle.
 * search_path = pg_catalog makes format_type() and pg_get_expr() qualify every non-catalog name.
 * Set with set_config (not the startup packet), so connection poolers that refuse unknown startup
 * parameters still work, and RESET search_path returns to the database's own default.
 */
const PIN_SESSION = `
SELECT pg_catalog.set_config('search_path', 'pg_catalog', false),
       pg_catalog.set_config('TimeZone', 'UTC', false),
       pg_catalog.set_config('DateStyle', 'ISO', false),
       pg_catalog.set_config('IntervalStyle', 'postgres', false),
       pg_catalog.set_config('extra_float_digits',
                             CASE WHEN pg_catalog.current_setting('server_version_num')::int >= 120000 THEN '3' ELSE '2' END, false),
       pg_catalog.set_config('bytea_output', 'hex', false),
       pg_catalog.set_config('standard_conforming_strings', 'on', false),
       pg_catalog.set_config('statement_timeout', $1, false)`;

/** Pins the session (see PIN_SESSION) and bounds every statement on the server side. */
export async function pinSession(client: pg.Client, statementTimeoutMs: number): Promise<void> {
  await client.query(PIN_SESSION, [`${statementTimeoutMs}ms`]);
}

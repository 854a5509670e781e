import type pg from 'pg';
import type { LocalEnvironment } from '../introspect/types.js';

/**
 * Where the role may, keeps apply's statements out of the server log for this transaction only
 * (set_config(..., true) is SET LOCAL): a failed CREATE USER MAPPING is otherwise logged with its
 * password in clear (log_min_error_statement = error by default), and so is any statement under
 * log_statement = ddl/all, a slow one under log_min_duration_statement, or a sampled one; and
 * pg_stat_statements (when loaded) keeps the text of utility statements unless track_utility is off
 * (it reads the setting as each statement runs; where it is not loaded this sets a harmless placeholder).
 * These are superuser settings: a superuser may set them, and on PostgreSQL 15+ so may a role granted
 * SET on them (has_parameter_privilege). Anyone else keeps the server's settings; the README's
 * Security section says what PostgreSQL may then record.
 */
const QUIET_SETTINGS: readonly (readonly [name: string, value: string])[] = [
  ['log_min_error_statement', 'panic'],
  ['log_statement', 'none'],
  ['log_min_duration_statement', '-1'],
  ['log_min_duration_sample', '-1'],
  ['log_transaction_sample_rate', '0'],
  ['pg_stat_statements.track_utility', 'off'],
];

const SET_ALLOWED = `
SELECT pg_catalog.set_config(s.name, s.value, true)
  FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS s(name, value)
 WHERE $3 OR pg_catalog.has_parameter_privilege(s.name, 'SET')`;

const SET_ALL = `
SELECT pg_catalog.set_config(s.name, s.value, true)
  FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS s(name, value)`;

/** Sets QUIET_SETTINGS for the current transaction where allowed; returns whether they were set. */
export async function quietStatementLogging(client: pg.Client, environment: LocalEnvironment): Promise<boolean> {
  const names = QUIET_SETTINGS.map(([name]) => name);
  const values = QUIET_SETTINGS.map(([, value]) => value);
  if (environment.versionNum >= 150000) {
    const result = await client.query(SET_ALLOWED, [names, values, environment.isSuperuser]);
    return result.rowCount === names.length;
  }
  if (!environment.isSuperuser) return false;
  await client.query(SET_ALL, [names, values]);
  return true;
}

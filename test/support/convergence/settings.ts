/**
 * Non-default session settings that change how expressions print (DateStyle, TimeZone,
 * IntervalStyle, bytea_output, extra_float_digits): one set on the remote, another on the local
 * database, as `ALTER DATABASE ... SET` so every new session of the CLI and of postgres_fdw gets them.
 */
export const REMOTE_SETTINGS = [
  `DateStyle = 'SQL, DMY'`,
  `TimeZone = 'America/St_Johns'`,
  `IntervalStyle = 'sql_standard'`,
  `bytea_output = 'escape'`,
  'extra_float_digits = 0',
];

export const LOCAL_SETTINGS = [
  `DateStyle = 'German'`,
  `TimeZone = 'Asia/Kathmandu'`,
  `IntervalStyle = 'iso_8601'`,
  `bytea_output = 'escape'`,
];

export function alterDatabaseSql(database: string, settings: readonly string[], quote: (name: string) => string): string[] {
  return settings.map((setting) => `ALTER DATABASE ${quote(database)} SET ${setting}`);
}

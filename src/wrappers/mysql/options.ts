import type { ServerOptionFact } from '../types.js';

/** MySQL's port when a mysql:// URL names none. */
export const MYSQL_DEFAULT_PORT = '3306';

const text = { value: { type: 'string', minLength: 1 }, since: 0 } as const;
const boolean = { value: { type: 'boolean' }, since: 0 } as const;

/**
 * mysql_fdw 2.8's server options (its option.c), all known to every PostgreSQL it builds for. The
 * connection (host, port) comes from the URL; user name and password go into the user mapping.
 */
export const MYSQL_SERVER_OPTIONS = {
  init_command: text,
  secure_auth: boolean,
  use_remote_estimate: boolean,
  reconnect: boolean,
  character_set: text,
  mysql_default_file: text,
  sql_mode: { value: { type: 'string' }, since: 0 },
  ssl_key: text,
  ssl_cert: text,
  ssl_ca: text,
  ssl_capath: text,
  ssl_cipher: text,
  fetch_size: { value: { type: 'integer', minimum: 1 }, since: 0 },
} as const satisfies Record<string, ServerOptionFact>;

/**
 * libpq connection parameters a URL's query string may carry onto the foreign server. postgres_fdw
 * refuses user, password, client_encoding and a few others on a server; user and password belong in
 * the URL's authority, where they become the user mapping.
 */
export const URL_SERVER_PARAMS: ReadonlySet<string> = new Set([
  'host',
  'hostaddr',
  'port',
  'dbname',
  'connect_timeout',
  'application_name',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'sslmode',
  'sslcompression',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'sslsni',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'requirepeer',
  'gssencmode',
  'krbsrvname',
  'target_session_attrs',
  'channel_binding',
  'options',
]);

/**
 * Every libpq connection parameter a client connection may carry (PostgreSQL 18's list), for the
 * local `url`. node-postgres honours host (a socket directory too), port, user, password, sslmode,
 * sslcert, sslkey, sslrootcert, sslnegotiation, application_name, fallback_application_name,
 * client_encoding and options; it ignores the rest, as README's "The file" says.
 */
export const LIBPQ_CLIENT_PARAMS: ReadonlySet<string> = new Set([
  ...URL_SERVER_PARAMS,
  'passfile',
  'require_auth',
  'client_encoding',
  'fallback_application_name',
  'replication',
  'sslnegotiation',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslcertmode',
  'gsslib',
  'gssdelegation',
  'service',
  'load_balance_hosts',
  'min_protocol_version',
  'max_protocol_version',
]);

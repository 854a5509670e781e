import type { Wrapper } from '../types.js';
import { describeTarget } from '../url.js';
import { POSTGRES_DEFAULT_PORT, POSTGRES_SERVER_OPTIONS } from './options.js';
import { parsePostgresUrl } from './parse-url.js';

/** Words in libpq's message that say the remote refused the credentials, rather than that it could not be reached. */
const AUTH_REFUSED =
  /password authentication failed|authentication failed for user|no password (was )?supplied|role "[^"]*" does not exist|no pg_hba\.conf entry|permission denied for database|must have CONNECT privilege|SCRAM|server requested a password/i;

/** postgres_fdw: the wrapper of postgres:// and postgresql:// remotes. */
export const postgresWrapper: Wrapper = {
  fdw: 'postgres_fdw',
  remoteKind: 'PostgreSQL',
  urlSchemes: ['postgres', 'postgresql'],
  parseUrl: (url) => parsePostgresUrl(url, 'remote'),
  remoteSchemaFromUrl: false,
  defaultPort: POSTGRES_DEFAULT_PORT,
  installHint: () => "install PostgreSQL's contrib package on the server (postgres_fdw ships with it)",
  remoteAccountNoun: 'role',
  grantSelectHint: (schema, table, account) =>
    `GRANT SELECT ON ${nameForHint(schema)}.${nameForHint(table)} TO ${account === null ? '<the remote role>' : nameForHint(account)};`,
  userOption: 'user',
  // postgres_fdw 18 (connection.c): with use_scram_passthrough set on the server (it is read before the
  // user mapping's), a session that logged in with SCRAM connects with its own SCRAM keys and
  // require_auth=scram-sha-256; the mapping's password is not used. A non-superuser needs no password then.
  scramPassthrough: { serverOption: 'use_scram_passthrough', since: 180000 },
  passwordRequiredForNonSuperuser: true,
  // postgres_fdw raises a connection exception (class 08) with libpq's message as the error's detail.
  connectFailure: { sqlstate: '08', wordsIn: 'detail', authRefused: AUTH_REFUSED },
  serverOptionTable: POSTGRES_SERVER_OPTIONS,
  serverOptions(link, versionNum) {
    const target = link.remote.target;
    const options: Record<string, string> = { host: target.host };
    if (target.port) options.port = target.port;
    if (target.dbname) options.dbname = target.dbname;
    Object.assign(options, target.params, link.serverOptions);
    // A read link refuses every write through it: INSERT/UPDATE/DELETE, and TRUNCATE (PostgreSQL 14+).
    options.updatable = link.access === 'write' ? 'true' : 'false';
    if (link.access === 'read' && versionNum >= POSTGRES_SERVER_OPTIONS.truncatable.since) options.truncatable = 'false';
    if (link.remote.auth === 'scram_passthrough') options.use_scram_passthrough = 'true';
    return options;
  },
  enforcesReadOnly: true,
  tableOptions: (remoteSchema, remoteTable) => ({ schema_name: remoteSchema, table_name: remoteTable }),
  // postgres_fdw reads a foreign table's remote schema from schema_name, or else its own schema's name.
  remoteTableOf: (table) => ({ schema: table.options.schema_name ?? table.schema, table: table.options.table_name ?? table.name }),
  columnNameOption: true,
  probeTable: null,
  serverConnection: {
    // postgres_fdw connects through libpq's asynchronous API, waiting on the latch, from PostgreSQL 16.
    interruptibleConnectSince: 160000,
    // libpq's connect_timeout, a server option postgres_fdw passes on; a remote URL's ?connect_timeout= becomes it.
    connectTimeout: { option: 'connect_timeout', suggested: 10, setIn: 'url_parameter' },
  },
  // postgres_fdw 1.1 (PostgreSQL 14): postgres_fdw_disconnect(server_name text) closes the server's
  // connections that the current transaction does not use (a warning, not an error, for those it does).
  disconnectServer: { extension: 'postgres_fdw', function: 'postgres_fdw_disconnect' },
  describe: describeTarget,
};

/** A PostgreSQL identifier as a person would type it: bare when it needs no quotes, double-quoted otherwise. */
function nameForHint(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

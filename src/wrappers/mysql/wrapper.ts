import { formatVersion } from '../../server-version.js';
import type { Wrapper } from '../types.js';
import { describeTarget } from '../url.js';
import { MYSQL_DEFAULT_PORT, MYSQL_SERVER_OPTIONS } from './options.js';
import { parseMysqlUrl } from './parse-url.js';

/** mysql_fdw: the wrapper of mysql:// and mariadb:// remotes (DESIGN "MySQL remotes"). */
export const mysqlWrapper: Wrapper = {
  fdw: 'mysql_fdw',
  remoteKind: 'MySQL',
  urlSchemes: ['mysql', 'mariadb'],
  parseUrl: parseMysqlUrl,
  remoteSchemaFromUrl: true,
  defaultPort: MYSQL_DEFAULT_PORT,
  installHint: (versionNum) =>
    `install mysql_fdw on the PostgreSQL server (Debian: apt-get install postgresql-${formatVersion(versionNum)}-mysql-fdw), then run plan again`,
  remoteAccountNoun: 'user',
  // A MySQL account is user@host; '%' is any host, as the other hints for MySQL remotes write it.
  grantSelectHint: (schema, table, account) =>
    `GRANT SELECT ON ${backtick(schema)}.${backtick(table)} TO ${account === null ? '<the remote user>' : `'${account.replaceAll("'", "''")}'`}@'%';`,
  userOption: 'username',
  // MySQL has no SCRAM: the user mapping always holds the password.
  scramPassthrough: null,
  // mysql_fdw connects with whatever the mapping holds; MySQL itself decides whether a password is needed.
  passwordRequiredForNonSuperuser: false,
  // mysql_fdw raises fdw_unable_to_establish_connection (HV00N): "failed to connect to MySQL: <MySQL's
  // message>", whose words for refused credentials are ER_ACCESS_DENIED_ERROR's.
  connectFailure: { sqlstate: 'HV00N', wordsIn: 'message', authRefused: /Access denied for user/ },
  serverOptionTable: MYSQL_SERVER_OPTIONS,
  serverOptions(link) {
    const target = link.remote.target;
    // mysql_fdw has no `updatable` option: a read link is read-only through its grants (SELECT only)
    // and, for the connecting role too, through the remote user's privileges (README "MySQL remotes").
    // mysql_fdw's default character set ('auto') follows the PostgreSQL server's locale, which is
    // latin1 for the C locale: non-ASCII text then fails to read ("invalid byte sequence for encoding
    // UTF8"). utf8mb4 holds every MySQL string for a UTF8 database; server_options may say otherwise.
    return { host: target.host, port: target.port ?? MYSQL_DEFAULT_PORT, character_set: 'utf8mb4', ...link.serverOptions };
  },
  enforcesReadOnly: false,
  // A MySQL database is the schema: mysql_fdw names it `dbname` on each foreign table.
  tableOptions: (remoteSchema, remoteTable) => ({ dbname: remoteSchema, table_name: remoteTable }),
  remoteTableOf: (table) => ({ schema: table.options.dbname ?? '', table: table.options.table_name ?? table.name }),
  columnNameOption: false,
  probeTable: { columns: 'SCHEMA_NAME pg_catalog.text', options: { dbname: 'information_schema', table_name: 'SCHEMATA' } },
  serverConnection: {
    // mysql_fdw (2.8 to 2.9.x, connection.c) calls the MySQL client's blocking mysql_real_connect and
    // reads with no timeout option set: neither a cancel nor pg_terminate_backend interrupts them.
    interruptibleConnectSince: null,
    // Its server options (option.c) have no connect_timeout, read_timeout or write_timeout.
    connectTimeout: null,
  },
  // mysql_fdw (2.8 to 2.9.x; its SQL defines only mysql_fdw_handler, _validator, _version and
  // _display_pushdown_list) has no disconnect function: its connections, one per user mapping, close
  // only when the session exits (connection.c, mysql_cleanup_connection on proc exit).
  disconnectServer: null,
  describe: (target) => describeTarget(target, MYSQL_DEFAULT_PORT),
};

/** A MySQL identifier, quoted with backticks (doubled inside). */
function backtick(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

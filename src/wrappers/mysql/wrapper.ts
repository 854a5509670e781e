import { formatVersion } from '../../config/fdw-options.js';
import type { Wrapper } from '../types.js';
import { parseMysqlUrl } from './parse-url.js';

/**
 * mysql_fdw 2.8's server options (its option.c), all known to every PostgreSQL it builds for. The
 * connection (host, port) comes from the URL; user name and password go into the user mapping.
 */
export const MYSQL_SERVER_OPTIONS: Readonly<Record<string, number>> = {
  init_command: 0,
  secure_auth: 0,
  use_remote_estimate: 0,
  reconnect: 0,
  character_set: 0,
  mysql_default_file: 0,
  sql_mode: 0,
  ssl_key: 0,
  ssl_cert: 0,
  ssl_ca: 0,
  ssl_capath: 0,
  ssl_cipher: 0,
  fetch_size: 0,
};

/** mysql_fdw: the wrapper of mysql:// and mariadb:// remotes (DESIGN "MySQL remotes"). */
export const mysqlWrapper: Wrapper = {
  fdw: 'mysql_fdw',
  remoteKind: 'MySQL',
  parseUrl: parseMysqlUrl,
  remoteSchemaFromUrl: true,
  defaultPort: '3306',
  installHint: (versionNum) =>
    `install mysql_fdw on the PostgreSQL server (Debian: apt-get install postgresql-${formatVersion(versionNum)}-mysql-fdw), then run plan again`,
  userOption: 'username',
  // mysql_fdw connects with whatever the mapping holds; MySQL itself decides whether a password is needed.
  passwordRequiredForNonSuperuser: false,
  serverOptionSince: MYSQL_SERVER_OPTIONS,
  serverOptions(link) {
    const target = link.remote.target;
    // mysql_fdw has no `updatable` option: a read link is read-only through its grants (SELECT only)
    // and, for the connecting role too, through the remote user's privileges (README "MySQL remotes").
    // mysql_fdw's default character set ('auto') follows the PostgreSQL server's locale, which is
    // latin1 for the C locale: non-ASCII text then fails to read ("invalid byte sequence for encoding
    // UTF8"). utf8mb4 holds every MySQL string for a UTF8 database; server_options may say otherwise.
    return { host: target.host, port: target.port ?? '3306', character_set: 'utf8mb4', ...link.serverOptions };
  },
  enforcesReadOnly: false,
  // A MySQL database is the schema: mysql_fdw names it `dbname` on each foreign table.
  tableOptions: (remoteSchema, remoteTable) => ({ dbname: remoteSchema, table_name: remoteTable }),
  remoteTableOf: (table) => ({ schema: table.options.dbname ?? '', table: table.options.table_name ?? table.name }),
  columnNameOption: false,
  probeTable: { columns: 'SCHEMA_NAME text', options: { dbname: 'information_schema', table_name: 'SCHEMATA' } },
  describe: (target) => `${target.host}:${target.port ?? '3306'}/${target.dbname ?? '(no database)'}`,
};

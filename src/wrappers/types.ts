import type { ParsedUrl } from '../config/parse-url.js';
import type { ConnectionTarget, DesiredLink } from '../config/types.js';

/** The foreign-data wrappers datalinks manages links through. */
export type FdwName = 'postgres_fdw' | 'mysql_fdw';

/**
 * What the shared pipeline asks of a link's wrapper. Everything here is pure: how a wrapper's remote
 * is read lives beside it (read-remote.ts) and is picked in introspect/observe.ts.
 */
export interface Wrapper {
  fdw: FdwName;
  /** Who reads this remote, for messages ("MySQL", "PostgreSQL"). */
  remoteKind: string;
  /** Parses a remote URL of this wrapper's schemes (the value is registered as a secret first). */
  parseUrl(url: string): ParsedUrl;
  /** Whether the URL's database is the remote schema that is linked (MySQL), instead of `remote.schema`. */
  remoteSchemaFromUrl: boolean;
  /** The remote's default port, for messages and server options. */
  defaultPort: string;
  /** How to get the extension onto a Debian PostgreSQL server of this major version. */
  installHint(versionNum: number): string;
  /** The user mapping option that holds the remote user name (the password is always `password`). */
  userOption: string;
  /** Whether a non-superuser's user mapping must carry a password for the wrapper to connect. */
  passwordRequiredForNonSuperuser: boolean;
  /** server_options names this wrapper knows, with the PostgreSQL version (server_version_num) each needs. */
  serverOptionSince: Readonly<Record<string, number>>;
  /** The server's options for a link: connection from the URL, then server_options, then access. */
  serverOptions(link: DesiredLink, versionNum: number): Record<string, string>;
  /** Whether `access: read` is enforced by a server option (postgres_fdw's updatable); else only by grants. */
  enforcesReadOnly: boolean;
  /** The options of a foreign table reading `remoteSchema`.`remoteTable`. */
  tableOptions(remoteSchema: string, remoteTable: string): Record<string, string>;
  /** The remote table an existing foreign table reads, from its options. */
  remoteTableOf(table: { schema: string; name: string; options: Record<string, string> }): { schema: string; table: string };
  /** Whether columns carry a `column_name` option naming the remote column (mysql_fdw has none). */
  columnNameOption: boolean;
  /**
   * How `check` opens a link's connection when the link has no table to read with LIMIT 0: a
   * temporary foreign table over a remote catalog table that every user can read. postgres_fdw's
   * probe reads pg_settings (and the remote's version) itself, so it needs none here.
   */
  probeTable: { columns: string; options: Record<string, string> } | null;
  /** host:port/database of a target, for messages and listings. Never includes credentials. */
  describe(target: Pick<ConnectionTarget, 'host' | 'port' | 'dbname'>): string;
}

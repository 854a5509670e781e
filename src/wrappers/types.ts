export type Access = 'read' | 'write';

/**
 * How a link's user mappings authenticate to the remote: `password` stores the URL's password in
 * them; `scram_passthrough` stores none and passes the connecting client's SCRAM keys through
 * (postgres_fdw 18's use_scram_passthrough).
 */
export type RemoteAuth = 'password' | 'scram_passthrough';

/** A parsed URL (postgres://, mysql://). `password` is a secret: it never leaves this object except into SQL. */
export interface ConnectionTarget {
  /** The URL as given, for connecting with pg. Secret: contains the password. */
  url: string;
  host: string;
  port: string | null;
  dbname: string | null;
  user: string | null;
  password: string | null;
  /** libpq options from the URL's query string (sslmode, ...), passed on to the foreign server. */
  params: Record<string, string>;
}

/**
 * A refused URL. `message` completes a sentence whose subject names the variable and the field
 * ("BILLING_URL, used as ..., <problem>"); neither it nor `hint` ever contains any part of the value.
 */
export type ParsedUrl = { ok: true; target: ConnectionTarget } | { ok: false; message: string; hint: string };

/**
 * How a server option is written in datalinks.yaml: its JSON Schema (schemas/datalinks.schema.json
 * lists the same, checked by a unit test). PostgreSQL stores every value as text; a list is stored
 * comma-separated.
 */
export type OptionValue =
  | { type: 'boolean' }
  | { type: 'integer'; minimum: number }
  | { type: 'number'; minimum: number }
  | { type: 'string'; minLength?: number }
  | { type: 'array'; items: { type: 'string'; minLength: number } }
  | { enum: string[] };

/** One server option a wrapper knows: its value, and the PostgreSQL (server_version_num) that introduced it; 0: every supported version. */
export interface ServerOptionFact {
  value: OptionValue;
  since: number;
  /** Set by datalinks from the link's `access`, never written in server_options (the schema leaves it out). */
  fromAccess?: true;
}

/**
 * Why a remote column is not linked: the wrapper would change its values (MySQL's FLOAT comes back
 * rounded to 6 significant digits), no local type holds them (spatial types), or the remote's catalog
 * describes the type with numbers out of range.
 */
export type UnmappedReason = 'rounded' | 'no_local_type' | 'catalog_out_of_range';

/**
 * A remote expression that turns a refused column into one that links exactly, for the fix "link a
 * remote view that converts it": CAST(c AS DOUBLE), ST_AsText(c), CAST(c AS CHAR).
 */
export type RemoteConversion = 'cast_double' | 'spatial_text' | 'cast_char';

/** A remote column's type that has no faithful local type: the type as the remote declares it, why, and the fix. */
export interface UnmappedType {
  declared: string;
  reason: UnmappedReason;
  conversion: RemoteConversion | null;
}

/** A column whose values the wrapper reads through a buffer of `limit` bytes: how many rows hold a longer one? */
export interface LongValueQuestion {
  schema: string;
  table: string;
  column: string;
  limit: number;
}

/**
 * How a wrapper passes the connecting client's SCRAM keys through instead of a stored password
 * (`remote.auth: scram_passthrough`): the server option that turns it on, and the PostgreSQL
 * (server_version_num) whose wrapper first has it.
 */
export interface ScramPassthroughFact {
  serverOption: string;
  since: number;
}

/** What a wrapper makes a link's server options from (config's DesiredLink is one). */
export interface LinkSettings {
  remote: { target: ConnectionTarget; auth?: RemoteAuth };
  access: Access;
  /** The options written in `server_options`, as PostgreSQL stores them (strings). */
  serverOptions: Record<string, string>;
}

/**
 * How the local server reports that a wrapper could not connect to the remote: the SQLSTATE it raises
 * (a class such as '08' stands for each of its codes), where the remote's own words are (the error's
 * message or its detail), and the words that say the remote refused the credentials rather than that
 * it could not be reached.
 */
export interface ConnectFailureFact {
  sqlstate: string;
  wordsIn: 'message' | 'detail';
  authRefused: RegExp;
}

/** The foreign-data wrappers datalinks manages links through. */
export type FdwName = 'postgres_fdw' | 'mysql_fdw';

/**
 * What the shared pipeline asks of a link's wrapper. Everything here is pure: how a wrapper's remote
 * is read from this machine is its client in introspect/remote/, picked by the same wrapper name.
 */
export interface Wrapper {
  fdw: FdwName;
  /** Who reads this remote, for messages ("MySQL", "PostgreSQL"). */
  remoteKind: string;
  /** The schemes of the remote URLs that select this wrapper, lower case (a URL of any other scheme is read as PostgreSQL's). */
  urlSchemes: readonly string[];
  /** Parses a remote URL of this wrapper's schemes (the value is registered as a secret first). */
  parseUrl(url: string): ParsedUrl;
  /** Whether the URL's database is the remote schema that is linked (MySQL), instead of `remote.schema`. */
  remoteSchemaFromUrl: boolean;
  /** The remote's default port, for messages and server options. */
  defaultPort: string;
  /** How to get the extension onto a Debian PostgreSQL server of this major version. */
  installHint(versionNum: number): string;
  /** What the remote calls the account a link logs in as, for messages: "role" (PostgreSQL), "user" (MySQL). */
  remoteAccountNoun: 'role' | 'user';
  /**
   * The statement a person runs on the remote, in its own SQL, so that `account` may read `schema`.`table`
   * (null: the URL names no account). Text for a hint, escaped by whoever shows it; never run.
   */
  grantSelectHint(schema: string, table: string, account: string | null): string;
  /** The user mapping option that holds the remote user name (the password is always `password`). */
  userOption: string;
  /** SCRAM pass-through (links without a stored password), or null when the wrapper has none. */
  scramPassthrough: ScramPassthroughFact | null;
  /** Whether a non-superuser's user mapping must carry a password for the wrapper to connect. */
  passwordRequiredForNonSuperuser: boolean;
  /** How the local server reports that this wrapper could not connect, and the remote's words for refused credentials. */
  connectFailure: ConnectFailureFact;
  /** The server_options this wrapper takes: the one table read by validation, the planner, export and the schema test. */
  serverOptionTable: Readonly<Record<string, ServerOptionFact>>;
  /** The server's options for a link: connection from the URL, then server_options, then access (and SCRAM pass-through). */
  serverOptions(link: LinkSettings, versionNum: number): Record<string, string>;
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
  /** How the local server's connection through this wrapper is bounded and stopped (see ServerConnection). */
  serverConnection: ServerConnection;
  /**
   * How a session closes the connections the wrapper keeps open to one server's remote (a wrapper keeps
   * each until the session ends): a function of its extension that takes the server's name and closes
   * every connection of that server not in use by the current transaction; null when the wrapper has
   * none, and only ending the local session closes them.
   */
  disconnectServer: { extension: string; function: string } | null;
  /** host:port/database of a target, for messages and listings. Never includes credentials. */
  describe(target: Pick<ConnectionTarget, 'host' | 'port' | 'dbname'>): string;
}

/**
 * What bounds the local server's connection to the remote through a wrapper, and what stops it. A
 * statement the server cannot interrupt outlives statement_timeout, a cancel and pg_terminate_backend
 * alike: datalinks reaches the remote itself before it asks the server to connect (DESIGN "Exits and
 * signals"), sends a timeout option only to a wrapper that takes it, and hints only at what validate accepts.
 */
export interface ServerConnection {
  /** The first PostgreSQL (server_version_num) on which the wrapper's connection attempt answers interrupts; null: on none. */
  interruptibleConnectSince: number | null;
  /**
   * The option that makes the wrapper give up connecting by itself (its value in seconds), and where
   * a user sets it: a query parameter of the remote URL, or `server_options`. null: the wrapper has none.
   */
  connectTimeout: { option: string; suggested: number; setIn: 'url_parameter' | 'server_options' } | null;
}

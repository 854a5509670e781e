/** What the catalogs say, normalised so that the planner can compare it with the config. */

export interface ColumnShape {
  name: string;
  /** format_type() output with search_path = pg_catalog: non-catalog types are schema-qualified. */
  type: string;
  notNull: boolean;
  /** quote_ident(schema) || '.' || quote_ident(name), or null for a type without collation. */
  collation: string | null;
  /** pg_get_expr() of the default (or generation expression), with search_path = pg_catalog. */
  default: string | null;
  /** '' | 's' (stored) | 'v' (virtual), as pg_attribute.attgenerated. */
  generated: string;
}

export interface RemoteTable {
  name: string;
  /** pg_class.relkind: r, v, m, f or p. */
  kind: string;
  isPartition: boolean;
  columns: ColumnShape[];
}

export type RemoteSchema = { ok: true; tables: RemoteTable[] } | { ok: false; error: string; hint?: string };

export interface Grant {
  grantee: string;
  privilege: string;
}

export interface ObservedColumn extends ColumnShape {
  /** The column_name option: the remote column this one reads (null: the same name). */
  columnName: string | null;
}

export interface ObservedForeignTable {
  schema: string;
  name: string;
  server: string;
  owner: string;
  options: Record<string, string>;
  columns: ObservedColumn[];
  grants: Grant[];
}

export interface ObservedMapping {
  /** Role name, or 'public' for a PUBLIC mapping. */
  role: string;
  /** null when this role may not read the options (pg_user_mappings hides them): unknown, not empty. */
  options: Record<string, string> | null;
}

export interface ObservedServer {
  name: string;
  wrapper: string;
  owner: string;
  options: Record<string, string>;
  comment: string | null;
  mappings: ObservedMapping[];
}

export interface ObservedSchema {
  name: string;
  owner: string;
  grants: Grant[];
}

/** An object outside a link that dropping part of the link would drop too (CASCADE). */
export interface Dependent {
  /** The server/schema name the dependency starts from. */
  link: string;
  /** The link's foreign table it depends on, or null when it depends on the server or schema. */
  table: string | null;
  description: string;
}

export interface LocalEnvironment {
  database: string;
  versionNum: number;
  currentUser: string;
  isSuperuser: boolean;
  fdwExtension: string | null;
  fdwAvailable: boolean;
  /** null when the wrapper does not exist (extension not installed). */
  fdwUsage: boolean | null;
  canCreateSchema: boolean;
}

/** A foreign table without its columns: enough to list and export links. */
export type ForeignTableSummary = Omit<ObservedForeignTable, 'columns'>;

/** The servers, schemas and foreign tables of a local database: what `list` and `export` read. */
export interface LinkCatalog {
  environment: LocalEnvironment;
  servers: ObservedServer[];
  schemas: ObservedSchema[];
  foreignTables: ForeignTableSummary[];
}

/** Everything the planner reads from a local database. */
export interface LocalCatalog extends LinkCatalog {
  foreignTables: ObservedForeignTable[];
  dependents: Dependent[];
  /** Which of the roles named in grant_to exist. */
  existingRoles: string[];
  /** Remote type names (as format_type printed them) that do not exist in this database. */
  missingTypes: string[];
}

export type LocalResult = { ok: true; catalog: LocalCatalog } | { ok: false; error: string; hint?: string };

export interface ObservedDatabase {
  alias: string;
  local: LocalResult;
  /** The linked remote schema per link name. */
  remotes: Record<string, RemoteSchema>;
}

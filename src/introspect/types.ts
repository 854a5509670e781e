import type { QualifiedName } from '../sql/scan-expression.js';
import type { UnmappedType } from '../wrappers/types.js';

export type { QualifiedName };

/** What the catalogs say, normalised so that the planner can compare it with the config. */

/** The signature of a foreign table's columns: how it is computed is table-signature.ts's. */
export type LocalTableSignature = string;

/**
 * A remote column as raw catalog parts. Nothing here is SQL: the type and collation are resolved
 * against the local catalog, and the expression is embedded only after scanExpression() allows it.
 */
export interface RemoteColumn {
  name: string;
  type: QualifiedName & { typmod: number };
  notNull: boolean;
  collation: QualifiedName | null;
  /** pg_get_expr() of the default (or generation expression), read in a pinned session. */
  default: string | null;
  /** '' | 's' (stored) | 'v' (virtual), as pg_attribute.attgenerated. */
  generated: string;
  /**
   * Set by a wrapper whose remote type has no local type through which it reads every value exactly
   * (MySQL's float, geometry, ...): the remote type, why, and the fix, for the plan error that names
   * the column. `type` is then a placeholder.
   */
  unmapped?: UnmappedType;
  /**
   * Set by a wrapper that reads this column's values through a buffer of this many bytes: a longer
   * value ends a read through the link without an error (MySQL's blobs). The plan warns, `check` counts.
   */
  readLimit?: number;
}

/** A local column as the local catalog formats it (format_type with search_path = pg_catalog). */
export interface ColumnShape {
  name: string;
  type: string;
  notNull: boolean;
  /** "schema"."name" quoted by datalinks, or null for a type without collation. */
  collation: string | null;
  default: string | null;
  generated: string;
}

export interface RemoteTable {
  name: string;
  /** pg_class.relkind: r, v, m, f or p. */
  kind: string;
  isPartition: boolean;
  /** Whether the remote role may SELECT from it (queries through the link fail otherwise). */
  readable: boolean;
  columns: RemoteColumn[];
}

/**
 * Why a link's remote schema is unknown: the schema is not on the remote, nothing was read for it, or
 * reading failed (`error` and `hint` are the connection's or the server's words).
 */
export type RemoteFailure =
  /** `existing`: the remote's schemas (its own, not the catalogs), for a did-you-mean; absent: not read. */
  | { code: 'schema_missing'; schema: string; existing?: string[] }
  | { code: 'not_read' }
  | { code: 'read_failed'; error: string; hint?: string };

/**
 * A linked remote schema: its tables, and the definitions of the user-defined types their columns use
 * (followed through arrays, domains and composites), by definitionKey(); absent for a wrapper whose
 * remote has no such types (MySQL).
 */
export type RemoteSchema = { ok: true; tables: RemoteTable[]; types?: Record<string, TypeDefinition> } | ({ ok: false } & RemoteFailure);

/**
 * How a user-defined type is defined (type-definitions.ts reads it the same way on both sides): what
 * plan compares between a local type that a link's columns use by name and the remote's type of that
 * name. Texts (a domain's base, a CHECK, an attribute's type) are as each server formats them with
 * search_path = pg_catalog. `other`: a kind that is not compared (base types, ranges, ...).
 */
export type TypeDefinition =
  | { kind: 'enum'; labels: string[] }
  | { kind: 'domain'; base: string; baseType: QualifiedName; notNull: boolean; default: string | null; checks: string[] }
  | { kind: 'composite'; attributes: { name: string; type: string; typeRef: QualifiedName }[] }
  | { kind: 'array'; element: QualifiedName }
  | { kind: 'other' };

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
  /**
   * null when not read: the signature showed the columns are what the link makes of its remote
   * table (the planner checks that again with foreignTableUnchanged()).
   */
  columns: ObservedColumn[] | null;
  grants: Grant[];
  /** The signature of its columns (table-signature.ts); absent where the catalog was read without. */
  signature?: LocalTableSignature;
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
  /** Owned by the connecting role or a role it was granted (a superuser's implicit rights do not count). */
  owned: boolean;
  options: Record<string, string>;
  comment: string | null;
  mappings: ObservedMapping[];
}

export interface ObservedSchema {
  name: string;
  owner: string;
  /** As ObservedServer.owned. */
  owned: boolean;
  comment: string | null;
  grants: Grant[];
  /**
   * In a schema named like a link of the file: the names a new foreign table there would collide with
   * (objects that are not the link's own foreign tables), by name. Absent: not read (another schema).
   */
  taken?: TakenName[];
}

/** What holds a name in a link's schema: a relation (pg_class.relkind) or a type that is no relation's row type (pg_type.typtype). */
export type TakenKind =
  | 'table'
  | 'partitioned_table'
  | 'view'
  | 'materialized_view'
  | 'sequence'
  | 'index'
  | 'partitioned_index'
  | 'composite_type'
  | 'foreign_table'
  | 'enum'
  | 'domain'
  | 'range'
  | 'multirange'
  | 'type';

export interface TakenName {
  name: string;
  kind: TakenKind;
}

/** An object outside a link that dropping part of the link would drop too (CASCADE). */
export interface Dependent {
  /** The server/schema name the dependency starts from. */
  link: string;
  /** The link's foreign table it depends on, or null when it depends on the server or schema. */
  table: string | null;
  /** The column of that table it depends on, or null when it depends on the whole table. */
  column: string | null;
  /** It lives in the link's schema (made there by someone else): adoption is refused while it does. */
  inLinkSchema: boolean;
  description: string;
}

/**
 * The databases of the file that a run does not plan (not selected with -d), as far as their identity
 * could be read: a selected database with one of these identities is the same database under another
 * alias, and planning it alone would destroy what that alias declares.
 */
export interface OtherAliases {
  /** Identity (LocalEnvironment.identity) → the aliases that have it. */
  identities: ReadonlyMap<string, readonly string[]>;
  /** Aliases whose database could not be reached to read it, and why. */
  unread: readonly { alias: string; error: string }[];
}

export interface LocalEnvironment {
  database: string;
  /** Tells two connections to one database apart from two databases: server start time, port, database oid. */
  identity: string;
  versionNum: number;
  currentUser: string;
  isSuperuser: boolean;
  fdwExtension: string | null;
  fdwAvailable: boolean;
  /** null when the wrapper does not exist (extension not installed). */
  fdwUsage: boolean | null;
  canCreateSchema: boolean;
  /**
   * Whether this session logged in with SCRAM, so that postgres_fdw 18 can pass its keys through
   * (use_scram_passthrough). Absent: not known (an environment built without it).
   */
  scramLogin?: boolean;
  /**
   * Each wrapper datalinks knows (by fdw name): its extension's version here, availability, USAGE.
   * Absent (an environment built without it): fdwExtension, fdwAvailable and fdwUsage, which are
   * postgres_fdw's, are all that is known.
   */
  wrappers?: Record<string, WrapperEnvironment>;
  /**
   * The schemas an extension may be in or go to (`public`, datalinks_ext, and those the wrappers'
   * extensions are in), by name, where they exist. Absent (an environment built without it): none exists.
   */
  extensionSchemas?: Record<string, ExtensionSchema>;
}

/** A schema as a home for extensions: `trusted` when only the connecting role and superusers may create objects in it. */
export interface ExtensionSchema {
  owner: string;
  trusted: boolean;
}

/** One foreign-data wrapper's extension in a local database (fdwExtension & co. are postgres_fdw's). */
export interface WrapperEnvironment {
  extension: string | null;
  available: boolean;
  /** null when the wrapper does not exist (extension not installed). */
  usage: boolean | null;
  /** The schema the extension is installed in (null: not installed; absent: not read). */
  schema?: string | null;
}

/** A foreign table without its columns: enough to list and export links. */
export type ForeignTableSummary = Omit<ObservedForeignTable, 'columns' | 'signature'>;

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
  /** The roles named in grant_to that exist and cannot log in (NOLOGIN: group roles, most often). */
  nologinRoles?: string[];
  /** Every role's name, read only when a role named in grant_to does not exist (for a did-you-mean); absent otherwise. */
  roleNames?: string[];
  /** What the remotes' columns need from this database, resolved here (see remote-needs.ts). */
  resolved: ResolvedNeeds;
}

/** A remote column type as this database knows it. */
export interface LocalType {
  /** format_type() here, with search_path = pg_catalog. */
  text: string;
  /** The type's own collation (what a column gets without COLLATE), formatted; null if none. */
  collation: string | null;
  /** The type's oid here, and its own collation's (0 for none): for column signatures (table-signature.ts). */
  oid?: number;
  collationOid?: number;
}

export interface ResolvedNeeds {
  /** By typeKey(): the local type, or absent when the type does not exist here. */
  types: Record<string, LocalType>;
  /** Formatted collations ("schema"."name") and expression references (needKey()) that do not exist here. */
  missing: string[];
  /** The oid here of each formatted collation that exists (for column signatures). */
  collationOids?: Record<string, number>;
  /** The definition here of each type the remotes define (their `types`) that exists here, by definitionKey(). */
  definitions?: Record<string, TypeDefinition>;
}

export type LocalResult = { ok: true; catalog: LocalCatalog } | { ok: false; error: string; hint?: string };

export interface ObservedDatabase {
  alias: string;
  local: LocalResult;
  /** The linked remote schema per link name. */
  remotes: Record<string, RemoteSchema>;
}

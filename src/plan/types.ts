import type { Shard } from '../config/select.js';
import type { ImportOptions } from '../config/types.js';
import type { ColumnShape, Dependent, TakenKind } from '../introspect/types.js';
import type { FdwName, RemoteConversion, UnmappedReason } from '../wrappers/types.js';

/** A column of a foreign table as datalinks creates it (the shape IMPORT FOREIGN SCHEMA gives). */
export interface ColumnSpec {
  name: string;
  type: string;
  notNull: boolean;
  collation: string | null;
  default: string | null;
  /** Generation expression of a stored generated column, when import_generated is on. */
  generated: string | null;
}

export interface ForeignTableSpec {
  name: string;
  remoteSchema: string;
  remoteTable: string;
  columns: ColumnSpec[];
}

export type OptionChange =
  | { action: 'add'; name: string; value: string }
  | { action: 'set'; name: string; value: string; old: string }
  | { action: 'drop'; name: string; old: string };

export interface ManagedMeta {
  created_at: string | null;
  remote: string | null;
}

/** How a replaced foreign table differs from what it should be: values, worded by render/. */
export type ColumnDiff =
  | { change: 'added'; column: string; after: ColumnSpec }
  | { change: 'removed'; column: string; before: ColumnSpec }
  | { change: 'changed'; column: string; before: ColumnSpec; after: ColumnSpec }
  /** The remote table it reads (schema.table) changed. */
  | { change: 'remote_table'; before: string; after: string }
  /** The columns both sides have are in another order. */
  | { change: 'column_order'; before: string[]; after: string[] }
  /** Local columns renamed by hand (their column_name options still name the remote columns). */
  | { change: 'local_names'; before: string[]; after: string[] }
  /** It is on another server than the link's. */
  | { change: 'server'; before: string; after: string };

/** One in-place fix of a foreign table's columns (ALTER FOREIGN TABLE). */
export type ColumnStep =
  | { action: 'rename'; from: string; to: string; hasColumnNameOption: boolean }
  | { action: 'drop'; column: string }
  | { action: 'alter'; column: string; before: ColumnSpec; after: ColumnSpec }
  | { action: 'add'; column: ColumnSpec };

/**
 * Why an existing foreign table must change: the remote's columns, only the link's import options, or
 * the link's `remote.schema` (the table now reads the table of that name in another remote schema).
 */
export interface TableChangeReason {
  code: 'remote_columns_changed' | 'import_options_changed' | 'remote_schema_changed';
  /** The import options whose change explains it (import_options_changed). */
  options: (keyof ImportOptions)[];
  /** remote_schema_changed: the remote schema the table read, and the one the file names now. */
  schemas?: SchemaChange;
}

/** A link's `remote.schema` as its foreign tables read it (before) and as the file names it (after). */
export interface SchemaChange {
  before: string;
  after: string;
}

/** Why foreign tables are dropped (remote_schema_changed: they read another remote schema than the file's `remote.schema`). */
export type DropReason = 'excluded_by_filter' | 'removed_on_remote' | 'link_destroyed' | 'remote_schema_changed';

/**
 * One step of a change. Secret-free by construction: user mappings carry the remote user name only;
 * the SQL renderer asks for the password of a link when it needs it.
 */
export type Operation =
  /** The schema datalinks installs extensions in when `public` is not safe (EXTENSION_SCHEMA), owned by the applying role. */
  | { kind: 'create_extension_schema'; schema: string }
  /**
   * `extension` is the link's wrapper (absent in plans saved before MySQL links: postgres_fdw);
   * `schema` where it goes: one only the applying role and superusers may create objects in.
   */
  | { kind: 'create_extension'; extension?: FdwName; schema: string }
  | { kind: 'create_server'; server: string; options: Record<string, string>; meta: ManagedMeta }
  | { kind: 'alter_server_options'; server: string; changes: OptionChange[] }
  | { kind: 'comment_server'; server: string; meta: ManagedMeta }
  /** `auth`: the mapping stores no password; the client's SCRAM keys are passed through (absent: the URL's password). */
  | { kind: 'create_user_mapping'; server: string; role: string; user: string | null; auth?: 'scram_passthrough' }
  | {
      kind: 'replace_user_mapping';
      server: string;
      role: string;
      user: string | null;
      /** auth_changed: the link switched between a stored password and SCRAM pass-through. */
      reason: 'remote_user_changed' | 'credentials_changed' | 'auth_changed';
      auth?: 'scram_passthrough';
    }
  | { kind: 'drop_user_mapping'; server: string; role: string }
  | { kind: 'create_schema'; schema: string; meta: ManagedMeta }
  | { kind: 'comment_schema'; schema: string; meta: ManagedMeta }
  | { kind: 'create_foreign_table'; schema: string; server: string; table: ForeignTableSpec }
  | { kind: 'drop_foreign_tables'; schema: string; tables: string[]; reason: DropReason; schemas?: SchemaChange }
  | {
      kind: 'replace_foreign_table';
      schema: string;
      server: string;
      table: ForeignTableSpec;
      diff: ColumnDiff[];
      reason: TableChangeReason;
    }
  | { kind: 'alter_foreign_table'; schema: string; table: string; steps: ColumnStep[]; reason: TableChangeReason }
  | { kind: 'alter_foreign_table_options'; schema: string; table: string; changes: OptionChange[] }
  | { kind: 'grant'; schema: string; role: string; privileges: string[]; tables: string[] | null }
  | { kind: 'revoke'; schema: string; role: string; privileges: string[]; tables: string[] | null }
  | { kind: 'drop_schema'; schema: string }
  | { kind: 'drop_server'; server: string };

export type Action = 'create' | 'update' | 'destroy';

/** Access a change takes away: a user mapping dropped, or privileges revoked on the schema (tables null) or on some of its foreign tables. */
export type AccessRemoved =
  | { kind: 'user_mapping'; role: string }
  | { kind: 'privileges'; role: string; privileges: string[]; schema: string; tables: number | null };

export interface LinkChange {
  action: Action;
  link: string;
  /** The link's foreign-data wrapper, which decides how its SQL is written (absent in older saved plans: postgres_fdw). */
  wrapper?: FdwName;
  /** A hand-made server taken over with --adopt (an update that also marks it as managed). */
  adopt?: boolean;
  operations: Operation[];
  /** Access that this change takes away (user mappings dropped, privileges revoked): destructive, shown with `!`. */
  accessRemoved?: AccessRemoved[];
  /** Objects outside the link that these operations would drop (only with --allow-dependent-drops: CASCADE). */
  dependents: Dependent[];
}

/** A remote column that cannot become a local column as IMPORT FOREIGN SCHEMA would make it. */
export interface ColumnProblemValues {
  link: string;
  table: string;
  column: string;
  /** The type, collation or object named (quoted), or why an expression was refused. */
  detail: string;
  /** Which import option brings the problem in (leaving it off avoids it). */
  option: keyof ImportOptions | null;
  /** How the link chooses its tables: a `tables` list, or all but `exclude`. */
  filter: 'tables' | 'exclude';
  /** The link's wrapper (which names the remote's kind of type). */
  wrapper: FdwName;
}

export type ColumnProblemCode = 'type_unmapped' | 'type_missing' | 'collation_missing' | 'expression_refused' | 'reference_missing';

/** What a column problem carries beyond ColumnProblemValues, by code. */
interface ColumnProblemMore {
  /** Why the type is not linked, and the remote conversion a view can use instead (null: none to suggest). */
  type_unmapped: { reason: UnmappedReason; conversion: RemoteConversion | null };
}

/** One union member per column problem code, so that each narrows on its own. */
type ColumnProblemOf<C> = C extends ColumnProblemCode
  ? { code: C } & ColumnProblemValues & (C extends keyof ColumnProblemMore ? ColumnProblemMore[C] : Record<never, never>)
  : never;

/**
 * What stops a database (link null) or a link from being planned: a code and the values it is
 * about. render/plan-problems.ts words each (message and hint); the planner writes no English. Where
 * the words come from a server (a connection refused), they are the `error` and `advice` values.
 */
export type PlanProblem =
  | { code: 'local_unreadable'; link: null; error: string; advice: string | null }
  | { code: 'not_introspected'; link: null }
  | { code: 'database_aliased'; link: null; database: string; others: string[] }
  /** `marked`: the server carries the datalinks marker (else it is being adopted or is legacy). */
  | { code: 'server_owned_by_other_role'; link: string; owner: string; role: string; marked: boolean }
  | { code: 'server_not_managed'; link: string }
  | { code: 'server_wrong_wrapper'; link: string; wrapper: string; expected: FdwName }
  /** `owned`: the schema belongs to the connecting role (it is just not marked). */
  | { code: 'schema_not_managed'; link: string; owner: string; owned: boolean }
  | { code: 'schema_not_empty'; link: string; objects: string[] }
  | { code: 'remote_unreadable'; link: string; error: string; advice: string | null }
  /** `suggestion`: the remote's schema nearest the name (a likely typo), or null. */
  | { code: 'remote_schema_missing'; link: string; schema: string; suggestion: string | null }
  | { code: 'remote_not_read'; link: string }
  | ColumnProblemOf<ColumnProblemCode>
  /**
   * A remote table's name (column null) or a column's name is longer than the `limit` bytes PostgreSQL
   * keeps: the local name would be cut, so the link could never match (or read) the remote.
   */
  | {
      code: 'name_too_long';
      link: string;
      table: string;
      column: string | null;
      bytes: number;
      limit: number;
      filter: 'tables' | 'exclude';
    }
  /** `since` and `running` are server_version_num values. */
  | { code: 'option_unsupported'; link: string; option: string; since: number; running: number }
  /** `remote.auth: scram_passthrough` on a local server older than `since` (server_version_num values). */
  | { code: 'scram_passthrough_unsupported'; link: string; since: number; running: number }
  /** `remote.auth: scram_passthrough` for a remote whose wrapper cannot pass SCRAM keys through. */
  | { code: 'scram_passthrough_not_postgres'; link: string; wrapper: FdwName }
  /**
   * A remote enum that the link's columns use (directly, in an array, domain or composite) has labels
   * that the local enum of the same name lacks: reading a row that holds one fails. Each label with
   * where ALTER TYPE ... ADD VALUE puts it (after the remote's label before it, or before the local first).
   */
  | { code: 'enum_labels_missing'; link: string; schema: string; type: string; labels: EnumLabelToAdd[] }
  | { code: 'password_required'; link: string }
  | { code: 'extension_unavailable'; link: null; extension: FdwName; running: number }
  | { code: 'extension_not_creatable'; link: null; extension: FdwName; database: string; role: string }
  /** The extension must be created, and the schema it would go to (EXTENSION_SCHEMA) exists but other roles may create objects in it. */
  | { code: 'extension_schema_untrusted'; link: null; extension: FdwName; schema: string; owner: string }
  | { code: 'wrapper_usage_missing'; link: null; wrapper: FdwName; role: string }
  | { code: 'create_schema_denied'; link: null; database: string; role: string };

export type ProblemCode = PlanProblem['code'];

/** Every code a plan problem can carry, in a stable order: `--json` users match these, never the message. */
export const PROBLEM_CODES = Object.keys({
  local_unreadable: true,
  not_introspected: true,
  database_aliased: true,
  server_owned_by_other_role: true,
  server_not_managed: true,
  server_wrong_wrapper: true,
  schema_not_managed: true,
  schema_not_empty: true,
  remote_unreadable: true,
  remote_schema_missing: true,
  remote_not_read: true,
  type_unmapped: true,
  type_missing: true,
  collation_missing: true,
  expression_refused: true,
  reference_missing: true,
  name_too_long: true,
  option_unsupported: true,
  scram_passthrough_unsupported: true,
  scram_passthrough_not_postgres: true,
  enum_labels_missing: true,
  password_required: true,
  extension_unavailable: true,
  extension_not_creatable: true,
  extension_schema_untrusted: true,
  wrapper_usage_missing: true,
  create_schema_denied: true,
} satisfies Record<ProblemCode, true>) as ProblemCode[];

/**
 * Something the user should know that does not block the plan: a code and the values it is about.
 * render/plan-words.ts words it; the planner writes no English here.
 */
export type PlanNote =
  /** A server not in the file carries the datalinks marker but another role owns it: left alone. */
  | { code: 'server_marked_by_other_role'; link: null; server: string; owner: string }
  /** The remote role (null: the URL names none) cannot SELECT a table the link imports. */
  | { code: 'remote_table_unreadable'; link: string; wrapper: FdwName; user: string | null; schema: string; table: string }
  /** The connecting role cannot read a user mapping's options, so its credentials were not compared. */
  | { code: 'mapping_credentials_unreadable'; link: string; role: string; reader: string }
  /** A database of the file not planned in this run (-d) could not be reached to tell whether it is this one. */
  | { code: 'alias_unverified'; link: null; alias: string; error: string }
  /**
   * A wrapper's extension is installed in a schema that roles other than the connecting one and
   * superusers may create objects in. datalinks calls its functions there by schema, never by search_path.
   */
  | { code: 'extension_schema_writable'; link: null; extension: FdwName; schema: string; owner: string }
  /**
   * The wrapper reads a linked column's values through a buffer of `limit` bytes: a longer value
   * ends a read through the link without an error (`check` counts the rows that hold one).
   */
  | { code: 'remote_values_limited'; link: string; table: string; column: string; limit: number }
  /**
   * The plan writes user mappings of a SCRAM pass-through link for `roles`: whoever uses it must log in
   * to the local server with SCRAM, with a SCRAM secret identical to remote role `user`'s (null: the URL
   * names none, so libpq's default, the local server's operating-system user).
   */
  | { code: 'scram_passthrough_secrets'; link: string; roles: string[]; user: string | null }
  /**
   * The session datalinks planned in did not log in with SCRAM (trust, peer, md5, ...): postgres_fdw has
   * no SCRAM keys to pass through, so apply's proof of these changed links, and check, cannot connect.
   */
  | { code: 'scram_login_missing'; link: null; role: string; links: string[] }
  /**
   * A remote table the link selects is not linked: an object made by hand in the link's schema (`kind`)
   * holds its name, and a foreign table cannot be created beside it. The object is left as it is.
   */
  | { code: 'table_name_taken'; link: string; table: string; kind: TakenKind; filter: 'tables' | 'exclude' }
  /**
   * A local type that the link's columns use by name differs from the remote's type of that name in a
   * way that does not fail reads (missing enum labels are the problem enum_labels_missing).
   */
  | { code: 'type_differs'; link: string; schema: string; type: string; differences: TypeDifference[] }
  /**
   * An entry of the link's `tables` or `exclude` names no table of the remote schema: it links, or
   * leaves out, nothing. `suggestion`: the remote table nearest the name (a likely typo), or null.
   */
  | { code: 'filter_entry_unmatched'; link: string; list: 'tables' | 'exclude'; entry: string; schema: string; suggestion: string | null }
  /**
   * A role of grant_to does not exist in this database: it gets no user mapping and no grants (the rest
   * of the link is applied). `suggestion`: the role nearest the name, or null.
   */
  | { code: 'role_missing'; link: string; role: string; suggestion: string | null }
  /**
   * The plan writes a user mapping for a grant_to role that cannot log in (a NOLOGIN group role):
   * postgres_fdw looks up the mapping of the role that runs a query, so its members find none unless
   * they SET ROLE to it first.
   */
  | { code: 'grant_to_cannot_login'; link: string; role: string };

/** An enum label the local type lacks, and where ADD VALUE puts it (null: not that way). */
export interface EnumLabelToAdd {
  label: string;
  after: string | null;
  before: string | null;
}

/** One way a local type differs from the remote's of the same name: values, worded by render/. */
export type TypeDifference =
  /** Not the same kind of type (enum, domain, composite, ...). */
  | { what: 'kind'; local: string; remote: string }
  /** Enum labels the local type has and the remote's does not: writing one through the link fails on the remote. */
  | { what: 'labels_extra'; labels: string[] }
  /** The labels both have, in another order: sorting and comparing differ between the two sides. */
  | { what: 'labels_order'; local: string[]; remote: string[] }
  /** A domain's base type. */
  | { what: 'base'; local: string; remote: string }
  | { what: 'not_null'; local: boolean; remote: boolean }
  | { what: 'default'; local: string | null; remote: string | null }
  /** A domain's CHECK constraints, as pg_get_constraintdef() writes them, sorted. */
  | { what: 'checks'; local: string[]; remote: string[] }
  /** A composite's attributes, `name type` each, in order. */
  | { what: 'attributes'; local: string[]; remote: string[] };

export type NoteCode = PlanNote['code'];

export const NOTE_CODES = Object.keys({
  server_marked_by_other_role: true,
  remote_table_unreadable: true,
  mapping_credentials_unreadable: true,
  alias_unverified: true,
  extension_schema_writable: true,
  remote_values_limited: true,
  scram_passthrough_secrets: true,
  scram_login_missing: true,
  table_name_taken: true,
  type_differs: true,
  filter_entry_unmatched: true,
  role_missing: true,
  grant_to_cannot_login: true,
} satisfies Record<NoteCode, true>) as NoteCode[];

/**
 * How loud a note is: a `warning` is something the plan leaves undone (or done differently from what
 * the file says) that the user most likely wants to fix; a `note` is information.
 */
export type NoteSeverity = 'note' | 'warning';

export const NOTE_SEVERITY = {
  server_marked_by_other_role: 'note',
  remote_table_unreadable: 'note',
  mapping_credentials_unreadable: 'note',
  alias_unverified: 'note',
  extension_schema_writable: 'note',
  remote_values_limited: 'note',
  scram_passthrough_secrets: 'note',
  scram_login_missing: 'note',
  table_name_taken: 'warning',
  type_differs: 'note',
  filter_entry_unmatched: 'warning',
  role_missing: 'warning',
  grant_to_cannot_login: 'note',
} as const satisfies Record<NoteCode, NoteSeverity>;

export interface DatabasePlan {
  alias: string;
  /** Database-level steps that come before any link (the extension, and the schema it goes to). */
  preamble: Operation[];
  changes: LinkChange[];
  /** Problems that stop this database from being applied. */
  errors: PlanProblem[];
  /** Things the user should know that do not block (credentials that could not be compared). */
  notes: PlanNote[];
  /** Hash of the observed state this plan was made against, for saved plans; '' when not computed. */
  fingerprint: string;
  /** Hash of the remotes' part of that state alone (what the links' remote tables make): set with `fingerprint`. */
  remoteFingerprint?: string;
  /** What of the configuration this plan was made from (config-digest.ts): set with `fingerprint`. */
  config?: ConfigDigest;
}

/**
 * The configuration one database's plan depends on, as hashes of its parts (never of a secret): the
 * local database's URL without its password, and per link its remote (URL without password, variable
 * and schema), remote user, table filter, access, grant_to, server and import options.
 */
export interface ConfigDigest {
  url: string;
  links: Record<string, Record<LinkConfigPart, string>>;
}

export type LinkConfigPart = 'remote' | 'remote_user' | 'tables' | 'access' | 'grant_to' | 'server_options' | 'import_options';

/** What a run was limited to besides -d: --link (a targeted plan) and --shard I/N. A saved plan records it. */
export interface PlanSelection {
  /** The links the plan reads and changes, sorted; null when it is not targeted. */
  links: string[] | null;
  shard: Shard | null;
}

export interface PlanSummary {
  create: number;
  update: number;
  destroy: number;
}

export interface Plan {
  databases: DatabasePlan[];
  summary: PlanSummary;
  /** Absent: the whole file (or the databases of -d). */
  selection?: PlanSelection;
}

export type { ColumnShape, Dependent };

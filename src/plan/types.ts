import type { ImportOptions } from '../config/types.js';
import type { ColumnShape, Dependent } from '../introspect/types.js';
import type { FdwName } from '../wrappers/types.js';

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

/** Why an existing foreign table must change: the remote's columns, or only the link's import options. */
export interface TableChangeReason {
  code: 'remote_columns_changed' | 'import_options_changed';
  /** The import options whose change explains it (import_options_changed). */
  options: (keyof ImportOptions)[];
}

/** Why foreign tables are dropped. */
export type DropReason = 'excluded_by_filter' | 'removed_on_remote' | 'link_destroyed';

/**
 * One step of a change. Secret-free by construction: user mappings carry the remote user name only;
 * the SQL renderer asks for the password of a link when it needs it.
 */
export type Operation =
  /** `extension` is the link's wrapper (absent in plans saved before MySQL links: postgres_fdw). */
  | { kind: 'create_extension'; extension?: FdwName }
  | { kind: 'create_server'; server: string; options: Record<string, string>; meta: ManagedMeta }
  | { kind: 'alter_server_options'; server: string; changes: OptionChange[] }
  | { kind: 'comment_server'; server: string; meta: ManagedMeta }
  | { kind: 'create_user_mapping'; server: string; role: string; user: string | null }
  | {
      kind: 'replace_user_mapping';
      server: string;
      role: string;
      user: string | null;
      reason: 'remote_user_changed' | 'credentials_changed';
    }
  | { kind: 'drop_user_mapping'; server: string; role: string }
  | { kind: 'create_schema'; schema: string; meta: ManagedMeta }
  | { kind: 'comment_schema'; schema: string; meta: ManagedMeta }
  | { kind: 'create_foreign_table'; schema: string; server: string; table: ForeignTableSpec }
  | { kind: 'drop_foreign_tables'; schema: string; tables: string[]; reason: DropReason }
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

export interface LinkChange {
  action: Action;
  link: string;
  /** The link's foreign-data wrapper, which decides how its SQL is written (absent in older saved plans: postgres_fdw). */
  wrapper?: FdwName;
  /** A hand-made server taken over with --adopt (an update that also marks it as managed). */
  adopt?: boolean;
  operations: Operation[];
  /** Access that this change takes away (user mappings dropped, privileges revoked): destructive, shown with `!`. */
  accessRemoved?: string[];
  /** Objects outside the link that these operations would drop (only with --allow-dependent-drops: CASCADE). */
  dependents: Dependent[];
}

/** Every code a plan problem can carry: `--json` users match these, never the message. */
export const PROBLEM_CODES = [
  'local_unreadable',
  'not_introspected',
  'database_aliased',
  'server_owned_by_other_role',
  'server_not_managed',
  'server_wrong_wrapper',
  'schema_not_managed',
  'schema_not_empty',
  'remote_unreadable',
  'table_not_found',
  'type_unmapped',
  'type_missing',
  'collation_missing',
  'expression_refused',
  'reference_missing',
  'option_unsupported',
  'role_missing',
  'password_required',
  'extension_unavailable',
  'extension_not_creatable',
  'wrapper_usage_missing',
  'create_schema_denied',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface PlanProblem {
  /** The link the problem is about, or null for the whole database. */
  link: string | null;
  /** A stable code for --json users to match on. */
  code: ProblemCode;
  message: string;
  hint?: string;
}

/**
 * Something the user should know that does not block the plan: a code and the values it is about.
 * render/plan-notes.ts words it; the planner writes no English here.
 */
export type PlanNote =
  /** A server not in the file carries the datalinks marker but another role owns it: left alone. */
  | { code: 'server_marked_by_other_role'; link: null; server: string; owner: string }
  /** The remote role (null: the URL names none) cannot SELECT a table the link imports. */
  | { code: 'remote_table_unreadable'; link: string; user: string | null; schema: string; table: string }
  /** The connecting role cannot read a user mapping's options, so its credentials were not compared. */
  | { code: 'mapping_credentials_unreadable'; link: string; role: string; reader: string };

export type NoteCode = PlanNote['code'];

export const NOTE_CODES = [
  'server_marked_by_other_role',
  'remote_table_unreadable',
  'mapping_credentials_unreadable',
] as const satisfies readonly NoteCode[];

export interface DatabasePlan {
  alias: string;
  /** Database-level steps that come before any link (the extension). */
  preamble: Operation[];
  changes: LinkChange[];
  /** Problems that stop this database from being applied. */
  errors: PlanProblem[];
  /** Things the user should know that do not block (credentials that could not be compared). */
  notes: PlanNote[];
  /** Hash of the observed state this plan was made against, for saved plans; '' when not computed. */
  fingerprint: string;
}

export interface PlanSummary {
  create: number;
  update: number;
  destroy: number;
}

export interface Plan {
  databases: DatabasePlan[];
  summary: PlanSummary;
}

export type { ColumnShape, Dependent };

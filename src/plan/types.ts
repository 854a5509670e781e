import type { ColumnShape, Dependent } from '../introspect/types.js';

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

export interface ColumnDiff {
  change: 'added' | 'removed' | 'changed';
  column: string;
  before?: string;
  after?: string;
}

/**
 * One step of a change. Secret-free by construction: user mappings carry the remote user name only;
 * the SQL renderer asks for the password of a link when it needs it.
 */
export type Operation =
  | { kind: 'create_extension' }
  | { kind: 'create_server'; server: string; options: Record<string, string>; meta: ManagedMeta }
  | { kind: 'alter_server_options'; server: string; changes: OptionChange[] }
  | { kind: 'comment_server'; server: string; meta: ManagedMeta }
  | { kind: 'create_user_mapping'; server: string; role: string; user: string | null }
  | { kind: 'replace_user_mapping'; server: string; role: string; user: string | null; reason: string }
  | { kind: 'drop_user_mapping'; server: string; role: string }
  | { kind: 'create_schema'; schema: string }
  | { kind: 'create_foreign_table'; schema: string; server: string; table: ForeignTableSpec }
  | { kind: 'drop_foreign_table'; schema: string; table: string; reason: string }
  | { kind: 'replace_foreign_table'; schema: string; server: string; table: ForeignTableSpec; diff: ColumnDiff[] }
  | { kind: 'add_foreign_table_columns'; schema: string; table: string; columns: ColumnSpec[] }
  | { kind: 'grant'; schema: string; role: string; privileges: string[]; tables: string[] | null }
  | { kind: 'revoke'; schema: string; role: string; privileges: string[]; tables: string[] | null }
  | { kind: 'drop_schema'; schema: string }
  | { kind: 'drop_server'; server: string };

export type Action = 'create' | 'update' | 'destroy';

export interface LinkChange {
  action: Action;
  link: string;
  /** A hand-made server taken over with --adopt (an update that also marks it as managed). */
  adopt?: boolean;
  operations: Operation[];
  /** Objects outside the link that these operations would drop (CASCADE). */
  dependents: Dependent[];
}

export interface PlanProblem {
  /** The link the problem is about, or null for the whole database. */
  link: string | null;
  message: string;
  hint?: string;
}

export interface DatabasePlan {
  alias: string;
  /** Database-level steps that come before any link (the extension). */
  preamble: Operation[];
  changes: LinkChange[];
  /** Problems that stop this database from being applied. */
  errors: PlanProblem[];
  /** Things the user should know that do not block (credentials that could not be compared). */
  notes: string[];
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

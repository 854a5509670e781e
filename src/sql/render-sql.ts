import { formatManagedComment } from '../plan/managed-comment.js';
import type { ColumnSpec, DatabasePlan, ForeignTableSpec, Operation, OptionChange } from '../plan/types.js';
import { MASK } from '../secrets.js';
import { ident, literal, optionList, qualified, role } from './quote.js';

export interface SqlContext {
  /** The remote password for a link's user mappings (null: the URL has none). */
  passwordFor(link: string): string | null;
  /** ISO time recorded as created_at in a new link's server comment. */
  now: string;
}

/** A context for showing SQL to a person: every password is the mask. */
export const MASKED_CONTEXT: SqlContext = { passwordFor: () => MASK, now: '<apply time>' };

export interface Statement {
  sql: string;
  /** The link this statement belongs to, null for database-level statements. */
  link: string | null;
}

type Renderers = { [K in Operation['kind']]: (op: Extract<Operation, { kind: K }>, ctx: SqlContext) => string[] };

const renderers = {
  create_extension: () => ['CREATE EXTENSION IF NOT EXISTS postgres_fdw'],
  create_server: (op, ctx) => [
    `CREATE SERVER ${ident(op.server)} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (${optionList(op.options)})`,
    `COMMENT ON SERVER ${ident(op.server)} IS ${literal(formatManagedComment(op.meta, ctx.now))}`,
  ],
  alter_server_options: (op) => [`ALTER SERVER ${ident(op.server)} OPTIONS (${op.changes.map(optionChange).join(', ')})`],
  comment_server: (op, ctx) => [`COMMENT ON SERVER ${ident(op.server)} IS ${literal(formatManagedComment(op.meta, ctx.now))}`],
  create_user_mapping: (op, ctx) => [createUserMapping(op.server, op.role, op.user, ctx)],
  replace_user_mapping: (op, ctx) => [
    `DROP USER MAPPING IF EXISTS FOR ${role(op.role)} SERVER ${ident(op.server)}`,
    createUserMapping(op.server, op.role, op.user, ctx),
  ],
  drop_user_mapping: (op) => [`DROP USER MAPPING IF EXISTS FOR ${role(op.role)} SERVER ${ident(op.server)}`],
  create_schema: (op) => [`CREATE SCHEMA ${ident(op.schema)}`],
  create_foreign_table: (op) => [createForeignTable(op.schema, op.server, op.table)],
  drop_foreign_table: (op) => [`DROP FOREIGN TABLE ${qualified(op.schema, op.table)} CASCADE`],
  add_foreign_table_columns: (op) => [
    `ALTER FOREIGN TABLE ${qualified(op.schema, op.table)} ${op.columns.map((column) => `ADD COLUMN ${columnDefinition(column)}`).join(', ')}`,
  ],
  replace_foreign_table: (op) => [
    `DROP FOREIGN TABLE ${qualified(op.schema, op.table.name)} CASCADE`,
    createForeignTable(op.schema, op.server, op.table),
  ],
  grant: (op) => [`GRANT ${op.privileges.join(', ')} ON ${grantTarget(op.schema, op.tables)} TO ${role(op.role)}`],
  revoke: (op) => [`REVOKE ${op.privileges.join(', ')} ON ${grantTarget(op.schema, op.tables)} FROM ${role(op.role)}`],
  drop_schema: (op) => [`DROP SCHEMA ${ident(op.schema)} CASCADE`],
  drop_server: (op) => [`DROP SERVER ${ident(op.server)} CASCADE`],
} satisfies Renderers;

export function renderOperation(op: Operation, ctx: SqlContext): string[] {
  return (renderers[op.kind] as (op: Operation, ctx: SqlContext) => string[])(op, ctx);
}

/** Every statement that applies one database's plan, in order. */
export function renderDatabaseSql(plan: DatabasePlan, ctx: SqlContext): Statement[] {
  const statements: Statement[] = plan.preamble.flatMap((op) => renderOperation(op, ctx).map((sql) => ({ sql, link: null })));
  for (const change of plan.changes) {
    for (const op of change.operations) statements.push(...renderOperation(op, ctx).map((sql) => ({ sql, link: change.link })));
  }
  return statements;
}

function createUserMapping(server: string, roleName: string, user: string | null, ctx: SqlContext): string {
  const options: Record<string, string> = {};
  if (user !== null) options.user = user;
  const password = ctx.passwordFor(server);
  if (password !== null) options.password = password;
  const optionsSql = Object.keys(options).length > 0 ? ` OPTIONS (${optionList(options)})` : '';
  return `CREATE USER MAPPING FOR ${role(roleName)} SERVER ${ident(server)}${optionsSql}`;
}

function optionChange(change: OptionChange): string {
  if (change.action === 'drop') return `DROP ${ident(change.name)}`;
  return `${change.action.toUpperCase()} ${ident(change.name)} ${literal(change.value)}`;
}

/** CREATE FOREIGN TABLE in the shape postgres_fdw's IMPORT FOREIGN SCHEMA produces. */
export function createForeignTable(schema: string, server: string, table: ForeignTableSpec): string {
  const columns = table.columns.map((column) => `  ${columnDefinition(column)}`);
  const body = columns.length > 0 ? `(\n${columns.join(',\n')}\n)` : '()';
  return `CREATE FOREIGN TABLE ${qualified(schema, table.name)} ${body} SERVER ${ident(server)} OPTIONS (schema_name ${literal(table.remoteSchema)}, table_name ${literal(table.remoteTable)})`;
}

function columnDefinition(column: ColumnSpec): string {
  let sql = `${ident(column.name)} ${column.type} OPTIONS (column_name ${literal(column.name)})`;
  if (column.collation) sql += ` COLLATE ${column.collation}`;
  if (column.default !== null) sql += ` DEFAULT ${column.default}`;
  if (column.generated !== null) sql += ` GENERATED ALWAYS AS (${column.generated}) STORED`;
  if (column.notNull) sql += ' NOT NULL';
  return sql;
}

function grantTarget(schema: string, tables: string[] | null): string {
  return tables === null ? `SCHEMA ${ident(schema)}` : `TABLE ${tables.map((t) => qualified(schema, t)).join(', ')}`;
}

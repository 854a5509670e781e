import { MASK } from '../secrets.js';
import { catalogQualifiedType, ident, literal, optionList, qualified, role } from '../sql/quote.js';
import { type Wrapper, wrapperNamed } from '../wrappers/index.js';
import { postgresWrapper } from '../wrappers/postgres/wrapper.js';
import { formatManagedComment } from './managed-comment.js';
import type { ColumnSpec, ColumnStep, DatabasePlan, ForeignTableSpec, Operation, OptionChange } from './types.js';

export interface SqlContext {
  /** The remote password for a link's user mappings (null: the URL has none). */
  passwordFor(link: string): string | null;
  /** ISO time recorded as created_at in a new link's server comment. */
  now: string;
  /**
   * --allow-dependent-drops: drops CASCADE to the objects the plan listed with `!`. Otherwise every
   * drop is RESTRICT, so PostgreSQL refuses to drop anything the dependents query missed.
   */
  cascade?: boolean;
}

/** A context for showing SQL to a person: every password is the mask. */
export const MASKED_CONTEXT: SqlContext = { passwordFor: () => MASK, now: '<apply time>' };

export interface Statement {
  sql: string;
  /** The link this statement belongs to, null for database-level statements. */
  link: string | null;
}

/** Each renderer gets the link's wrapper, which decides the wrapper-specific parts (options, column_name). */
type Renderers = { [K in Operation['kind']]: (op: Extract<Operation, { kind: K }>, ctx: SqlContext, wrapper: Wrapper) => string[] };

const renderers = {
  // Owned by the applying role; USAGE for everyone, as `public` has it, so that the extension's
  // functions stay callable by schema (USAGE lets no one create anything there).
  create_extension_schema: (op) => [`CREATE SCHEMA ${ident(op.schema)}`, `GRANT USAGE ON SCHEMA ${ident(op.schema)} TO PUBLIC`],
  create_extension: (op) => [
    `CREATE EXTENSION IF NOT EXISTS ${wrapperNamed(op.extension)?.fdw ?? 'postgres_fdw'} SCHEMA ${ident(op.schema)}`,
  ],
  create_server: (op, ctx, wrapper) => [
    `CREATE SERVER ${ident(op.server)} FOREIGN DATA WRAPPER ${wrapper.fdw} OPTIONS (${optionList(op.options)})`,
    `COMMENT ON SERVER ${ident(op.server)} IS ${literal(formatManagedComment(op.meta, ctx.now))}`,
  ],
  alter_server_options: (op) => [`ALTER SERVER ${ident(op.server)} OPTIONS (${op.changes.map(optionChange).join(', ')})`],
  comment_server: (op, ctx) => [`COMMENT ON SERVER ${ident(op.server)} IS ${literal(formatManagedComment(op.meta, ctx.now))}`],
  create_user_mapping: (op, ctx, wrapper) => [createUserMapping(op, ctx, wrapper)],
  replace_user_mapping: (op, ctx, wrapper) => [
    `DROP USER MAPPING IF EXISTS FOR ${role(op.role)} SERVER ${ident(op.server)}`,
    createUserMapping(op, ctx, wrapper),
  ],
  drop_user_mapping: (op) => [`DROP USER MAPPING IF EXISTS FOR ${role(op.role)} SERVER ${ident(op.server)}`],
  create_schema: (op, ctx) => [
    `CREATE SCHEMA ${ident(op.schema)}`,
    `COMMENT ON SCHEMA ${ident(op.schema)} IS ${literal(formatManagedComment(op.meta, ctx.now))}`,
  ],
  comment_schema: (op, ctx) => [`COMMENT ON SCHEMA ${ident(op.schema)} IS ${literal(formatManagedComment(op.meta, ctx.now))}`],
  create_foreign_table: (op, _ctx, wrapper) => [createForeignTable(op.schema, op.server, op.table, wrapper)],
  drop_foreign_tables: (op, ctx) => [`DROP FOREIGN TABLE ${op.tables.map((t) => qualified(op.schema, t)).join(', ')}${dropMode(ctx)}`],
  alter_foreign_table: (op, ctx, wrapper) => alterColumns(qualified(op.schema, op.table), op.steps, ctx, wrapper),
  alter_foreign_table_options: (op) => [
    `ALTER FOREIGN TABLE ${qualified(op.schema, op.table)} OPTIONS (${op.changes.map(optionChange).join(', ')})`,
  ],
  replace_foreign_table: (op, ctx, wrapper) => [
    `DROP FOREIGN TABLE ${qualified(op.schema, op.table.name)}${dropMode(ctx)}`,
    createForeignTable(op.schema, op.server, op.table, wrapper),
  ],
  grant: (op) => [`GRANT ${op.privileges.join(', ')} ON ${grantTarget(op.schema, op.tables)} TO ${role(op.role)}`],
  revoke: (op) => [`REVOKE ${op.privileges.join(', ')} ON ${grantTarget(op.schema, op.tables)} FROM ${role(op.role)}`],
  drop_schema: (op, ctx) => [`DROP SCHEMA ${ident(op.schema)}${dropMode(ctx)}`],
  drop_server: (op, ctx) => [`DROP SERVER ${ident(op.server)}${dropMode(ctx)}`],
} satisfies Renderers;

/** `wrapper`: the link's (LinkChange.wrapper); postgres_fdw for database-level steps and older saved plans. */
export function renderOperation(op: Operation, ctx: SqlContext, wrapper: Wrapper = postgresWrapper): string[] {
  return (renderers[op.kind] as (op: Operation, ctx: SqlContext, wrapper: Wrapper) => string[])(op, ctx, wrapper);
}

/** Every statement that applies one database's plan, in order. */
export function renderDatabaseSql(plan: DatabasePlan, ctx: SqlContext): Statement[] {
  const statements: Statement[] = plan.preamble.flatMap((op) => renderOperation(op, ctx).map((sql) => ({ sql, link: null })));
  for (const change of plan.changes) {
    const wrapper = wrapperNamed(change.wrapper) ?? postgresWrapper;
    for (const op of change.operations) statements.push(...renderOperation(op, ctx, wrapper).map((sql) => ({ sql, link: change.link })));
  }
  return statements;
}

/** A SCRAM pass-through mapping never holds a password: the context is not even asked for one. */
function createUserMapping(
  op: Extract<Operation, { kind: 'create_user_mapping' | 'replace_user_mapping' }>,
  ctx: SqlContext,
  wrapper: Wrapper,
): string {
  const options: Record<string, string> = {};
  if (op.user !== null) options[wrapper.userOption] = op.user;
  const password = op.auth === 'scram_passthrough' ? null : ctx.passwordFor(op.server);
  if (password !== null) options.password = password;
  const optionsSql = Object.keys(options).length > 0 ? ` OPTIONS (${optionList(options)})` : '';
  return `CREATE USER MAPPING FOR ${role(op.role)} SERVER ${ident(op.server)}${optionsSql}`;
}

function optionChange(change: OptionChange): string {
  if (change.action === 'drop') return `DROP ${ident(change.name)}`;
  return `${change.action.toUpperCase()} ${ident(change.name)} ${literal(change.value)}`;
}

/**
 * CREATE FOREIGN TABLE in the shape postgres_fdw's IMPORT FOREIGN SCHEMA produces; the wrapper names
 * the table's options (schema_name or dbname, table_name) and whether columns carry column_name.
 */
export function createForeignTable(schema: string, server: string, table: ForeignTableSpec, wrapper: Wrapper = postgresWrapper): string {
  const columns = table.columns.map((column) => `  ${columnDefinition(column, wrapper)}`);
  const body = columns.length > 0 ? `(\n${columns.join(',\n')}\n)` : '()';
  const options = Object.entries(wrapper.tableOptions(table.remoteSchema, table.remoteTable))
    .map(([name, value]) => `${name} ${literal(value)}`)
    .join(', ');
  return `CREATE FOREIGN TABLE ${qualified(schema, table.name)} ${body} SERVER ${ident(server)} OPTIONS (${options})`;
}

function dropMode(ctx: SqlContext): string {
  return ctx.cascade ? ' CASCADE' : '';
}

/**
 * Column drift fixed in place. `type` and `collation` come from the local catalog and are already
 * SQL (the type is written qualified by catalogQualifiedType(), the collation is "schema"."name");
 * expressions come from the remote and were checked by scanExpression() to stay inside the
 * parentheses they are put in. Their unqualified names (`now()`, `'x'::text`) are pg_get_expr()'s
 * for catalog objects, and resolve to those alone: the session's search_path is pg_catalog, pg_temp.
 */
function alterColumns(table: string, steps: ColumnStep[], ctx: SqlContext, wrapper: Wrapper): string[] {
  const statements: string[] = [];
  const alter = (action: string) => statements.push(`ALTER FOREIGN TABLE ${table} ${action}`);
  for (const step of steps) {
    if (step.action !== 'rename') continue;
    // A column_name option edited by hand: the local name is already right, only the option is not.
    if (step.from !== step.to) alter(`RENAME COLUMN ${ident(step.from)} TO ${ident(step.to)}`);
    if (wrapper.columnNameOption)
      alter(`ALTER COLUMN ${ident(step.to)} OPTIONS (${step.hasColumnNameOption ? 'SET' : 'ADD'} column_name ${literal(step.to)})`);
  }
  const drops = steps.flatMap((step) => (step.action === 'drop' ? [`DROP COLUMN ${ident(step.column)}${dropMode(ctx)}`] : []));
  if (drops.length > 0) alter(drops.join(', '));
  for (const step of steps) {
    if (step.action !== 'alter') continue;
    const column = ident(step.column);
    const { before, after } = step;
    const retype = before.type !== after.type || before.collation !== after.collation;
    if (before.default !== null && (retype || after.default === null || after.default !== before.default))
      alter(`ALTER COLUMN ${column} DROP DEFAULT`);
    if (retype)
      alter(`ALTER COLUMN ${column} TYPE ${catalogQualifiedType(after.type)}${after.collation ? ` COLLATE ${after.collation}` : ''}`);
    if (after.default !== null && (retype || after.default !== before.default))
      alter(`ALTER COLUMN ${column} SET DEFAULT (${after.default})`);
    if (after.notNull !== before.notNull) alter(`ALTER COLUMN ${column} ${after.notNull ? 'SET' : 'DROP'} NOT NULL`);
  }
  const adds = steps.flatMap((step) => (step.action === 'add' ? [`ADD COLUMN ${columnDefinition(step.column, wrapper)}`] : []));
  if (adds.length > 0) alter(adds.join(', '));
  return statements;
}

function columnDefinition(column: ColumnSpec, wrapper: Wrapper): string {
  let sql = `${ident(column.name)} ${catalogQualifiedType(column.type)}`;
  if (wrapper.columnNameOption) sql += ` OPTIONS (column_name ${literal(column.name)})`;
  if (column.collation) sql += ` COLLATE ${column.collation}`;
  if (column.default !== null) sql += ` DEFAULT (${column.default})`;
  if (column.generated !== null) sql += ` GENERATED ALWAYS AS (${column.generated}) STORED`;
  if (column.notNull) sql += ' NOT NULL';
  return sql;
}

function grantTarget(schema: string, tables: string[] | null): string {
  return tables === null ? `SCHEMA ${ident(schema)}` : `TABLE ${tables.map((t) => qualified(schema, t)).join(', ')}`;
}

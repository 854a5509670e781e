import type { DesiredLink, ImportOptions } from '../config/types.js';
import { BugError } from '../errors.js';
import { identifierBytes, MAX_IDENTIFIER_BYTES } from '../identifier-limit.js';
import { displayQualified, formatQualified, needKey, typeKey } from '../introspect/remote-needs.js';
import type { Dependent, ObservedColumn, ObservedForeignTable, RemoteColumn, RemoteTable, ResolvedNeeds } from '../introspect/types.js';
import { ident } from '../sql/quote.js';
import { scanExpression } from '../sql/scan-expression.js';
import { postgresWrapper } from '../wrappers/postgres/wrapper.js';
import type { Wrapper } from '../wrappers/types.js';
import { type CatalogCache, cachedFor } from './catalog-cache.js';
import type { ColumnDiff, ColumnProblemCode, ColumnSpec, ColumnStep, ForeignTableSpec, PlanProblem, TableChangeReason } from './types.js';

type WithoutLinkValues<P> = P extends unknown ? Omit<P, 'link' | 'filter' | 'wrapper'> : never;

/** Why a remote column cannot become a local column as IMPORT FOREIGN SCHEMA would make it (the planner adds the link's values). */
export type ColumnProblem = WithoutLinkValues<Extract<PlanProblem, { code: ColumnProblemCode }>>;

/** A remote table (column null) or column whose name PostgreSQL would cut (the planner adds the link's values). */
export type NameProblem = WithoutLinkValues<Extract<PlanProblem, { code: 'name_too_long' }>>;

/** A linked column whose longer values end a read through the link (the planner words it as a note). */
export interface LimitedColumn {
  table: string;
  column: string;
  limit: number;
}

export interface DesiredTables {
  tables: ForeignTableSpec[];
  notFound: string[];
  problems: (ColumnProblem | NameProblem)[];
  limited: LimitedColumn[];
}

/**
 * The foreign tables a link should have, as IMPORT FOREIGN SCHEMA would make them: tables, views,
 * materialized views, foreign tables and partitioned parents; partitions only when listed by name.
 * Types and collations are the local catalog's (`resolved`), never text from the remote.
 */
export function desiredForeignTables(
  link: DesiredLink,
  remoteTables: readonly RemoteTable[],
  resolved: ResolvedNeeds,
): Readonly<DesiredTables> {
  const key = JSON.stringify([link.tables, link.exclude, link.remote.schema, link.importOptions]);
  return cachedFor(desiredCache, resolved, remoteTables, key, () => computeDesiredForeignTables(link, remoteTables, resolved));
}

const desiredCache: CatalogCache<readonly RemoteTable[], DesiredTables> = new WeakMap();

function computeDesiredForeignTables(link: DesiredLink, remoteTables: readonly RemoteTable[], resolved: ResolvedNeeds): DesiredTables {
  const build = tableBuilder(link.importOptions, resolved);
  const selected = remoteTables.filter(tableFilter(link));
  const found = new Set(remoteTables.map((table) => table.name));
  const tables: ForeignTableSpec[] = [];
  const problems: (ColumnProblem | NameProblem)[] = [];
  const limited: LimitedColumn[] = [];
  for (const table of selected) {
    const built = build(table);
    const tableName = nameProblem(table.name, null);
    if (tableName) problems.push(tableName);
    problems.push(...built.problems);
    for (const column of table.columns) {
      if (column.readLimit !== undefined) limited.push({ table: table.name, column: column.name, limit: column.readLimit });
    }
    tables.push({ name: table.name, remoteSchema: link.remote.schema, remoteTable: table.name, columns: built.columns });
  }
  return { tables, notFound: (link.tables ?? []).filter((name) => !found.has(name)), problems, limited };
}

/**
 * A remote name becomes a local name as it is: one PostgreSQL would cut is refused, never linked
 * under a name that differs from the remote's (the plan would never settle, and mysql_fdw, which
 * has no column_name option, would ask the remote for a column that does not exist). Two names that
 * share their first 63 bytes are both longer than that, so they are refused the same way.
 */
function nameProblem(table: string, column: string | null): NameProblem | null {
  const bytes = identifierBytes(column ?? table);
  return bytes > MAX_IDENTIFIER_BYTES ? { code: 'name_too_long', table, column, bytes, limit: MAX_IDENTIFIER_BYTES } : null;
}

const filters = new WeakMap<object, (table: RemoteTable) => boolean>();

/** Whether a link's `tables`/`exclude` selects a remote table (built once per link: many tables ask). */
export function tableFilter(link: Pick<DesiredLink, 'tables' | 'exclude'>): (table: RemoteTable) => boolean {
  let filter = filters.get(link);
  if (!filter) {
    const listed = link.tables ? new Set(link.tables) : null;
    const excluded = new Set(link.exclude);
    filter = (table) => (listed ? listed.has(table.name) : !table.isPartition && !excluded.has(table.name));
    filters.set(link, filter);
  }
  return filter;
}

interface BuiltColumns {
  columns: ColumnSpec[];
  problems: (ColumnProblem | NameProblem)[];
}

/** The column specs a link with `options` makes of `table` (as desiredForeignTables() does), and their problems. */
export function builtColumns(options: ImportOptions, resolved: ResolvedNeeds, table: RemoteTable): Readonly<BuiltColumns> {
  return tableBuilder(options, resolved)(table);
}

// Column specs are equal for every link that reads a remote table with the same options, and read-only.
const builtCache: CatalogCache<RemoteTable, BuiltColumns> = new WeakMap();

function tableBuilder(options: ImportOptions, resolved: ResolvedNeeds): (table: RemoteTable) => BuiltColumns {
  const key = JSON.stringify(options);
  const missing = new Set(resolved.missing);
  return (table) =>
    cachedFor(builtCache, resolved, table, key, () => {
      const problems: (ColumnProblem | NameProblem)[] = [];
      const columns = table.columns.map((column) => {
        const name = nameProblem(table.name, column.name);
        if (name) problems.push(name);
        return toColumnSpec(column, options, resolved, missing, (p) => problems.push({ table: table.name, column: column.name, ...p }));
      });
      return { columns, problems };
    });
}

/** A column problem before the table and column are added. */
type ColumnProblemOfColumn = ColumnProblem extends infer P ? (P extends unknown ? Omit<P, 'table' | 'column'> : never) : never;

function toColumnSpec(
  column: RemoteColumn,
  options: ImportOptions,
  resolved: ResolvedNeeds,
  missing: ReadonlySet<string>,
  problem: (p: ColumnProblemOfColumn) => void,
): ColumnSpec {
  const unmapped = column.unmapped;
  const localType = unmapped === undefined ? resolved.types[typeKey(column.type)] : undefined;
  if (unmapped !== undefined) {
    problem({ code: 'type_unmapped', detail: unmapped.declared, option: null, reason: unmapped.reason, conversion: unmapped.conversion });
  } else if (!localType) problem({ code: 'type_missing', detail: displayQualified(column.type), option: null });
  let collation = localType?.collation ?? null;
  if (options.import_collate && column.collation) {
    collation = formatQualified(column.collation);
    if (missing.has(collation))
      problem({ code: 'collation_missing', detail: displayQualified(column.collation), option: 'import_collate' });
  }
  const generated = column.generated !== '';
  const expression = (text: string | null, option: keyof ImportOptions): string | null => {
    if (text === null) return null;
    const scan = scanExpression(text);
    if (!scan.ok) {
      problem({ code: 'expression_refused', detail: scan.reason, option });
      return null;
    }
    for (const reference of scan.references) {
      if (missing.has(needKey(reference)))
        problem({ code: 'reference_missing', detail: `${reference.kind} ${displayQualified(reference)}`, option });
    }
    return text;
  };
  return {
    name: column.name,
    type: localType?.text ?? '',
    notNull: options.import_not_null && column.notNull,
    collation,
    default: options.import_default && !generated ? expression(column.default, 'import_default') : null,
    generated: options.import_generated && column.generated === 's' ? expression(column.default, 'import_generated') : null,
  };
}

/** The columns of an existing foreign table; the planner only asks for those introspection read. */
function columnsOf(observed: ObservedForeignTable): ObservedColumn[] {
  if (observed.columns === null) throw new BugError(`the columns of "${observed.schema}"."${observed.name}" were not read`);
  return observed.columns;
}

/** An existing column as the spec it corresponds to, for comparison with the desired one. */
function observedColumnSpec(column: ObservedColumn): ColumnSpec {
  return {
    name: column.columnName ?? column.name,
    type: column.type,
    notNull: column.notNull,
    collation: column.collation,
    default: column.generated === '' ? column.default : null,
    generated: column.generated === 's' ? column.default : null,
  };
}

/** What to do with an existing foreign table so that it matches the desired one. */
export type TablePlan =
  | { kind: 'same' }
  | { kind: 'alter'; steps: ColumnStep[]; dependents: Dependent[] }
  | { kind: 'replace'; diff: ColumnDiff[]; dependents: Dependent[] };

/**
 * Compares an existing foreign table with the desired one and fixes drift in place where PostgreSQL
 * allows it, so that views over the columns that did not change survive: renamed columns (when
 * unambiguous), dropped, retyped and re-constrained columns, appended columns. Only what cannot be
 * done in place (reordered columns, a changed generation expression, a retyped column something
 * depends on, another remote table) replaces the table. `dependents` are this table's, from the
 * catalog; the result carries those the plan would drop.
 */
export function planForeignTable(
  desired: ForeignTableSpec,
  observed: ObservedForeignTable,
  dependents: readonly Dependent[],
  wrapper: Wrapper = postgresWrapper,
): TablePlan {
  const { schema: remoteSchema, table: remoteTable } = wrapper.remoteTableOf(observed);
  const actual = columnsOf(observed).map(observedColumnSpec);
  const sameTarget = remoteSchema === desired.remoteSchema && remoteTable === desired.remoteTable && observed.server === observed.schema;
  // A local column renamed by hand (its column_name option kept) reads the right remote column but
  // is not named as IMPORT names it: drift too, renamed back in place.
  const namedAsRemote = columnsOf(observed).every((column) => column.columnName === null || column.name === column.columnName);
  if (sameTarget && namedAsRemote && sameColumns(desired.columns, actual)) return { kind: 'same' };
  const replace = (): TablePlan => ({
    kind: 'replace',
    diff: diffColumns(desired, actual, remoteSchema, remoteTable, observed),
    dependents: [...dependents],
  });
  if (!sameTarget) return replace();

  // Local column names are the remote's (column_name options): renames first, then compare by name.
  const renames = unambiguousRenames(actual, desired.columns);
  const desiredNames = new Set(desired.columns.map((column) => column.name));
  const steps: ColumnStep[] = [];
  const localNames = new Set(columnsOf(observed).map((column) => column.name));
  let clash = false;
  const current = columnsOf(observed).map((column, i) => {
    const spec = actual[i] as ColumnSpec;
    const name = renames.get(spec.name) ?? spec.name;
    // The local name, or only its column_name option (edited by hand), differs from what IMPORT writes.
    const renamed = (name !== column.name || (column.columnName !== null && column.columnName !== name)) && desiredNames.has(name);
    if (renamed) {
      clash ||= name !== column.name && localNames.has(name);
      steps.push({ action: 'rename', from: column.name, to: name, hasColumnNameOption: column.columnName !== null });
    }
    return { local: column.name, localAfter: renamed ? name : column.name, spec: { ...spec, name } };
  });
  // Renaming onto a name another local column still holds (names swapped by hand) is not done in place.
  if (clash) return replace();
  const byName = new Map(current.map((entry) => [entry.spec.name, entry]));
  const common = desired.columns.filter((column) => byName.has(column.name)).map((column) => column.name);
  const commonBefore = current.filter((entry) => desiredNames.has(entry.spec.name)).map((entry) => entry.spec.name);
  if (common.join('\0') !== commonBefore.join('\0')) return replace();
  const lastCommon = desired.columns.findLastIndex((column) => byName.has(column.name));
  const added = desired.columns.filter((column, i) => !byName.has(column.name) && i > lastCommon);
  if (added.length !== desired.columns.length - common.length) return replace();

  // Generated columns are dropped before the columns their expressions read: dropping one of those
  // first is refused (RESTRICT), or drops the generated column along (CASCADE) and its own DROP fails.
  const dropped = current
    .filter((entry) => !desiredNames.has(entry.spec.name))
    .sort((a, b) => Number(b.spec.generated !== null) - Number(a.spec.generated !== null));
  for (const entry of dropped) steps.push({ action: 'drop', column: entry.local });
  for (const column of desired.columns) {
    const entry = byName.get(column.name);
    if (!entry || sameColumn(column, entry.spec)) continue;
    if (entry.spec.generated !== column.generated) return replace();
    const retyped = entry.spec.type !== column.type || entry.spec.collation !== column.collation;
    // ALTER COLUMN TYPE is refused for a column a view uses, or a table whose row type is used, or
    // a column that a kept generated column of the same table reads.
    if (retyped && dependents.some((d) => d.column === null || d.column === entry.local)) return replace();
    const readByGenerated = current.some(
      (other) =>
        other !== entry &&
        other.spec.generated !== null &&
        desiredNames.has(other.spec.name) &&
        mentions(other.spec.generated, entry.local),
    );
    if (retyped && readByGenerated) return replace();
    steps.push({ action: 'alter', column: entry.localAfter, before: entry.spec, after: column });
  }
  for (const column of added) steps.push({ action: 'add', column });
  const lost = dependents.filter((d) => d.column !== null && dropped.some((entry) => entry.local === d.column));
  return { kind: 'alter', steps, dependents: lost };
}

/**
 * Whether expression text (as pg_get_expr prints it) may name the column: quoted, or bare when the
 * name needs no quotes. A string literal that happens to match only costs a replace instead of an alter.
 */
function mentions(expression: string, column: string): boolean {
  if (expression.includes(ident(column))) return true;
  if (!/^[a-z_][a-z0-9_$]*$/.test(column)) return false;
  const word = /[A-Za-z0-9_$"\u0080-\uffff]/;
  for (let at = expression.indexOf(column); at !== -1; at = expression.indexOf(column, at + 1)) {
    const before = expression[at - 1];
    const after = expression[at + column.length];
    if ((before === undefined || !word.test(before)) && (after === undefined || !word.test(after))) return true;
  }
  return false;
}

/**
 * Columns renamed on the remote. PostgreSQL adds columns only at the end, so between two columns that
 * both sides have (in the same order), a new name where an old one was is a rename: paired in order
 * when the two sides have as many names there, and left alone (the table is then replaced) when they do
 * not. Whatever else changed about a renamed column (its type, default, NOT NULL, collation, as an
 * import option flip or a retype makes it) is altered in place after the rename, as it would be without
 * one: each change that can be made in place is made in place, together. After the last column both
 * sides have, a new name is as likely a dropped column and an appended one, so it is never taken for a
 * rename: a view over the old column must not silently read the new one.
 */
export function unambiguousRenames(before: readonly ColumnSpec[], after: readonly ColumnSpec[]): Map<string, string> {
  const renames = new Map<string, string>();
  const beforeNames = new Set(before.map((c) => c.name));
  const afterNames = new Set(after.map((c) => c.name));
  const commonBefore = before.filter((c) => afterNames.has(c.name)).map((c) => c.name);
  const commonAfter = after.filter((c) => beforeNames.has(c.name)).map((c) => c.name);
  // Columns both have in another order: no rename makes that in place.
  if (commonBefore.join('\0') !== commonAfter.join('\0')) return renames;
  /** The names only one side has, grouped by the column both have that follows them (the trailing group last). */
  const gaps = (columns: readonly ColumnSpec[], other: ReadonlySet<string>) => {
    const groups: ColumnSpec[][] = [[]];
    for (const column of columns) {
      if (other.has(column.name)) groups.push([]);
      else (groups.at(-1) as ColumnSpec[]).push(column);
    }
    return groups;
  };
  const gapsBefore = gaps(before, afterNames);
  const gapsAfter = gaps(after, beforeNames);
  // Every gap but the trailing one (after the last column both have).
  for (let i = 0; i < gapsAfter.length - 1; i++) {
    const olds = gapsBefore[i] ?? [];
    const news = gapsAfter[i] ?? [];
    if (news.length === 0) continue;
    if (olds.length !== news.length) return new Map();
    for (const [j, column] of news.entries()) {
      const old = olds[j] as ColumnSpec;
      // A generated column and a plain one are not one column renamed: that is never altered in place.
      if ((old.generated === null) !== (column.generated === null)) return new Map();
      renames.set(old.name, column.name);
    }
  }
  return renames;
}

function sameColumns(desired: ColumnSpec[], actual: ColumnSpec[]): boolean {
  if (desired.length !== actual.length) return false;
  return desired.every((column, i) => {
    const existing = actual[i];
    return existing !== undefined && existing.name === column.name && sameColumn(column, existing);
  });
}

function diffColumns(
  desired: ForeignTableSpec,
  actual: ColumnSpec[],
  remoteSchema: string,
  remoteTable: string,
  observed: ObservedForeignTable,
): ColumnDiff[] {
  const diff: ColumnDiff[] = [];
  if (remoteSchema !== desired.remoteSchema || remoteTable !== desired.remoteTable) {
    diff.push({
      change: 'remote_table',
      before: `${remoteSchema}.${remoteTable}`,
      after: `${desired.remoteSchema}.${desired.remoteTable}`,
    });
  }
  const actualByName = new Map(actual.map((column) => [column.name, column]));
  const desiredNames = new Set(desired.columns.map((column) => column.name));
  for (const column of desired.columns) {
    const existing = actualByName.get(column.name);
    if (!existing) diff.push({ change: 'added', column: column.name, after: column });
    else if (!sameColumn(column, existing)) diff.push({ change: 'changed', column: column.name, before: existing, after: column });
  }
  for (const column of actual) {
    if (!desiredNames.has(column.name)) diff.push({ change: 'removed', column: column.name, before: column });
  }
  const order = (columns: ColumnSpec[]) => columns.map((c) => c.name).filter((name) => desiredNames.has(name) && actualByName.has(name));
  if (order(desired.columns).join('\0') !== order(actual).join('\0')) {
    diff.push({ change: 'column_order', before: order(actual), after: order(desired.columns) });
  }
  const renamedByHand = columnsOf(observed).filter((column) => column.columnName !== null && column.name !== column.columnName);
  if (renamedByHand.length > 0) {
    diff.push({
      change: 'local_names',
      before: renamedByHand.map((column) => column.name),
      after: renamedByHand.map((column) => column.columnName ?? column.name),
    });
  }
  if (diff.length === 0 && observed.server !== observed.schema) {
    diff.push({ change: 'server', before: observed.server, after: observed.schema });
  }
  return diff;
}

/**
 * Why an existing table differs: the remote changed, or only the link's import options did (the
 * table matches what other options would make of the remote as it is now).
 */
export function tableChangeReason(
  link: DesiredLink,
  remote: RemoteTable,
  observed: ObservedForeignTable,
  resolved: ResolvedNeeds,
): TableChangeReason {
  const actual = columnsOf(observed).map(observedColumnSpec);
  // Columns renamed by hand are not explained by any import option.
  if (columnsOf(observed).some((column) => column.columnName !== null && column.name !== column.columnName)) {
    return { code: 'remote_columns_changed', options: [] };
  }
  const names = Object.keys(link.importOptions) as (keyof ImportOptions)[];
  for (let mask = 1; mask < 1 << names.length; mask++) {
    const options = { ...link.importOptions };
    const flipped = names.filter((_, bit) => mask & (1 << bit));
    for (const name of flipped) options[name] = !options[name];
    const built = tableBuilder(options, resolved)(remote);
    if (sameColumns(built.columns, actual)) return { code: 'import_options_changed', options: flipped };
  }
  return { code: 'remote_columns_changed', options: [] };
}

function sameColumn(desired: ColumnSpec, actual: ColumnSpec): boolean {
  return (
    desired.type === actual.type &&
    desired.notNull === actual.notNull &&
    desired.default === actual.default &&
    desired.generated === actual.generated &&
    desired.collation === actual.collation
  );
}

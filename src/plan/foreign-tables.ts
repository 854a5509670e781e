import type { DesiredLink } from '../config/types.js';
import type { ObservedColumn, ObservedForeignTable, RemoteTable } from '../introspect/types.js';
import type { ColumnDiff, ColumnSpec, ForeignTableSpec } from './types.js';

/**
 * The foreign tables a link should have, as IMPORT FOREIGN SCHEMA would make them: tables, views,
 * materialized views, foreign tables and partitioned parents; partitions only when listed by name.
 */
export function desiredForeignTables(
  link: DesiredLink,
  remoteTables: readonly RemoteTable[],
): { tables: ForeignTableSpec[]; notFound: string[] } {
  const columnsOf = columnSpecsFor(link.importOptions);
  const listed = link.tables ? new Set(link.tables) : null;
  const excluded = new Set(link.exclude);
  const selected = remoteTables.filter((table) => (listed ? listed.has(table.name) : !table.isPartition && !excluded.has(table.name)));
  const found = new Set(remoteTables.map((table) => table.name));
  return {
    tables: selected.map((table) => ({
      name: table.name,
      remoteSchema: link.remote.schema,
      remoteTable: table.name,
      columns: columnsOf(table),
    })),
    notFound: (link.tables ?? []).filter((name) => !found.has(name)),
  };
}

// Many links often read the same remote with the same options: their column specs are equal and
// read-only, so they are built once per remote table and import options, not once per link.
const columnSpecCache = new WeakMap<RemoteTable, Map<string, ColumnSpec[]>>();

function columnSpecsFor(options: DesiredLink['importOptions']): (table: RemoteTable) => ColumnSpec[] {
  const key = JSON.stringify(options);
  return (table) => {
    let byOptions = columnSpecCache.get(table);
    if (!byOptions) {
      byOptions = new Map();
      columnSpecCache.set(table, byOptions);
    }
    let specs = byOptions.get(key);
    if (!specs) {
      specs = table.columns.map((column) => toColumnSpec(column, options));
      byOptions.set(key, specs);
    }
    return specs;
  };
}

function toColumnSpec(column: RemoteTable['columns'][number], options: DesiredLink['importOptions']): ColumnSpec {
  const generated = column.generated !== '';
  return {
    name: column.name,
    type: column.type,
    notNull: options.import_not_null && column.notNull,
    collation: options.import_collate ? column.collation : null,
    default: options.import_default && !generated ? column.default : null,
    generated: options.import_generated && column.generated === 's' ? column.default : null,
  };
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

/**
 * How an existing foreign table differs from the desired one ([] when it matches). A desired column
 * without a collation matches any collation: without import_collate, Postgres gives the type's own.
 * The common case, a table that matches, is checked column by column without building anything.
 */
export function diffForeignTable(desired: ForeignTableSpec, observed: ObservedForeignTable): ColumnDiff[] {
  const remoteSchema = observed.options.schema_name ?? observed.schema;
  const remoteTable = observed.options.table_name ?? observed.name;
  const sameTarget = remoteSchema === desired.remoteSchema && remoteTable === desired.remoteTable && observed.server === observed.schema;
  if (sameTarget && desired.columns.length === observed.columns.length) {
    const matches = desired.columns.every((column, i) => {
      const existing = observed.columns[i];
      return (
        existing !== undefined && (existing.columnName ?? existing.name) === column.name && sameColumn(column, observedColumnSpec(existing))
      );
    });
    if (matches) return [];
  }
  const actual = observed.columns.map(observedColumnSpec);
  const diff: ColumnDiff[] = [];
  if (remoteSchema !== desired.remoteSchema || remoteTable !== desired.remoteTable) {
    diff.push({
      change: 'changed',
      column: '(remote table)',
      before: `${remoteSchema}.${remoteTable}`,
      after: `${desired.remoteSchema}.${desired.remoteTable}`,
    });
  }
  const actualByName = new Map(actual.map((column) => [column.name, column]));
  const desiredNames = new Set(desired.columns.map((column) => column.name));
  for (const column of desired.columns) {
    const existing = actualByName.get(column.name);
    if (!existing) diff.push({ change: 'added', column: column.name, after: describeColumn(column) });
    else if (!sameColumn(column, existing)) {
      diff.push({ change: 'changed', column: column.name, before: describeColumn(existing), after: describeColumn(column) });
    }
  }
  for (const column of actual) {
    if (!desiredNames.has(column.name)) diff.push({ change: 'removed', column: column.name, before: describeColumn(column) });
  }
  const order = (columns: ColumnSpec[]) => columns.map((c) => c.name).filter((name) => desiredNames.has(name) && actualByName.has(name));
  if (diff.length === 0 && order(desired.columns).join('\0') !== order(actual).join('\0')) {
    diff.push({ change: 'changed', column: '(column order)', before: order(actual).join(', '), after: order(desired.columns).join(', ') });
  }
  if (diff.length === 0 && observed.server !== observed.schema) {
    diff.push({ change: 'changed', column: '(server)', before: observed.server, after: observed.schema });
  }
  return diff;
}

/**
 * The columns to add when the only drift is columns appended on the remote (ALTER TABLE ... ADD
 * COLUMN appends, and so does ALTER FOREIGN TABLE): the table is then altered in place, and views
 * over it survive. Anything else (a column dropped, changed or reordered) returns null: replace.
 */
export function appendedColumns(diff: ColumnDiff[], desired: ForeignTableSpec, observed: ObservedForeignTable): ColumnSpec[] | null {
  if (diff.length === 0 || diff.some((d) => d.change !== 'added')) return null;
  const kept = observed.columns.map((column) => column.columnName ?? column.name);
  const prefix = desired.columns.slice(0, kept.length).map((column) => column.name);
  if (prefix.join('\0') !== kept.join('\0') || desired.columns.length !== kept.length + diff.length) return null;
  return desired.columns.slice(kept.length);
}

function sameColumn(desired: ColumnSpec, actual: ColumnSpec): boolean {
  return (
    desired.type === actual.type &&
    desired.notNull === actual.notNull &&
    desired.default === actual.default &&
    desired.generated === actual.generated &&
    (desired.collation === null || desired.collation === actual.collation)
  );
}

export function describeColumn(column: ColumnSpec): string {
  const parts = [column.type];
  if (column.collation && column.collation !== 'pg_catalog."default"') parts.push(`COLLATE ${column.collation}`);
  if (column.generated) parts.push(`GENERATED ALWAYS AS (${column.generated}) STORED`);
  if (column.default) parts.push(`DEFAULT ${column.default}`);
  if (column.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

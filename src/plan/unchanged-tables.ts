/**
 * Which foreign tables are proven to be what their link makes of the remote table without reading
 * their columns: the signature the local database computed (introspect/table-signature.ts) equals
 * the one the planner computes here from the remote columns, the link's import options and how the
 * local database resolved the remote's types and collations.
 */
import type { DesiredLink, ImportOptions } from '../config/types.js';
import { formatQualified, typeKey } from '../introspect/remote-needs.js';
import { type LocalTableSignature, type SignatureRecord, signatureOf } from '../introspect/table-signature.js';
import type { ForeignTableSummary, RemoteSchema, RemoteTable, ResolvedNeeds } from '../introspect/types.js';
import { wrapperOf } from '../wrappers/index.js';
import { type CatalogCache, cachedFor } from './catalog-cache.js';
import { builtColumns, tableFilter } from './foreign-tables.js';

/**
 * The signature of the foreign table a link with `options` makes of `table`, or null when it cannot
 * be known here (a type or collation not resolved to an oid, a column with a problem: the planner
 * then compares the columns themselves). Mirrors toColumnSpec() and renderSql's column definitions.
 */
export function expectedSignature(table: RemoteTable, options: ImportOptions, resolved: ResolvedNeeds): LocalTableSignature | null {
  const built = builtColumns(options, resolved, table);
  if (built.problems.length > 0) return null;
  const records: SignatureRecord[] = [];
  for (const [i, column] of table.columns.entries()) {
    const spec = built.columns[i];
    const type = resolved.types[typeKey(column.type)];
    if (!spec || type?.oid === undefined || type.collationOid === undefined) return null;
    const collation =
      options.import_collate && column.collation ? resolved.collationOids?.[formatQualified(column.collation)] : type.collationOid;
    if (collation === undefined) return null;
    records.push([
      column.name,
      [`column_name=${column.name}`],
      type.oid,
      column.type.typmod,
      spec.notNull,
      collation,
      spec.generated === null ? '' : 's',
      spec.generated ?? spec.default,
    ]);
  }
  return signatureOf(records);
}

const optionKeys = new WeakMap<ImportOptions, string>();
const expected: CatalogCache<RemoteTable, LocalTableSignature | null> = new WeakMap();

/** expectedSignature(), once per local catalog, import options and remote table (many links share a remote). */
function cachedExpectedSignature(table: RemoteTable, options: ImportOptions, resolved: ResolvedNeeds): LocalTableSignature | null {
  let key = optionKeys.get(options);
  if (key === undefined) {
    key = JSON.stringify([options.import_collate, options.import_default, options.import_generated, options.import_not_null]);
    optionKeys.set(options, key);
  }
  return cachedFor(expected, resolved, table, key, () => expectedSignature(table, options, resolved));
}

/**
 * Whether `table`, a foreign table of link `link` (its schema and server bear the link's name), is
 * proven to be kept as it is: the link's filter selects the remote table of the same name, and the
 * table is what the link makes of it (same target: schema_name, table_name; the signature expected of
 * it). Anything else (no signature, another target, a remote table that is gone or filtered out, a
 * MySQL remote) is not proven: its columns are read, and so are its dependents (the plan may drop or
 * replace it).
 */
export function foreignTableUnchanged(
  link: Pick<DesiredLink, 'name' | 'remote' | 'importOptions' | 'tables' | 'exclude'>,
  remote: RemoteSchema | undefined,
  table: ForeignTableSummary,
  signature: LocalTableSignature | undefined,
  resolved: ResolvedNeeds,
): boolean {
  if (!remote?.ok || signature === undefined || table.schema !== link.name || table.server !== link.name) return false;
  const remoteSchema = table.options.schema_name ?? table.schema;
  const remoteTable = table.options.table_name ?? table.name;
  if (remoteSchema !== link.remote.schema || remoteTable !== table.name || !readsPostgres(link)) return false;
  const source = remoteTableIndex(remote).get(table.name);
  return source !== undefined && tableFilter(link)(source) && cachedExpectedSignature(source, link.importOptions, resolved) === signature;
}

const postgresRemotes = new WeakMap<object, boolean>();

/** Whether the link's remote is PostgreSQL (asked once per link, not once per table). */
function readsPostgres(link: Pick<DesiredLink, 'remote'>): boolean {
  let postgres = postgresRemotes.get(link);
  if (postgres === undefined) {
    postgres = wrapperOf(link).fdw === 'postgres_fdw';
    postgresRemotes.set(link, postgres);
  }
  return postgres;
}

const indexes = new WeakMap<RemoteSchema, Map<string, RemoteTable>>();

/** A remote schema's tables by name, indexed once per read (many links and tables ask). */
function remoteTableIndex(remote: RemoteSchema & { ok: true }): Map<string, RemoteTable> {
  let index = indexes.get(remote);
  if (!index) {
    index = new Map(remote.tables.map((t) => [t.name, t]));
    indexes.set(remote, index);
  }
  return index;
}

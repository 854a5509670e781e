/**
 * Per-table signatures of a foreign table's columns, computed in SQL on both sides over one
 * canonical form, so that a plan reads the columns of only the foreign tables that may differ
 * from their remote table: at 10,000 unchanged foreign tables, no column rows at all.
 *
 * The canonical form is the raw catalog parts the desired column spec is built from
 * (foreign-tables.ts): per column in attnum order, the (remote) column name, the type's schema,
 * name and typmod, NOT NULL, the collation's schema and name, and the default and generation
 * expressions (pg_get_expr() in the pinned sessions). Each aspect that an import option switches
 * gets its own part, so the planner can adjust the remote's signature for a link's options without
 * reading its columns. Hashes are sha256 over UTF-8 (convert_to), so two databases of different
 * encodings agree on equal text.
 *
 * The rule is one-sided on purpose: signaturesMatch() may say "differs" for tables that turn out
 * equal (their columns are then read and compared as before), never "same" for tables that differ.
 */
import type { DesiredLink, ImportOptions } from '../config/types.js';
import type { ForeignTableSummary, RemoteSchema } from './types.js';

/** What the remote's query returns per table. */
export interface RemoteTableSignature {
  /** Hash of (name, type schema, type name, typmod) per column. */
  shape: string;
  /** 't'/'f' per column: attnotnull. */
  notNull: string;
  /** Hash of the column's collation (schema, name; null for none) per column. */
  collations: string;
  /** 'n' per column without a collation, 'c' with one. */
  collationNulls: string;
  /** Hash per column of the default (attgenerated = ''), else null. */
  defaults: string;
  /** Hash per column of the generation expression of a stored generated column, else null. */
  generated: string;
}

/** What the local query returns per foreign table, over the columns as the planner reads them. */
export interface LocalTableSignature {
  /** Hash of (column_name option or name, type schema, type name, typmod) per column. */
  shape: string;
  notNull: string;
  collations: string;
  /** 'y' per column whose collation is its type's own (what a column gets without COLLATE), else 'n'. */
  typeCollations: string;
  defaults: string;
  generated: string;
  /** Some column has a default (not a generation expression). */
  hasDefault: boolean;
  /** Some column is a stored generated column. */
  hasGenerated: boolean;
  /**
   * Some column was renamed by hand: its column_name option still names the remote column, so the
   * shape matches, but IMPORT would name it as the remote does. Never proven unchanged.
   */
  renamedByHand: boolean;
}

/**
 * A column's part of the canonical text: ROW(...)::text, PostgreSQL's record output, which quotes a
 * field that is empty or holds a quote, backslash, parenthesis, comma or space (doubling quotes and
 * backslashes) and leaves a null empty: one C call per column, and the concatenation decodes one way.
 */
const record = (...fields: string[]) => `ROW(${fields.join(', ')})::text`;
/** Aggregates over the columns in attnum order; `filter` leaves out the null row of a table without columns. */
const agg = (perColumn: string, filter?: string) =>
  `coalesce(pg_catalog.string_agg(${perColumn}, '' ORDER BY a.attnum)${filter ? ` FILTER (WHERE ${filter})` : ''}, '')`;
const hash = (perColumn: string, filter?: string) =>
  `pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(${agg(perColumn, filter)}, 'UTF8')), 'hex')`;
const flags = agg;

/**
 * The select list of the signature, over `a` (pg_attribute), `t` (its pg_type), `tn` (the type's
 * namespace), `co`/`cn` (the column's collation and its namespace, left joined) and `d` (pg_attrdef,
 * left joined). `name` is the SQL of the name the column reads on the remote.
 */
function signatureColumns(name: string, filter?: string): string[] {
  const expression = 'pg_catalog.pg_get_expr(d.adbin, d.adrelid)';
  return [
    `${hash(record(name, 'tn.nspname::text', 't.typname::text', 'a.atttypmod'), filter)} AS sig_shape`,
    `${flags(`CASE WHEN a.attnotnull THEN 't' ELSE 'f' END`, filter)} AS sig_not_null`,
    `${hash(record('cn.nspname::text', 'co.collname::text'), filter)} AS sig_collations`,
    `${hash(record(`CASE WHEN d.adbin IS NOT NULL AND a.attgenerated::text = '' THEN ${expression} END`), filter)} AS sig_defaults`,
    `${hash(record(`CASE WHEN d.adbin IS NOT NULL AND a.attgenerated::text = 's' THEN ${expression} END`), filter)} AS sig_generated`,
  ];
}

const SIGNATURE_JOINS = `
                   JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                   JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
                   LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                   LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
                   LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace`;

/** A LATERAL subquery (alias `sig`) with the remote signature of relation `relid`. */
export function remoteSignatureLateral(relid: string): string {
  return `LEFT JOIN LATERAL (
  SELECT ${[...signatureColumns('a.attname::text'), `${flags(`CASE WHEN co.oid IS NULL THEN 'n' ELSE 'c' END`)} AS sig_collation_nulls`].join(',\n         ')}
    FROM pg_catalog.pg_attribute a ${SIGNATURE_JOINS}
   WHERE a.attrelid = ${relid} AND a.attnum > 0 AND NOT a.attisdropped) sig ON true`;
}

/**
 * The remote column a local foreign-table column reads: its column_name option, else its name.
 * PostgreSQL stores each option once, as name=value; the usual single option is read without
 * unnesting (a subquery per column doubles the query's time).
 */
const REMOTE_COLUMN_NAME = `(CASE WHEN a.attfdwoptions IS NULL THEN a.attname::text
                   WHEN pg_catalog.cardinality(a.attfdwoptions) = 1 THEN
                     CASE WHEN pg_catalog.starts_with(a.attfdwoptions[1], 'column_name=')
                          THEN pg_catalog.substr(a.attfdwoptions[1], 13) ELSE a.attname::text END
                   ELSE coalesce((SELECT pg_catalog.substr(o, 13) FROM pg_catalog.unnest(a.attfdwoptions) o
                                   WHERE pg_catalog.starts_with(o, 'column_name=')), a.attname::text) END)`;

/**
 * A subquery (alias `sig`, keyed by `sig_relid`) with the local signature of every foreign table: one
 * grouped pass over all their columns (a lateral subquery per table cost twice as much at 100,000
 * columns). A table without columns gets the same signature as on the remote.
 */
export const LOCAL_SIGNATURES = `(
  SELECT ft.ftrelid AS sig_relid,
         ${[
           ...signatureColumns(REMOTE_COLUMN_NAME, 'a.attnum IS NOT NULL'),
           `${flags(`CASE WHEN a.attcollation = t.typcollation THEN 'y' ELSE 'n' END`, 'a.attnum IS NOT NULL')} AS sig_type_collations`,
           `coalesce(pg_catalog.bool_or(a.attgenerated::text = '' AND d.adbin IS NOT NULL), false) AS sig_has_default`,
           `coalesce(pg_catalog.bool_or(a.attgenerated::text = 's' AND d.adbin IS NOT NULL), false) AS sig_has_generated`,
           `coalesce(pg_catalog.bool_or(${REMOTE_COLUMN_NAME} <> a.attname::text), false) AS sig_renamed_by_hand`,
         ].join(',\n         ')}
    FROM pg_catalog.pg_foreign_table ft
    LEFT JOIN (pg_catalog.pg_attribute a ${SIGNATURE_JOINS})
           ON a.attrelid = ft.ftrelid AND a.attnum > 0 AND NOT a.attisdropped
   GROUP BY ft.ftrelid) sig`;

/** The remote signature of a row of a query with remoteSignatureLateral(); the remote is untrusted. */
export function toRemoteSignature(row: Record<string, unknown>): RemoteTableSignature | undefined {
  const parts = [row.sig_shape, row.sig_not_null, row.sig_collations, row.sig_collation_nulls, row.sig_defaults, row.sig_generated];
  if (!parts.every((part) => typeof part === 'string')) return undefined;
  const [shape, notNull, collations, collationNulls, defaults, generated] = parts as string[];
  return {
    shape: shape as string,
    notNull: notNull as string,
    collations: collations as string,
    collationNulls: collationNulls as string,
    defaults: defaults as string,
    generated: generated as string,
  };
}

export function toLocalSignature(row: Record<string, unknown>): LocalTableSignature {
  return {
    shape: String(row.sig_shape),
    notNull: String(row.sig_not_null),
    collations: String(row.sig_collations),
    typeCollations: String(row.sig_type_collations),
    defaults: String(row.sig_defaults),
    generated: String(row.sig_generated),
    hasDefault: row.sig_has_default === true,
    hasGenerated: row.sig_has_generated === true,
    renamedByHand: row.sig_renamed_by_hand !== false,
  };
}

/**
 * Whether a foreign table with `local`'s signature already has the columns that a link with
 * `options` makes of a remote table with `remote`'s signature. Mirrors toColumnSpec() and
 * observedColumnSpec() in plan/foreign-tables.ts:
 * - name, type and typmod: equal parts resolve to the same local type, so format_type() agrees, and
 *   the type (and so the column) exists here;
 * - NOT NULL: the remote's, or none without import_not_null;
 * - collation: the remote column's (import_collate, when it has one), else the local type's own;
 * - default: the remote's (import_default, when not generated), else none;
 * - generation expression: the remote's stored one (import_generated), else none.
 */
export function signaturesMatch(options: ImportOptions, remote: RemoteTableSignature, local: LocalTableSignature): boolean {
  if (local.renamedByHand || remote.shape !== local.shape) return false;
  const count = remote.notNull.length;
  if (local.notNull !== (options.import_not_null ? remote.notNull : 'f'.repeat(count))) return false;
  if (local.typeCollations.length !== count || remote.collationNulls.length !== count) return false;
  if (options.import_collate) {
    if (local.collations !== remote.collations) return false;
    for (let i = 0; i < count; i++) if (remote.collationNulls[i] === 'n' && local.typeCollations[i] !== 'y') return false;
  } else if (local.typeCollations !== 'y'.repeat(count)) {
    return false;
  }
  if (options.import_default ? local.defaults !== remote.defaults : local.hasDefault) return false;
  if (options.import_generated ? local.generated !== remote.generated : local.hasGenerated) return false;
  return true;
}

/**
 * Whether `table`, a foreign table of link `link` (its schema and server bear the link's name), is
 * proven to be what the link makes of the remote table of the same name: same target (schema_name,
 * table_name) and matching signatures. Anything else (no signature on either side, another target,
 * a remote table that is gone) is not proven, and its columns are read.
 */
export function foreignTableUnchanged(
  link: Pick<DesiredLink, 'name' | 'remote' | 'importOptions'>,
  remote: RemoteSchema | undefined,
  table: ForeignTableSummary & { signature?: LocalTableSignature },
): boolean {
  if (!remote?.ok || !table.signature || table.schema !== link.name || table.server !== link.name) return false;
  const remoteSchema = table.options.schema_name ?? table.schema;
  const remoteTable = table.options.table_name ?? table.name;
  if (remoteSchema !== link.remote.schema || remoteTable !== table.name) return false;
  const signature = remoteTableIndex(remote).get(table.name)?.signature;
  return signature !== undefined && signaturesMatch(link.importOptions, signature, table.signature);
}

const indexes = new WeakMap<RemoteSchema, Map<string, { signature?: RemoteTableSignature }>>();

/** A remote schema's tables by name, indexed once per read (many links and tables ask). */
function remoteTableIndex(remote: RemoteSchema & { ok: true }): Map<string, { signature?: RemoteTableSignature }> {
  let index = indexes.get(remote);
  if (!index) {
    index = new Map(remote.tables.map((t) => [t.name, t]));
    indexes.set(remote, index);
  }
  return index;
}

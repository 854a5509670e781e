/**
 * Per-table signatures of a foreign table's columns, so that a plan reads the columns of only the
 * foreign tables that may differ from what their link makes of the remote table: at 10,000
 * unchanged foreign tables, no column rows at all.
 *
 * The signature is sha256 (hex) over the foreign table's columns in attnum order, one record a
 * column of the raw local catalog values the planner's column specs come from:
 *   (attname, attfdwoptions, atttypid, atttypmod, attnotnull, attcollation, attgenerated, default)
 * written as PostgreSQL's record output, ROW(...)::text, which quotes a field that is empty or holds
 * a quote, backslash, parenthesis, comma or white space (doubling quotes and backslashes) and
 * leaves a null empty: the concatenation decodes one way. The local database computes it in SQL
 * (localSignatureOf(): one ordered aggregate and one sha256 a table, over pg_attribute alone); the
 * planner computes the one each remote table should have (plan/unchanged-tables.ts) from the remote
 * columns it reads anyway, in local terms: the local oids of their types and collations, which the
 * local database resolved (NEEDS_QUERY). Types and collations as oids need no name lookups per
 * column, and compare exactly what the planner compares.
 *
 * The rule is one-sided on purpose: equal signatures prove the columns are what the link makes of
 * the remote table; unequal ones only mean the columns are read and compared as before. A column
 * renamed by hand keeps a column_name option that names the remote column, so it never matches.
 */
import { createHash } from 'node:crypto';
import type { LocalTableSignature } from './types.js';

export type { LocalTableSignature };

/** One column's values, in record order; null is SQL's null. */
export type SignatureRecord = readonly (string | number | boolean | readonly string[] | null)[];

/**
 * A LATERAL subquery (alias `sig`, column `sig`) with the signature of the foreign table whose oid is
 * `relid` (an SQL expression of the outer query): its columns in attnum order through pg_attribute's
 * (attrelid, attnum) index, one table at a time. Null for a table without columns (EMPTY_SIGNATURE).
 * Per table rather than one grouped pass over every foreign table's columns: that pass sorted all of
 * them (spilling to disk past 2,000 tables at the default work_mem) and took 10-15% longer.
 * A default is looked up only for a column that has one (atthasdef): a LEFT JOIN of pg_attrdef made
 * the server walk pg_attribute in index order to merge it, about half of this query's time at 10,000 tables.
 */
export const localSignatureOf = (relid: string) => `LATERAL (
  SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.string_agg(
           ROW(a.attname, a.attfdwoptions, a.atttypid, a.atttypmod, a.attnotnull, a.attcollation, a.attgenerated,
               CASE WHEN a.atthasdef THEN (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d
                                            WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum) END)::text,
           '' ORDER BY a.attnum), 'UTF8')), 'hex') AS sig
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = ${relid} AND a.attnum > 0 AND NOT a.attisdropped) sig`;

/** The signature of a table without columns (sha256 of nothing). */
export const EMPTY_SIGNATURE = `pg_catalog.encode(pg_catalog.sha256(''::bytea), 'hex')`;

/** PostgreSQL's array_out() of a one-dimensional text[] (the attfdwoptions field). */
function arrayText(items: readonly string[]): string {
  const quote = (item: string) =>
    item === '' || item.toLowerCase() === 'null' || /["\\{},\t\n\v\f\r ]/.test(item) ? `"${item.replace(/["\\]/g, '\\$&')}"` : item;
  return `{${items.map(quote).join(',')}}`;
}

/** PostgreSQL's record_out() of one column's values. */
export function recordText(fields: SignatureRecord): string {
  const quote = (value: SignatureRecord[number]) => {
    if (value === null) return '';
    const text = typeof value === 'object' ? arrayText(value) : typeof value === 'boolean' ? (value ? 't' : 'f') : String(value);
    return text === '' || /["\\(),\t\n\v\f\r ]/.test(text) ? `"${text.replace(/["\\]/g, '$&$&')}"` : text;
  };
  return `(${fields.map(quote).join(',')})`;
}

/** The signature of columns given as records, as localSignatureOf() computes it (sha256 over UTF-8). */
export function signatureOf(records: readonly SignatureRecord[]): LocalTableSignature {
  const hash = createHash('sha256');
  for (const fields of records) hash.update(recordText(fields), 'utf8');
  return hash.digest('hex');
}

/**
 * The SQL of localSignatureOf() (src/introspect/table-signature.ts), written again in TypeScript over
 * the same raw catalog values, independently of the planner's own encoding, so that unit tests can
 * check the signature rule against the planner without a database. An integration test checks that
 * this model and the SQL agree on real tables.
 */
import { createHash } from 'node:crypto';

/** A local foreign table column as pg_attribute (and pg_attrdef) hold it. */
export interface LocalCatalogColumn {
  name: string;
  /** attfdwoptions. */
  options: string[] | null;
  typeOid: number;
  typmod: number;
  notNull: boolean;
  /** 0 for none. */
  collationOid: number;
  /** '' | 's' | 'v'. */
  generated: string;
  /** pg_get_expr() of its pg_attrdef row. */
  default: string | null;
}

type Field = string | number | boolean | null | string[];

/** PostgreSQL's array_out() of a one-dimensional text[]. */
function arrayText(items: string[]): string {
  const quote = (item: string) =>
    item === '' || item.toLowerCase() === 'null' || /["\\{},\t\n\v\f\r ]/.test(item)
      ? `"${item.replace(/["\\]/g, (c) => `\\${c}`)}"`
      : item;
  return `{${items.map(quote).join(',')}}`;
}

/** PostgreSQL's record_out(): ROW(a, b, ...)::text. */
function record(...fields: Field[]): string {
  const quote = (value: Field) => {
    if (value === null) return '';
    const text = Array.isArray(value) ? arrayText(value) : typeof value === 'boolean' ? (value ? 't' : 'f') : String(value);
    return text === '' || /["\\(),\t\n\v\f\r ]/.test(text) ? `"${text.replace(/["\\]/g, (c) => c + c)}"` : text;
  };
  return `(${fields.map(quote).join(',')})`;
}

/** The signature localSignatureOf() computes for a foreign table with `columns` (in attnum order). */
export function localSignature(columns: readonly LocalCatalogColumn[]): string {
  const records = columns.map((c) => record(c.name, c.options, c.typeOid, c.typmod, c.notNull, c.collationOid, c.generated, c.default));
  return createHash('sha256').update(records.join(''), 'utf8').digest('hex');
}

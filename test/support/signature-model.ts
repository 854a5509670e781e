/**
 * The SQL of src/introspect/table-signature.ts, written again in TypeScript over the same raw parts,
 * so that unit tests can check the signature rule against the planner without a database. An
 * integration test checks that this model and the remote's SQL agree on real tables.
 */
import { createHash } from 'node:crypto';
import type { LocalTableSignature, RemoteTableSignature } from '../../src/introspect/table-signature.js';
import type { QualifiedName, RemoteColumn } from '../../src/introspect/types.js';

/** PostgreSQL's record_out(): ROW(a, b, ...)::text. */
function record(...fields: (string | number | null)[]): string {
  const quote = (value: string | number | null) => {
    if (value === null) return '';
    const text = String(value);
    return text === '' || /["\\(),\t\n\v\f\r ]/.test(text) ? `"${text.replace(/["\\]/g, (c) => c + c)}"` : text;
  };
  return `(${fields.map(quote).join(',')})`;
}
const hash = (parts: string[]) => createHash('sha256').update(parts.join(''), 'utf8').digest('hex');

export function remoteSignature(columns: readonly RemoteColumn[]): RemoteTableSignature {
  return {
    shape: hash(columns.map((c) => record(c.name, c.type.schema, c.type.name, c.type.typmod))),
    notNull: columns.map((c) => (c.notNull ? 't' : 'f')).join(''),
    collations: hash(columns.map((c) => record(c.collation?.schema ?? null, c.collation?.name ?? null))),
    collationNulls: columns.map((c) => (c.collation ? 'c' : 'n')).join(''),
    defaults: hash(columns.map((c) => record(c.generated === '' ? c.default : null))),
    generated: hash(columns.map((c) => record(c.generated === 's' ? c.default : null))),
  };
}

/** A local foreign table column as raw catalog parts. */
export interface LocalRawColumn {
  name: string;
  /** The column_name option. */
  columnName: string | null;
  type: QualifiedName & { typmod: number };
  notNull: boolean;
  collation: QualifiedName | null;
  /** The collation of its type (pg_type.typcollation). */
  typeCollation: QualifiedName | null;
  default: string | null;
  generated: string;
}

const sameName = (a: QualifiedName | null, b: QualifiedName | null) => a?.schema === b?.schema && a?.name === b?.name;

export function localSignature(columns: readonly LocalRawColumn[]): LocalTableSignature {
  return {
    shape: hash(columns.map((c) => record(c.columnName ?? c.name, c.type.schema, c.type.name, c.type.typmod))),
    notNull: columns.map((c) => (c.notNull ? 't' : 'f')).join(''),
    collations: hash(columns.map((c) => record(c.collation?.schema ?? null, c.collation?.name ?? null))),
    typeCollations: columns.map((c) => (sameName(c.collation, c.typeCollation) ? 'y' : 'n')).join(''),
    defaults: hash(columns.map((c) => record(c.generated === '' ? c.default : null))),
    generated: hash(columns.map((c) => record(c.generated === 's' ? c.default : null))),
    hasDefault: columns.some((c) => c.generated === '' && c.default !== null),
    hasGenerated: columns.some((c) => c.generated === 's' && c.default !== null),
    renamedByHand: columns.some((c) => c.columnName !== null && c.columnName !== c.name),
  };
}

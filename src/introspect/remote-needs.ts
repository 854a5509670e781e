import pg from 'pg';
import { type ExpressionReference, scanExpression } from '../sql/scan-expression.js';
import type { QualifiedName, RemoteColumn, RemoteSchema } from './types.js';

/**
 * What the remotes' columns need from a local database: their types (resolved and formatted
 * there), their collations, and the relations, functions and types their expressions name. One
 * list for one query, however many links and tables.
 */
export interface Need {
  kind: 'type' | 'collation' | ExpressionReference['kind'];
  schema: string;
  name: string;
  /** For types: the column's typmod (-1 for none). */
  typmod: number;
}

export function typeKey(type: RemoteColumn['type'] | (QualifiedName & { typmod?: number })): string {
  return `${type.schema}\0${type.name}\0${type.typmod ?? -1}`;
}

export function needKey(need: Pick<Need, 'kind' | 'schema' | 'name'>): string {
  return need.kind === 'collation' ? formatQualified(need) : `${need.kind}:${formatQualified(need)}`;
}

/** "schema"."name", quoted here with pg's escapeIdentifier: how collations are written and compared. */
export function formatQualified(name: QualifiedName): string {
  return `${pg.escapeIdentifier(name.schema)}.${pg.escapeIdentifier(name.name)}`;
}

/** schema.name for messages: parts quoted only where a reader needs it. */
export function displayQualified(name: QualifiedName): string {
  const part = (p: string) => (/^[a-z_][a-z0-9_]*$/.test(p) ? p : pg.escapeIdentifier(p));
  return `${part(name.schema)}.${part(name.name)}`;
}

export function collectNeeds(schemas: readonly RemoteSchema[]): Need[] {
  const needs = new Map<string, Need>();
  const add = (need: Need, key: string) => {
    if (!needs.has(key)) needs.set(key, need);
  };
  for (const schema of schemas) {
    if (!schema.ok) continue;
    // The user-defined types the columns use, and those they are made of: their definitions here are compared with the remote's.
    for (const key of Object.keys(schema.types ?? {})) {
      const [typeSchema = '', name = ''] = key.split('\0');
      add({ kind: 'type', schema: typeSchema, name, typmod: -1 }, typeKey({ schema: typeSchema, name, typmod: -1 }));
    }
    for (const table of schema.tables) {
      for (const column of table.columns) {
        if (column.unmapped !== undefined) continue;
        add({ kind: 'type', ...column.type }, typeKey(column.type));
        if (column.collation)
          add({ kind: 'collation', ...column.collation, typmod: -1 }, needKey({ kind: 'collation', ...column.collation }));
        if (column.default === null) continue;
        const scan = scanExpression(column.default);
        if (!scan.ok) continue;
        for (const reference of scan.references) add({ ...reference, typmod: -1 }, needKey(reference));
      }
    }
  }
  return [...needs.values()];
}

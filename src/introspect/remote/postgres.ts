import type pg from 'pg';
import { withConnection } from '../../db/connect.js';
import { UserError } from '../../errors.js';
import { definitionKey, toTypeDefinition } from '../type-definitions.js';
import type { RemoteColumn, RemoteSchema, RemoteTable, TypeDefinition } from '../types.js';
import { REMOTE_SCHEMAS_QUERY, REMOTE_TABLES_QUERY } from './postgres-queries.js';
import type { RemoteClient } from './types.js';

/** postgres_fdw's remote, read with pg (db/connect.ts pins the session as postgres_fdw pins its own). */
export const postgresRemote: RemoteClient = {
  reach: (target, options) => withConnection(target, options, async () => undefined),
  readSchemas: (target, schemas, options) => withConnection(target, options, (client) => introspectRemote(client, schemas)),
  // postgres_fdw reads every value whole, so it is never asked.
  countLongValues: async (_target, questions) => questions.map(() => 0),
};

/**
 * Reads the given schemas of one remote database: two queries, whatever the number of tables. The
 * session is pinned by connect() (search_path = pg_catalog, DateStyle ISO, TimeZone UTC, ...), as
 * postgres_fdw pins its own, so types are qualified and defaults read the same on every server.
 */
export async function introspectRemote(client: pg.Client, schemas: readonly string[]): Promise<Record<string, RemoteSchema>> {
  const existing = await client.query(REMOTE_SCHEMAS_QUERY, [schemas]);
  const tables = await client.query(REMOTE_TABLES_QUERY, [schemas]);
  const present = new Map(existing.rows.filter((row) => row.linked === true).map((row) => [String(row.name), row.types]));
  const names = existing.rows.map((row) => String(row.name));
  const result: Record<string, RemoteSchema> = {};
  for (const schema of schemas) {
    result[schema] = present.has(schema)
      ? { ok: true, tables: [], types: toTypes(present.get(schema)) }
      : { ok: false, code: 'schema_missing', schema, existing: names };
  }
  for (const row of tables.rows as Record<string, unknown>[]) {
    const entry = result[String(row.schema)];
    if (entry?.ok) {
      const table: RemoteTable = {
        name: String(row.name),
        kind: String(row.kind),
        isPartition: row.is_partition === true,
        readable: row.readable !== false,
        columns: toColumns(row.columns),
      };
      entry.tables.push(table);
    }
  }
  return result;
}

/** REMOTE_SCHEMAS_QUERY's `types`, by definitionKey(); an entry of the wrong shape is skipped (untrusted). */
function toTypes(value: unknown): Record<string, TypeDefinition> {
  const types: Record<string, TypeDefinition> = {};
  if (!Array.isArray(value)) return types;
  for (const entry of value as Record<string, unknown>[]) {
    if (typeof entry?.schema !== 'string' || typeof entry.name !== 'string') continue;
    types[definitionKey({ schema: entry.schema, name: entry.name })] = toTypeDefinition(entry.definition);
  }
  return types;
}

/** The remote's catalog is untrusted: every field is checked for its type, never taken as given. */
function toColumns(value: unknown): RemoteColumn[] {
  if (!Array.isArray(value)) throw new RemoteCatalogInvalid('column list');
  return value.map((raw: Record<string, unknown>) => {
    const text = (field: string) => {
      const v = raw?.[field];
      if (typeof v !== 'string') throw new RemoteCatalogInvalid(field);
      return v;
    };
    const optional = (field: string) => (raw?.[field] === null ? null : text(field));
    const typmod = raw?.typmod;
    if (typeof typmod !== 'number' || !Number.isInteger(typmod) || typmod < -1 || typmod > 2 ** 31 - 1) {
      throw new RemoteCatalogInvalid('typmod');
    }
    if (typeof raw.notNull !== 'boolean') throw new RemoteCatalogInvalid('notNull');
    const collationSchema = optional('collationSchema');
    const collationName = optional('collationName');
    return {
      name: text('name'),
      type: { schema: text('typeSchema'), name: text('typeName'), typmod },
      notNull: raw.notNull,
      collation: collationSchema !== null && collationName !== null ? { schema: collationSchema, name: collationName } : null,
      default: optional('default'),
      generated: text('generated'),
    };
  });
}

/** A remote whose catalog answers do not have the shape PostgreSQL gives: refused, as data it cannot trust. */
export class RemoteCatalogInvalid extends UserError {
  constructor(field: string) {
    super('remote_catalog_invalid', `the remote's catalog returned an invalid value for ${field}`);
  }
}

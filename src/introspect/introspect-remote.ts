import type pg from 'pg';
import { REMOTE_SCHEMAS_QUERY, REMOTE_TABLES_QUERY } from './remote-queries.js';
import type { ColumnShape, RemoteSchema, RemoteTable } from './types.js';

/**
 * Reads the given schemas of one remote database: two queries, whatever the number of tables. The
 * session is pinned by connect() (search_path = pg_catalog, DateStyle ISO, TimeZone UTC, ...), as
 * postgres_fdw pins its own, so types are qualified and defaults read the same on every server.
 */
export async function introspectRemote(client: pg.Client, schemas: readonly string[]): Promise<Record<string, RemoteSchema>> {
  const existing = await client.query<{ name: string }>(REMOTE_SCHEMAS_QUERY, [schemas]);
  const tables = await client.query(REMOTE_TABLES_QUERY, [schemas]);
  const present = new Set(existing.rows.map((row) => row.name));
  const result: Record<string, RemoteSchema> = {};
  for (const schema of schemas) {
    result[schema] = present.has(schema)
      ? { ok: true, tables: [] }
      : {
          ok: false,
          error: `schema "${schema}" does not exist on the remote`,
          hint: 'fix `remote.schema`, or create the schema on the remote',
        };
  }
  for (const row of tables.rows as Record<string, unknown>[]) {
    const entry = result[String(row.schema)];
    if (entry?.ok) {
      const table: RemoteTable = {
        name: String(row.name),
        kind: String(row.kind),
        isPartition: Boolean(row.is_partition),
        columns: row.columns as ColumnShape[],
      };
      entry.tables.push(table);
    }
  }
  return result;
}

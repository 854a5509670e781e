import type pg from 'pg';

/** pg's query config with the protocol choice, which @types/pg does not declare. */
type ExtendedQuery = pg.QueryConfig & { queryMode: 'extended' };

/**
 * Runs one generated statement with the extended query protocol (Parse/Bind/Execute): PostgreSQL
 * accepts exactly one statement per Parse, so text that came from outside and was embedded in the
 * statement (a remote default expression, a name) can never start a second one. The simple protocol
 * would run `...; DROP TABLE x` as two statements. The only way apply executes generated SQL.
 */
export async function executeStatement(client: pg.Client, sql: string): Promise<void> {
  const query: ExtendedQuery = { text: sql, queryMode: 'extended' };
  await client.query(query);
}

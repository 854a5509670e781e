import { type ConnectOptions, DEFAULT_STATEMENT_TIMEOUT_MS, NoAnswer } from '../../db/connect.js';
import { UserError } from '../../errors.js';
import { mysqlIdent } from '../../wrappers/mysql/quote.js';
import { mapMysqlType } from '../../wrappers/mysql/type-map.js';
import { mysqlWrapper } from '../../wrappers/mysql/wrapper.js';
import type { ConnectionTarget, LongValueQuestion } from '../../wrappers/types.js';
import type { RemoteColumn, RemoteSchema, RemoteTable } from '../types.js';
import { openMysql } from './mysql-connection.js';
import type { RemoteClient } from './types.js';

/** mysql_fdw's remote, read with mysql2: from this machine, as the link's remote user. */
export const mysqlRemote: RemoteClient = {
  reach: async (target, options) => {
    await (await openMysql(target, options)).close();
  },
  readSchemas: (target, schemas, options) => readMysqlRemote(target, schemas, options),
  countLongValues: (target, questions, options) => countMysqlLongValues(target, questions, options),
};

/**
 * Every table and view of the linked databases with its columns, in one query. TABLE_TYPE 'SYSTEM
 * VERSIONED' is MariaDB's name for a table with history; sequences and system views are not linked.
 */
const TABLES_QUERY = `
SELECT t.TABLE_SCHEMA, t.TABLE_NAME, t.TABLE_TYPE, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE,
       c.NUMERIC_PRECISION, c.NUMERIC_SCALE, c.DATETIME_PRECISION, c.CHARACTER_MAXIMUM_LENGTH
  FROM information_schema.TABLES t
  LEFT JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
 WHERE t.TABLE_SCHEMA IN (?) AND t.TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')
 ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME, c.ORDINAL_POSITION`;

/**
 * Reads the linked databases (the "schemas") of one MySQL or MariaDB remote from its
 * information_schema: one connection, one query. Every value is untrusted data: names stay names,
 * types go through mapMysqlType's table. Connection failures are thrown as ConnectionFailed naming
 * host and port, never the password.
 */
export function readMysqlRemote(
  target: ConnectionTarget,
  schemas: readonly string[],
  options: ConnectOptions,
): Promise<Record<string, RemoteSchema>> {
  return withMysqlConnection(target, options, async (query) => toSchemas(schemas, await query(TABLES_QUERY, [schemas])));
}

/** Runs one statement on the connection withMysqlConnection opened; rows as arrays of strings (or Buffers, or null). */
export type MysqlQuery = (sql: string, values: unknown[]) => Promise<unknown[][]>;

/**
 * Opens one connection to a MySQL remote for `use`, and closes it after: each statement is bounded by
 * the statement timeout and ended by Ctrl-C (closing the socket ends the read; MySQL drops the
 * query with the connection). Connection failures are thrown as ConnectionFailed naming host and
 * port, never the password.
 */
export async function withMysqlConnection<T>(
  target: ConnectionTarget,
  options: ConnectOptions,
  use: (query: MysqlQuery) => Promise<T>,
): Promise<T> {
  const where = mysqlWrapper.describe(target);
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const session = await openMysql(target, options);
  // Interrupted, or no answer in time: closing the socket ends the read (MySQL drops the query with
  // the connection). The deadline is ours, not mysql2's query `timeout`, whose timer outlives a closed
  // connection and would keep the process alive until it fires.
  const stop = () => void session.close(false);
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    return await use(async (sql, values) => {
      options.onQuery?.(sql);
      if (options.signal?.aborted) throw new Error('interrupted');
      let timedOut = false;
      const deadline = setTimeout(() => {
        timedOut = true;
        stop();
      }, statementTimeoutMs);
      try {
        const [rows] = await session.connection.query({ sql, values, rowsAsArray: true });
        return rows as unknown[][];
      } catch (error) {
        if (timedOut) throw new NoAnswer(where, statementTimeoutMs, statementTimeoutMs);
        throw error;
      } finally {
        clearTimeout(deadline);
      }
    });
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await session.close();
  }
}

/**
 * How many rows of each remote table hold a value longer than `limit` bytes in `column`, counted by
 * the remote itself: one statement for the whole remote, one scan of each table asked about, and
 * only the counts cross the network. Names are quoted, limits are parameters.
 */
export function countMysqlLongValues(
  target: ConnectionTarget,
  questions: readonly LongValueQuestion[],
  options: ConnectOptions,
): Promise<number[]> {
  if (questions.length === 0) return Promise.resolve([]);
  const sql = questions
    .map(
      (q, i) =>
        `SELECT ${i} AS question, COUNT(*) AS found FROM ${mysqlIdent(q.schema)}.${mysqlIdent(q.table)} WHERE OCTET_LENGTH(${mysqlIdent(q.column)}) > ?`,
    )
    .join(' UNION ALL ');
  return withMysqlConnection(target, options, async (query) => {
    const counts = questions.map(() => 0);
    for (const [question, found] of await query(
      sql,
      questions.map((q) => q.limit),
    ))
      counts[Number(question)] = Number(found);
    return counts;
  });
}

function toSchemas(schemas: readonly string[], rows: unknown[][]): Record<string, RemoteSchema> {
  const result: Record<string, RemoteSchema> = {};
  const tables = new Map<string, RemoteTable>();
  for (const schema of schemas) result[schema] = { ok: true, tables: [] };
  for (const row of rows) {
    const [schema, name, kind, column, dataType, columnType, nullable, precision, scale, datetimePrecision, length] = row;
    const entry = result[text(schema, 'TABLE_SCHEMA')];
    if (!entry?.ok) continue;
    const tableName = text(name, 'TABLE_NAME');
    const key = `${String(schema)}\0${tableName}`;
    let table = tables.get(key);
    if (!table) {
      table = { name: tableName, kind: kind === 'VIEW' ? 'v' : 'r', isPartition: false, readable: true, columns: [] };
      tables.set(key, table);
      entry.tables.push(table);
    }
    if (column === null) continue; // a table the user may see but none of whose columns
    const declared = text(columnType, 'COLUMN_TYPE');
    const mapped = mapMysqlType({
      dataType: text(dataType, 'DATA_TYPE'),
      columnType: declared,
      numericPrecision: count(precision, 'NUMERIC_PRECISION'),
      numericScale: count(scale, 'NUMERIC_SCALE'),
      datetimePrecision: count(datetimePrecision, 'DATETIME_PRECISION'),
      characterMaximumLength: count(length, 'CHARACTER_MAXIMUM_LENGTH'),
    });
    const remoteColumn: RemoteColumn = {
      name: text(column, 'COLUMN_NAME'),
      type: mapped.ok ? mapped.type : { schema: 'pg_catalog', name: 'text', typmod: -1 },
      notNull: text(nullable, 'IS_NULLABLE') === 'NO',
      collation: null,
      // MySQL defaults are MySQL expressions: never carried over (mysql_fdw sends the row's values).
      default: null,
      generated: '',
      ...(mapped.ok
        ? mapped.readLimit === null
          ? {}
          : { readLimit: mapped.readLimit }
        : { unmapped: { declared, reason: mapped.reason, conversion: mapped.conversion } }),
    };
    table.columns.push(remoteColumn);
  }
  return result;
}

function text(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  throw new RemoteMysqlInvalid(field);
}

function count(value: unknown, field: string): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw new RemoteMysqlInvalid(field);
  return number;
}

/** MySQL's counterpart of RemoteCatalogInvalid: the user's remote (not datalinks) gave data it cannot trust. */
class RemoteMysqlInvalid extends UserError {
  constructor(field: string) {
    super('remote_catalog_invalid', `the remote's information_schema returned an invalid value for ${field}`);
  }
}

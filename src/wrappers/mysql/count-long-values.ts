import type { ConnectOptions } from '../../db/connect.js';
import type { ConnectionTarget, LongValueQuestion } from '../types.js';
import { mysqlIdent } from './quote.js';
import { withMysqlConnection } from './read-remote.js';

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

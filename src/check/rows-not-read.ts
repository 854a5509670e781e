import type { DesiredLink } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions, NoAnswer } from '../db/connect.js';
import { messageOf } from '../errors.js';
import { countLongValues } from '../introspect/remote/index.js';
import type { DatabasePlan } from '../plan/types.js';
import type { LinkRowsNotRead } from './types.js';

/**
 * Finds, for each link, the rows its remote tables hold that a read through the link would not
 * return: where the plan noted a column whose values the wrapper reads through a fixed buffer, the
 * remote counts the rows with a longer value (one statement per link, one scan of each such table,
 * only counts cross the network; tables without such a column cost nothing). A failure to count is
 * data, not an exception.
 */
export async function countRowsNotRead(
  links: readonly DesiredLink[],
  plan: DatabasePlan | undefined,
  options: ConnectOptions,
): Promise<LinkRowsNotRead[]> {
  const results: LinkRowsNotRead[] = [];
  for (const link of links) {
    const limited = (plan?.notes ?? []).flatMap((note) => (note.code === 'remote_values_limited' && note.link === link.name ? [note] : []));
    if (limited.length === 0) continue;
    const questions = limited.map((note) => ({ schema: link.remote.schema, table: note.table, column: note.column, limit: note.limit }));
    try {
      const counts = await countLongValues(link.remote.target, questions, options);
      const tables = limited.flatMap((note, i) => {
        const rows = counts[i] ?? 0;
        return rows === 0
          ? []
          : [
              {
                schema: link.name,
                name: note.table,
                remoteSchema: link.remote.schema,
                remoteTable: note.table,
                column: note.column,
                limit: note.limit,
                rows,
              },
            ];
      });
      results.push({ link: link.name, tables, error: null });
    } catch (error) {
      results.push({ link: link.name, tables: [], error: countFailure(error) });
    }
  }
  return results;
}

function countFailure(error: unknown): string {
  if (error instanceof ConnectionFailed) return `cannot connect to the remote ${error.where}: ${error.reason}`;
  if (error instanceof NoAnswer) return error.message;
  return messageOf(error);
}

import type pg from 'pg';

/** pg's query config with the protocol choice, which @types/pg does not declare. */
type ExtendedQuery = pg.QueryConfig & { queryMode: 'extended' };

/**
 * Runs one generated statement with the extended query protocol (Parse/Bind/Execute): PostgreSQL
 * accepts exactly one statement per Parse, so text that came from outside and was embedded in the
 * statement (a remote default expression, a name) can never start a second one. The simple protocol
 * would run `...; DROP TABLE x` as two statements. Apply runs generated SQL only this way (through
 * executeStatements, which sends each statement as this does).
 */
export async function executeStatement(client: pg.Client, sql: string): Promise<void> {
  await sendStatement(client, sql);
}

function sendStatement(client: pg.Client, sql: string): Promise<unknown> {
  const query: ExtendedQuery = { text: sql, queryMode: 'extended' };
  return client.query(query);
}

/** How many statements are on the wire at once: enough to keep the server busy while the client reads the answers. */
const PIPELINE_WINDOW = 16;

/** pg's pipeline mode (8.23+): queries are written without waiting for the previous one's answer. */
type PipelinedClient = pg.Client & { pipeline: boolean };

/**
 * Runs statements in order, each on its own with the extended protocol as executeStatement does
 * (its own Parse/Bind/Execute and Sync), but pipelined: up to PIPELINE_WINDOW are sent before the
 * first one's answer is read, so the round trips overlap instead of adding up. Inside a transaction a
 * failed statement aborts it, and the statements already sent behind it fail without running.
 * `onRunning(i)` is told which statement is awaited (the one to name if it fails), `onDone(i)` when
 * it is done, and `stop()` is asked before each statement is sent. The first failure, in statement
 * order, is thrown once every statement sent has been answered, so the connection is idle again.
 */
export async function executeStatements(
  client: pg.Client,
  sqls: readonly string[],
  hooks: { onRunning?: (index: number) => void; onDone?: (index: number) => void; stop?: () => boolean } = {},
): Promise<void> {
  const pipelined = client as PipelinedClient;
  const sent: Promise<unknown>[] = [];
  pipelined.pipeline = true;
  try {
    for (let done = 0; done < sqls.length; done++) {
      while (sent.length < sqls.length && sent.length - done < PIPELINE_WINDOW && !hooks.stop?.()) {
        const pending = sendStatement(client, sqls[sent.length] as string);
        // Answered in order; handled now so that those behind a failure never count as unhandled.
        pending.catch(() => undefined);
        sent.push(pending);
      }
      if (done === sent.length) return; // stopped: the caller sees why
      hooks.onRunning?.(done);
      try {
        await sent[done];
      } catch (error) {
        await Promise.allSettled(sent.slice(done + 1));
        throw error;
      }
      hooks.onDone?.(done);
    }
  } finally {
    pipelined.pipeline = false;
  }
}

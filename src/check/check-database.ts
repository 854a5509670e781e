import type pg from 'pg';
import type { DesiredDatabase } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions, closeQuietly, connect } from '../db/connect.js';
import { loggedInWithScram } from '../db/scram-login.js';
import { messageOf } from '../errors.js';
import { closeLinkConnections, probeLinks } from './probe-link.js';
import type { LinkHealth } from './types.js';

export interface CheckDatabaseOptions extends ConnectOptions {
  statementTimeoutMs: number;
}

export type DatabaseHealth = { alias: string; ok: true; links: LinkHealth[] } | { alias: string; ok: false; error: string; hint?: string };

/**
 * Probes every link the file gives `database`, from its server, in one transaction that is always
 * rolled back, then closes the connections postgres_fdw opened, so that a check leaves nothing behind
 * on the local database or the remotes. A connection failure is data, not an exception.
 */
export async function checkDatabase(database: DesiredDatabase, options: CheckDatabaseOptions): Promise<DatabaseHealth> {
  const alias = database.alias;
  let client: pg.Client | undefined;
  let healthy = true;
  try {
    client = await connect(database.target, options);
    await client.query('BEGIN');
    // Waiting for a lock (an apply holding the link's tables) is bounded like any statement.
    await client.query({ text: `SELECT pg_catalog.set_config('lock_timeout', $1, true)`, values: [`${options.statementTimeoutMs}ms`] });
    const links = await probeLinks(
      client,
      database.links.map((link) => link.name),
      { statementTimeoutMs: options.statementTimeoutMs, scramLogin: loggedInWithScram(client) },
    );
    healthy = !links.some((link) => link.failure?.code === 'stalled');
    if (healthy) {
      await client.query('ROLLBACK');
      await closeLinkConnections(client);
    }
    return { alias, ok: true, links };
  } catch (error) {
    if (error instanceof ConnectionFailed) {
      return { alias, ok: false, error: `cannot connect to database "${alias}" (${error.where}): ${error.reason}`, hint: error.hint };
    }
    return { alias, ok: false, error: `checking database "${alias}" failed: ${messageOf(error)}` };
  } finally {
    // Ending the session also ends its transaction and every connection postgres_fdw holds for it.
    await closeQuietly(client);
  }
}

import type pg from 'pg';
import type { DesiredDatabase } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions, closeQuietly, connect } from '../db/connect.js';
import { messageOf } from '../errors.js';
import { observeDatabase, type RemoteReader } from '../introspect/observe.js';
import { samePlannedChanges } from '../plan/compare.js';
import { fingerprintObserved } from '../plan/fingerprint.js';
import { hasChanges } from '../plan/plan-changes.js';
import { type PlanOptions, planDatabase } from '../plan/plan-database.js';
import type { DatabasePlan } from '../plan/types.js';
import { plural } from '../plural.js';
import { MASKED_CONTEXT, renderDatabaseSql, type SqlContext } from '../sql/render-sql.js';

/** Serialises applies to one database (advisory locks are per database). */
const ADVISORY_LOCK = [1684827755, 1] as const;

export interface ApplyOptions extends ConnectOptions {
  lockTimeout: string;
  statementTimeout: string;
  allowDependentDrops: boolean;
  planOptions: PlanOptions;
  /** A saved plan must match the observed state exactly, not just plan to the same changes. */
  requireSameFingerprint: boolean;
  /** What to say when the state no longer matches the plan. */
  staleMessage: string;
  now: () => string;
  onProgress?: (alias: string, done: number, total: number) => void;
  /** Set by the CLI on Ctrl-C: stop between statements and roll back. */
  signal?: AbortSignal;
}

export type ApplyStatus = 'applied' | 'unchanged' | 'failed' | 'refused';

export interface DatabaseOutcome {
  alias: string;
  status: ApplyStatus;
  statements: number;
  elapsedMs: number;
  message?: string;
  hint?: string;
  /** Stopped by Ctrl-C (and rolled back). */
  interrupted?: boolean;
}

/**
 * Applies one database's plan in one transaction: lock, re-read the state under the lock, re-plan,
 * refuse if the plan changed since it was shown, run the statements, commit. Any error rolls back.
 */
export async function applyDatabase(
  database: DesiredDatabase,
  shown: DatabasePlan,
  remotes: RemoteReader,
  secrets: SqlContext['passwordFor'],
  options: ApplyOptions,
): Promise<DatabaseOutcome> {
  const started = Date.now();
  const outcome = (status: ApplyStatus, statements: number, message?: string, hint?: string): DatabaseOutcome => ({
    alias: database.alias,
    status,
    statements,
    elapsedMs: Date.now() - started,
    message,
    hint,
  });
  if (shown.errors.length > 0) return outcome('refused', 0, 'not applied: its plan has errors');
  if (!hasChanges(shown)) return outcome('unchanged', 0);
  const dependents = shown.changes.flatMap((change) => change.dependents);
  if (dependents.length > 0 && !options.allowDependentDrops) {
    return outcome(
      'refused',
      0,
      `not applied: it would drop ${plural(dependents.length, 'object')} outside the links (${dependents.map((d) => d.description).join('; ')})`,
      'change or drop those objects first, or pass --allow-dependent-drops to drop them with the link',
    );
  }

  let client: pg.Client | undefined;
  let current = { link: null as string | null, masked: '' };
  // Ctrl-C closes the connection, which cancels a waiting or running statement; the server rolls back.
  const interrupt = () => void client?.end().catch(() => undefined);
  options.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    if (options.signal?.aborted) throw new Interrupted();
    client = await connect(database.target, options);
    await client.query('BEGIN');
    await client.query(`SELECT pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.set_config('statement_timeout', $2, true)`, [
      options.lockTimeout,
      options.statementTimeout,
    ]);
    try {
      await client.query('SELECT pg_catalog.pg_advisory_xact_lock($1, $2)', [...ADVISORY_LOCK]);
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') {
        await rollback(client);
        return outcome(
          'failed',
          0,
          `another datalinks apply is running on this database (waited ${options.lockTimeout} for its lock)`,
          'try again when it has finished',
        );
      }
      throw error;
    }
    const observed = await observeDatabase(database, client, remotes);
    await client.query('RESET search_path');
    const replanned = planDatabase(database, observed, options.planOptions);
    const stale =
      replanned.errors.length > 0 ||
      !samePlannedChanges(replanned, shown) ||
      (options.requireSameFingerprint && fingerprintObserved(database, observed, replanned) !== shown.fingerprint);
    if (stale) {
      await rollback(client);
      return outcome(
        'refused',
        0,
        options.staleMessage,
        replanned.errors[0]?.message ?? 'run datalinks plan again, review the new plan, and apply that',
      );
    }
    const context: SqlContext = { passwordFor: secrets, now: options.now() };
    const statements = renderDatabaseSql(replanned, context);
    const masked = renderDatabaseSql(replanned, { ...context, passwordFor: MASKED_CONTEXT.passwordFor });
    for (const [index, statement] of statements.entries()) {
      if (options.signal?.aborted) throw new Interrupted();
      current = { link: statement.link, masked: masked[index]?.sql ?? '' };
      await client.query(statement.sql);
      options.onProgress?.(database.alias, index + 1, statements.length);
    }
    if (options.signal?.aborted) throw new Interrupted();
    await client.query('COMMIT');
    return outcome('applied', statements.length);
  } catch (error) {
    await rollback(client);
    if (error instanceof Interrupted || options.signal?.aborted)
      return { ...outcome('failed', 0, 'interrupted: rolled back, nothing was applied'), interrupted: true };
    if (error instanceof ConnectionFailed) return outcome('failed', 0, `cannot connect (${error.where}): ${error.reason}`, error.hint);
    const where = current.link ? `link "${current.link}"` : 'database setup';
    const pgError = error as { code?: string; detail?: string; hint?: string };
    return outcome(
      'failed',
      0,
      `${where}: ${messageOf(error)}${pgError.detail ? ` (${pgError.detail})` : ''}; rolled back, nothing was applied${current.masked ? `\n    while running: ${current.masked.split('\n')[0]}` : ''}`,
      hintFor(pgError.code, current.masked) ?? pgError.hint,
    );
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    await closeQuietly(client);
  }
}

class Interrupted extends Error {}

/** The database was not reconciled: an error, or a refusal (stale plan, dependents, plan errors). */
export function isFailure(outcome: DatabaseOutcome): boolean {
  return outcome.status === 'failed' || outcome.status === 'refused';
}

async function rollback(client: pg.Client | undefined): Promise<void> {
  await client?.query('ROLLBACK').catch(() => undefined);
}

function hintFor(code: string | undefined, statement: string): string | undefined {
  if (code === '55P03') return 'another session holds a lock on an object this apply must change; try again later or raise --lock-timeout';
  if (code === '42501' && statement.startsWith('CREATE EXTENSION')) {
    return "creating postgres_fdw needs a superuser (or your provider's admin role): have one run CREATE EXTENSION postgres_fdw; and GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO your role";
  }
  if (code === '42704') return 'a type or object the remote uses does not exist in this database; create it locally or exclude that table';
  if (code === '57014') return 'a statement ran longer than the statement timeout';
  return undefined;
}

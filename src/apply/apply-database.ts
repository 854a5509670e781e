import pg from 'pg';
import { probeLinks } from '../check/probe-link.js';
import type { ProbeFailureCode } from '../check/types.js';
import type { DesiredDatabase } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions, closeQuietly, connect, NoAnswer } from '../db/connect.js';
import { executeStatement } from '../db/execute.js';
import { SQLSTATE, sqlstateOf } from '../db/sqlstate.js';
import { messageOf, UserError } from '../errors.js';
import { observeDatabase, type RemoteReader } from '../introspect/observe.js';
import { type ApplyStatus, type DatabaseOutcome, isStale, refusalBeforeApply } from '../plan/apply-decisions.js';
import { fingerprintObserved } from '../plan/fingerprint.js';
import { type PlanOptions, planDatabase } from '../plan/plan-database.js';
import type { DatabasePlan } from '../plan/types.js';
import { healthProblem } from '../render/check-view.js';
import { problemWords } from '../render/plan-words.js';
import { MASKED_CONTEXT, renderDatabaseSql, type SqlContext } from '../sql/render-sql.js';
import { takeApplyLock } from './advisory-lock.js';
import { quietStatementLogging } from './quiet-logging.js';

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
  /** How long to wait for each created or changed link's proof from the local server before COMMIT; null: --no-verify. */
  verifyTimeoutMs: number | null;
  onProgress?: (alias: string, done: number, total: number) => void;
}

export { type ApplyStatus, type DatabaseOutcome, isFailure } from '../plan/apply-decisions.js';

/**
 * Applies one database's plan: read its remotes again (before any transaction), then in one
 * transaction take the apply lock, re-read the local catalogs under it, re-plan, refuse if the plan
 * changed since it was shown, run the statements, commit. Any error rolls back. Every wait is
 * bounded (connect timeout, lock timeout, statement timeout on the server and on the client), and
 * Ctrl-C cancels the running statement on the server before rolling back.
 */
export async function applyDatabase(
  database: DesiredDatabase,
  shown: DatabasePlan,
  remotes: RemoteReader,
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
  const refusal = refusalBeforeApply(shown, options.allowDependentDrops);
  if (refusal) return outcome(refusal.status, 0, refusal.message, refusal.hint);

  const interrupted = (): DatabaseOutcome => ({
    ...outcome('failed', 0, 'interrupted: rolled back, nothing was applied'),
    interrupted: true,
  });
  if (options.signal?.aborted) return interrupted();

  // The remotes are read first, outside any transaction: a remote that is slow or stalls cannot keep
  // the local transaction open, idle, holding the apply lock (every wait is bounded anyway).
  const remoteSchemas = await remotes.schemasFor(database);
  if (options.signal?.aborted) return interrupted();
  for (const link of database.links) {
    const remote = remoteSchemas[link.name];
    if (remote && !remote.ok) return outcome('failed', 0, `link "${link.name}": ${remote.error}; nothing was applied`, remote.hint);
  }

  let client: pg.Client | undefined;
  let current = { link: null as string | null, masked: '' };
  try {
    // Ctrl-C (options.signal) makes the connection send PostgreSQL a cancel request for the running
    // statement (a lock wait included); the statement then fails here and the transaction rolls back.
    client = await connect(database.target, options);
    await client.query('BEGIN');
    await client.query(
      `SELECT pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.set_config('statement_timeout', $2, true),
              pg_catalog.set_config('idle_in_transaction_session_timeout', $2, true)`,
      [options.lockTimeout, options.statementTimeout],
    );
    if (!(await takeApplyLock(client))) {
      await rollback(client);
      return outcome(
        'failed',
        0,
        `another datalinks apply is running on this database (waited ${options.lockTimeout} for its lock)`,
        'try again when it has finished',
      );
    }
    const observed = await observeDatabase(database, client, Promise.resolve(remoteSchemas));
    const replanned = planDatabase(database, observed, options.planOptions);
    const fingerprint = options.requireSameFingerprint ? fingerprintObserved(database, observed, replanned) : null;
    if (isStale(shown, replanned, fingerprint)) {
      await rollback(client);
      return outcome(
        'refused',
        0,
        options.staleMessage,
        replanned.errors[0] ? problemWords(replanned.errors[0]).message : 'run datalinks plan again, review the new plan, and apply that',
      );
    }
    if (observed.local.ok) await quietStatementLogging(client, observed.local.catalog.environment);
    // Generated statements run with the database's own search_path (CREATE EXTENSION installs into
    // its first schema); they qualify every name they use.
    await client.query('RESET search_path');
    // The remote password goes straight from the link's parsed URL into the user mapping's SQL.
    const passwordFor = (name: string) => database.links.find((link) => link.name === name)?.remote.target.password ?? null;
    const context: SqlContext = { passwordFor, now: options.now(), cascade: options.allowDependentDrops };
    const statements = renderDatabaseSql(replanned, context);
    const masked = renderDatabaseSql(replanned, { ...context, passwordFor: MASKED_CONTEXT.passwordFor });
    for (const [index, statement] of statements.entries()) {
      if (options.signal?.aborted) throw new Interrupted();
      current = { link: statement.link, masked: masked[index]?.sql ?? '' };
      await executeStatement(client, statement.sql);
      options.onProgress?.(database.alias, index + 1, statements.length);
    }
    if (options.signal?.aborted) throw new Interrupted();
    const broken = options.verifyTimeoutMs === null ? [] : await verifyLinks(client, database, replanned, options.verifyTimeoutMs);
    if (broken.length > 0) {
      await rollback(client);
      return outcome(
        'failed',
        0,
        `${broken.map((p) => p.message).join('; ')}; the local server cannot use the link, so it was rolled back and nothing was applied`,
        broken[0]?.hint ?? undefined,
      );
    }
    await client.query('COMMIT');
    return outcome('applied', statements.length);
  } catch (error) {
    await rollback(client);
    if (error instanceof Interrupted || options.signal?.aborted) return interrupted();
    if (error instanceof ConnectionFailed) return outcome('failed', 0, `cannot connect (${error.where}): ${error.reason}`, error.hint);
    const where = current.link ? `link "${current.link}"` : 'database setup';
    const running = current.masked ? `\n    while running: ${current.masked.split('\n')[0]}` : '';
    if (error instanceof NoAnswer) {
      return outcome('failed', 0, `${where}: ${error.message}; the connection was closed, nothing was committed${running}`, error.hint);
    }
    const detail = error instanceof pg.DatabaseError && error.detail ? ` (${error.detail})` : '';
    return outcome(
      'failed',
      0,
      `${where}: ${messageOf(error)}${detail}; rolled back, nothing was applied${running}`,
      hintFor(sqlstateOf(error), current.masked) ?? (error instanceof pg.DatabaseError ? error.hint : undefined),
    );
  } finally {
    await closeQuietly(client);
  }
}

/** Ctrl-C: the apply stops between statements (or its running statement is cancelled) and rolls back. */
class Interrupted extends UserError {
  constructor() {
    super('interrupted', 'interrupted: rolled back, nothing was applied');
  }
}

/** What makes a link unusable from the local server: a plan cannot see these, only the server's own connection can. */
const BROKEN: ReadonlySet<ProbeFailureCode> = new Set([
  'server_missing',
  'wrong_wrapper',
  'no_server_usage',
  'user_mapping_missing',
  'connect_failed',
  'auth_failed',
  'password_required',
  'timeout',
  'stalled',
]);

/**
 * Proves every created or changed link from the local server, inside the apply's transaction and
 * before COMMIT: the CLI reached the remote, but the link connects from the server, which may resolve,
 * route or negotiate TLS differently. Tables the remote role cannot read are the plan's warning, not a
 * reason to roll back.
 */
async function verifyLinks(
  client: pg.Client,
  database: DesiredDatabase,
  plan: DatabasePlan,
  timeoutMs: number,
): Promise<{ message: string; hint: string | null }[]> {
  const changed = new Set(plan.changes.filter((change) => change.action !== 'destroy').map((change) => change.link));
  // One link per remote connection: links with the same URL and server options connect alike, and
  // each probed link holds its own connection from the local server to the remote until COMMIT
  // (postgres_fdw cannot close a connection the transaction used). A hundred links to one remote
  // would otherwise hold a hundred connections and could exhaust its max_connections.
  const byConnection = new Map<string, string>();
  for (const link of database.links) {
    if (!changed.has(link.name)) continue;
    const key = JSON.stringify([link.remote.target.url, link.serverOptions]);
    if (!byConnection.has(key)) byConnection.set(key, link.name);
  }
  const health = await probeLinks(client, [...byConnection.values()], { statementTimeoutMs: timeoutMs });
  return health.flatMap((h) => (h.failure && BROKEN.has(h.failure.code) ? [healthProblem(h)].filter((p) => p !== null) : []));
}

async function rollback(client: pg.Client | undefined): Promise<void> {
  await client?.query('ROLLBACK').catch(() => undefined);
}

function hintFor(code: string | undefined, statement: string): string | undefined {
  if (code === SQLSTATE.lockNotAvailable)
    return 'another session holds a lock on an object this apply must change; try again later or raise --lock-timeout';
  if (code === SQLSTATE.insufficientPrivilege && statement.startsWith('CREATE EXTENSION')) {
    // The wrapper's name, from the statement datalinks wrote (postgres_fdw or mysql_fdw).
    const fdw = /^CREATE EXTENSION IF NOT EXISTS ([a-z_]+)$/.exec(statement)?.[1] ?? 'postgres_fdw';
    return `creating ${fdw} needs a superuser (or your provider's admin role): have one run CREATE EXTENSION ${fdw}; and GRANT USAGE ON FOREIGN DATA WRAPPER ${fdw} TO your role`;
  }
  if (code === SQLSTATE.undefinedObject)
    return 'a type or object the remote uses does not exist in this database; create it locally or exclude that table';
  if (code === SQLSTATE.queryCanceled) return 'a statement ran longer than the statement timeout';
  if (code === SQLSTATE.dependentObjectsStillExist) {
    return "PostgreSQL refused the drop: something outside the link depends on it that the plan did not list (the error's detail names it); change or drop it first, or pass --allow-dependent-drops to drop it with the link";
  }
  return undefined;
}

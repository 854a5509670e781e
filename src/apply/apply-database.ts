// apply/: runs a plan's statements under a lock, proves the links, commits or rolls back.
import pg from 'pg';
import { endSession } from '../check/end-session.js';
import { probeLinks } from '../check/probe-link.js';
import { remoteReacher } from '../check/remote-reacher.js';
import type { LinkHealth, ProbeFailureCode } from '../check/types.js';
import type { DesiredDatabase } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions, closeQuietly, connect, NoAnswer } from '../db/connect.js';
import { executeStatements } from '../db/execute.js';
import { interruptOf } from '../db/interrupts.js';
import { loggedInWithScram } from '../db/scram-login.js';
import { sqlstateOf } from '../db/sqlstate.js';
import { WATCH_CLIENT_SQL } from '../db/watch-client.js';
import { messageOf, UserError } from '../errors.js';
import { localFailure, observeDatabase, observeDatabaseStandalone, type RemoteReader } from '../introspect/observe.js';
import type { ObservedDatabase, RemoteSchema } from '../introspect/types.js';
import { decideAfterReplan, type Refusal, refusalBeforeApply } from '../plan/apply-decisions.js';
import { fingerprintParts } from '../plan/fingerprint.js';
import { type PlanOptions, planDatabase } from '../plan/plan-database.js';
import { plannerRules } from '../plan/planner-rules.js';
import { MASKED_CONTEXT, renderDatabaseSql, type SqlContext } from '../plan/statements.js';
import type { DatabasePlan } from '../plan/types.js';
import { takeApplyLock } from './advisory-lock.js';
import { type DatabaseOutcome, type OutcomeReason, outcomeOf } from './outcome.js';
import { quietStatementLogging } from './quiet-logging.js';

export interface ApplyOptions extends ConnectOptions {
  lockTimeout: string;
  statementTimeout: string;
  allowDependentDrops: boolean;
  planOptions: PlanOptions;
  /** A saved plan must match the observed state exactly, not just plan to the same changes. */
  requireSameFingerprint: boolean;
  now: () => string;
  /** How long to wait for each created or changed link's proof from the local server before COMMIT; null: --no-verify. */
  verifyTimeoutMs: number | null;
  onProgress?: (alias: string, done: number, total: number) => void;
}

export { type ApplyStatus, type DatabaseOutcome, isFailure } from './outcome.js';

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
  const outcome = outcomeFor(database.alias, Date.now());
  const refusal = refusalBeforeApply(shown, options.allowDependentDrops, database);
  if (refusal) return outcome(refusal);
  if (options.signal?.aborted) return outcome({ code: 'interrupted', by: interruptOf(options.signal) });

  // The remotes are read first, outside any transaction: a remote that is slow or stalls cannot keep
  // the local transaction open, idle, holding the apply lock (every wait is bounded anyway).
  const remoteSchemas = await remotes.schemasFor(database);
  if (options.signal?.aborted) return outcome({ code: 'interrupted', by: interruptOf(options.signal) });
  for (const link of database.links) {
    const remote = remoteSchemas[link.name];
    if (remote && !remote.ok) return outcome({ code: 'remote_unreadable', link: link.name, remote });
  }
  return applyUnderLock(database, remoteSchemas, options, outcome, (observed, replanned) => {
    const now = options.requireSameFingerprint ? fingerprintParts(database, observed, replanned, options.planOptions.target) : null;
    return decideAfterReplan(shown, replanned, now);
  });
}

/**
 * `apply --auto-approve` of one database, with no plan file: nobody reviews the plan between making
 * and applying it, so it is made once, under the apply lock, handed to `onPlanned` (to be shown)
 * and applied, in the same transaction: there is no earlier plan that could have gone stale.
 * If the lock or the connection cannot be had, the plan is made without it, to be shown with the
 * outcome, as a plan made before the lock would have been; after Ctrl-C there is no plan.
 */
export async function planAndApplyDatabase(
  database: DesiredDatabase,
  remotes: RemoteReader,
  options: ApplyOptions & { onPlanned: (plan: DatabasePlan) => void },
): Promise<{ plan?: DatabasePlan; outcome: DatabaseOutcome }> {
  const outcome = outcomeFor(database.alias, Date.now());
  const remoteSchemas = await remotes.schemasFor(database);
  let plan: DatabasePlan | undefined;
  let failure: unknown;
  const result = await applyUnderLock(
    database,
    remoteSchemas,
    options,
    outcome,
    (_, replanned) => {
      plan = replanned;
      options.onPlanned(replanned);
      return refusalBeforeApply(replanned, options.allowDependentDrops);
    },
    (error) => {
      failure = error;
    },
  );
  if (plan || result.code === 'interrupted') return { plan, outcome: result };
  // Not planned under the lock (no connection, the lock taken by another apply): plan without it,
  // or from the connection failure, so the plan shows what is wrong.
  const observed =
    failure instanceof ConnectionFailed
      ? { alias: database.alias, local: localFailure(database, failure), remotes: remoteSchemas }
      : await observeDatabaseStandalone(database, remotes, options, plannerRules(options.planOptions));
  const standalone = planDatabase(database, observed, options.planOptions);
  options.onPlanned(standalone);
  const refusal = refusalBeforeApply(standalone, options.allowDependentDrops);
  return { plan: standalone, outcome: refusal ? outcome(refusal) : result };
}

type Outcome = (reason: OutcomeReason, statements?: number) => DatabaseOutcome;

function outcomeFor(alias: string, started: number): Outcome {
  return (reason, statements) => outcomeOf(alias, started, reason, statements);
}

type Decide = (
  observed: ObservedDatabase,
  replanned: DatabasePlan,
) => Refusal | Extract<OutcomeReason, { code: 'stale' | 'already_applied' }> | null;

/** The apply's local session: its client, its backend's pid, and whether a statement is stuck on it. */
interface Session {
  client?: pg.Client;
  pid: number | null;
  /** A link's proof did not return (the server could not interrupt it): no ROLLBACK can pass it. */
  stuck: boolean;
}

/**
 * One transaction (see runTransaction), then its session is closed; a session that could not be
 * closed politely (a statement the server could not interrupt) is ended from another connection, or
 * named in the outcome as left running, never reported as rolled back.
 */
async function applyUnderLock(
  database: DesiredDatabase,
  remoteSchemas: Record<string, RemoteSchema>,
  options: ApplyOptions,
  outcome: Outcome,
  decide: Decide,
  onFailure?: (error: unknown) => void,
): Promise<DatabaseOutcome> {
  const session: Session = { pid: null, stuck: false };
  const result = await runTransaction(session, database, remoteSchemas, options, outcome, decide, onFailure);
  const ended = await closeQuietly(session.client);
  if (ended || session.pid === null) return result;
  const left = await endSession(database.target, session.pid, options);
  return left ? { ...result, left } : result;
}

/**
 * One transaction: take the apply lock, re-read the local catalogs under it, plan, ask `decide`
 * whether to go on (a refusal rolls back), run the statements, prove the links, commit. Any error
 * rolls back; `onFailure` is told of an error that came before planning. The caller closes the session.
 */
async function runTransaction(
  session: Session,
  database: DesiredDatabase,
  remoteSchemas: Record<string, RemoteSchema>,
  options: ApplyOptions,
  outcome: Outcome,
  decide: Decide,
  onFailure?: (error: unknown) => void,
): Promise<DatabaseOutcome> {
  let client: pg.Client | undefined;
  let planned = false;
  // The statement being run, its link, and how to show it: named in the error if it fails.
  let running: number | undefined;
  let runningLink: string | null = null;
  let maskedSql: (index: number) => string = () => '';
  try {
    // Ctrl-C (options.signal) makes the connection send PostgreSQL a cancel request for the running
    // statement (a lock wait included); the statement then fails here and the transaction rolls back.
    client = await connect(database.target, options);
    session.client = client;
    await client.query('BEGIN');
    const set = await client.query<{ pid: number }>(
      `SELECT pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.set_config('statement_timeout', $2, true),
              pg_catalog.set_config('idle_in_transaction_session_timeout', $2, true), ${WATCH_CLIENT_SQL},
              pg_catalog.pg_backend_pid() AS pid`,
      [options.lockTimeout, options.statementTimeout],
    );
    session.pid = set.rows[0]?.pid ?? null;
    if (!(await takeApplyLock(client))) {
      await rollback(client);
      return outcome({ code: 'lock_timeout', waited: options.lockTimeout });
    }
    const observed = await observeDatabase(database, client, Promise.resolve(remoteSchemas), plannerRules(options.planOptions));
    const replanned = planDatabase(database, observed, options.planOptions);
    planned = true;
    const refusal = decide(observed, replanned);
    if (refusal) {
      await rollback(client);
      return outcome(refusal);
    }
    if (observed.local.ok) await quietStatementLogging(client, observed.local.catalog.environment);
    // Generated statements run in the pinned session (search_path = pg_catalog, pg_temp, the login
    // role): never with the database's own search_path or role, which its owner chose. They name the
    // extension's schema and qualify their types.
    // The remote password goes straight from the link's parsed URL into the user mapping's SQL; a SCRAM
    // pass-through link's password (if its URL has one) is only for reading the remote from here.
    const passwordFor = (name: string) => {
      const link = database.links.find((l) => l.name === name);
      return link?.remote.auth === 'scram_passthrough' ? null : (link?.remote.target.password ?? null);
    };
    const context: SqlContext = { passwordFor, now: options.now(), cascade: options.allowDependentDrops };
    const statements = renderDatabaseSql(replanned, context);
    // Shown only if a statement fails: rendered then, with the password masked.
    maskedSql = (index) => renderDatabaseSql(replanned, { ...context, passwordFor: MASKED_CONTEXT.passwordFor })[index]?.sql ?? '';
    await executeStatements(
      client,
      statements.map((statement) => statement.sql),
      {
        onRunning: (index) => {
          running = index;
          runningLink = statements[index]?.link ?? null;
        },
        onDone: (index) => options.onProgress?.(database.alias, index + 1, statements.length),
        stop: () => Boolean(options.signal?.aborted),
      },
    );
    if (options.signal?.aborted) throw new Interrupted();
    const broken = options.verifyTimeoutMs === null ? [] : await verifyLinks(client, database, replanned, options.verifyTimeoutMs, options);
    session.stuck = broken.some((health) => health.failure?.code === 'stalled');
    // Ctrl-C during the proof cancels it, which would otherwise read as a link that does not work.
    if (options.signal?.aborted) throw new Interrupted();
    if (broken.length > 0) {
      if (!session.stuck) await rollback(client);
      return outcome({ code: 'link_unusable', links: broken });
    }
    await client.query('COMMIT');
    return outcome({ code: 'applied' }, statements.length);
  } catch (error) {
    if (!session.stuck) await rollback(client);
    if (!planned) onFailure?.(error);
    if (error instanceof Interrupted || options.signal?.aborted) return outcome({ code: 'interrupted', by: interruptOf(options.signal) });
    if (error instanceof ConnectionFailed) {
      return outcome({ code: 'connect_failed', where: error.where, reason: error.reason, hint: error.hint ?? null });
    }
    const statement = (running === undefined ? '' : maskedSql(running)) || null;
    if (error instanceof NoAnswer) {
      return outcome({ code: 'no_answer', link: runningLink, message: error.message, hint: error.hint, statement });
    }
    const server = error instanceof pg.DatabaseError ? error : null;
    return outcome({
      code: 'statement_failed',
      link: runningLink,
      sqlstate: sqlstateOf(error) ?? null,
      message: messageOf(error),
      detail: server?.detail || null,
      serverHint: server?.hint ?? null,
      statement,
    });
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
  'scram_login_missing',
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
  options: ConnectOptions,
): Promise<LinkHealth[]> {
  const changed = new Set(plan.changes.filter((change) => change.action !== 'destroy').map((change) => change.link));
  // One link per remote connection: links with the same URL and server options connect alike, and
  // each probed link holds its own connection from the local server to the remote until COMMIT
  // (postgres_fdw cannot close a connection the transaction used). A hundred links to one remote
  // would otherwise hold a hundred connections and could exhaust its max_connections.
  const byConnection = new Map<string, string>();
  for (const link of database.links) {
    if (!changed.has(link.name)) continue;
    const key = JSON.stringify([link.remote.target.url, link.serverOptions, link.remote.auth ?? 'password']);
    if (!byConnection.has(key)) byConnection.set(key, link.name);
  }
  // The remotes were read before the transaction; one whose wrapper the server cannot interrupt while
  // it connects is reached again now, just before the server is asked to connect to it.
  const health = await probeLinks(client, [...byConnection.values()], {
    statementTimeoutMs: timeoutMs,
    signal: options.signal,
    reach: remoteReacher(database, options),
    scramLogin: loggedInWithScram(client),
  });
  return health.filter((h) => h.failure && BROKEN.has(h.failure.code));
}

async function rollback(client: pg.Client | undefined): Promise<void> {
  await client?.query('ROLLBACK').catch(() => undefined);
}

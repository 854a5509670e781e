/**
 * Where a no-op plan's milliseconds go: Node's start, loading the CLI, parsing the file, each
 * connection (with its session set-up), each query's time on the server (pg_stat_statements), planning
 * and rendering; what is left is reading the answers (the pg driver's parsing) and waiting between them.
 * The stages after start-up are timed in this process with the CLI's own modules; the queries' server
 * time is read from pg_stat_statements after a real `datalinks plan`.
 */
import { readFileSync } from 'node:fs';
import { runPlan } from '../src/cli/run-plan.js';
import { parseConfig } from '../src/config/load-config.js';
import { closeQuietly, connect } from '../src/db/connect.js';
import { withPlainClient } from '../src/db/plain-client.js';
import { planChanges } from '../src/plan/plan-changes.js';
import { renderPlanText } from '../src/render/plan-text.js';
import { buildPlanView } from '../src/render/plan-view.js';

export interface Phase {
  name: string;
  ms: number;
  /** Paid by every plan whatever the number of tables: loading the CLI, connecting. */
  fixed?: true;
}

export interface QueryTime {
  query: string;
  calls: number;
  ms: number;
}

const ms = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

async function timedMs<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return [ms(started), value];
}

/** The server time of every statement since the last reset, from pg_stat_statements (all databases). */
export async function statementTimes(adminUrl: string): Promise<QueryTime[]> {
  return withPlainClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ query: string; calls: string; ms: number }>(
      `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls, total_exec_time + total_plan_time AS ms
         FROM pg_stat_statements
        WHERE query NOT LIKE '%pg_stat_statements%'
        ORDER BY total_exec_time DESC`,
    );
    return rows.map((row) => ({ query: row.query.trim().slice(0, 80), calls: Number(row.calls), ms: Number(row.ms) }));
  });
}

export async function resetStatementTimes(adminUrl: string): Promise<void> {
  await withPlainClient(adminUrl, async (client) => {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
  });
}

/** The in-process stages of one no-op plan of `configPath` (median of `runs`). */
export async function inProcessPhases(configPath: string, env: NodeJS.ProcessEnv, runs: number): Promise<Phase[]> {
  const samples: Phase[][] = [];
  const bytes = readFileSync(configPath);
  for (let run = 0; run <= runs; run++) {
    const [parseMs, parsed] = await timedMs(() => parseConfig(configPath, bytes, env));
    if (!parsed.ok) throw new Error('benchmark config is invalid');
    const desired = parsed.value;
    const database = desired.databases[0];
    const link = database?.links[0];
    if (!database || !link) throw new Error('benchmark config has no link');
    const connectOptions = { connectTimeoutMs: 10_000 };
    const [localMs, local] = await timedMs(() => connect(database.target, connectOptions));
    await closeQuietly(local);
    const [remoteMs, remote] = await timedMs(() => connect(link.remote.target, connectOptions));
    await closeQuietly(remote);
    const { plan, observed, planOptions } = await runPlan(desired, { ...connectOptions, parallelism: 4, planOptions: {} });
    const [planMs] = await timedMs(() => planChanges(desired, observed, planOptions));
    const [renderMs] = await timedMs(() => renderPlanText(buildPlanView(plan)));
    // The first run warms the modules up, as a real run's single pass is warm only once.
    if (run > 0)
      samples.push([
        { name: 'parse and validate the file', ms: parseMs },
        { name: 'connect to the local database (with session set-up)', ms: localMs, fixed: true },
        { name: 'connect to the remote (with session set-up)', ms: remoteMs, fixed: true },
        { name: 'plan (compare desired with observed)', ms: planMs },
        { name: 'render the plan as text', ms: renderMs },
      ]);
  }
  const first = samples[0] ?? [];
  return first.map((phase, i) => ({ ...phase, ms: medianOf(samples.map((s) => s[i]?.ms ?? 0)) }));
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export interface Breakdown {
  phases: Phase[];
  /** The statements of one no-op plan, slowest first, with their server time. */
  queries: QueryTime[];
  serverMs: number;
  /** The plan's wall time beyond Node's start and its queries' server time: datalinks' own. */
  ownMs: number;
}

/**
 * The no-op plan of `configPath` taken apart. `planMs` and `nodeMs` are the medians measured outside;
 * `runPlanCli` runs the real `datalinks plan`, `runHelp` the real `datalinks plan --help` (start-up and
 * module load without any database work).
 */
export async function noopBreakdown(options: {
  adminUrl: string;
  configPath: string;
  env: NodeJS.ProcessEnv;
  planMs: number;
  nodeMs: number;
  runs: number;
  runPlanCli: () => Promise<unknown>;
  runHelp: () => Promise<{ ms: number }>;
}): Promise<Breakdown> {
  const { adminUrl, runs } = options;
  const help: number[] = [];
  for (let i = 0; i <= runs; i++) help.push((await options.runHelp()).ms);
  const totals: number[] = [];
  let queries: QueryTime[] = [];
  for (let i = 0; i < runs; i++) {
    await resetStatementTimes(adminUrl);
    await options.runPlanCli();
    queries = await statementTimes(adminUrl);
    totals.push(queries.reduce((sum, q) => sum + q.ms, 0));
  }
  const serverMs = medianOf(totals);
  const inProcess = await inProcessPhases(options.configPath, options.env, runs);
  const moduleMs = Math.max(0, medianOf(help.slice(1)) - options.nodeMs);
  const statements = queries.reduce((sum, q) => sum + q.calls, 0);
  const known: Phase[] = [
    { name: 'Node start (`node -e 0`)', ms: options.nodeMs },
    { name: 'load the CLI (`plan --help` − Node start)', ms: moduleMs, fixed: true },
    ...inProcess,
    { name: `the queries' time on the server (${statements} statements, pg_stat_statements)`, ms: serverMs },
  ];
  const accounted = known.reduce((sum, phase) => sum + phase.ms, 0);
  const phases = [
    ...known,
    { name: 'the rest: reading and decoding answers, waiting on the network', ms: Math.max(0, options.planMs - accounted) },
  ];
  return { phases, queries, serverMs, ownMs: options.planMs - options.nodeMs - serverMs };
}

import { checkDatabase } from '../check/check-database.js';
import { buildCheckReport, isBroken } from '../check/check-report.js';
import { countRowsNotRead } from '../check/rows-not-read.js';
import { type CheckOutputFlags, checkFormatOf, checkOutPath, emitCheckReport } from './check-output.js';
import { durationMs } from './durations.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { loadDesiredOrThrow } from './load-desired.js';
import type { CommonOptions, ConnectionFlags, SelectionOptions } from './options.js';
import type { Output } from './output.js';
import { runFanout } from './parallelism.js';
import { runPlan } from './run-plan.js';

export interface CheckFlags extends CommonOptions, ConnectionFlags, SelectionOptions, CheckOutputFlags {
  statementTimeout: string;
  detailedExitcode?: boolean;
}

/**
 * Proves every link of the file from its local server (probe) and compares it with the file (a
 * read-only plan), both at once; then, for working links with columns whose longer values a read
 * through the link would not return, counts such rows on the remote. Changes nothing: the probes run
 * in transactions that are rolled back.
 */
export async function runCheckCommand(options: CheckFlags, output: Output, signal?: AbortSignal): Promise<number> {
  const startedAt = Date.now();
  checkFormatOf(options);
  await checkOutPath(options);
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env, { links: options.link, shard: options.shard });
  const connectTimeoutMs = durationMs(options.connectTimeout);
  // The plan and the probes share the run's Fanout: together they keep within each server's share of slots.
  const fanout = await runFanout(desired.databases, options, output);
  const [{ plan }, probed] = await Promise.all([
    runPlan(desired, {
      connectTimeoutMs,
      signal,
      parallelism: options.parallelism,
      fanout,
      planOptions: { target: desired.links ?? undefined },
    }),
    fanout.map(
      desired.databases,
      (database) => database.target,
      (database) => checkDatabase(database, { connectTimeoutMs, signal, statementTimeoutMs: durationMs(options.statementTimeout) }),
    ),
  ]);
  // Rows a read through a working link would miss: counted on the remotes, only where the plan noted a limit.
  const working = (alias: string) => {
    const health = probed.find((p) => p.alias === alias);
    return new Set(health?.ok ? health.links.filter((link) => link.state === 'ok').map((link) => link.link) : []);
  };
  const rowsNotRead = (
    await fanout.map(
      desired.databases,
      (database) => database.target,
      (database) =>
        countRowsNotRead(
          database.links.filter((link) => working(database.alias).has(link.name)),
          plan.databases.find((p) => p.alias === database.alias),
          { connectTimeoutMs, statementTimeoutMs: durationMs(options.statementTimeout) },
        ),
    )
  ).flat();
  // Interrupted, the report is still printed: it names any session that could not be ended.
  const report = buildCheckReport(desired, plan, probed, rowsNotRead);
  await emitCheckReport(report, options, { desired, startedAt, signal }, output);
  const links = report.databases.flatMap((db) => db.links);
  if (report.databases.some((db) => db.error || db.left) || links.some((link) => isBroken(link.state))) return EXIT_ERROR;
  if (!options.detailedExitcode) return EXIT_OK;
  // A link check could not vouch for is not "no drift": --detailed-exitcode's 0 means every link was compared and proven.
  if (links.some((link) => link.state === 'unknown')) return EXIT_ERROR;
  return links.some((link) => link.state === 'drift') ? EXIT_CHANGES : EXIT_OK;
}

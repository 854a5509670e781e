import { checkDatabase } from '../check/check-database.js';
import { buildCheckReport, isBroken } from '../check/check-report.js';
import { renderCheckText, toCheckDocument } from '../render/check-view.js';
import { escapeJson } from '../render/escape.js';
import { ansiPaint, plainPaint } from '../render/style.js';
import { durationMs } from './durations.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { mapLimited } from './limit.js';
import { loadDesiredOrThrow } from './load-desired.js';
import type { CommonOptions, ConnectionFlags, SelectionOptions } from './options.js';
import type { Output } from './output.js';
import { runPlan } from './run-plan.js';

export interface CheckFlags extends CommonOptions, ConnectionFlags, SelectionOptions {
  json?: boolean;
  statementTimeout: string;
  detailedExitcode?: boolean;
}

/**
 * Proves every link of the file from its local server (probe) and compares it with the file (a
 * read-only plan), both at once. Changes nothing: the probes run in transactions that are rolled back.
 */
export async function runCheckCommand(options: CheckFlags, output: Output): Promise<number> {
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env, { links: options.link, shard: options.shard });
  const connectTimeoutMs = durationMs(options.connectTimeout);
  const [{ plan }, probed] = await Promise.all([
    runPlan(desired, { connectTimeoutMs, parallelism: options.parallelism, planOptions: { target: desired.links ?? undefined } }),
    mapLimited(desired.databases, options.parallelism, (database) =>
      checkDatabase(database, { connectTimeoutMs, statementTimeoutMs: durationMs(options.statementTimeout) }),
    ),
  ]);
  const report = buildCheckReport(desired, plan, probed);
  // JSON.stringify writes C1 controls and bidi overrides raw: escapeJson writes them as \u escapes, the same JSON.
  if (options.json) output.out(`${escapeJson(JSON.stringify(toCheckDocument(report), null, 2))}\n`, 'json');
  else output.out(renderCheckText(report, output.color ? ansiPaint : plainPaint));
  const links = report.databases.flatMap((db) => db.links);
  if (report.databases.some((db) => db.error) || links.some((link) => isBroken(link.state))) return EXIT_ERROR;
  return options.detailedExitcode && links.some((link) => link.state === 'drift') ? EXIT_CHANGES : EXIT_OK;
}

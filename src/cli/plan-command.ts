import { toPlanDocument } from '../plan/plan-document.js';
import type { Plan } from '../plan/types.js';
import { buildPlanView } from '../render/plan-view.js';
import { MASKED_CONTEXT, renderDatabaseSql } from '../sql/render-sql.js';
import type { CommonOptions, ConnectionFlags } from './commands.js';
import { durationMs } from './durations.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { loadDesiredOrThrow } from './load-desired.js';
import type { Output } from './output.js';
import { runPlan } from './run-plan.js';
import { createUi } from './ui.js';
import { checkWritablePath, writeFileAtomically } from './write-file-atomically.js';

export interface PlanFlags extends CommonOptions, ConnectionFlags {
  json?: boolean;
  sql?: boolean;
  out?: string;
  detailedExitcode?: boolean;
  adopt?: boolean;
}

export async function runPlanCommand(options: PlanFlags, output: Output): Promise<number> {
  if (options.out) await checkWritablePath(options.out);
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env);
  const ui = options.json ? undefined : await createUi(output);
  const reading = ui?.trackReading(desired.databases.map((db) => db.alias));
  const { plan } = await runPlan(desired, {
    connectTimeoutMs: durationMs(options.connectTimeout),
    parallelism: options.parallelism,
    planOptions: { adopt: options.adopt },
    fingerprints: Boolean(options.json || options.out),
    onDatabase: reading?.update,
  }).finally(() => reading?.stop());
  const document = toPlanDocument(plan, desired, new Date().toISOString());
  if (options.json) output.out(`${JSON.stringify(document, null, 2)}\n`);
  else {
    ui?.showPlan(buildPlanView(plan));
    if (options.sql) output.out(renderSqlText(plan));
  }
  if (options.out) {
    await writeFileAtomically(options.out, `${JSON.stringify(document, null, 2)}\n`);
    if (!options.json) output.out(`\nSaved the plan to ${options.out}. Apply exactly this plan with: datalinks apply ${options.out}\n`);
  }
  if (plan.databases.some((db) => db.errors.length > 0)) return EXIT_ERROR;
  const changes = plan.summary.create + plan.summary.update + plan.summary.destroy;
  return options.detailedExitcode && changes > 0 ? EXIT_CHANGES : EXIT_OK;
}

export function renderSqlText(plan: Plan): string {
  const out: string[] = [];
  for (const database of plan.databases) {
    const statements = renderDatabaseSql(database, MASKED_CONTEXT);
    if (statements.length === 0) continue;
    out.push(`\n-- database ${database.alias}`, 'BEGIN;', ...statements.map((s) => `${s.sql};`), 'COMMIT;');
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

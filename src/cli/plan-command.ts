import { UserError } from '../errors.js';
import { renderPlanMarkdown, whereToSeeAll } from '../render/markdown.js';
import type { MarkdownLimit } from '../render/markdown-fit.js';
import { renderPlanJson } from '../render/plan-json.js';
import { buildPlanView } from '../render/plan-view.js';
import { renderSqlText } from '../render/sql-text.js';
import { connectionBounds } from './durations.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { annotate, appendStepSummary, pullRequestCommentLimit, runUrl } from './github.js';
import { throwIfInterrupted } from './interruptible.js';
import { loadDesiredOrThrow, planSelection } from './load-desired.js';
import type { CommonOptions, ConnectionFlags, SelectionOptions } from './options.js';
import type { Output } from './output.js';
import { runFanout } from './parallelism.js';
import { planAnnotations } from './plan-annotations.js';
import { runPlan } from './run-plan.js';
import { createUi } from './ui.js';
import { checkWritablePath, writeFileAtomically } from './write-file-atomically.js';

export interface PlanFlags extends CommonOptions, ConnectionFlags, SelectionOptions {
  json?: boolean;
  markdown?: boolean;
  sql?: boolean;
  out?: string;
  detailedExitcode?: boolean;
  adopt?: boolean;
}

export async function runPlanCommand(options: PlanFlags, output: Output, signal?: AbortSignal): Promise<number> {
  if (options.json && options.markdown) throw new UserError('conflicting_flags', '--json and --markdown cannot be used together');
  if (options.out) await checkWritablePath(options.out);
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env, { links: options.link, shard: options.shard });
  const ui = options.json || options.markdown ? undefined : await createUi(output);
  const fanout = await runFanout([...desired.databases, ...desired.unselected], options, output);
  const reading = ui?.trackReading(desired.databases.map((db) => db.alias));
  const { plan } = await runPlan(desired, {
    ...connectionBounds(options),
    signal,
    parallelism: options.parallelism,
    fanout,
    planOptions: { adopt: options.adopt, target: desired.links ?? undefined },
    selection: planSelection(desired),
    unselected: desired.unselected,
    fingerprints: Boolean(options.json || options.out),
    onDatabase: reading?.update,
  }).finally(() => reading?.stop());
  // Reads cut short by a signal make no plan worth showing or saving.
  if (signal) throwIfInterrupted(signal);
  const created = new Date().toISOString();
  // Built only when printed or saved: at 10,000 foreign tables the document is megabytes of JSON.
  const json = () => renderPlanJson(plan, desired, created);
  const view = buildPlanView(plan);
  const markdown = (fit: MarkdownLimit) =>
    renderPlanMarkdown(plan, view, { configPath: options.config, title: 'datalinks plan', marker: true, fit });
  const env = output.env;
  if (options.json) output.out(json(), 'json');
  else if (options.markdown) {
    // For a pull-request comment: where to see what does not fit in it.
    const whereAll = whereToSeeAll({ jobSummary: env.GITHUB_STEP_SUMMARY ? { runUrl: runUrl(env) } : undefined, savedPlan: options.out });
    output.out(markdown(pullRequestCommentLimit(whereAll)) ?? '', 'markdown');
  } else {
    ui?.showPlan(view);
    if (options.sql) output.out(renderSqlText(plan), 'sql');
  }
  annotate(output, planAnnotations(plan, desired));
  // The job log has the whole plan, unless it was printed as (cut) markdown.
  await appendStepSummary(output, markdown, whereToSeeAll({ savedPlan: options.out, jobLog: !options.markdown }));
  if (options.out) {
    await writeFileAtomically(options.out, json());
    if (!options.json && !options.markdown)
      output.out(`\nSaved the plan to ${options.out}. Apply exactly this plan with: datalinks apply ${options.out}\n`);
  }
  if (plan.databases.some((db) => db.errors.length > 0)) return EXIT_ERROR;
  const changes = plan.summary.create + plan.summary.update + plan.summary.destroy;
  return options.detailedExitcode && changes > 0 ? EXIT_CHANGES : EXIT_OK;
}

import { type ApplyOptions, applyDatabase, type DatabaseOutcome, isFailure, planAndApplyDatabase } from '../apply/apply-database.js';
import { validate as validatePlanSchema } from '../config/generated/validate-plan.js';
import { readRegularFile } from '../config/read-regular-file.js';
import { formatShard } from '../config/select.js';
import { showValue } from '../config/show-value.js';
import type { DesiredDatabase, DesiredState } from '../config/types.js';
import { BugError, UserError } from '../errors.js';
import { safe } from '../escape.js';
import { RemoteReader } from '../introspect/observe.js';
import type { OtherAliases } from '../introspect/types.js';
import { hasChanges, summarize } from '../plan/plan-changes.js';
import { fromPlanDocument, PLAN_FORMAT_VERSION, type PlanDocument } from '../plan/plan-document.js';
import type { DatabasePlan, Plan, PlanSelection } from '../plan/types.js';
import { renderApplyMarkdown, whereToSeeAll } from '../render/markdown.js';
import { outcomeWords } from '../render/outcome-words.js';
import { closingLine, outcomeLine, renderOutcomes } from '../render/outcomes.js';
import { buildPlanView, type PlanView, type PlanViewOptions } from '../render/plan-view.js';
import { connectionBounds, durationMs } from './durations.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { type Annotation, annotate, appendStepSummary } from './github.js';
import { throwIfInterrupted } from './interruptible.js';
import { loadDesiredOrThrow, planSelection, type Selection } from './load-desired.js';
import type { CommonOptions, ConnectionFlags, SelectionOptions } from './options.js';
import { readOtherAliases } from './other-aliases.js';
import type { Output } from './output.js';
import { type Fanout, runFanout } from './parallelism.js';
import { planAnnotations } from './plan-annotations.js';
import { runPlan } from './run-plan.js';
import { createUi, type Ui } from './ui.js';

export interface ApplyFlags extends CommonOptions, ConnectionFlags, SelectionOptions {
  autoApprove?: boolean;
  /** --no-verify: commit without proving the links from the local server. */
  verify: boolean;
  allowDependentDrops?: boolean;
  adopt?: boolean;
  lockTimeout: string;
}

/**
 * `signal` (a signal the process received, see interruptible.ts) cancels the running statements on
 * the servers (remote reads too), and each database rolls back and closes.
 */
export async function runApplyCommand(
  planFile: string | undefined,
  options: ApplyFlags,
  output: Output,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const ui = await createUi(output);
  if (planFile) return applySavedPlan(planFile, options, output, ui, signal);
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env, { links: options.link, shard: options.shard });
  return applySelection(desired, options, output, ui, signal);
}

/**
 * Plans the selected databases, shows the plan, asks, and applies it (`apply` without a plan file,
 * and `destroy`, whose selection wants no links). `--auto-approve` on one database plans under the lock.
 */
export async function applySelection(
  desired: Selection,
  options: ApplyFlags,
  output: Output,
  ui: Ui,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const fanout = await runFanout([...desired.databases, ...desired.unselected], options, output);
  const [only, ...others] = desired.databases;
  if (options.autoApprove && only && others.length === 0) return planAndApply(desired, only, options, output, ui, fanout, signal);
  const reading = ui.trackReading(desired.databases.map((db) => db.alias));
  const { plan, planOptions } = await runPlan(desired, {
    ...connectionBounds(options),
    signal,
    parallelism: options.parallelism,
    fanout,
    planOptions: { adopt: options.adopt, target: desired.links ?? undefined },
    selection: planSelection(desired),
    unselected: desired.unselected,
    onDatabase: reading.update,
  }).finally(() => reading.stop());
  throwIfInterrupted(signal);
  const view = buildPlanView(plan, viewOptions(options));
  ui.showPlan(view);
  annotate(output, planAnnotations(plan, desired));
  if (!hasWork(plan)) return finishWithoutWork(plan, view, desired, output);
  if (!options.autoApprove && !(await ui.confirm(view, signal))) {
    output.err('\nApply cancelled: nothing was changed.\n');
    return EXIT_ERROR;
  }
  return runApplies(plan, desired, options, output, ui, false, planOptions.otherAliases, fanout, signal);
}

/**
 * `--auto-approve` with one database and no plan file: the plan is made under the apply lock, shown,
 * and applied in the same transaction (planAndApplyDatabase), so the local catalogs and the remote
 * are read once instead of twice and there is no earlier plan to compare with. With several
 * databases the plans are made first, as without --auto-approve: two aliases of one database must
 * both be refused (planChanges) before either is applied.
 */
async function planAndApply(
  desired: Selection,
  database: DesiredDatabase,
  options: ApplyFlags,
  output: Output,
  ui: Ui,
  fanout: Fanout,
  signal: AbortSignal,
): Promise<number> {
  // Read before the lock: who the file's other databases are (-d), so that the plan made under it can refuse an alias.
  const otherAliases = await readOtherAliases(desired.unselected, {
    ...connectionBounds(options),
    signal,
    parallelism: options.parallelism,
    fanout,
  });
  const tracker = ui.trackReading([database.alias]);
  let reading: typeof tracker | undefined = tracker;
  const stopReading = () => {
    reading?.stop();
    reading = undefined;
  };
  let progress: ReturnType<Ui['trackApply']> | undefined;
  let view: PlanView | undefined;
  let plan: Plan | undefined;
  const show = (planned: DatabasePlan) => {
    stopReading();
    plan = { databases: [planned], summary: summarize([planned]), selection: planSelection(desired) };
    view = buildPlanView(plan, viewOptions(options));
    ui.showPlan(view);
    annotate(output, planAnnotations(plan, desired));
    if (hasWork(plan)) progress = ui.trackApply(databasesToApply(plan).map((db) => db.alias));
  };
  let outcome: DatabaseOutcome;
  try {
    const remotes = new RemoteReader(desired, { ...connectionBounds(options), signal });
    ({ outcome } = await planAndApplyDatabase(database, remotes, {
      ...applyOptions(options, false, otherAliases, desired.links),
      signal,
      onPlanned: show,
      onProgress: (alias, done, total) => progress?.progress(alias, done, total),
    }));
  } finally {
    stopReading();
  }
  // Ctrl-C before the plan was made: nothing to show but that.
  if (outcome.code === 'interrupted' && !plan)
    return reportOutcomes({ databases: [], summary: summarize([]) }, desired, options, output, [outcome]);
  if (!plan || !view) throw new BugError('apply ended without a plan');
  if (!hasWork(plan)) return finishWithoutWork(plan, view, desired, output);
  progress?.finish(outcome.alias, outcomeLine(outcome), isFailure(outcome));
  progress?.stop();
  return reportOutcomes(plan, desired, options, output, [outcome]);
}

/** apply knows whether objects outside the links will be dropped, and says which. */
function viewOptions(options: ApplyFlags): PlanViewOptions {
  return { dependentDrops: options.allowDependentDrops ? 'allowed' : 'refused' };
}

/**
 * Applies exactly a plan saved by `plan --out`, or refuses if anything changed since: each database
 * on its own (its configuration, then its state under the lock). The flags must say what the plan is:
 * the same --link as a targeted plan, its --shard if one is given, and -d only of databases it holds.
 */
async function applySavedPlan(planFile: string, options: ApplyFlags, output: Output, ui: Ui, signal: AbortSignal): Promise<number> {
  const document = await readPlanFile(planFile);
  const planned = document.databases.map((db) => db.name);
  checkSavedSelection(planFile, document.selection, planned, options);
  // The file read is -c or ./datalinks.yaml, never a path named by the plan: the plan is data.
  const aliases = options.database.length > 0 ? options.database : planned;
  const desired = await loadDesiredOrThrow(options.config, aliases, output.env, { links: document.selection.links ?? undefined });
  const plan = fromPlanDocument(document);
  plan.databases = plan.databases.filter((db) => aliases.includes(db.alias));
  const view = buildPlanView(plan, viewOptions(options));
  ui.showPlan(view);
  annotate(output, planAnnotations(plan, desired));
  if (!hasWork(plan)) {
    output.out('\nThis plan has nothing to apply.\n');
    await summarizeApply(output, plan, () => view, desired, [], 'This plan has nothing to apply.');
    return plan.databases.some((db) => db.errors.length > 0) ? EXIT_ERROR : EXIT_OK;
  }
  const fanout = await runFanout([...desired.databases, ...desired.unselected], options, output);
  const otherAliases = await readOtherAliases(desired.unselected, {
    ...connectionBounds(options),
    signal,
    parallelism: options.parallelism,
    fanout,
  });
  return runApplies(plan, desired, options, output, ui, true, otherAliases, fanout, signal);
}

/** A saved plan applied with flags that say something else is an error, before anything is read. */
function checkSavedSelection(planFile: string, saved: PlanSelection, planned: string[], options: ApplyFlags): void {
  const links = [...new Set(options.link)].sort();
  const savedLinks = saved.links ?? [];
  if (links.join('\0') !== savedLinks.join('\0')) {
    const shown = (names: string[]) => names.map((name) => `--link ${showValue(name)}`).join(' ');
    throw new UserError(
      'selection_mismatch',
      savedLinks.length === 0
        ? `${planFile} is not a targeted plan: it plans every link, and --link would apply only part of it`
        : links.length === 0
          ? `${planFile} is a targeted plan (${shown(savedLinks)}): apply it with the same --link, so that nobody applies part of a file by accident`
          : `${planFile} was made with ${shown(savedLinks)}, not ${shown(links)}`,
      [
        savedLinks.length === 0
          ? `apply it without --link: datalinks apply ${planFile}`
          : `datalinks apply ${planFile} ${shown(savedLinks)}`,
        'or make the plan you mean: datalinks plan --out FILE (with the --link you want)',
      ],
    );
  }
  if (options.shard && (!saved.shard || formatShard(saved.shard) !== formatShard(options.shard))) {
    throw new UserError(
      'selection_mismatch',
      `${planFile} is ${saved.shard ? `shard ${formatShard(saved.shard)}` : 'not a shard (it was made without --shard)'}, not shard ${formatShard(options.shard)}`,
      ["apply each shard's own plan: check which plan file the job downloaded"],
    );
  }
  const missing = options.database.filter((alias) => !planned.includes(alias));
  if (missing.length > 0) {
    const held = planned.length === 0 ? 'no database' : planned.map((alias) => showValue(alias)).join(', ');
    throw new UserError(
      'database_not_in_plan',
      `${missing.length === 1 ? 'database' : 'databases'} ${missing.map((alias) => showValue(alias)).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in ${planFile}, which holds ${held}`,
      ['give -d only databases the plan holds, or make a plan for that database: datalinks plan -d ALIAS --out FILE'],
    );
  }
}

/** A saved plan of 40,000 links is a few tens of MB; anything much larger is not one. */
const MAX_PLAN_BYTES = 256 * 1024 * 1024;

/** schemas/plan.schema.json, compiled ahead of time (scripts/compile-schema.mjs): a saved plan is data, checked whole. */
const validatePlan = validatePlanSchema as unknown as (data: unknown) => data is PlanDocument;

async function readPlanFile(path: string): Promise<PlanDocument> {
  const read = await readRegularFile(path, MAX_PLAN_BYTES, 'plan file');
  if (!read.ok) {
    throw new UserError('plan_unreadable', safe`cannot read the plan ${path}: it ${read.message}`, [
      read.hint,
      'make one with: datalinks plan --out FILE',
    ]);
  }
  let document: unknown;
  try {
    document = JSON.parse(read.bytes.toString('utf8'));
  } catch {
    // JSON.parse quotes the text around the error: never echo a file that may not be a plan at all.
    throw new UserError('plan_unreadable', `cannot read the plan ${path}: it is not JSON`, ['make one with: datalinks plan --out FILE']);
  }
  if (!validatePlan(document)) {
    const version = (document as { format_version?: unknown } | null)?.format_version;
    const other = typeof version === 'number' && version !== PLAN_FORMAT_VERSION ? `; it has format_version ${version}` : '';
    throw new UserError(
      'plan_invalid',
      `${path} is not a plan saved by this version of datalinks (format_version ${PLAN_FORMAT_VERSION}${other})`,
      ['make a new one with: datalinks plan --out FILE'],
    );
  }
  return document;
}

/** A plan with nothing to apply (no changes, or only databases with errors): say so and summarize. */
async function finishWithoutWork(plan: Plan, view: PlanView, desired: DesiredState, output: Output): Promise<number> {
  const closing = view.hasErrors ? 'Nothing was applied.' : 'Nothing to apply.';
  output.out(`\n${closing}\n`);
  await summarizeApply(output, plan, () => view, desired, [], closing);
  return view.hasErrors ? EXIT_ERROR : EXIT_OK;
}

/** Something can be applied: a database without errors that has changes. */
function hasWork(plan: Plan): boolean {
  return plan.databases.some((db) => db.errors.length === 0 && hasChanges(db));
}

/** The databases apply reports on: those with changes, and those refused for their errors. */
function databasesToApply(plan: Plan): DatabasePlan[] {
  return plan.databases.filter((db) => db.errors.length > 0 || hasChanges(db));
}

async function runApplies(
  plan: Plan,
  desired: DesiredState,
  options: ApplyFlags,
  output: Output,
  ui: Ui,
  saved: boolean,
  otherAliases: OtherAliases | undefined,
  fanout: Fanout,
  signal: AbortSignal,
): Promise<number> {
  const progress = ui.trackApply(databasesToApply(plan).map((db) => db.alias));
  const outcomes = await applyPlan(
    plan,
    desired,
    {
      ...applyOptions(options, saved, otherAliases, plan.selection?.links ?? null),
      // A saved plan that adopts servers was made with --adopt: apply re-plans the same way.
      planOptions: {
        adopt: options.adopt || plan.databases.some((db) => db.changes.some((c) => c.adopt)),
        otherAliases,
        target: plan.selection?.links ?? undefined,
      },
      onProgress: progress.progress,
      onOutcome: (o) => progress.finish(o.alias, outcomeLine(o), isFailure(o)),
    },
    fanout,
    signal,
  ).finally(() => progress.stop());
  return reportOutcomes(plan, desired, options, output, outcomes);
}

/** `otherAliases`: the file's databases not selected (-d), by identity: each re-plan under the lock refuses an alias of them. */
function applyOptions(
  options: ApplyFlags,
  saved: boolean,
  otherAliases: OtherAliases | undefined,
  target: string[] | null,
): Omit<ApplyOptions, 'signal'> {
  return {
    ...connectionBounds(options),
    lockTimeout: options.lockTimeout,
    statementTimeout: options.statementTimeout,
    allowDependentDrops: Boolean(options.allowDependentDrops),
    planOptions: { adopt: options.adopt, otherAliases, target: target ?? undefined },
    requireSameFingerprint: saved,
    now: () => new Date().toISOString(),
    // A link's proof waits at most 10s, or the statement timeout if that is shorter.
    verifyTimeoutMs: options.verify ? Math.min(durationMs(options.statementTimeout), 10_000) : null,
  };
}

/** Prints each database's outcome (and annotations, the job summary); returns the exit code. */
async function reportOutcomes(
  plan: Plan,
  desired: DesiredState,
  options: ApplyFlags,
  output: Output,
  outcomes: DatabaseOutcome[],
): Promise<number> {
  output.out(`\n${renderOutcomes(outcomes)}`);
  annotate(
    output,
    outcomes.filter(isFailure).map((o) => outcomeAnnotation(o, desired)),
  );
  // The view again only if GitHub wants a summary: at 10,000 tables it is not free.
  await summarizeApply(output, plan, () => buildPlanView(plan, viewOptions(options)), desired, outcomes, closingLine(outcomes));
  const failed = outcomes.some(isFailure);
  return failed || plan.databases.some((db) => db.errors.length > 0) ? EXIT_ERROR : EXIT_OK;
}

/**
 * Applies every database that has changes, each in its own transaction. `signal` cancels the running
 * statements on the servers (remote reads too); each database rolls back and closes.
 */
async function applyPlan(
  plan: Plan,
  desired: DesiredState,
  options: Omit<ApplyOptions, 'signal'> & { onOutcome?: (outcome: DatabaseOutcome) => void },
  fanout: Fanout,
  signal: AbortSignal,
): Promise<DatabaseOutcome[]> {
  const remotes = new RemoteReader(desired, { ...options, signal });
  const toApply = databasesToApply(plan).map((shown) => {
    const database = desired.databases.find((db) => db.alias === shown.alias);
    if (!database)
      throw new UserError('database_not_in_config', safe`the plan names database "${shown.alias}", which is not in the configuration`);
    return { shown, database };
  });
  return fanout.map(
    toApply,
    ({ database }) => database.target,
    async ({ shown, database }) => {
      const outcome = await applyDatabase(database, shown, remotes, { ...options, signal });
      options.onOutcome?.(outcome);
      return outcome;
    },
  );
}

/** GitHub Actions: a database that failed or was refused, annotated on its line of the config. */
function outcomeAnnotation(o: DatabaseOutcome, desired: DesiredState): Annotation {
  return {
    level: 'error',
    title: `datalinks apply: database ${o.alias}`,
    message: outcomeLine(o),
    hint: outcomeWords(o).hint,
    position: desired.databases.find((db) => db.alias === o.alias)?.position,
  };
}

/** The job summary (GITHUB_STEP_SUMMARY): the plan that was applied and each database's outcome. */
async function summarizeApply(
  output: Output,
  plan: Plan,
  view: () => PlanView,
  desired: DesiredState,
  outcomes: DatabaseOutcome[],
  closing: string,
): Promise<void> {
  const rows = outcomes.map((o) => ({ alias: o.alias, failed: isFailure(o), text: outcomeLine(o) }));
  // apply prints the whole plan to the job log before it applies it.
  await appendStepSummary(
    output,
    (fit) => renderApplyMarkdown(plan, view(), rows, closing, desired.configPath, fit),
    whereToSeeAll({ jobLog: true }),
  );
}

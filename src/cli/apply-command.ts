import { type ApplyOptions, applyDatabase, type DatabaseOutcome, isFailure } from '../apply/apply-database.js';
import { readRegularFile } from '../config/read-regular-file.js';
import type { DesiredState } from '../config/types.js';
import { UserError } from '../errors.js';
import { RemoteReader } from '../introspect/observe.js';
import { hasChanges } from '../plan/plan-changes.js';
import { fromPlanDocument, PLAN_FORMAT_VERSION, type PlanDocument } from '../plan/plan-document.js';
import type { DatabasePlan, Plan } from '../plan/types.js';
import { plural } from '../plural.js';
import { buildPlanView } from '../render/plan-view.js';
import type { CommonOptions, ConnectionFlags } from './commands.js';
import { durationMs } from './durations.js';
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';
import { mapLimited } from './limit.js';
import { loadDesiredOrThrow } from './load-desired.js';
import type { Output } from './output.js';
import { runPlan } from './run-plan.js';
import { createUi, type Ui } from './ui.js';

export interface ApplyFlags extends CommonOptions, ConnectionFlags {
  autoApprove?: boolean;
  allowDependentDrops?: boolean;
  adopt?: boolean;
  lockTimeout: string;
  statementTimeout: string;
}

export async function runApplyCommand(planFile: string | undefined, options: ApplyFlags, output: Output): Promise<number> {
  const ui = await createUi(output);
  if (planFile) return applySavedPlan(planFile, options, output, ui);
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env);
  const reading = ui.trackReading(desired.databases.map((db) => db.alias));
  const { plan } = await runPlan(desired, {
    connectTimeoutMs: durationMs(options.connectTimeout),
    parallelism: options.parallelism,
    planOptions: { adopt: options.adopt },
    onDatabase: reading.update,
  }).finally(() => reading.stop());
  const view = buildPlanView(plan);
  ui.showPlan(view);
  if (!hasWork(plan)) {
    output.out(view.hasErrors ? '\nNothing was applied.\n' : '\nNothing to apply.\n');
    return view.hasErrors ? EXIT_ERROR : EXIT_OK;
  }
  if (!options.autoApprove && !(await ui.confirm(view))) {
    output.err('\nApply cancelled: nothing was changed.\n');
    return EXIT_ERROR;
  }
  return runApplies(plan, desired, options, output, ui, false);
}

/** Applies exactly a plan saved by `plan --out`, or refuses if anything changed since. */
async function applySavedPlan(planFile: string, options: ApplyFlags, output: Output, ui: Ui): Promise<number> {
  const document = await readPlanFile(planFile);
  // The file read is -c or ./datalinks.yaml, never a path named by the plan: the plan is data.
  const configPath = options.config;
  const aliases = options.database.length > 0 ? options.database : document.databases.map((db) => db.name);
  const desired = await loadDesiredOrThrow(configPath, aliases, output.env);
  if (desired.configHash !== document.config.hash) {
    throw new UserError(
      'config_changed',
      `the configuration changed since this plan was made (${configPath} is not the file ${planFile} was planned from)`,
      ['run datalinks plan --out again, review it, and apply the new plan', 'if the plan was made from another file, pass it with -c FILE'],
    );
  }
  const plan = fromPlanDocument(document);
  plan.databases = plan.databases.filter((db) => aliases.includes(db.alias));
  ui.showPlan(buildPlanView(plan));
  if (!hasWork(plan)) {
    output.out('\nThis plan has nothing to apply.\n');
    return plan.databases.some((db) => db.errors.length > 0) ? EXIT_ERROR : EXIT_OK;
  }
  return runApplies(plan, desired, options, output, ui, true);
}

/** A saved plan of 40,000 links is a few tens of MB; anything much larger is not one. */
const MAX_PLAN_BYTES = 256 * 1024 * 1024;

async function readPlanFile(path: string): Promise<PlanDocument> {
  const read = await readRegularFile(path, MAX_PLAN_BYTES, 'plan file');
  if (!read.ok) {
    throw new UserError('plan_unreadable', `cannot read the plan ${path}: it ${read.message}`, [
      read.hint,
      'make one with: datalinks plan --out FILE',
    ]);
  }
  let document: PlanDocument;
  try {
    document = JSON.parse(read.bytes.toString('utf8')) as PlanDocument;
  } catch {
    // JSON.parse quotes the text around the error: never echo a file that may not be a plan at all.
    throw new UserError('plan_unreadable', `cannot read the plan ${path}: it is not JSON`, ['make one with: datalinks plan --out FILE']);
  }
  if (
    document?.format_version !== PLAN_FORMAT_VERSION ||
    !Array.isArray(document.databases) ||
    !document.databases.every((db) => typeof db?.name === 'string') ||
    typeof document.config?.hash !== 'string'
  ) {
    throw new UserError(
      'plan_invalid',
      `${path} is not a plan saved by this version of datalinks (format_version ${PLAN_FORMAT_VERSION})`,
      ['make a new one with: datalinks plan --out FILE'],
    );
  }
  return document;
}

/** Something can be applied: a database without errors that has changes. */
function hasWork(plan: Plan): boolean {
  return plan.databases.some((db) => db.errors.length === 0 && hasChanges(db));
}

/** The databases apply reports on: those with changes, and those refused for their errors. */
function databasesToApply(plan: Plan): DatabasePlan[] {
  return plan.databases.filter((db) => db.errors.length > 0 || hasChanges(db));
}

async function runApplies(plan: Plan, desired: DesiredState, options: ApplyFlags, output: Output, ui: Ui, saved: boolean): Promise<number> {
  const progress = ui.trackApply(databasesToApply(plan).map((db) => db.alias));
  const outcomes = await applyPlan(
    plan,
    desired,
    {
      connectTimeoutMs: durationMs(options.connectTimeout),
      lockTimeout: options.lockTimeout,
      statementTimeout: options.statementTimeout,
      allowDependentDrops: Boolean(options.allowDependentDrops),
      // A saved plan that adopts servers was made with --adopt: apply re-plans the same way.
      planOptions: { adopt: options.adopt || plan.databases.some((db) => db.changes.some((c) => c.adopt)) },
      requireSameFingerprint: saved,
      staleMessage: saved
        ? 'stale plan: the database changed since this plan was made, or the plan was already applied; nothing was applied'
        : 'state changed since plan: nothing was applied',
      now: () => new Date().toISOString(),
      onProgress: progress.progress,
      onOutcome: (o) => progress.finish(o.alias, outcomeLine(o), isFailure(o)),
    },
    options.parallelism,
  ).finally(() => progress.stop());
  output.out(`\n${renderOutcomes(outcomes)}`);
  if (outcomes.some((o) => o.interrupted)) return EXIT_INTERRUPTED;
  const failed = outcomes.some(isFailure);
  return failed || plan.databases.some((db) => db.errors.length > 0) ? EXIT_ERROR : EXIT_OK;
}

/** Applies every database that has changes, each in its own transaction; Ctrl-C rolls back. */
async function applyPlan(
  plan: Plan,
  desired: DesiredState,
  options: Omit<ApplyOptions, 'signal'> & { onOutcome?: (outcome: DatabaseOutcome) => void },
  parallelism: number,
): Promise<DatabaseOutcome[]> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  const remotes = new RemoteReader(desired, options);
  const passwords = new Map(
    desired.databases.flatMap((db) => db.links.map((l) => [`${db.alias}\0${l.name}`, l.remote.target.password] as const)),
  );
  try {
    return await mapLimited(databasesToApply(plan), parallelism, async (shown) => {
      const database = desired.databases.find((db) => db.alias === shown.alias);
      if (!database)
        throw new UserError('database_not_in_config', `the plan names database "${shown.alias}", which is not in the configuration`);
      const outcome = await applyDatabase(database, shown, remotes, (link) => passwords.get(`${shown.alias}\0${link}`) ?? null, {
        ...options,
        signal: controller.signal,
      });
      options.onOutcome?.(outcome);
      return outcome;
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function outcomeLine(o: DatabaseOutcome): string {
  return {
    applied: `Database ${o.alias}: applied ${plural(o.statements, 'statement')} in ${(o.elapsedMs / 1000).toFixed(1)}s.`,
    unchanged: `Database ${o.alias}: no changes.`,
    failed: `Database ${o.alias}: FAILED: ${o.message ?? ''}`,
    refused: `Database ${o.alias}: refused: ${o.message ?? ''}`,
  }[o.status];
}

export function renderOutcomes(outcomes: DatabaseOutcome[]): string {
  const lines = outcomes.map((o) => (o.hint ? `${outcomeLine(o)}\n    hint: ${o.hint}` : outcomeLine(o)));
  const applied = outcomes.filter((o) => o.status === 'applied').length;
  const bad = outcomes.filter(isFailure).length;
  lines.push(
    bad === 0
      ? `Apply complete: ${plural(applied, 'database')} changed.`
      : `Apply finished with errors: ${applied} applied, ${bad} not applied (each database is all or nothing).`,
  );
  return `${lines.join('\n')}\n`;
}

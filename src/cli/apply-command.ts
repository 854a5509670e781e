import { type ApplyOptions, applyDatabase, type DatabaseOutcome } from '../apply/apply-database.js';
import type { DesiredState } from '../config/types.js';
import { UserError } from '../errors.js';
import { RemoteReader } from '../introspect/observe.js';
import type { Plan } from '../plan/types.js';
import { buildPlanView } from '../render/plan-view.js';
import type { CommonOptions, ConnectionFlags } from './commands.js';
import { confirmApply } from './confirm.js';
import { durationMs } from './durations.js';
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';
import { mapLimited } from './limit.js';
import { loadDesiredOrThrow } from './load-desired.js';
import type { Output } from './output.js';
import { runPlan } from './run-plan.js';
import { showPlan } from './show-plan.js';

export interface ApplyFlags extends CommonOptions, ConnectionFlags {
  autoApprove?: boolean;
  allowDependentDrops?: boolean;
  adopt?: boolean;
  lockTimeout: string;
  statementTimeout: string;
}

export async function runApplyCommand(planFile: string | undefined, options: ApplyFlags, output: Output): Promise<number> {
  if (planFile) throw new UserError('not_supported', 'applying a saved plan is not supported yet');
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env);
  const connectTimeoutMs = durationMs(options.connectTimeout);
  const { plan } = await runPlan(desired, { connectTimeoutMs, parallelism: options.parallelism, planOptions: { adopt: options.adopt } });
  const view = buildPlanView(plan);
  await showPlan(view, output);
  const pending = plan.databases.filter((db) => db.errors.length === 0 && (db.changes.length > 0 || db.preamble.length > 0));
  if (pending.length === 0) {
    output.out(view.hasErrors ? '\nNothing was applied.\n' : '\nNothing to apply.\n');
    return view.hasErrors ? EXIT_ERROR : EXIT_OK;
  }
  if (!options.autoApprove) {
    if (!output.isTerminal) {
      throw new UserError('confirmation_required', 'apply needs a confirmation, and there is no terminal to ask in', [
        'review the plan above, then run again with --auto-approve (as in CI), or apply a reviewed plan file: datalinks plan --out plan.json; datalinks apply plan.json',
      ]);
    }
    if (!(await confirmApply(view))) {
      output.err('\nApply cancelled: the answer did not match. Nothing was changed.\n');
      return EXIT_ERROR;
    }
  }
  const outcomes = await applyPlan(
    plan,
    desired,
    {
      connectTimeoutMs,
      lockTimeout: options.lockTimeout,
      statementTimeout: options.statementTimeout,
      allowDependentDrops: Boolean(options.allowDependentDrops),
      planOptions: { adopt: options.adopt },
      requireSameFingerprint: false,
      now: () => new Date().toISOString(),
    },
    options.parallelism,
  );
  output.out(`\n${renderOutcomes(outcomes)}`);
  if (outcomes.some((o) => o.message?.startsWith('interrupted'))) return EXIT_INTERRUPTED;
  const failed = outcomes.some((o) => o.status === 'failed' || o.status === 'refused');
  return failed || view.hasErrors ? EXIT_ERROR : EXIT_OK;
}

/** Applies every database that has changes, each in its own transaction; Ctrl-C rolls back. */
export async function applyPlan(
  plan: Plan,
  desired: DesiredState,
  options: Omit<ApplyOptions, 'signal'>,
  parallelism: number,
): Promise<DatabaseOutcome[]> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const remotes = new RemoteReader(desired, options);
  const passwords = new Map(
    desired.databases.flatMap((db) => db.links.map((l) => [`${db.alias}\0${l.name}`, l.remote.target.password] as const)),
  );
  try {
    return await mapLimited(
      plan.databases.filter((db) => (db.errors.length === 0 ? db.changes.length > 0 || db.preamble.length > 0 : true)),
      parallelism,
      (shown) => {
        const database = desired.databases.find((db) => db.alias === shown.alias);
        if (!database)
          throw new UserError('database_not_in_config', `the plan names database "${shown.alias}", which is not in the configuration`);
        return applyDatabase(database, shown, remotes, (link) => passwords.get(`${shown.alias}\0${link}`) ?? null, {
          ...options,
          signal: controller.signal,
        });
      },
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function renderOutcomes(outcomes: DatabaseOutcome[]): string {
  const lines = outcomes.map((o) => {
    const head = {
      applied: `Database ${o.alias}: applied ${o.statements} statement${o.statements === 1 ? '' : 's'} in ${(o.elapsedMs / 1000).toFixed(1)}s.`,
      unchanged: `Database ${o.alias}: no changes.`,
      failed: `Database ${o.alias}: FAILED: ${o.message ?? ''}`,
      refused: `Database ${o.alias}: refused: ${o.message ?? ''}`,
    }[o.status];
    return o.hint ? `${head}\n    hint: ${o.hint}` : head;
  });
  const applied = outcomes.filter((o) => o.status === 'applied').length;
  const bad = outcomes.filter((o) => o.status === 'failed' || o.status === 'refused').length;
  lines.push(
    bad === 0
      ? `Apply complete: ${applied} database${applied === 1 ? '' : 's'} changed.`
      : `Apply finished with errors: ${applied} applied, ${bad} not applied (each database is all or nothing).`,
  );
  return `${lines.join('\n')}\n`;
}

import type { DesiredDatabase, DesiredState } from '../config/types.js';
import type { ConnectOptions } from '../db/connect.js';
import { observeDatabaseStandalone, RemoteReader } from '../introspect/observe.js';
import type { ObservedDatabase } from '../introspect/types.js';
import { planChanges } from '../plan/plan-changes.js';
import type { PlanOptions } from '../plan/plan-database.js';
import { plannerRules } from '../plan/planner-rules.js';
import type { Plan, PlanSelection } from '../plan/types.js';
import { readOtherAliases } from './other-aliases.js';
import { type Fanout, plainFanout } from './parallelism.js';

export interface RunPlanOptions extends ConnectOptions {
  parallelism: number;
  /** The run's Fanout (parallelism bounded by the machine and the servers); --parallelism as given without one. */
  fanout?: Fanout;
  planOptions: PlanOptions;
  /** What the run was limited to (--link, --shard): the plan records it. */
  selection?: PlanSelection;
  /** The file's databases not selected with -d: their identity is read, so that an alias of a selected one is refused. */
  unselected?: readonly DesiredDatabase[];
  /** Hash each database's observed state (for saved plans and --json; it costs time at scale). */
  fingerprints?: boolean;
  /** Told when each database starts and finishes introspection, for spinners. */
  onDatabase?: (alias: string, state: 'reading' | 'done' | 'error') => void;
}

/**
 * Introspects every database of the config (concurrently, bounded) and plans. The planning options it
 * returns (with the other aliases' identities) are the ones to re-plan with under the apply lock.
 */
export async function runPlan(
  desired: DesiredState,
  options: RunPlanOptions,
): Promise<{ plan: Plan; observed: ObservedDatabase[]; planOptions: PlanOptions }> {
  const remotes = new RemoteReader(desired, options);
  const fanout = options.fanout ?? plainFanout(options.parallelism);
  const [observed, otherAliases] = await Promise.all([
    fanout.map(
      desired.databases,
      (database) => database.target,
      async (database) => {
        options.onDatabase?.(database.alias, 'reading');
        const result = await observeDatabaseStandalone(database, remotes, options, plannerRules(options.planOptions));
        options.onDatabase?.(database.alias, result.local.ok ? 'done' : 'error');
        return result;
      },
    ),
    readOtherAliases(options.unselected ?? [], { ...options, fanout }),
  ]);
  const planOptions: PlanOptions = { ...options.planOptions, otherAliases };
  const plan = planChanges(desired, observed, { ...planOptions, fingerprints: options.fingerprints });
  if (options.selection) plan.selection = options.selection;
  return { plan, observed, planOptions };
}

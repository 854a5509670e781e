import type { DesiredState } from '../config/types.js';
import type { ConnectOptions } from '../db/connect.js';
import { observeDatabaseStandalone, RemoteReader } from '../introspect/observe.js';
import type { ObservedDatabase } from '../introspect/types.js';
import { planChanges } from '../plan/plan-changes.js';
import type { PlanOptions } from '../plan/plan-database.js';
import { plannerRules } from '../plan/planner-rules.js';
import type { Plan } from '../plan/types.js';
import { mapLimited } from './limit.js';

export interface RunPlanOptions extends ConnectOptions {
  parallelism: number;
  planOptions: PlanOptions;
  /** Hash each database's observed state (for saved plans and --json; it costs time at scale). */
  fingerprints?: boolean;
  /** Told when each database starts and finishes introspection, for spinners. */
  onDatabase?: (alias: string, state: 'reading' | 'done' | 'error') => void;
}

/** Introspects every database of the config (concurrently, bounded) and plans. */
export async function runPlan(desired: DesiredState, options: RunPlanOptions): Promise<{ plan: Plan; observed: ObservedDatabase[] }> {
  const remotes = new RemoteReader(desired, options);
  const observed = await mapLimited(desired.databases, options.parallelism, async (database) => {
    options.onDatabase?.(database.alias, 'reading');
    const result = await observeDatabaseStandalone(database, remotes, options, plannerRules(options.planOptions));
    options.onDatabase?.(database.alias, result.local.ok ? 'done' : 'error');
    return result;
  });
  const plan = planChanges(desired, observed, { ...options.planOptions, fingerprints: options.fingerprints });
  return { plan, observed };
}

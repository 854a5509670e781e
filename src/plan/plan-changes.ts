import type { DesiredState } from '../config/types.js';
import type { ObservedDatabase } from '../introspect/types.js';
import { type PlanOptions, planDatabase } from './plan-database.js';
import type { DatabasePlan, Plan, PlanSummary } from './types.js';

/** (desired, observed) → plan for every database in the config. Pure. */
export function planChanges(desired: DesiredState, observed: readonly ObservedDatabase[], options: PlanOptions = {}): Plan {
  const databases = desired.databases.map((database) => {
    const seen = observed.find((o) => o.alias === database.alias);
    if (!seen)
      return {
        alias: database.alias,
        preamble: [],
        changes: [],
        errors: [{ link: null, message: 'not introspected' }],
        notes: [],
        fingerprint: '',
      };
    return planDatabase(database, seen, options);
  });
  return { databases, summary: summarize(databases) };
}

export function summarize(databases: Plan['databases']): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, destroy: 0 };
  for (const database of databases) for (const change of database.changes) summary[change.action]++;
  return summary;
}

/** Whether applying this database's plan would run anything. */
export function hasChanges(database: DatabasePlan): boolean {
  return database.changes.length > 0 || database.preamble.length > 0;
}

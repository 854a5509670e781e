import type { DatabasePlan } from './types.js';

/** Whether two plans of one database would run the same operations. */
export function samePlannedChanges(a: DatabasePlan, b: DatabasePlan): boolean {
  return JSON.stringify([a.preamble, a.changes]) === JSON.stringify([b.preamble, b.changes]);
}

import { hasChanges } from './plan-changes.js';
import type { DatabasePlan } from './types.js';

/**
 * What apply decides before and after it re-reads a database, as pure functions of plans: apply only
 * talks to PostgreSQL and follows these answers.
 */

/**
 * Why apply stops before it runs anything, decided from the plan alone: it has errors, nothing to
 * do, or it would drop objects outside the links (their descriptions, as the catalog gave them).
 */
export type Refusal = { code: 'plan_has_errors' } | { code: 'unchanged' } | { code: 'refused_dependents'; dependents: string[] };

/** Whether a database's shown plan may be applied at all, before anything is read again: null when it may. */
export function refusalBeforeApply(shown: DatabasePlan, allowDependentDrops: boolean): Refusal | null {
  if (shown.errors.length > 0) return { code: 'plan_has_errors' };
  if (!hasChanges(shown)) return { code: 'unchanged' };
  const dependents = shown.changes.flatMap((change) => change.dependents);
  if (dependents.length > 0 && !allowDependentDrops)
    return { code: 'refused_dependents', dependents: dependents.map((d) => d.description) };
  return null;
}

/** Whether two plans of one database would run the same operations. */
export function samePlannedChanges(a: DatabasePlan, b: DatabasePlan): boolean {
  return JSON.stringify([a.preamble, a.changes]) === JSON.stringify([b.preamble, b.changes]);
}

/**
 * Whether the plan made again under the apply lock no longer is the one shown or saved: it has
 * errors, other operations, or (for a saved plan) the state it depends on changed (`fingerprint` is
 * the re-read state's; null when the shown plan was made in this run and only its operations count).
 */
export function isStale(shown: DatabasePlan, replanned: DatabasePlan, fingerprint: string | null): boolean {
  return (
    replanned.errors.length > 0 || !samePlannedChanges(replanned, shown) || (fingerprint !== null && fingerprint !== shown.fingerprint)
  );
}

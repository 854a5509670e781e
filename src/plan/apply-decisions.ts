import { plural } from '../plural.js';
import { hasChanges } from './plan-changes.js';
import type { DatabasePlan } from './types.js';

/**
 * What apply decides before and after it re-reads a database, as pure functions of plans: apply only
 * talks to PostgreSQL and follows these answers.
 */

export type ApplyStatus = 'applied' | 'unchanged' | 'failed' | 'refused';

/** How applying one database ended: the data render/outcomes.ts words. */
export interface DatabaseOutcome {
  alias: string;
  status: ApplyStatus;
  statements: number;
  elapsedMs: number;
  message?: string;
  hint?: string;
  /** Stopped by Ctrl-C (and rolled back). */
  interrupted?: boolean;
}

/** The database was not reconciled: an error, or a refusal (stale plan, dependents, plan errors). */
export function isFailure(outcome: DatabaseOutcome): boolean {
  return outcome.status === 'failed' || outcome.status === 'refused';
}

export type Refusal = { status: 'refused' | 'unchanged'; message?: string; hint?: string } | null;

/** Whether a database's shown plan may be applied at all, before anything is read again. */
export function refusalBeforeApply(shown: DatabasePlan, allowDependentDrops: boolean): Refusal {
  if (shown.errors.length > 0) return { status: 'refused', message: 'not applied: its plan has errors' };
  if (!hasChanges(shown)) return { status: 'unchanged' };
  const dependents = shown.changes.flatMap((change) => change.dependents);
  if (dependents.length > 0 && !allowDependentDrops) {
    return {
      status: 'refused',
      message: `not applied: it would drop ${plural(dependents.length, 'object')} outside the links (${dependents.map((d) => d.description).join('; ')})`,
      hint: 'change or drop those objects first, or pass --allow-dependent-drops to drop them with the link',
    };
  }
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

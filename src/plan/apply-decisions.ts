import type { DesiredDatabase } from '../config/types.js';
import { type ConfigChange, compareDigests, digestDatabase } from './config-digest.js';
import { hasChanges } from './plan-changes.js';
import type { DatabasePlan, LinkChange, PlanProblem } from './types.js';

/**
 * What apply decides before and after it re-reads a database, as pure functions of plans: apply only
 * talks to PostgreSQL and follows these answers.
 */

/**
 * Why apply stops before it runs anything, decided from the plan alone: it has errors, nothing to
 * do, it would drop objects outside the links (their descriptions, as the catalog gave them), or
 * (a saved plan) the database's configuration is no longer the one it was made from.
 */
export type Refusal =
  | { code: 'plan_has_errors' }
  | { code: 'unchanged' }
  | { code: 'refused_dependents'; dependents: string[] }
  | { code: 'config_changed'; changes: ConfigChange[] };

/** Whether a database's shown plan may be applied at all, before anything is read again: null when it may. */
export function refusalBeforeApply(shown: DatabasePlan, allowDependentDrops: boolean, database?: DesiredDatabase): Refusal | null {
  if (shown.errors.length > 0) return { code: 'plan_has_errors' };
  if (!hasChanges(shown)) return { code: 'unchanged' };
  // A saved plan records the configuration it was made from; one made in this run has none to compare.
  if (shown.config && database) {
    const changes = compareDigests(shown.config, digestDatabase(database));
    if (changes.length > 0) return { code: 'config_changed', changes };
  }
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
 * Why a plan made again under the apply lock is not the one shown or saved, as far as apply can tell
 * without holding a secret:
 * - `new_problem`: the new plan has an error (its first);
 * - `credentials_changed`: the only difference is user mappings the new plan replaces (a password or
 *   remote user in the environment, or a mapping changed by hand, since the plan was made);
 * - `changes_differ`: other operations for these links (or the extension, `preamble`);
 * - `state_changed`: the same operations, but what the saved plan depends on changed: on a remote
 *   (`remote`), or in the database.
 */
export type StaleCause =
  | { code: 'new_problem'; problem: PlanProblem }
  | { code: 'credentials_changed'; links: string[] }
  | { code: 'changes_differ'; links: string[]; preamble: boolean }
  | { code: 'state_changed'; remote: boolean };

/** The fingerprints of the state read again under the lock (fingerprint.ts), for a saved plan. */
export interface FingerprintsNow {
  fingerprint: string;
  remote: string;
}

/**
 * What to do once the plan was made again under the lock: go on (null), stop because the plan is
 * stale, or (a saved plan) report the database as already applied: nothing is left to do, the
 * saved plan had something to do, and the remotes are as they were when it was made. Its changes
 * were made from the same configuration (checked before), the same remotes and the catalog of then,
 * and a plan from those over today's catalog is empty: today's catalog is what applying it makes,
 * whoever made it so (an earlier run of this plan, or a person by hand).
 */
export function decideAfterReplan(
  shown: DatabasePlan,
  replanned: DatabasePlan,
  now: FingerprintsNow | null,
): { code: 'already_applied' } | { code: 'stale'; savedPlan: boolean; cause: StaleCause } | null {
  const stale = (cause: StaleCause) => ({ code: 'stale' as const, savedPlan: now !== null, cause });
  const problem = replanned.errors[0];
  if (problem) return stale({ code: 'new_problem', problem });
  if (
    now !== null &&
    !hasChanges(replanned) &&
    hasChanges(shown) &&
    shown.remoteFingerprint !== undefined &&
    shown.remoteFingerprint === now.remote
  ) {
    return { code: 'already_applied' };
  }
  if (!samePlannedChanges(shown, replanned)) return stale(staleChanges(shown, replanned));
  if (now !== null && now.fingerprint !== shown.fingerprint) {
    return stale({ code: 'state_changed', remote: shown.remoteFingerprint !== undefined && shown.remoteFingerprint !== now.remote });
  }
  return null;
}

/** Which links' operations differ, and whether every difference is a user mapping replaced for its credentials. */
function staleChanges(shown: DatabasePlan, replanned: DatabasePlan): StaleCause {
  const byLink = (plan: DatabasePlan) => new Map(plan.changes.map((change) => [change.link, change]));
  const before = byLink(shown);
  const after = byLink(replanned);
  const links = [...new Set([...before.keys(), ...after.keys()])]
    .filter((link) => JSON.stringify(before.get(link)) !== JSON.stringify(after.get(link)))
    .sort();
  const preamble = JSON.stringify(shown.preamble) !== JSON.stringify(replanned.preamble);
  const credentialsOnly = !preamble && links.length > 0 && links.every((link) => sameButMappings(before.get(link), after.get(link)));
  return credentialsOnly ? { code: 'credentials_changed', links } : { code: 'changes_differ', links, preamble };
}

/**
 * Two changes of a link that differ only by user mappings replaced for their credentials: an update
 * that is nothing else appears (or goes) whole; otherwise the rest of its operations are equal.
 */
function sameButMappings(a: LinkChange | undefined, b: LinkChange | undefined): boolean {
  const rest = (change: LinkChange | undefined) => {
    if (!change) return null;
    const operations = change.operations.filter((op) => op.kind !== 'replace_user_mapping');
    return operations.length === 0 && change.action === 'update' ? null : { ...change, operations };
  };
  return JSON.stringify(rest(a)) === JSON.stringify(rest(b));
}

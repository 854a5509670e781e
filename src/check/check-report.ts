import type { DesiredState } from '../config/types.js';
import type { LinkChange, Plan, PlanNote, PlanProblem } from '../plan/types.js';
import { describeTarget } from '../wrappers/url.js';
import type { DatabaseFailureCode, DatabaseHealth } from './check-database.js';
import type { LeftSession } from './end-session.js';
import type { LinkHealth, LinkRowsNotRead, LinkState, RowsNotRead } from './types.js';

export interface LinkCheck {
  link: string;
  state: LinkState;
  /** What the probe found from the local server; null for a managed link that is not in the file (not probed). */
  health: LinkHealth | null;
  /** What apply would change for this link (a read-only plan), or null when it matches the file. */
  drift: LinkChange | null;
  /** Why the link could not be compared with the file (the plan's first error for it), or null. */
  driftUnknown: PlanProblem | null;
  /** Every error of the plan for this link: hints must say what plan and apply would really do. */
  problems: PlanProblem[];
  /** Local copies of the remote's types that differ from it (the plan's findings): they make a working link drift. */
  typeDrift: TypeDriftFinding[];
  /** Rows of its tables that a read through the link does not return (values longer than the wrapper reads). */
  rowsNotRead: RowsNotRead[];
  /** Why those rows could not be counted, or null. */
  rowsNotReadUnknown: string | null;
}

export interface DatabaseCheck {
  alias: string;
  target: string;
  /** The database could not be checked at all; not_checked: nothing was tried (an earlier failure, an interrupt). */
  error: { code: DatabaseFailureCode | 'not_checked'; message: string; hint?: string } | null;
  links: LinkCheck[];
  /**
   * Whether the plan of this database has errors of links other than those checked, or of the database
   * itself: they stop a whole apply of it, so a hint names the link to apply (--link).
   */
  applyBlocked: boolean;
  /** The check's own session, when it could not be ended (a probe the server could not interrupt). */
  left: LeftSession | null;
}

export interface CheckReport {
  databases: DatabaseCheck[];
  summary: Record<LinkState, number>;
  /** Databases that could not be checked, by why. */
  notChecked: Record<DatabaseFailureCode | 'not_checked', number>;
}

/** What plan found of a link's local copies of remote types: a missing enum label (an error), or another difference (a note). */
export type TypeDriftFinding = Extract<PlanProblem, { code: 'enum_labels_missing' }> | Extract<PlanNote, { code: 'type_differs' }>;

function isTypeDrift(finding: PlanProblem | PlanNote): finding is TypeDriftFinding {
  return finding.code === 'enum_labels_missing' || finding.code === 'type_differs';
}

const BROKEN: ReadonlySet<LinkState> = new Set(['unreachable', 'auth_failed', 'missing', 'unreadable_tables']);

export function isBroken(state: LinkState): boolean {
  return BROKEN.has(state);
}

/** Whether a probe's state says the link works from the local server (its own mapping connected). */
function works(state: LinkState): boolean {
  return state === 'ok';
}

/**
 * Joins what the probes found with the read-only plan, and with the rows the links' reads would miss,
 * into one state per link: rows not read make a working link's tables unreadable. Pure.
 */
export function buildCheckReport(
  desired: DesiredState,
  plan: Plan,
  probed: readonly DatabaseHealth[],
  rowsNotRead: readonly LinkRowsNotRead[] = [],
): CheckReport {
  const missedBy = new Map(rowsNotRead.map((entry) => [entry.link, entry]));
  const databases = desired.databases.map((database): DatabaseCheck => {
    const health = probed.find((p) => p.alias === database.alias);
    const planned = plan.databases.find((p) => p.alias === database.alias);
    const base = { alias: database.alias, target: describeTarget(database.target), left: health?.left ?? null, applyBlocked: false };
    if (!health?.ok) {
      const error = health
        ? { code: health.code, message: health.error, hint: health.hint }
        : { code: 'not_checked' as const, message: 'not checked' };
      return { ...base, error, links: [] };
    }
    const changes = new Map((planned?.changes ?? []).map((change) => [change.link, change]));
    const checked = new Set(health.links.map((probe) => probe.link));
    const links = health.links.map((probe): LinkCheck => {
      const drift = changes.get(probe.link) ?? null;
      // A type that differs is a finding of the comparison, not a reason it could not be made.
      const problems = planned?.errors.filter((e) => e.link === probe.link && !isTypeDrift(e)) ?? [];
      const driftUnknown = problems[0] ?? null;
      const typeDrift = [...(planned?.errors ?? []), ...(planned?.notes ?? [])].filter(
        (finding): finding is TypeDriftFinding => finding.link === probe.link && isTypeDrift(finding),
      );
      const missed = missedBy.get(probe.link);
      const tables = missed?.tables ?? [];
      const unproven = probe.mappings.some((mapping) => mapping.state === 'not_proven');
      const drifted = drift !== null || typeDrift.length > 0;
      const state: LinkState = !works(probe.state)
        ? probe.state
        : tables.length > 0
          ? 'unreadable_tables'
          : driftUnknown
            ? 'unknown'
            : drifted
              ? 'drift'
              : unproven
                ? 'unknown'
                : 'ok';
      return {
        link: probe.link,
        state,
        health: probe,
        drift,
        driftUnknown,
        problems,
        typeDrift,
        rowsNotRead: tables,
        rowsNotReadUnknown: missed?.error ?? null,
      };
    });
    // A managed link that the file no longer has: apply would destroy it.
    for (const change of planned?.changes ?? []) {
      if (change.action === 'destroy') {
        links.push({
          link: change.link,
          state: 'drift',
          health: null,
          drift: change,
          driftUnknown: null,
          problems: [],
          typeDrift: [],
          rowsNotRead: [],
          rowsNotReadUnknown: null,
        });
      }
    }
    const applyBlocked = (planned?.errors ?? []).some((e) => e.link === null || !checked.has(e.link));
    return { ...base, error: null, links, applyBlocked };
  });
  const summary: Record<LinkState, number> = {
    ok: 0,
    unreachable: 0,
    auth_failed: 0,
    missing: 0,
    unreadable_tables: 0,
    drift: 0,
    unknown: 0,
  };
  const notChecked: CheckReport['notChecked'] = { unreachable: 0, login_refused: 0, interrupted: 0, check_failed: 0, not_checked: 0 };
  for (const database of databases) {
    for (const link of database.links) summary[link.state]++;
    if (database.error) notChecked[database.error.code]++;
  }
  return { databases, summary, notChecked };
}

import type { LeftSession } from '../check/end-session.js';
import type { LinkHealth } from '../check/types.js';
import type { InterruptSignal } from '../db/interrupts.js';
import type { RemoteFailure } from '../introspect/types.js';
import type { Refusal, StaleCause } from '../plan/apply-decisions.js';

/**
 * How applying one database ended, as a code and its values: render/outcome-words.ts words them.
 * Texts from elsewhere (a server's error, a connection failure, the statement that failed) are
 * values, carried as they came.
 */
export type OutcomeReason =
  | { code: 'applied' }
  /** A saved plan's database already is what the plan makes (apply-decisions.ts says when): nothing to do, not a failure. */
  | { code: 'already_applied' }
  | Refusal
  /** The plan made again under the lock is not the one shown or saved; `cause`: what apply can tell of why. */
  | { code: 'stale'; savedPlan: boolean; cause: StaleCause }
  /** A signal (Ctrl-C, SIGTERM, SIGHUP; null: another abort): rolled back. */
  | { code: 'interrupted'; by: InterruptSignal | null }
  /** A link's remote could not be read again before the transaction. */
  | { code: 'remote_unreadable'; link: string; remote: RemoteFailure }
  /** Another apply held the database's apply lock for all of `waited` (--lock-timeout). */
  | { code: 'lock_timeout'; waited: string }
  | { code: 'connect_failed'; where: string; reason: string; hint: string | null }
  /** The server stopped answering; `link` null: while setting the database up, not a link's statement. */
  | { code: 'no_answer'; link: string | null; message: string; hint: string; statement: string | null }
  /** A statement (or the session around them) failed; `statement` is the one running, passwords masked. */
  | {
      code: 'statement_failed';
      link: string | null;
      sqlstate: string | null;
      message: string;
      detail: string | null;
      serverHint: string | null;
      statement: string | null;
    }
  /** The local server could not use created or changed links (their probes), so the transaction was rolled back. */
  | { code: 'link_unusable'; links: LinkHealth[] };

export type OutcomeCode = OutcomeReason['code'];

export type ApplyStatus = 'applied' | 'unchanged' | 'failed' | 'refused';

/** What each code adds up to: a failure or refusal counts as "not applied". */
export const OUTCOME_STATUS = {
  applied: 'applied',
  already_applied: 'unchanged',
  unchanged: 'unchanged',
  plan_has_errors: 'refused',
  refused_dependents: 'refused',
  config_changed: 'refused',
  stale: 'refused',
  interrupted: 'failed',
  remote_unreadable: 'failed',
  lock_timeout: 'failed',
  connect_failed: 'failed',
  no_answer: 'failed',
  statement_failed: 'failed',
  link_unusable: 'failed',
} as const satisfies Record<OutcomeCode, ApplyStatus>;

/** Every outcome code, in a stable order. */
export const OUTCOME_CODES = Object.keys(OUTCOME_STATUS) as OutcomeCode[];

export type DatabaseOutcome = OutcomeReason & {
  alias: string;
  status: ApplyStatus;
  statements: number;
  elapsedMs: number;
  /**
   * The apply's session, when it could not be ended (a link's proof the server could not interrupt):
   * its transaction was not committed and never will be, but it is still open, with its locks.
   */
  left?: LeftSession;
};

/** The database was not reconciled: an error, or a refusal (stale plan, dependents, plan errors). */
export function isFailure(outcome: DatabaseOutcome): boolean {
  return outcome.status === 'failed' || outcome.status === 'refused';
}

/** An outcome of `alias` that started at `started` (Date.now()), with the status its code implies. */
export function outcomeOf(alias: string, started: number, reason: OutcomeReason, statements = 0): DatabaseOutcome {
  return { ...reason, alias, status: OUTCOME_STATUS[reason.code], statements, elapsedMs: Date.now() - started };
}

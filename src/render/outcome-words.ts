import type { DatabaseOutcome, OutcomeCode, OutcomeReason } from '../apply/outcome.js';
import type { StaleCause } from '../plan/apply-decisions.js';
import type { ConfigChange } from '../plan/config-digest.js';
import type { LinkConfigPart } from '../plan/types.js';
import { plural } from '../plural.js';
import { SQLSTATE } from '../sqlstate.js';
import { healthProblem } from './check-view.js';
import { leftSessionWords } from './left-session-words.js';
import { problemWords, remoteFailureWords, safeExtensionInstall } from './plan-words.js';

/**
 * The words for every apply outcome: apply returns codes and values, and the text, Ink, annotation
 * and job-summary views print what these functions make of them. Raw text: each view escapes it.
 */

export interface OutcomeWords {
  /** Why a database was not applied; empty for one that was (or had nothing to apply). */
  message: string;
  /** The statement that was running when it failed (its first line), shown on a line of its own. */
  statement?: string;
  hint?: string;
  /** The apply's session, still open on the server (it could not be ended), and how to end it. */
  left?: { message: string; hint: string };
}

type Worded<C extends OutcomeCode> = Extract<OutcomeReason, { code: C }> & Pick<DatabaseOutcome, 'left'>;

type OutcomeWording = { [C in OutcomeCode]: (outcome: Worded<C>) => OutcomeWords };

/** What became of the transaction: rolled back, or, when its session could not be ended, not committed yet open. */
function undone(outcome: Pick<DatabaseOutcome, 'left'>, rolledBack = 'rolled back, nothing was applied'): string {
  return outcome.left ? 'nothing was committed, but its session is still open on the server (below)' : rolledBack;
}

const withHint = (message: string, hint: string | null | undefined): OutcomeWords => (hint ? { message, hint } : { message });

const OUTCOMES = {
  applied: () => ({ message: '' }),
  already_applied: () => ({
    message: 'already applied: it already is what this plan makes (an earlier apply of it, or the same change made by hand); nothing to do',
  }),
  unchanged: () => ({ message: '' }),
  plan_has_errors: () => ({ message: 'not applied: its plan has errors' }),
  config_changed: (o) => ({
    message: `not applied: its configuration changed since this plan was made (${o.changes.map(configChangeText).join('; ')})`,
    hint: 'make the plan again from this file (datalinks plan --out), review it, and apply that; edits to other databases, to links outside a --link target, and comments do not make a plan stale',
  }),
  refused_dependents: (o) => ({
    message: `not applied: it would drop ${plural(o.dependents.length, 'object')} outside the links (${o.dependents.join('; ')})`,
    hint: 'change or drop those objects first, or pass --allow-dependent-drops to drop them with the link',
  }),
  stale: (o) => ({
    message: `${o.savedPlan ? 'stale plan' : 'state changed since plan'}: ${staleText(o.cause, o.savedPlan)}; nothing was applied`,
    hint:
      o.cause.code === 'new_problem'
        ? problemWords(o.cause.problem).message
        : `run datalinks plan${o.savedPlan ? ' --out' : ''} again, review the new plan, and apply that`,
  }),
  interrupted: (o) => ({ message: `interrupted${o.by ? ` by ${o.by}` : ''}: ${undone(o)}` }),
  remote_unreadable: (o) => {
    const words = remoteFailureWords(o.remote);
    return withHint(`link "${o.link}": ${words.message}; nothing was applied`, words.hint);
  },
  lock_timeout: (o) => ({
    message: `another datalinks apply is running on this database (waited ${o.waited} for its lock)`,
    hint: 'try again when it has finished',
  }),
  connect_failed: (o) => withHint(`cannot connect (${o.where}): ${o.reason}`, o.hint),
  no_answer: (o) => ({
    ...withHint(`${where(o.link)}: ${o.message}; ${undone(o, 'the connection was closed, nothing was committed')}`, o.hint),
    ...firstLine(o.statement),
  }),
  statement_failed: (o) => ({
    ...withHint(
      `${where(o.link)}: ${o.message}${o.detail ? ` (${o.detail})` : ''}; ${undone(o)}`,
      statementHint(o.sqlstate, o.statement ?? '') ?? o.serverHint,
    ),
    ...firstLine(o.statement),
  }),
  link_unusable: (o) => {
    const problems = o.links.flatMap((link) => healthProblem(link) ?? []);
    return withHint(
      `${problems.map((p) => p.message).join('; ')}; the local server cannot use the link, so ${undone(o, 'it was rolled back and nothing was applied')}`,
      problems[0]?.hint,
    );
  },
} satisfies OutcomeWording;

/** An outcome's message, the statement it failed on, its hint, and the session it left, if any. */
export function outcomeWords(outcome: DatabaseOutcome): OutcomeWords {
  const words = (OUTCOMES[outcome.code] as (outcome: DatabaseOutcome) => OutcomeWords)(outcome);
  return outcome.left ? { ...words, left: leftSessionWords(outcome.left) } : words;
}

const PART_WORDS: Record<LinkConfigPart, string> = {
  remote: 'its remote URL or schema',
  remote_user: 'its remote user (a credential)',
  tables: 'its tables or exclude',
  access: 'its access',
  grant_to: 'its grant_to',
  server_options: 'its server_options',
  import_options: 'its import_options',
};

function configChangeText(change: ConfigChange): string {
  if (!('link' in change)) return 'the url of the database';
  if (change.part === 'added') return `link "${change.link}" was added to the file`;
  if (change.part === 'removed') return `link "${change.link}" was removed from the file`;
  return `link "${change.link}": ${PART_WORDS[change.part]}`;
}

function staleText(cause: StaleCause, saved: boolean): string {
  const since = saved ? 'since this plan was made' : 'since the plan was shown';
  switch (cause.code) {
    case 'new_problem':
      return saved ? `the database changed ${since}, and planning it again finds an error` : 'planning it again finds an error';
    case 'credentials_changed':
      return `the credentials of ${linksText(cause.links)} changed ${since} (the password or user of the remote URL in the environment, or the user mapping by hand), so apply would now also replace ${cause.links.length === 1 ? 'its user mapping' : 'their user mappings'}`;
    case 'changes_differ': {
      const what = [...(cause.links.length > 0 ? [linksText(cause.links)] : []), ...(cause.preamble ? ['the extension'] : [])].join(
        ' and ',
      );
      return `what apply must change in ${what} is no longer what the plan holds: the database or a remote changed ${since}`;
    }
    case 'state_changed':
      return cause.remote
        ? `a remote this plan links changed ${since} (the tables or columns it links)`
        : `the database changed ${since} (its links, their foreign tables or grants, or the role's privileges)`;
  }
}

function linksText(links: readonly string[]): string {
  return `${links.length === 1 ? 'link' : 'links'} ${links.map((link) => `"${link}"`).join(', ')}`;
}

function where(link: string | null): string {
  return link === null ? 'database setup' : `link "${link}"`;
}

function firstLine(statement: string | null): { statement?: string } {
  return statement ? { statement: statement.split('\n')[0] ?? '' } : {};
}

/** What to do when a statement failed with `sqlstate`; undefined leaves the server's own hint. */
function statementHint(sqlstate: string | null, statement: string): string | undefined {
  if (sqlstate === SQLSTATE.lockNotAvailable)
    return 'another session holds a lock on an object this apply must change; try again later or raise --lock-timeout';
  if (sqlstate === SQLSTATE.insufficientPrivilege && statement.startsWith('CREATE EXTENSION')) {
    // The wrapper's name, from the statement datalinks wrote (postgres_fdw or mysql_fdw).
    const fdw = /^CREATE EXTENSION IF NOT EXISTS ([a-z_]+)$/.exec(statement)?.[1] ?? 'postgres_fdw';
    return `creating ${fdw} needs a superuser (or your provider's admin role): have one run ${safeExtensionInstall(fdw)} and GRANT USAGE ON FOREIGN DATA WRAPPER ${fdw} TO your role`;
  }
  if (sqlstate === SQLSTATE.undefinedObject)
    return 'a type or object the remote uses does not exist in this database; create it locally or exclude that table';
  if (sqlstate === SQLSTATE.queryCanceled) return 'a statement ran longer than the statement timeout';
  if (sqlstate === SQLSTATE.dependentObjectsStillExist) {
    return "PostgreSQL refused the drop: something outside the link depends on it that the plan did not list (the error's detail names it); change or drop it first, or pass --allow-dependent-drops to drop it with the link";
  }
  return undefined;
}

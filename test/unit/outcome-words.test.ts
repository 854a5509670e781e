import { describe, expect, it } from 'vitest';
import { OUTCOME_CODES, type OutcomeCode, type OutcomeReason, outcomeOf } from '../../src/apply/outcome.js';
import type { LinkHealth } from '../../src/check/types.js';
import { outcomeWords } from '../../src/render/outcome-words.js';
import { outcomeLine, renderOutcomes } from '../../src/render/outcomes.js';

const unreachable: LinkHealth = {
  link: 'billing',
  fdw: 'postgres_fdw',
  state: 'unreachable',
  target: { host: 'db.internal', port: '5432', dbname: 'billing', user: 'bill' },
  remoteVersion: null,
  remoteVersionNum: null,
  connectMs: null,
  rttMs: null,
  tablesChecked: 0,
  unreadable: [],
  failure: { code: 'timeout', sqlstate: '57014', message: 'canceling statement due to statement timeout', detail: null },
  mappings: [],
};

/** One outcome of each code, with every value set. */
const REASONS: Record<OutcomeCode, OutcomeReason> = {
  applied: { code: 'applied' },
  already_applied: { code: 'already_applied' },
  unchanged: { code: 'unchanged' },
  plan_has_errors: { code: 'plan_has_errors' },
  refused_dependents: { code: 'refused_dependents', dependents: ['view public.totals', 'view public.daily'] },
  config_changed: {
    code: 'config_changed',
    changes: [{ part: 'url' }, { link: 'billing', part: 'access' }, { link: 'crew', part: 'added' }],
  },
  stale: {
    code: 'stale',
    savedPlan: true,
    cause: { code: 'new_problem', problem: { code: 'remote_schema_missing', link: 'billing', schema: 'reporting', suggestion: null } },
  },
  interrupted: { code: 'interrupted', by: 'SIGTERM' },
  remote_unreadable: { code: 'remote_unreadable', link: 'billing', remote: { code: 'schema_missing', schema: 'finance' } },
  lock_timeout: { code: 'lock_timeout', waited: '10s' },
  connect_failed: { code: 'connect_failed', where: 'db:5432/main', reason: 'connection refused', hint: 'is it running?' },
  no_answer: {
    code: 'no_answer',
    link: 'billing',
    message: 'no answer from db:5432/main within 5s',
    hint: 'wait longer',
    statement: 'DROP SERVER billing',
  },
  statement_failed: {
    code: 'statement_failed',
    link: null,
    sqlstate: '42501',
    message: 'permission denied to create extension "postgres_fdw"',
    detail: 'Must be superuser.',
    serverHint: null,
    statement: 'CREATE EXTENSION IF NOT EXISTS postgres_fdw',
  },
  link_unusable: { code: 'link_unusable', links: [unreachable] },
};

const line = (reason: OutcomeReason) => outcomeLine(outcomeOf('main', Date.now(), reason));

describe('apply outcomes are codes and values', () => {
  it('words every outcome code', () => {
    expect(Object.keys(REASONS).sort()).toStrictEqual([...OUTCOME_CODES].sort());
    for (const code of OUTCOME_CODES) {
      const outcome = outcomeOf('main', Date.now(), REASONS[code]);
      const words = outcomeWords(outcome);
      const notApplied = outcome.status === 'failed' || outcome.status === 'refused';
      // Applied and unchanged need no words; a failure always has them, and so has a plan found already applied.
      expect(words.message === '', code).toBe(!notApplied && code !== 'already_applied');
      expect(`${words.message} ${words.hint ?? ''}`, code).not.toMatch(/undefined|null|\[object/);
    }
  });

  it('names the values in the words: the dependents, the wait, the link and the server message', () => {
    expect(line(REASONS.refused_dependents)).toBe(
      'Database main: refused: not applied: it would drop 2 objects outside the links (view public.totals; view public.daily)',
    );
    expect(line(REASONS.lock_timeout)).toBe(
      'Database main: FAILED: another datalinks apply is running on this database (waited 10s for its lock)',
    );
    expect(line(REASONS.remote_unreadable)).toBe(
      'Database main: FAILED: link "billing": schema "finance" does not exist on the remote; nothing was applied',
    );
    expect(line(REASONS.connect_failed)).toBe('Database main: FAILED: cannot connect (db:5432/main): connection refused');
    expect(line(REASONS.link_unusable)).toBe(
      'Database main: FAILED: link billing: unreachable: canceling statement due to statement timeout; the local server cannot use the link, so it was rolled back and nothing was applied',
    );
  });

  it('says a saved plan went stale differently from a plan shown in this run, with the new plan’s first error as the hint', () => {
    expect(outcomeWords(outcomeOf('main', 0, REASONS.stale))).toStrictEqual({
      message: 'stale plan: the database changed since this plan was made, and planning it again finds an error; nothing was applied',
      hint: 'schema "reporting" does not exist on the remote',
    });
    const shown: OutcomeReason = {
      code: 'stale',
      savedPlan: false,
      cause: { code: 'changes_differ', links: ['billing'], preamble: false },
    };
    expect(outcomeWords(outcomeOf('main', 0, shown))).toStrictEqual({
      message:
        'state changed since plan: what apply must change in link "billing" is no longer what the plan holds: the database or a remote changed since the plan was shown; nothing was applied',
      hint: 'run datalinks plan again, review the new plan, and apply that',
    });
  });

  it('says what made a saved plan stale: credentials, other changes, a remote or the database', () => {
    const stale = (cause: Extract<OutcomeReason, { code: 'stale' }>['cause']) =>
      outcomeWords(outcomeOf('main', 0, { code: 'stale', savedPlan: true, cause })).message;
    expect(stale({ code: 'credentials_changed', links: ['billing'] })).toBe(
      'stale plan: the credentials of link "billing" changed since this plan was made (the password or user of the remote URL in the environment, or the user mapping by hand), so apply would now also replace its user mapping; nothing was applied',
    );
    expect(stale({ code: 'changes_differ', links: ['billing', 'crew'], preamble: true })).toBe(
      'stale plan: what apply must change in links "billing", "crew" and the extension is no longer what the plan holds: the database or a remote changed since this plan was made; nothing was applied',
    );
    expect(stale({ code: 'state_changed', remote: true })).toBe(
      'stale plan: a remote this plan links changed since this plan was made (the tables or columns it links); nothing was applied',
    );
    expect(stale({ code: 'state_changed', remote: false })).toBe(
      "stale plan: the database changed since this plan was made (its links, their foreign tables or grants, or the role's privileges); nothing was applied",
    );
  });

  it('names the parts of a database’s configuration that changed since a saved plan, and says a plan already applied is no failure', () => {
    expect(line(REASONS.config_changed)).toBe(
      'Database main: refused: not applied: its configuration changed since this plan was made (the url of the database; link "billing": its access; link "crew" was added to the file)',
    );
    expect(line({ code: 'config_changed', changes: [{ link: 'billing', part: 'remote_user' }] })).toContain(
      'link "billing": its remote user (a credential)',
    );
    const outcomes = [outcomeOf('a', 0, { code: 'already_applied' }), outcomeOf('b', 0, { code: 'applied' }, 3)];
    expect(renderOutcomes(outcomes).split('\n')).toStrictEqual([
      'Database a: already applied: it already is what this plan makes (an earlier apply of it, or the same change made by hand); nothing to do.',
      expect.stringMatching(/^Database b: applied 3 statements in \d+\.\ds\.$/),
      'Apply complete: 1 database changed, 1 already applied.',
      '',
    ]);
  });

  it('puts the statement that failed on a line of its own, and our hint for its SQLSTATE before the server’s', () => {
    expect(renderOutcomes([outcomeOf('main', 0, REASONS.statement_failed)]).split('\n')).toStrictEqual([
      'Database main: FAILED: database setup: permission denied to create extension "postgres_fdw" (Must be superuser.); rolled back, nothing was applied',
      '    while running: CREATE EXTENSION IF NOT EXISTS postgres_fdw',
      "    hint: creating postgres_fdw needs a superuser (or your provider's admin role): have one run CREATE SCHEMA datalinks_ext; CREATE EXTENSION postgres_fdw SCHEMA datalinks_ext; and GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO your role",
      'Apply finished with errors: 0 applied, 1 not applied (each database is all or nothing).',
      '',
    ]);
    const other = { ...REASONS.statement_failed, sqlstate: '42P07', serverHint: 'the server says' } as OutcomeReason;
    expect(outcomeWords(outcomeOf('main', 0, other)).hint).toBe('the server says');
  });

  it('counts refusals and failures as not applied, and an interruption as a failure', () => {
    expect(OUTCOME_CODES.map((code) => `${code}:${outcomeOf('main', 0, REASONS[code]).status}`)).toStrictEqual([
      'applied:applied',
      'already_applied:unchanged',
      'unchanged:unchanged',
      'plan_has_errors:refused',
      'refused_dependents:refused',
      'config_changed:refused',
      'stale:refused',
      'interrupted:failed',
      'remote_unreadable:failed',
      'lock_timeout:failed',
      'connect_failed:failed',
      'no_answer:failed',
      'statement_failed:failed',
      'link_unusable:failed',
    ]);
  });
});

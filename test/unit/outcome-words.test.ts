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
};

/** One outcome of each code, with every value set. */
const REASONS: Record<OutcomeCode, OutcomeReason> = {
  applied: { code: 'applied' },
  unchanged: { code: 'unchanged' },
  plan_has_errors: { code: 'plan_has_errors' },
  refused_dependents: { code: 'refused_dependents', dependents: ['view public.totals', 'view public.daily'] },
  stale: { code: 'stale', savedPlan: true, problem: { code: 'role_missing', link: 'billing', role: 'reporting' } },
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
      expect(words.message === '', code).toBe(!notApplied);
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
      message: 'stale plan: the database changed since this plan was made, or the plan was already applied; nothing was applied',
      hint: 'role "reporting" in grant_to does not exist in this database',
    });
    expect(outcomeWords(outcomeOf('main', 0, { code: 'stale', savedPlan: false, problem: null }))).toStrictEqual({
      message: 'state changed since plan: nothing was applied',
      hint: 'run datalinks plan again, review the new plan, and apply that',
    });
  });

  it('puts the statement that failed on a line of its own, and our hint for its SQLSTATE before the server’s', () => {
    expect(renderOutcomes([outcomeOf('main', 0, REASONS.statement_failed)]).split('\n')).toStrictEqual([
      'Database main: FAILED: database setup: permission denied to create extension "postgres_fdw" (Must be superuser.); rolled back, nothing was applied',
      '    while running: CREATE EXTENSION IF NOT EXISTS postgres_fdw',
      "    hint: creating postgres_fdw needs a superuser (or your provider's admin role): have one run CREATE EXTENSION postgres_fdw; and GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO your role",
      'Apply finished with errors: 0 applied, 1 not applied (each database is all or nothing).',
      '',
    ]);
    const other = { ...REASONS.statement_failed, sqlstate: '42P07', serverHint: 'the server says' } as OutcomeReason;
    expect(outcomeWords(outcomeOf('main', 0, other)).hint).toBe('the server says');
  });

  it('counts refusals and failures as not applied, and an interruption as a failure', () => {
    expect(OUTCOME_CODES.map((code) => `${code}:${outcomeOf('main', 0, REASONS[code]).status}`)).toStrictEqual([
      'applied:applied',
      'unchanged:unchanged',
      'plan_has_errors:refused',
      'refused_dependents:refused',
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

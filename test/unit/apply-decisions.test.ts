import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../src/apply/outcome.js';
import { decideAfterReplan, refusalBeforeApply } from '../../src/plan/apply-decisions.js';
import { digestDatabase } from '../../src/plan/config-digest.js';
import type { DatabasePlan } from '../../src/plan/types.js';
import { outcomeWords } from '../../src/render/outcome-words.js';

function plan(overrides: Partial<DatabasePlan> = {}): DatabasePlan {
  return {
    alias: 'main',
    preamble: [],
    changes: [{ action: 'destroy', link: 'billing', operations: [{ kind: 'drop_server', server: 'billing' }], dependents: [] }],
    errors: [],
    notes: [],
    fingerprint: 'sha256:a',
    ...overrides,
  };
}

const view = { link: 'billing', table: 'invoices', column: null, inLinkSchema: false, description: 'view public.totals' };

describe('what apply decides before it reads again', () => {
  it('refuses a plan with errors, skips one without changes, and goes on otherwise', () => {
    expect(refusalBeforeApply(plan({ errors: [{ link: null, code: 'local_unreadable', error: 'x', advice: null }] }), false)).toStrictEqual(
      { code: 'plan_has_errors' },
    );
    expect(refusalBeforeApply(plan({ changes: [] }), false)).toStrictEqual({ code: 'unchanged' });
    expect(refusalBeforeApply(plan(), false)).toBeNull();
  });

  it('refuses to drop objects outside the links unless --allow-dependent-drops, naming them', () => {
    const dropping = plan({ changes: [{ ...plan().changes[0]!, dependents: [view] }] });
    const refusal = refusalBeforeApply(dropping, false);
    expect(refusal).toStrictEqual({ code: 'refused_dependents', dependents: ['view public.totals'] });
    expect(outcomeWords(outcomeOf('main', 0, refusal!))).toStrictEqual({
      message: 'not applied: it would drop 1 object outside the links (view public.totals)',
      hint: 'change or drop those objects first, or pass --allow-dependent-drops to drop them with the link',
    });
    expect(refusalBeforeApply(dropping, true)).toBeNull();
  });
});

describe('what apply decides after it planned again under the lock', () => {
  it('is stale when the new plan has errors or other operations', () => {
    expect(decideAfterReplan(plan(), plan(), null)).toBeNull();
    expect(
      decideAfterReplan(plan(), plan({ errors: [{ link: null, code: 'local_unreadable', error: 'x', advice: null }] }), null),
    ).toMatchObject({
      code: 'stale',
    });
    expect(decideAfterReplan(plan(), plan({ changes: [] }), null)).toMatchObject({ code: 'stale' });
  });

  it('is stale for a saved plan when the state it depends on changed, even with the same operations', () => {
    expect(decideAfterReplan(plan(), plan(), { fingerprint: 'sha256:a', remote: '' })).toBeNull();
    expect(decideAfterReplan(plan(), plan(), { fingerprint: 'sha256:b', remote: '' })).toMatchObject({ code: 'stale', savedPlan: true });
  });
});

describe('what apply decides for a saved plan, made again under the lock', () => {
  const saved = (overrides: Partial<DatabasePlan> = {}) => plan({ remoteFingerprint: 'sha256:r', ...overrides });
  const now = (fingerprint: string, remote = 'sha256:r') => ({ fingerprint, remote });
  const mapping = (role: string) => ({
    kind: 'replace_user_mapping' as const,
    server: 'billing',
    role,
    user: 'bill',
    reason: 'credentials_changed' as const,
  });
  const update = (operations: DatabasePlan['changes'][number]['operations']): DatabasePlan['changes'][number] => ({
    action: 'update',
    link: 'billing',
    operations,
    dependents: [],
  });

  it('applies a database whose state is the one the plan was made against', () => {
    expect(decideAfterReplan(saved(), saved(), now('sha256:a'))).toBeNull();
  });

  it('reports a database already applied when nothing is left to do and the remotes are as they were', () => {
    expect(decideAfterReplan(saved(), saved({ changes: [] }), now('sha256:after'))).toStrictEqual({ code: 'already_applied' });
  });

  it('is stale, not already applied, when the remotes changed, the plan had nothing to do, or a plan shown in this run', () => {
    expect(decideAfterReplan(saved(), saved({ changes: [] }), now('sha256:after', 'sha256:other'))).toMatchObject({ code: 'stale' });
    expect(decideAfterReplan(saved({ changes: [] }), saved({ changes: [] }), now('sha256:after'))).toMatchObject({ code: 'stale' });
    expect(decideAfterReplan(saved(), saved({ changes: [] }), null)).toStrictEqual({
      code: 'stale',
      savedPlan: false,
      cause: { code: 'changes_differ', links: ['billing'], preamble: false },
    });
  });

  it('says a database changed, and whether a remote did, when the operations are the same but the state is not', () => {
    expect(decideAfterReplan(saved(), saved(), now('sha256:b'))).toStrictEqual({
      code: 'stale',
      savedPlan: true,
      cause: { code: 'state_changed', remote: false },
    });
    expect(decideAfterReplan(saved(), saved(), now('sha256:b', 'sha256:other'))).toMatchObject({
      cause: { code: 'state_changed', remote: true },
    });
  });

  it('names the first new error, or the links whose operations differ', () => {
    const problem = { link: 'billing', code: 'password_required' } as const;
    expect(decideAfterReplan(saved(), saved({ errors: [problem] }), now('sha256:a'))).toMatchObject({
      cause: { code: 'new_problem', problem },
    });
    const withCreate = saved({ preamble: [{ kind: 'create_extension', schema: 'public' }] });
    expect(decideAfterReplan(saved(), withCreate, now('sha256:a'))).toMatchObject({
      cause: { code: 'changes_differ', links: [], preamble: true },
    });
  });

  it('says credentials changed when the only difference is user mappings replaced, never otherwise', () => {
    // A link that had no change now has only its mappings replaced (a password changed in the environment).
    const credentials = saved({ changes: [...saved().changes, { ...update([mapping('app')]), link: 'crew' }] });
    expect(decideAfterReplan(saved(), credentials, now('sha256:a'))).toMatchObject({
      cause: { code: 'credentials_changed', links: ['crew'] },
    });
    // An update that also replaces a mapping now.
    const grant = { kind: 'grant' as const, schema: 'billing', role: 'reader', privileges: ['USAGE'], tables: null };
    expect(
      decideAfterReplan(saved({ changes: [update([grant])] }), saved({ changes: [update([grant, mapping('app')])] }), now('sha256:a')),
    ).toMatchObject({ cause: { code: 'credentials_changed', links: ['billing'] } });
    // Anything else besides: not only credentials.
    expect(
      decideAfterReplan(saved({ changes: [update([grant])] }), saved({ changes: [update([mapping('app')])] }), now('sha256:a')),
    ).toMatchObject({
      cause: { code: 'changes_differ', links: ['billing'] },
    });
  });

  it('refuses a saved plan whose database configuration changed, before reading anything, naming the part', () => {
    const database = {
      alias: 'main',
      target: { url: '', host: 'h', port: null, dbname: 'app', user: 'app', password: 'pw', params: {} },
      urlSource: '',
      links: [],
      position: { file: 'f', line: 1, column: 1 },
    };
    const config = digestDatabase(database);
    expect(refusalBeforeApply(saved({ config }), false, database)).toBeNull();
    expect(refusalBeforeApply(saved({ config }), false, { ...database, target: { ...database.target, host: 'moved' } })).toStrictEqual({
      code: 'config_changed',
      changes: [{ part: 'url' }],
    });
    // A plan made in this run carries no configuration to compare.
    expect(refusalBeforeApply(saved(), false, { ...database, target: { ...database.target, host: 'moved' } })).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../src/apply/outcome.js';
import { isStale, refusalBeforeApply } from '../../src/plan/apply-decisions.js';
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
    expect(isStale(plan(), plan(), null)).toBe(false);
    expect(isStale(plan(), plan({ errors: [{ link: null, code: 'local_unreadable', error: 'x', advice: null }] }), null)).toBe(true);
    expect(isStale(plan(), plan({ changes: [] }), null)).toBe(true);
  });

  it('is stale for a saved plan when the state it depends on changed, even with the same operations', () => {
    expect(isStale(plan(), plan(), 'sha256:a')).toBe(false);
    expect(isStale(plan(), plan(), 'sha256:b')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { pullRequestCommentLimit } from '../../src/cli/github.js';
import { summarize } from '../../src/plan/plan-changes.js';
import type { DatabasePlan, Plan } from '../../src/plan/types.js';
import { renderPlanMarkdown } from '../../src/render/markdown.js';
import { commentLength } from '../../src/render/markdown-fit.js';
import { buildPlanView } from '../../src/render/plan-view.js';

const column = (name: string) => ({ name, type: 'integer', notNull: false, collation: null, default: null, generated: null });
const tenant = (i: number) => `tenant_${String(i).padStart(3, '0')}`;

/** A tenant whose shared `catalog` link gains two tables and loses one, as every tenant's does. */
function changed(alias: string): DatabasePlan {
  return {
    alias,
    fingerprint: '',
    preamble: [],
    errors: [],
    notes: [],
    changes: [
      {
        action: 'update',
        link: 'catalog',
        dependents: [],
        operations: [
          { kind: 'drop_foreign_tables', schema: 'catalog', tables: ['old_prices'], reason: 'removed_on_remote' },
          ...['products', 'prices'].map((name) => ({
            kind: 'create_foreign_table' as const,
            schema: 'catalog',
            server: 'catalog',
            table: { name, remoteSchema: 'public', remoteTable: name, columns: [column('id'), column('amount')] },
          })),
        ],
      },
    ],
  };
}

const quiet = (alias: string): DatabasePlan => ({ alias, fingerprint: '', preamble: [], errors: [], notes: [], changes: [] });
const failed = (alias: string): DatabasePlan => ({
  ...quiet(alias),
  errors: [{ code: 'local_unreadable', link: null, error: `cannot connect to database "${alias}"`, advice: null }],
});

describe('plan --markdown of a fleet', () => {
  it('summarises 600 databases (the same change in most, none in others, a few failing) in one PR comment, nothing cut', () => {
    const databases = Array.from({ length: 600 }, (_, i) =>
      i < 540 ? changed(tenant(i)) : i < 597 ? quiet(tenant(i)) : failed(tenant(i)),
    );
    const plan: Plan = { databases, summary: summarize(databases) };
    const view = buildPlanView(plan);
    const text = renderPlanMarkdown(plan, view, {
      configPath: 'datalinks.yaml',
      title: 'datalinks plan',
      marker: true,
      fit: pullRequestCommentLimit('in the job log'),
    }) as string;
    expect(commentLength(text)).toBeLessThanOrEqual(65_536);
    expect(text).not.toContain('Not shown here');
    expect(text).toContain('**Plan: 0 to create, 540 to update, 0 to destroy.**');
    // The shared change once, with its count; the databases without changes in one line.
    expect(text).toContain(
      '#### 540 databases, each: tenant\\_000, tenant\\_001, tenant\\_002, tenant\\_003, tenant\\_004, tenant\\_005, tenant\\_006, tenant\\_007, tenant\\_008, tenant\\_009 and 530 more',
    );
    expect(text.match(/foreign table catalog\.products/g)).toHaveLength(1);
    expect(text).toContain('#### No changes in 57 databases: tenant\\_540, tenant\\_541');
    expect(text).toContain('> - **540 databases** (tenant\\_000, tenant\\_001');
    expect(text).toContain(': foreign table catalog.old\\_prices will be dropped (no longer on the remote)');
    // Each failing database keeps its own error, which names it.
    for (const alias of ['tenant_597', 'tenant_598', 'tenant_599'])
      expect(text).toContain(`cannot connect to database "${alias.replace('_', '\\_')}"`);
    expect(commentLength(text)).toBeLessThan(10_000);
  });

  it('keeps a database of its own when its section differs', () => {
    const databases = [
      changed('a'),
      changed('b'),
      { ...changed('c'), notes: [{ code: 'alias_unverified', link: null, alias: 'x', error: 'down' } as const] },
    ];
    const plan: Plan = { databases, summary: summarize(databases) };
    const text = renderPlanMarkdown(plan, buildPlanView(plan), { configPath: 'datalinks.yaml', title: 'datalinks plan' }) as string;
    expect(text).toContain('#### 2 databases, each: a, b');
    expect(text).toContain('#### Database c');
  });
});

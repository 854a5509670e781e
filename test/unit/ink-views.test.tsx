import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import type { Plan, PlanProblem } from '../../src/plan/types.js';
import { PlanScreen } from '../../src/render/ink/plan-screen.js';
import { ConfirmPrompt, TypeToConfirm } from '../../src/render/ink/prompts.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { buildPlanView } from '../../src/render/plan-view.js';

const ESC = '\u001b';
const strip = (text = '') => text.replace(/\u001b\[[0-9;]*m/g, '');
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Types `text`, then Enter as its own key press, letting Ink render in between. */
async function typeLine(stdin: { write(data: string): void }, text: string): Promise<void> {
  await tick();
  if (text) {
    stdin.write(text);
    await tick();
  }
  stdin.write('\r');
  await tick();
}

const table = {
  name: 'invoices',
  remoteSchema: 'public',
  remoteTable: 'invoices',
  columns: [{ name: 'id', type: 'integer', notNull: true, collation: null, default: null, generated: null }],
};

const plan: Plan = {
  summary: { create: 1, update: 1, destroy: 1 },
  databases: [
    {
      alias: 'main',
      fingerprint: 'sha256:x',
      errors: [],
      notes: [],
      preamble: [],
      changes: [
        {
          action: 'destroy',
          link: 'legacy',
          operations: [
            { kind: 'drop_schema', schema: 'legacy' },
            { kind: 'drop_server', server: 'legacy' },
          ],
          dependents: [{ link: 'legacy', table: 'old', column: null, inLinkSchema: false, description: 'view public.report' }],
        },
        {
          action: 'create',
          link: 'billing',
          dependents: [],
          operations: [
            {
              kind: 'create_server',
              server: 'billing',
              options: { host: 'db', updatable: 'false' },
              meta: { created_at: null, remote: 'BILLING_URL' },
            },
            { kind: 'create_schema', schema: 'billing', meta: { created_at: null, remote: 'BILLING_URL' } },
            { kind: 'create_foreign_table', schema: 'billing', server: 'billing', table },
          ],
        },
        {
          action: 'update',
          link: 'crm',
          dependents: [],
          operations: [
            { kind: 'alter_server_options', server: 'crm', changes: [{ action: 'set', name: 'host', value: 'new-host', old: 'old-host' }] },
            { kind: 'replace_user_mapping', server: 'crm', role: 'app', user: 'crm', reason: 'credentials_changed' },
            {
              kind: 'replace_foreign_table',
              schema: 'crm',
              server: 'crm',
              table,
              diff: [
                {
                  change: 'added',
                  column: 'email',
                  after: { name: 'email', type: 'text', notNull: false, collation: null, default: null, generated: null },
                },
              ],
              reason: { code: 'remote_columns_changed', options: [] },
            },
            { kind: 'drop_foreign_tables', schema: 'crm', tables: ['gone'], reason: 'removed_on_remote' },
          ],
        },
      ],
    },
    {
      alias: 'reporting',
      fingerprint: '',
      errors: [
        { link: 'billing', code: 'remote_unreadable', error: 'cannot connect to the remote db:5432/x: connection refused', advice: null },
      ],
      notes: [],
      preamble: [],
      changes: [],
    },
  ],
};

describe('the plan view', () => {
  const view = buildPlanView(plan);

  it('shows every change kind with Terraform symbols, grouped by database and link', () => {
    const frame = strip(render(<PlanScreen view={view} color />).lastFrame());
    expect(frame).toContain('Database main');
    expect(frame).toContain('- link legacy will be destroyed');
    expect(frame).toContain('! also drops view public.report (depends on legacy.old)');
    expect(frame).toContain('+ link billing will be created');
    expect(frame).toContain('+ server billing (host=db, updatable=false)');
    expect(frame).toContain('+ foreign table billing.invoices (1 column)');
    expect(frame).toContain('~ link crm will be updated in place');
    expect(frame).toContain('- host = old-host');
    expect(frame).toContain('+ host = new-host');
    expect(frame).toContain('~ user mapping for app: credentials changed (sensitive value changed)');
    expect(frame).toContain('-/+ foreign table crm.invoices (remote columns changed: replaced)');
    expect(frame).toContain('+ email text');
    expect(frame).toContain('- foreign table crm.gone (no longer on the remote)');
    expect(frame).toContain('✗ link billing: cannot connect to the remote db:5432/x: connection refused');
    expect(frame).toContain('Plan: 1 to create, 1 to update, 1 to destroy.');
  });

  it('prints the same plan as plain text, with no escape codes', () => {
    const text = renderPlanText(view);
    expect(text).not.toContain(ESC);
    expect(text).toContain('      -/+ foreign table crm.invoices (remote columns changed: replaced)');
    expect(text.trimEnd().split('\n')).toContain('Plan: 1 to create, 1 to update, 1 to destroy.');
  });

  it('says No changes. for an empty plan', () => {
    const empty = buildPlanView({
      summary: { create: 0, update: 0, destroy: 0 },
      databases: [{ alias: 'main', fingerprint: 'x', errors: [], notes: [], preamble: [], changes: [] }],
    });
    expect(strip(render(<PlanScreen view={empty} color={false} />).lastFrame())).toContain('No changes.');
  });
});

describe('the prompts', () => {
  it('a yes/no prompt applies only on yes', async () => {
    const onAnswer = vi.fn();
    const { stdin, lastFrame } = render(<ConfirmPrompt question="Apply these changes?" onAnswer={onAnswer} />);
    expect(strip(lastFrame())).toContain('Apply these changes? [y/N]');
    await typeLine(stdin, 'yes');
    expect(onAnswer).toHaveBeenCalledWith(true);
  });

  it('a yes/no prompt defaults to no on a bare enter', async () => {
    const onAnswer = vi.fn();
    const { stdin, lastFrame } = render(<ConfirmPrompt question="Apply these changes?" onAnswer={onAnswer} />);
    await typeLine(stdin, '');
    expect(onAnswer).toHaveBeenCalledWith(false);
    expect(strip(lastFrame())).toContain('Not applied.');
  });

  it('a destroy needs the database alias typed, and refuses a wrong one', async () => {
    const onAnswer = vi.fn();
    const { stdin, lastFrame } = render(<TypeToConfirm alias="main" links={['legacy']} onAnswer={onAnswer} />);
    expect(strip(lastFrame())).toContain('! This destroys link legacy in database main');
    expect(strip(lastFrame())).toContain('To proceed, type "main":');
    await typeLine(stdin, 'mian');
    expect(onAnswer).toHaveBeenCalledWith(false);
    expect(strip(lastFrame())).toContain('"mian" is not "main". Not applied.');
  });

  it('a destroy proceeds when the alias is typed exactly', async () => {
    const onAnswer = vi.fn();
    const { stdin } = render(<TypeToConfirm alias="main" links={['legacy']} onAnswer={onAnswer} />);
    await typeLine(stdin, 'main');
    expect(onAnswer).toHaveBeenCalledWith(true);
  });
});

describe('typed answers arriving in one chunk', () => {
  it('take the Enter inside the chunk as the end of the answer', async () => {
    const onAnswer = vi.fn();
    const { stdin } = render(<TypeToConfirm alias="main" links={['legacy']} onAnswer={onAnswer} />);
    await tick();
    stdin.write('main\r');
    await tick();
    expect(onAnswer).toHaveBeenCalledWith(true);
  });
});

describe('the summary line tells the truth', () => {
  const database = (alias: string, errors: PlanProblem[] = []) => ({
    alias,
    fingerprint: '',
    errors,
    notes: [],
    preamble: [],
    changes: [],
  });
  const none = { create: 0, update: 0, destroy: 0 };
  const both = (view: ReturnType<typeof buildPlanView>) => [
    renderPlanText(view),
    strip(render(<PlanScreen view={view} color={false} />).lastFrame()),
  ];
  const lines = (text: string) => text.split('\n').map((l) => l.trim());

  it('never says No changes. when the only database could not be planned', () => {
    const view = buildPlanView({
      summary: none,
      databases: [database('main', [{ link: null, code: 'local_unreadable', error: 'cannot connect', advice: null }])],
    });
    for (const text of both(view)) {
      expect(lines(text)).not.toContain('No changes.');
      expect(lines(text)).toContain('Nothing could be planned: the database has errors.');
    }
  });

  it('says every database failed when none could be planned', () => {
    const view = buildPlanView({
      summary: none,
      databases: [
        database('main', [{ link: null, code: 'local_unreadable', error: 'x', advice: null }]),
        database('other', [{ link: 'b', code: 'remote_unreadable', error: 'y', advice: null }]),
      ],
    });
    for (const text of both(view)) {
      expect(lines(text)).toContain('Nothing could be planned: all 2 databases have errors.');
      expect(lines(text)).toContain('Errors in databases main, other: they cannot be applied until fixed.');
    }
  });

  it('says which part had no changes when some databases have errors', () => {
    const view = buildPlanView({
      summary: none,
      databases: [database('main'), database('other', [{ link: null, code: 'local_unreadable', error: 'x', advice: null }])],
    });
    for (const text of both(view)) {
      expect(lines(text)).not.toContain('No changes.');
      expect(lines(text)).toContain('No changes in the databases that could be planned; 1 database has errors.');
    }
  });

  it('says objects outside the links will be dropped when --allow-dependent-drops was passed, and refused when not', () => {
    const planned = buildPlanView(plan);
    const allowed = buildPlanView(plan, { dependentDrops: 'allowed' });
    const refused = buildPlanView(plan, { dependentDrops: 'refused' });
    // Ink wraps long lines at the terminal's width: compare the words.
    const flat = (view: ReturnType<typeof buildPlanView>) => both(view).map((text) => text.replace(/\s+/g, ' '));
    for (const text of flat(planned)) expect(text).toContain('apply refuses it unless you pass --allow-dependent-drops.');
    for (const text of flat(allowed)) {
      expect(text).toContain('They WILL be dropped with the links: --allow-dependent-drops was passed.');
      expect(text).not.toContain('refuses');
    }
    for (const text of flat(refused)) expect(text).toContain('apply refuses it: pass --allow-dependent-drops to drop them with the links.');
  });
});

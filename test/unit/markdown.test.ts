import { describe, expect, it } from 'vitest';
import { escapeText } from '../../src/escape.js';
import { toPlanDocument } from '../../src/plan/plan-document.js';
import type { Plan } from '../../src/plan/types.js';
import { destructiveChanges, escapeMarkdown, planMarker, renderApplyMarkdown, renderPlanMarkdown } from '../../src/render/markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { buildPlanView } from '../../src/render/plan-view.js';
import { noteText, problemWords } from '../../src/render/plan-words.js';
import { registerSecret } from '../../src/secrets.js';

const HOSTILE = 'in|voices`x` <img src=x onerror=alert(1)> **b** [l](http://e) @octocat $x$ ~~s~~ 100%\n| a | b |\r\u001b[31mred\u202e';

function column(name: string) {
  return { name, type: 'integer', notNull: false, collation: null, default: null, generated: null };
}

/** A plan with every kind of line: a create with a hostile remote table, an update that drops and replaces, a destroy. */
function samplePlan(): Plan {
  return {
    databases: [
      {
        alias: 'main',
        preamble: [{ kind: 'create_extension', schema: 'public' }],
        changes: [
          {
            action: 'create',
            link: 'billing',
            operations: [
              { kind: 'create_schema', schema: 'billing', meta: { created_at: null, remote: 'BILLING_URL' } },
              {
                kind: 'create_foreign_table',
                schema: 'billing',
                server: 'billing',
                table: { name: HOSTILE, remoteSchema: 'public', remoteTable: HOSTILE, columns: [column('id')] },
              },
            ],
            dependents: [],
          },
          {
            action: 'update',
            link: 'crm',
            operations: [
              { kind: 'drop_foreign_tables', schema: 'crm', tables: ['old_people'], reason: 'removed_on_remote' },
              {
                kind: 'replace_foreign_table',
                schema: 'crm',
                server: 'crm',
                table: { name: 'accounts', remoteSchema: 'public', remoteTable: 'accounts', columns: [column('b'), column('a')] },
                diff: [{ change: 'changed', column: 'a', before: column('a'), after: { ...column('a'), type: 'text' } }],
                reason: { code: 'remote_columns_changed', options: [] },
              },
            ],
            dependents: [{ link: 'crm', table: 'accounts', column: null, inLinkSchema: false, description: 'view public.account_report' }],
          },
          { action: 'destroy', link: 'legacy', operations: [{ kind: 'drop_server', server: 'legacy' }], dependents: [] },
        ],
        errors: [],
        notes: [],
        fingerprint: '',
      },
      {
        alias: `reporting|${HOSTILE}`,
        preamble: [],
        changes: [],
        errors: [
          {
            link: 'analytics',
            code: 'remote_unreadable',
            error: `cannot reach the remote: relation "${HOSTILE}"`,
            advice: 'check the host',
          },
        ],
        notes: [],
        fingerprint: '',
      },
    ],
    summary: { create: 1, update: 1, destroy: 1 },
  };
}

/** The cells of a GFM table row: split at pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1);
}

describe('escapeMarkdown', () => {
  it('escapes inline markup, table pipes, HTML and mentions', () => {
    expect(escapeMarkdown('a|b `c` *d* _e_ [f] ~g~ $h$ \\')).toBe('a\\|b \\`c\\` \\*d\\* \\_e\\_ \\[f\\] \\~g\\~ \\$h\\$ \\\\');
    expect(escapeMarkdown('<script>&amp;')).toBe('&lt;script&gt;&amp;amp;');
    expect(escapeMarkdown('@octocat')).toBe('@\u2060octocat');
  });

  it('shows control characters and bidi overrides as text, so nothing can end a line or reorder it', () => {
    expect(escapeMarkdown('a\nb\r\u001b[1m\u202e')).toBe('a\\\\x0ab\\\\x0d\\\\x1b\\[1m\\\\u202e');
  });

  it('leaves ordinary names and unicode alone', () => {
    expect(escapeMarkdown('billing.invoices (3 columns), host=db-1.internal, Zürich 東京')).toBe(
      'billing.invoices (3 columns), host=db-1.internal, Zürich 東京',
    );
  });
});

describe('renderPlanMarkdown', () => {
  const plan = samplePlan();
  const markdown =
    renderPlanMarkdown(plan, buildPlanView(plan), {
      configPath: 'infra/datalinks.yaml',
      title: 'datalinks plan',
      marker: true,
    }) ?? '';
  const lines = markdown.split('\n');

  it('starts with the hidden marker a workflow finds its comment by, then the summary', () => {
    expect(lines[0]).toBe('<!-- datalinks plan: infra/datalinks.yaml -->');
    expect(markdown).toContain('**Plan: 1 to create, 1 to update, 1 to destroy.**');
  });

  it('groups the changes by database, one two-column table row per line of the plan, whatever the names hold', () => {
    expect(markdown).toContain('#### Database main\n\n| | change |\n|:-:|---|\n');
    const rows = lines.filter((line) => line.startsWith('| ') && !line.startsWith('| |'));
    expect(rows.length).toBe(12);
    for (const row of rows) expect(cells(row)).toHaveLength(2);
    expect(rows).toContain('| 🟩`+` | link billing will be created |');
    expect(rows).toContain('| 🟥`-` | link legacy will be destroyed |');
    expect(rows.find((row) => row.includes('foreign table billing.in'))).toBe(
      `| 🟩\`+\` | &emsp;foreign table billing.${escapeMarkdown(escapeText(HOSTILE))} (1 column) |`,
    );
  });

  it('lets no hostile name open HTML, code, a link, a mention or a new line', () => {
    expect(markdown).not.toMatch(/<(?!!-- datalinks plan|br>)/);
    expect(markdown).not.toContain('\u001b');
    expect(markdown).not.toContain('\r');
    expect(markdown).not.toContain('\u202e');
    expect(markdown).not.toContain('@octocat');
    expect(markdown).not.toMatch(/(?<!\\)\[l\]/);
    expect(lines.filter((line) => line.includes('| a | b |'))).toHaveLength(0);
  });

  it('calls out every destructive change, with the flag apply needs for dependents', () => {
    expect(markdown).toContain('> [!CAUTION]\n> This plan destroys or replaces 4 things:');
    expect(markdown).toContain('> - **main**: foreign table crm.old\\_people will be dropped (no longer on the remote)');
    expect(markdown).toContain('> - **main**: foreign table crm.accounts will be replaced (remote columns changed)');
    expect(markdown).toContain('> - **main**: also drops view public.account\\_report, outside the link (depends on crm.accounts)');
    expect(markdown).toContain('> - **main**: link legacy will be destroyed');
    expect(markdown).toContain('`--allow-dependent-drops`');
  });

  it('lists errors under their database with the hint, escaped', () => {
    // Names reach the markdown through the plan view, escaped for text first, then for markdown.
    expect(markdown).toContain(`#### Database reporting\\|${escapeMarkdown(escapeText(HOSTILE))}`);
    expect(markdown).toContain(
      `- ❌ link analytics: cannot reach the remote: relation "${escapeMarkdown(escapeText(HOSTILE))}"\n  <br>hint: check the host`,
    );
    expect(markdown).toContain('> [!WARNING]');
  });

  it('never shows a secret, even one that escaping would have changed', () => {
    registerSecret('pa_ss|w*rd');
    const leaky = samplePlan();
    leaky.databases[1]!.errors[0] = {
      link: 'analytics',
      code: 'remote_unreadable',
      error: 'password authentication failed for pa_ss|w*rd',
      advice: null,
    };
    const text = renderPlanMarkdown(leaky, buildPlanView(leaky), { configPath: 'datalinks.yaml', title: 'datalinks plan' }) ?? '';
    expect(text).not.toContain('pa_ss|w*rd');
    expect(text).not.toContain(escapeMarkdown('pa_ss|w*rd'));
    expect(text).toContain('failed for \\*\\*\\*\\*\\*\\*\\*\\*');
  });

  it('says "No changes." for a database with nothing to do', () => {
    const empty: Plan = {
      databases: [{ alias: 'main', preamble: [], changes: [], errors: [], notes: [], fingerprint: '' }],
      summary: { create: 0, update: 0, destroy: 0 },
    };
    const text = renderPlanMarkdown(empty, buildPlanView(empty), { configPath: 'datalinks.yaml', title: 'datalinks plan' }) ?? '';
    expect(text).toContain('#### Database main\n\nNo changes.');
    expect(text).not.toContain('[!CAUTION]');
  });
});

describe('planMarker', () => {
  it('cannot be closed or broken by the config path', () => {
    expect(planMarker('a-->b\n<!--c.yaml')).toBe('<!-- datalinks plan: a--_b__!--c.yaml -->');
  });
});

describe('destructiveChanges', () => {
  it('finds destroys, dropped and replaced foreign tables, and dependents, in plan order', () => {
    expect(destructiveChanges(samplePlan()).map((d) => `${d.link}:${d.kind}`)).toStrictEqual([
      'crm:drop_foreign_table',
      'crm:replace_foreign_table',
      'crm:drop_dependent',
      'legacy:destroy_link',
    ]);
  });
});

describe('renderApplyMarkdown', () => {
  it('adds each database outcome to the plan it applied', () => {
    const plan = samplePlan();
    const text =
      renderApplyMarkdown(
        plan,
        buildPlanView(plan),
        [
          { alias: 'main', failed: false, text: 'Database main: applied 9 statements in 0.2s.' },
          { alias: 'b|c', failed: true, text: 'Database b|c: FAILED: permission denied' },
        ],
        'Apply finished with errors: 1 applied, 1 not applied (each database is all or nothing).',
        'datalinks.yaml',
      ) ?? '';
    expect(text.startsWith('### datalinks apply: datalinks.yaml')).toBe(true);
    expect(text).toContain('| ✅ main | Database main: applied 9 statements in 0.2s. |');
    expect(text).toContain('| ❌ b\\|c | Database b\\|c: FAILED: permission denied |');
    expect(text).toContain('**Apply finished with errors: 1 applied, 1 not applied (each database is all or nothing).**');
  });
});

const WORDS = { problem: problemWords, note: noteText };

describe('a targeted or sharded plan says so in every view', () => {
  const plan: Plan = { ...samplePlan(), selection: { links: ['billing', 'crm'], shard: { index: 2, count: 4 } } };
  const view = buildPlanView(plan);
  const warning =
    'Warning: this plan is targeted (--link billing, crm): it reads and changes only those links. The other links of these databases were not read and may differ from the file; plan without --link once you can.';

  it('text and Ink: a warning and the shard under the summary', () => {
    expect(renderPlanText(view).split('\n').slice(-6, -2)).toStrictEqual([
      'Plan: 1 to create, 1 to update, 1 to destroy.',
      warning,
      "Shard 2/4 of the file's databases (--shard): 2 databases in this plan.",
      'Warning: this plan drops objects outside the links (marked !). apply refuses it unless you pass --allow-dependent-drops.',
    ]);
  });

  it('markdown: a warning block after the summary, which is kept when the comment is cut', () => {
    const markdown =
      renderPlanMarkdown(plan, view, {
        configPath: 'datalinks.yaml',
        title: 'datalinks plan',
        fit: { limit: 900, measure: (t) => t.length, why: 'small', whereAll: 'in the job log' },
      }) ?? '';
    expect(markdown).toContain(
      `**Plan: 1 to create, 1 to update, 1 to destroy.**\n\nShard 2/4 of the file's databases (--shard): 2 databases in this plan.\n\n> [!WARNING]\n> ${escapeMarkdown(warning)}\n`,
    );
    expect(markdown.length).toBeLessThanOrEqual(900);
    expect(markdown).toContain('in the job log');
  });

  it('JSON and the saved plan: the selection, and no warning for a plan of the whole file', () => {
    expect(toPlanDocument(plan, { configPath: 'f', configHash: 'h', databases: [] }, 'now', WORDS).selection).toStrictEqual({
      links: ['billing', 'crm'],
      shard: { index: 2, count: 4 },
    });
    expect(toPlanDocument(samplePlan(), { configPath: 'f', configHash: 'h', databases: [] }, 'now', WORDS).selection).toStrictEqual({
      links: null,
      shard: null,
    });
    expect(renderPlanText(buildPlanView(samplePlan()))).not.toContain('targeted');
  });
});

import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendStepSummary, pullRequestCommentLimit } from '../../src/cli/github.js';
import { createCapturedOutput } from '../../src/cli/output.js';
import type { Plan } from '../../src/plan/types.js';
import { renderApplyMarkdown, renderPlanMarkdown, whereToSeeAll } from '../../src/render/markdown.js';
import { commentLength, type MarkdownLimit, utf8Length } from '../../src/render/markdown-fit.js';
import { buildPlanView } from '../../src/render/plan-view.js';

const column = (name: string) => ({ name, type: 'integer', notNull: false, collation: null, default: null, generated: null });

/** What a remote that dropped `dropped` tables and added `added` looks like: one link losing them, one link created. */
function bigPlan(dropped: number, added: number, name = (i: number) => `remote_table_with_a_rather_long_name_${i}`): Plan {
  return {
    summary: { create: 1, update: 1, destroy: 0 },
    databases: [
      {
        alias: 'main',
        fingerprint: '',
        errors: [],
        notes: [{ code: 'server_marked_by_other_role', link: null, server: 'someone_elses', owner: 'bob' }],
        preamble: [],
        changes: [
          {
            action: 'update',
            link: 'billing',
            dependents: [],
            operations: [
              {
                kind: 'drop_foreign_tables',
                schema: 'billing',
                tables: Array.from({ length: dropped }, (_, i) => name(i)),
                reason: 'removed_on_remote',
              },
            ],
          },
          {
            action: 'create',
            link: 'crm',
            dependents: [],
            operations: Array.from({ length: added }, (_, i) => ({
              kind: 'create_foreign_table' as const,
              schema: 'crm',
              server: 'crm',
              table: { name: name(i), remoteSchema: 'public', remoteTable: name(i), columns: [column('id')] },
            })),
          },
        ],
      },
      {
        alias: 'reporting',
        fingerprint: '',
        errors: [{ link: 'analytics', code: 'remote_unreadable', error: 'connection refused', advice: 'check the host' }],
        notes: [],
        preamble: [],
        changes: [],
      },
    ],
  };
}

const render = (plan: Plan, fit?: MarkdownLimit) =>
  renderPlanMarkdown(plan, buildPlanView(plan), { configPath: 'datalinks.yaml', title: 'datalinks plan', marker: true, fit });

const COMMENT = pullRequestCommentLimit(
  whereToSeeAll({ jobSummary: { runUrl: 'https://github.com/o/r/actions/runs/1' }, savedPlan: 'plan.json' }),
);

/** Whether `part`'s lines appear in `whole`, in order (nothing was cut inside a line, nothing reordered). */
function isSubsequence(part: string[], whole: string[]): boolean {
  let at = 0;
  for (const line of part) {
    while (at < whole.length && whole[at] !== line) at++;
    if (at === whole.length) return false;
    at++;
  }
  return true;
}

describe('markdown cut to fit a pull-request comment', () => {
  it('a plan dropping 1,000 remote tables fits, destructive changes first, marker kept, the rest counted with where to see it', () => {
    const plan = bigPlan(1000, 1000);
    const full = render(plan) ?? '';
    expect(commentLength(full)).toBeGreaterThan(200_000);
    const text = render(plan, COMMENT) ?? '';
    expect(commentLength(text)).toBeLessThanOrEqual(65_536);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('<!-- datalinks plan: datalinks.yaml -->');
    expect(text).toContain('**Plan: 1 to create, 1 to update, 0 to destroy.**');
    expect(text).toContain(
      '> [!CAUTION]\n> This plan destroys or replaces 1000 things:\n> - **main**: foreign table billing.remote\\_table\\_with',
    );
    // The destructive changes take the room: the first ones, in order, and nothing else.
    const shown = lines.filter((l) => l.startsWith('> - **main**: foreign table billing.'));
    expect(shown.length).toBeGreaterThan(300);
    expect(shown.length).toBeLessThan(1000);
    for (const [i, line] of shown.entries()) expect(line).toContain(`name\\_${i} will be dropped`);
    expect(text).not.toContain('crm.remote');
    const note = lines.at(-1) ?? '';
    expect(note).toBe(
      `**Not shown here: ${(1000 - shown.length).toLocaleString('en-US')} of 1,000 destructive changes, 1 of 1 error, 2,002 of 2,002 lines of the changes tables and 1 of 1 note** (a pull-request comment holds at most 65,536 characters). See all of it in the [job summary](https://github.com/o/r/actions/runs/1) of this run, in the saved plan plan.json or with \`datalinks plan\`.`,
    );
    expect(isSubsequence(lines.slice(0, -1), full.split('\n'))).toBe(true);
  });

  it('a plan that fits is written whole, with no note', () => {
    const plan = bigPlan(3, 3);
    expect(render(plan, COMMENT)).toBe(render(plan));
    expect(render(plan, COMMENT)).not.toContain('Not shown here');
  });

  it('keeps errors and link headlines before the details when the destructive list fits', () => {
    const text = render(bigPlan(5, 4000), COMMENT) ?? '';
    expect(commentLength(text)).toBeLessThanOrEqual(65_536);
    expect(text).toContain('- ❌ link analytics: connection refused\n  <br>hint: check the host');
    expect(text).toContain('| 🟩`+` | link crm will be created |');
    expect(text).toContain('| 🟨`~` | link billing will be updated in place |');
    expect(text.match(/^> - \*\*main\*\*/gm)).toHaveLength(5);
    expect(text).toMatch(/\*\*Not shown here: [\d,]+ of 4,007 lines of the changes tables and 1 of 1 note\*\*/);
  });

  it('counts characters as GitHub could: astral emoji and CJK names stay within 65,536 code points, UTF-16 units and 262,144 bytes', () => {
    const text =
      render(
        bigPlan(3000, 0, (i) => `🌈東京${i}🌈`.repeat(4)),
        COMMENT,
      ) ?? '';
    expect(text.length + (text.match(/\n/g) ?? []).length).toBeLessThanOrEqual(65_536);
    expect([...text].length).toBeLessThanOrEqual(65_536);
    expect(utf8Length(text)).toBeLessThanOrEqual(262_144);
    expect(text).toContain('**Not shown here:');
  });

  it('a fleet whose every database failed still fits: the warning names the first ten, the errors are counted', () => {
    const plan: Plan = {
      summary: { create: 0, update: 0, destroy: 0 },
      databases: Array.from({ length: 5000 }, (_, i) => ({
        alias: `tenant_${i}`,
        fingerprint: '',
        errors: [
          {
            link: null,
            code: 'local_unreadable' as const,
            error: `cannot connect to database "tenant_${i}": connection refused`,
            advice: null,
          },
        ],
        notes: [],
        preamble: [],
        changes: [],
      })),
    };
    const text = render(plan, COMMENT) ?? '';
    expect(commentLength(text)).toBeLessThanOrEqual(65_536);
    expect(text).toContain(
      '> Errors in tenant\\_0, tenant\\_1, tenant\\_2, tenant\\_3, tenant\\_4, tenant\\_5, tenant\\_6, tenant\\_7, tenant\\_8, tenant\\_9 and 4990 more: they cannot be applied until fixed.',
    );
    expect(text).toMatch(/\*\*Not shown here: [\d,]+ of 5,000 errors\*\*/);
  });

  it('whatever the names and the room: within the limit, whole lines of the full text in order, the marker first', () => {
    const hostile = fc.string({
      unit: fc.constantFrom('|', '`', '\\', '&', '#', '[', '<', '\n', 'a', '🌈', '東', '\u200b', '@', '*'),
      maxLength: 20,
    });
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 60 }), fc.integer({ min: 400, max: 20_000 }), (names, limit) => {
        const plan = bigPlan(names.length, names.length, (i) => `${names[i]}${i}`);
        const full = (render(plan) ?? '').split('\n');
        const text = render(plan, { ...COMMENT, limit });
        if (text === undefined) return;
        expect(commentLength(text)).toBeLessThanOrEqual(limit);
        const lines = text.trimEnd().split('\n');
        expect(lines[0]).toBe('<!-- datalinks plan: datalinks.yaml -->');
        const body = lines.at(-1)?.startsWith('**Not shown here:') ? lines.slice(0, -1) : lines;
        expect(isSubsequence(body, full)).toBe(true);
        // Every table row kept is a whole row (a row starts and ends with an unescaped pipe).
        for (const line of body) if (line.startsWith('| ')) expect(line.endsWith(' |')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('markdown cut to fit the job summary', () => {
  function summaryFile(bytes: number) {
    const path = join(mkdtempSync(join(tmpdir(), 'datalinks-summary-')), 'summary.md');
    writeFileSync(path, 'x'.repeat(bytes));
    return path;
  }

  it("appends no more than what is left of the step's 1 MiB, counted in bytes", async () => {
    const path = summaryFile(1024 * 1024 - 40_000);
    const output = createCapturedOutput({ GITHUB_STEP_SUMMARY: path });
    const plan = bigPlan(0, 5000, (i) => `東京の表${i}`);
    await appendStepSummary(output, (fit) => render(plan, fit), whereToSeeAll({ jobLog: true }));
    expect(statSync(path).size).toBeLessThanOrEqual(1024 * 1024);
    expect(statSync(path).size).toBeGreaterThan(1024 * 1024 - 5_000);
    const appended = readFileSync(path, 'utf8').slice(1024 * 1024 - 40_000);
    expect(appended.startsWith('<!-- datalinks plan: datalinks.yaml -->')).toBe(true);
    expect(appended).toContain('(a job summary holds at most 1 MiB per step). See all of it in the job log.');
    expect(output.stderr()).toBe('');
  });

  it('appends nothing, and says so, when the step has no room left (the runner would drop the whole summary)', async () => {
    const path = summaryFile(1024 * 1024 - 100);
    const output = createCapturedOutput({ GITHUB_STEP_SUMMARY: path });
    await appendStepSummary(output, (fit) => render(bigPlan(10, 10), fit), whereToSeeAll({ jobLog: true }));
    expect(statSync(path).size).toBe(1024 * 1024 - 100);
    expect(output.stderr()).toContain(
      'Warning: the job summary (GITHUB_STEP_SUMMARY) has 100 of its 1 MiB left, too little for this summary',
    );
  });

  it("keeps every database outcome of an apply before the plan's lines", () => {
    const plan = bigPlan(2000, 0);
    const rows = [
      { alias: 'main', failed: false, text: 'Database main: applied 1 statement in 0.2s.' },
      { alias: 'reporting', failed: true, text: 'Database reporting: refused: the plan has errors' },
    ];
    const text =
      renderApplyMarkdown(plan, buildPlanView(plan), rows, 'Apply finished with errors: 1 applied, 1 not applied.', 'datalinks.yaml', {
        limit: 20_000,
        measure: utf8Length,
        why: 'a job summary holds at most 1 MiB per step',
        whereAll: 'in the job log',
      }) ?? '';
    expect(utf8Length(text)).toBeLessThanOrEqual(20_000);
    expect(text).toContain('| ✅ main | Database main: applied 1 statement in 0.2s. |');
    expect(text).toContain('| ❌ reporting | Database reporting: refused: the plan has errors |');
    expect(text).toContain('**Apply finished with errors: 1 applied, 1 not applied.**');
  });
});

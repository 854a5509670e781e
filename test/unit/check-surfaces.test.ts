import { describe, expect, it } from 'vitest';
import type { DatabaseHealth } from '../../src/check/check-database.js';
import { buildCheckReport } from '../../src/check/check-report.js';
import type { LinkHealth } from '../../src/check/types.js';
import { checkAnnotations } from '../../src/cli/check-annotations.js';
import { emitCheckReport } from '../../src/cli/check-output.js';
import { formatWorkflowCommand } from '../../src/cli/github.js';
import { createCapturedOutput } from '../../src/cli/output.js';
import { renderCheckMarkdown } from '../../src/render/check-markdown.js';
import { labelValue, renderCheckOpenMetrics } from '../../src/render/check-openmetrics.js';
import { utf8Length } from '../../src/render/markdown-fit.js';
import { escapeWorkflowCommands } from '../../src/render/workflow-command-escape.js';
import { desired, health, planOf } from '../support/check-fixtures.js';
import { parseWorkflowCommand, workflowCommandsIn } from '../support/workflow-commands.js';

const refused: Partial<LinkHealth> = {
  state: 'auth_failed',
  remoteVersion: null,
  remoteVersionNum: null,
  connectMs: null,
  rttMs: null,
  tablesChecked: 0,
  failure: {
    code: 'auth_failed',
    sqlstate: '28P01',
    message: 'could not connect to server "crew"',
    detail: 'password authentication failed for user "crew_ro"',
  },
};

/** main: billing ok, sales drifted (a table gone from the remote), crew refused its password. */
function sampleReport(alias = 'main') {
  const probed: DatabaseHealth[] = [{ alias, ok: true, links: [health('billing'), health('sales'), health('crew', refused)] }];
  const plan = planOf(alias, [
    {
      action: 'update',
      link: 'sales',
      operations: [{ kind: 'drop_foreign_tables', schema: 'sales', tables: ['old'], reason: 'removed_on_remote' }],
      dependents: [],
    },
  ]);
  const state = desired(alias, ['billing', 'sales', 'crew']);
  return { state, report: buildCheckReport(state, plan, probed) };
}

describe('check --format openmetrics', () => {
  it('writes gauges per link and database, in families, with units, and # EOF last', () => {
    const { report } = sampleReport();
    const text = renderCheckOpenMetrics(report, { at: new Date(1_767_000_000_500), durationMs: 1234 });
    const lines = text.split('\n');
    expect(lines.at(-2)).toBe('# EOF');
    expect(lines.at(-1)).toBe('');
    expect(lines.filter((l) => l.startsWith('datalinks_link_up'))).toStrictEqual([
      'datalinks_link_up{database="main",link="billing"} 1',
      'datalinks_link_up{database="main",link="sales"} 1',
      'datalinks_link_up{database="main",link="crew"} 0',
    ]);
    expect(lines).toContain('datalinks_check_timestamp_seconds 1767000000.5');
    expect(lines).toContain('datalinks_check_duration_seconds 1.234');
    expect(lines).toContain('# UNIT datalinks_link_connect_seconds seconds');
    expect(lines).toContain('datalinks_link_connect_seconds{database="main",link="billing"} 0.0125');
    expect(lines).toContain('datalinks_link_round_trip_seconds{database="main",link="billing"} 0.0008');
    expect(lines.some((l) => l.startsWith('datalinks_link_connect_seconds{database="main",link="crew"}'))).toBe(false);
    expect(lines).toContain('datalinks_link_state{database="main",link="crew",state="auth_failed"} 1');
    expect(lines).toContain('datalinks_link_state{database="main",link="crew",state="ok"} 0');
    // One series per state: ok, unreachable, auth_failed, missing, unreadable_tables, drift, unknown.
    expect(lines.filter((l) => l.startsWith('datalinks_link_state{database="main",link="crew"'))).toHaveLength(7);
    expect(lines).toContain('datalinks_link_drift{database="main",link="sales"} 1');
    expect(lines).toContain('datalinks_link_drift{database="main",link="crew"} 0');
    // Tables only where the link connected.
    expect(lines.filter((l) => l.startsWith('datalinks_link_tables{'))).toHaveLength(2);
    // Each family's lines together, each family once.
    const families = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
    expect(new Set(families).size).toBe(families.length);
    const order = lines.filter((l) => !l.startsWith('#') && l !== '').map((l) => l.split(/[{ ]/)[0]);
    expect(order).toStrictEqual([...order].sort((a, b) => families.indexOf(a) - families.indexOf(b)));
    expect(text).not.toContain('secret');
    expect(text).not.toContain('billing.internal');
  });

  it('escapes label values as the format does, showing control characters as text', () => {
    expect(labelValue('a"b\\c')).toBe('a\\"b\\\\c');
    expect(labelValue('x\ny\u001b[2J\u202e')).toBe('x\\\\ny\\\\x1b[2J\\\\u202e');
    const { report } = sampleReport('ma"in\n##[error]x');
    const text = renderCheckOpenMetrics(report, { at: new Date(0), durationMs: 0 });
    expect(text).toContain('datalinks_database_up{database="ma\\"in\\\\n##[error]x"} 1');
    expect(text.split('\n').every((line) => !/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(line))).toBe(true);
  });

  it('is written on a GitHub runner with nothing the runner reads as a command, the label reading as the text shows it', () => {
    const { report } = sampleReport('##[error]x');
    const text = escapeWorkflowCommands(renderCheckOpenMetrics(report, { at: new Date(0), durationMs: 0 }), 'openmetrics');
    expect(workflowCommandsIn(text)).toStrictEqual([]);
    expect(text).toContain('datalinks_database_up{database="#\\\\x23[error]x"} 1');
  });
});

describe('check in GitHub Actions', () => {
  it('annotates a broken link as an error and a drifted one as a warning on its line, with the fix as the hint', () => {
    const { state, report } = sampleReport();
    const lines = checkAnnotations(report, state).map((a) => formatWorkflowCommand(a, {}));
    expect(lines.map((line) => parseWorkflowCommand(line.trimEnd()))).toStrictEqual([
      expect.objectContaining({
        command: 'warning',
        properties: { title: 'datalinks check: link sales of database main: drift', file: 'datalinks.yaml', line: '10', col: '7' },
        data: 'PostgreSQL 17.2, 2 tables readable; differs from the file; apply would change: - foreign table sales.old (no longer on the remote)\nhint: datalinks plan shows the changes; datalinks apply makes them',
      }),
      expect.objectContaining({
        command: 'error',
        properties: { title: 'datalinks check: link crew of database main: auth failed', file: 'datalinks.yaml', line: '14', col: '7' },
        data: expect.stringMatching(
          /^could not connect to server "crew": password authentication failed for user "crew_ro"\nhint: the remote refused/,
        ),
      }),
    ]);
  });

  it('annotates a database that could not be checked on its line', () => {
    const state = desired('main', ['billing']);
    const report = buildCheckReport(state, planOf('main'), [
      { alias: 'main', ok: false, code: 'unreachable', error: 'cannot connect to database "main"', hint: 'check the URL' },
    ]);
    expect(checkAnnotations(report, state)).toStrictEqual([
      {
        level: 'error',
        title: 'datalinks check: database main',
        message: 'could not be checked: cannot connect to database "main"',
        hint: 'check the URL',
        position: { file: 'datalinks.yaml', line: 3, column: 3 },
      },
    ]);
  });

  it('writes a job summary table of every link, cut to fit with the broken links kept first', () => {
    const { report } = sampleReport();
    const markdown = renderCheckMarkdown(report, { configPath: 'datalinks.yaml' }) ?? '';
    expect(markdown.split('\n').slice(0, 12)).toStrictEqual([
      '### datalinks check: datalinks.yaml',
      '',
      '**Check: 3 links: 1 ok, 1 broken, 1 drifted.**',
      '',
      '> [!CAUTION]',
      '> one link is broken: the fix is in each row.',
      '',
      '#### Database main (db:5432/app)',
      '',
      '| | link | state | latency | found | fix |',
      '|:-:|---|---|---|---|---|',
      '| ✅ | billing | ok | connect 12.5 ms, round trip 0.8 ms | PostgreSQL 17.2, 2 tables readable |  |',
    ]);
    expect(markdown).toContain(
      '| ❌ | crew | auth failed |  | could not connect to server "crew": password authentication failed for user "crew\\_ro" | the remote refused',
    );

    // A fleet: 3,000 working links and one broken, in a summary with room for a few rows.
    const links = Array.from({ length: 3000 }, (_, i) => `link_${i}`);
    const state = desired('main', [...links, 'crew']);
    const big = buildCheckReport(state, planOf('main'), [
      { alias: 'main', ok: true, links: [...links.map((l) => health(l)), health('crew', refused)] },
    ]);
    const fit = { limit: 4000, measure: utf8Length, why: 'a job summary holds at most 1 MiB per step', whereAll: 'in the job log' };
    const cut = renderCheckMarkdown(big, { configPath: 'datalinks.yaml', fit }) ?? '';
    expect(utf8Length(cut)).toBeLessThanOrEqual(4000);
    expect(cut).toContain('| ❌ | crew | auth failed |');
    expect(cut).toMatch(
      /\*\*Not shown here: 2,9\d\d of 3,001 links\*\* \(a job summary holds at most 1 MiB per step\)\. See all of it in the job log\.\n$/,
    );
  });
});

describe('an interrupted check', () => {
  it('prints no metrics (a pipe to a push gateway would push half a check) and says what it found on stderr', async () => {
    const { state, report } = sampleReport();
    const output = createCapturedOutput({});
    const signal = AbortSignal.abort();
    await emitCheckReport(
      report,
      { config: 'datalinks.yaml', format: 'openmetrics' },
      { desired: state, startedAt: Date.now(), signal },
      output,
    );
    expect(output.stdout()).toBe('');
    expect(output.stderr()).toContain(
      'The check was interrupted: no metrics were printed. What it found so far:\nDatabase main (db:5432/app)\n',
    );
    expect(output.stderr()).toContain('Check: 3 links: 1 ok, 1 broken, 1 drifted.');
  });
});

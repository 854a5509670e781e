import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { outcomeOf } from '../../src/apply/outcome.js';
import { reportError } from '../../src/cli/error-edge.js';
import { type Annotation, annotate, formatWorkflowCommand } from '../../src/cli/github.js';
import { createCapturedOutput, outputEdge } from '../../src/cli/output.js';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredState } from '../../src/config/types.js';
import { UserError } from '../../src/errors.js';
import { escapeJson, escapeMarkdown } from '../../src/escape.js';
import type { LinkCatalog } from '../../src/introspect/types.js';
import type { Plan } from '../../src/plan/types.js';
import { exportConfig } from '../../src/render/export-config.js';
import { renderList } from '../../src/render/list-text.js';
import { renderPlanMarkdown } from '../../src/render/markdown.js';
import { renderOutcomes } from '../../src/render/outcomes.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { buildPlanView } from '../../src/render/plan-view.js';
import { renderSqlText } from '../../src/render/sql-text.js';
import { escapeWorkflowCommands } from '../../src/render/workflow-command-escape.js';
import { runCli, writeConfig } from '../support/cli.js';
import { localEnvironment } from '../support/local-environment.js';
import { parseWorkflowCommand, RUNNER_COMMANDS, runnerLines, workflowCommandsIn } from '../support/workflow-commands.js';

/** Names that try to make the runner run a command, in each syntax and around its matching rules. */
const FORGING = [
  'a##[error]forged',
  '##[add-mask]hide-me',
  '##[stop-commands]tok',
  '##[set-output name=x;]y',
  '##[internal-set-repo-path repoFullName=a/b;workspaceRepo=true]x',
  '::error::forged',
  '  ::warning file=x.yaml::forged',
  '::stop-commands::tok',
  '::add-mask::hide-me',
  '::echo::on',
  '#\u200b#[error]zero width',
  '#\u00ad#\u200d[error]soft hyphen',
  '#\ufe0f#[error]variation selector',
  ':\u200b:error::zero width',
  '\u3000::error::ideographic space',
  '\u00a0::notice::nbsp',
  '\t::error::tab',
  'x\r::error::after CR',
  'x\n##[error]after LF',
  'x\u2028::error::after LS',
  '###[error]',
  '##[##[error]]',
  '%0A::error::percent',
  'tok',
];

describe('the runner parser (test helper) reads what the runner reads', () => {
  // The cases of actions/runner src/Test/L0/Worker/ActionCommandL0.cs.
  const commands = new Set(['do-something']);

  it('the older ##[ syntax, anywhere in a line', () => {
    expect(parseWorkflowCommand('##[do-something k1=v1;]msg', commands)).toMatchObject({
      command: 'do-something',
      properties: { k1: 'v1' },
      data: 'msg',
    });
    expect(parseWorkflowCommand('##[do-something]', commands)).toMatchObject({ command: 'do-something', properties: {}, data: '' });
    expect(parseWorkflowCommand('##[do-something k1=%3B=%0D=%0A=%5D;]%3B-%0D-%0A-%5D', commands)).toMatchObject({
      properties: { k1: ';=\r=\n=]' },
      data: ';-\r-\n-]',
    });
    expect(parseWorkflowCommand('##[do-something k1=;k2=;]', commands)).toMatchObject({ properties: {} });
    expect(parseWorkflowCommand('>>>   ##[do-something k1=v1;]msg', commands)).toMatchObject({ data: 'msg' });
  });

  it('the :: syntax, at the start of a line after white space only', () => {
    expect(parseWorkflowCommand('::do-something k1=v1,::msg', commands)).toMatchObject({ properties: { k1: 'v1' }, data: 'msg' });
    expect(parseWorkflowCommand('::do-something::', commands)).toMatchObject({ data: '' });
    expect(parseWorkflowCommand('::do-something k1=;=%2C=%0D=%0A=]=%3A,::;-%0D-%0A-]-:-,', commands)).toMatchObject({
      properties: { k1: ';=,=\r=\n=]=:' },
      data: ';-\r-\n-]-:-,',
    });
    expect(parseWorkflowCommand('::do-something k1=v1::', commands)).toMatchObject({ properties: { k1: 'v1' }, data: '' });
    expect(parseWorkflowCommand('   ::do-something k1=v1,::msg', commands)).toMatchObject({ data: 'msg' });
    expect(parseWorkflowCommand('   >>>   ::do-something k1=v1,::msg', commands)).toBeNull();
  });

  it('only registered names, unless a stop token makes any name one', () => {
    expect(parseWorkflowCommand('##[nope]x', RUNNER_COMMANDS)).toBeNull();
    expect(parseWorkflowCommand('##[Add-Mask]x', RUNNER_COMMANDS)).toMatchObject({ command: 'Add-Mask' });
    expect(parseWorkflowCommand('##[nope]x')).toMatchObject({ command: 'nope' });
    expect(parseWorkflowCommand('::stop-commands::tok', RUNNER_COMMANDS)).toMatchObject({ command: 'stop-commands', data: 'tok' });
  });

  it("passes over characters the runner's culture-sensitive search ignores, and splits lines at CR too", () => {
    expect(parseWorkflowCommand('#\u200b#[error]x', RUNNER_COMMANDS)).toMatchObject({ command: 'error' });
    expect(parseWorkflowCommand('\u3000::error::x', RUNNER_COMMANDS)).toMatchObject({ command: 'error' });
    expect(runnerLines('a\r::error::b\r\nc\n')).toStrictEqual(['a', '::error::b', 'c']);
  });

  it('finds every forging name as a command when printed raw', () => {
    // A line separator is no line break to the runner's ReadLine, and %0A is a line break only inside a
    // command: those two (and the bare stop token) forge nothing raw, but would once escaped wrongly.
    for (const name of FORGING.filter((n) => n !== 'tok' && !n.includes('\u2028') && !n.startsWith('%0A'))) {
      expect(workflowCommandsIn(name).length, JSON.stringify(name)).toBeGreaterThan(0);
    }
  });
});

/** Strings made of what the runner's syntax is made of, and characters its search passes over. */
const runnerText = fc.string({
  unit: fc.constantFrom(
    '#',
    '#',
    '[',
    ']',
    ':',
    ':',
    ' ',
    '\t',
    '\u3000',
    '\u200b',
    '\u00ad',
    '\ufe0f',
    '\n',
    '\r',
    'a',
    'error',
    '%',
    '\\',
    '"',
    "'",
    '$',
  ),
  maxLength: 40,
});

describe('escapeWorkflowCommands', () => {
  it('leaves nothing the runner reads as a command in text, and escapes only what it must', () => {
    fc.assert(
      fc.property(runnerText, (text) => {
        const escaped = escapeWorkflowCommands(text, 'text');
        expect(workflowCommandsIn(escaped)).toStrictEqual([]);
        expect(escaped.replaceAll('\\x23', '#').replaceAll('\\x3a', ':')).toBe(text.replaceAll('\\x23', '#').replaceAll('\\x3a', ':'));
      }),
      { numRuns: 2000 },
    );
    expect(escapeWorkflowCommands('a##[error]x', 'text')).toBe('a#\\x23[error]x');
    expect(escapeWorkflowCommands('  ::error::x\nok: fine', 'text')).toBe('  \\x3a:error::x\nok: fine');
    expect(escapeWorkflowCommands('hint: see ::1 and # [x]', 'text')).toBe('hint: see ::1 and # [x]');
  });

  it('keeps JSON parsing to the same values', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name: runnerText, columns: fc.array(runnerText, { maxLength: 3 }) }), { maxLength: 4 }), (value) => {
        const json = escapeWorkflowCommands(escapeJson(JSON.stringify(value, null, 2)), 'json');
        expect(workflowCommandsIn(json)).toStrictEqual([]);
        expect(JSON.parse(json)).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
    expect(escapeWorkflowCommands(JSON.stringify({ table: 'a##[error]x' }), 'json')).toBe('{"table":"a#\\u0023[error]x"}');
  });

  it('keeps markdown showing the same text (numeric character references)', () => {
    fc.assert(
      fc.property(runnerText, (text) => {
        const markdown = `| x | ${escapeMarkdown(text)} |\n${text.includes('\n') ? '' : text}`;
        const escaped = escapeWorkflowCommands(markdown, 'markdown');
        expect(workflowCommandsIn(escaped)).toStrictEqual([]);
        expect(escaped.replaceAll('&#35;', '#').replaceAll('&#58;', ':')).toBe(markdown);
      }),
      { numRuns: 1000 },
    );
  });
});

/** A plan whose every name is `name` (as hostile-output.test.tsx makes it). */
function planOf(name: string): Plan {
  const column = { name, type: 'text', notNull: false, collation: null, default: null, generated: null };
  return {
    summary: { create: 1, update: 0, destroy: 1 },
    databases: [
      {
        alias: name,
        fingerprint: '',
        errors: [{ link: name, code: 'remote_unreadable', error: `relation "${name}" does not exist`, advice: `exclude ${name}` }],
        notes: [{ code: 'server_marked_by_other_role', link: null, server: name, owner: name }],
        preamble: [],
        changes: [
          {
            action: 'destroy',
            link: name,
            dependents: [{ link: name, table: name, column: null, inLinkSchema: false, description: `view public.${name}` }],
            operations: [{ kind: 'drop_schema', schema: name }],
          },
          {
            action: 'create',
            link: name,
            dependents: [],
            operations: [
              { kind: 'create_server', server: name, options: { [name]: name }, meta: { created_at: null, remote: name } },
              { kind: 'create_user_mapping', server: name, role: name, user: name },
              {
                kind: 'create_foreign_table',
                schema: name,
                server: name,
                table: { name, remoteSchema: name, remoteTable: name, columns: [column] },
              },
              { kind: 'grant', schema: name, role: name, privileges: ['SELECT'], tables: [name] },
            ],
          },
        ],
      },
    ],
  };
}

const RUNNER_ENV = { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: '/home/runner/work/app' };

/** What a step's log would show for `text` written to a stream in `medium`, under GitHub Actions. */
const printed = (text: string, medium: Parameters<ReturnType<typeof outputEdge>>[1] = 'text') => outputEdge(RUNNER_ENV)(text, medium);

describe('every output, with names that forge workflow commands, under GitHub Actions', () => {
  const desired = (name: string): DesiredState => ({
    configPath: 'datalinks.yaml',
    configHash: `sha256:${'0'.repeat(64)}`,
    databases: [
      {
        alias: name,
        target: { url: '', host: 'h', port: null, dbname: null, user: null, password: null, params: {} },
        urlSource: '${LOCAL_URL}',
        links: [],
        position: { file: 'datalinks.yaml', line: 3, column: 3 },
      },
    ],
  });

  it.each(FORGING)('plan text, --json, --sql and --markdown of %j', (name) => {
    const plan = planOf(name);
    const view = buildPlanView(plan);
    expect(workflowCommandsIn(printed(renderPlanText(view)))).toStrictEqual([]);
    const json = printed(renderPlanJson(plan, desired(name), '2026-01-01T00:00:00Z'), 'json');
    expect(workflowCommandsIn(json)).toStrictEqual([]);
    expect(JSON.parse(json).databases[0].name).toBe(name);
    expect(JSON.parse(json).databases[0].changes[1].operations[2].table.name).toBe(name);
    const sql = printed(renderSqlText(plan), 'sql');
    expect(workflowCommandsIn(sql)).toStrictEqual([]);
    expect(decodeSqlTokens(sql)).toStrictEqual(decodeSqlTokens(renderSqlText(plan)));
    const markdown = renderPlanMarkdown(plan, view, { configPath: 'datalinks.yaml', title: 'datalinks plan', marker: true }) ?? '';
    // Markdown escapes # and [ itself: the edge finds nothing to change, so what was measured is what is printed.
    expect(printed(markdown, 'markdown')).toBe(markdown);
    expect(workflowCommandsIn(markdown)).toStrictEqual([]);
  });

  it.each(FORGING)('apply outcomes, list and errors of %j', (name) => {
    const outcomes = renderOutcomes([
      outcomeOf(name, Date.now(), {
        code: 'statement_failed',
        link: name,
        sqlstate: '42P07',
        message: `relation "${name}" already exists`,
        detail: name,
        serverHint: name,
        statement: `CREATE FOREIGN TABLE "${name}"."${name}" (\n  id integer\n)`,
      }),
    ]);
    expect(workflowCommandsIn(printed(outcomes))).toStrictEqual([]);
    const listed = [
      {
        name,
        target: name,
        links: [
          {
            name,
            managed: false,
            owner: name,
            wrapper: name,
            created_at: name,
            remote_variable: name,
            remote_host: name,
            remote_port: name,
            remote_database: name,
            tables: 1,
          },
        ],
      },
      { name, target: name, links: [], error: name },
    ];
    expect(workflowCommandsIn(printed(renderList(listed)))).toStrictEqual([]);
    const listJson = printed(`${escapeJson(JSON.stringify({ databases: listed }, null, 2))}\n`, 'json');
    expect(workflowCommandsIn(listJson)).toStrictEqual([]);
    expect(JSON.parse(listJson).databases[0].links[0].remote_host).toBe(name);

    const output = createCapturedOutput(RUNNER_ENV);
    reportError(new UserError('x', `cannot connect to ${name}`, [`check ${name}`]), output);
    expect(workflowCommandsIn(output.stdout())).toStrictEqual([]);
    const commands = workflowCommandsIn(output.stderr());
    // Only the annotation datalinks means: one ::error line.
    expect(commands.map((c) => [c.syntax, c.command])).toStrictEqual([['::', 'error']]);
    expect(commands[0]?.line.startsWith('::error title=datalinks::cannot connect to ')).toBe(true);
  });

  it.each(FORGING)('annotations of %j are exactly the ones meant', (name) => {
    const annotations: Annotation[] = [
      { level: 'error', title: name, message: name, hint: name, position: { file: `${name}.yaml`, line: 2, column: 3 } },
      { level: 'warning', title: `destructive change in database ${name}`, message: `link ${name} will be destroyed` },
    ];
    const output = createCapturedOutput(RUNNER_ENV);
    annotate(output, annotations);
    const commands = workflowCommandsIn(output.stderr());
    expect(commands.map((c) => c.command)).toStrictEqual(['error', 'warning']);
    expect(runnerLines(output.stderr())).toHaveLength(2);
    expect(output.stderr()).toBe(annotations.map((a) => formatWorkflowCommand(a, RUNNER_ENV)).join(''));
    // Nothing in the message would read as a command if it were read again.
    for (const command of commands) expect(parseWorkflowCommand(command.data.split('\n')[0] ?? '')).toBeNull();
  });

  it.each(FORGING)('export of %j reads back as the same names', (name) => {
    const database: DesiredDatabase = { ...desired('main').databases[0]!, alias: 'main' };
    const catalog: LinkCatalog = {
      environment: localEnvironment(),
      servers: [
        { name: 'billing', wrapper: 'postgres_fdw', owner: 'app', owned: true, options: { host: name }, comment: null, mappings: [] },
      ],
      schemas: [],
      foreignTables: [
        { schema: 'other', name, server: 'billing', owner: 'app', options: { schema_name: name, table_name: name }, grants: [] },
      ],
    };
    const yaml = printed(exportConfig([{ database, catalog }]), 'yaml');
    expect(workflowCommandsIn(yaml)).toStrictEqual([]);
    const link = parseYaml(yaml).databases.main.links.billing;
    expect(link.tables).toStrictEqual([name.replaceAll('$', '$$$$')]);
    expect(link.remote.schema).toBe(name.replaceAll('$', '$$$$'));
    expect(DEFAULT_IMPORT_OPTIONS.import_collate).toBe(true);
  });

  it('validate of a file whose keys and values forge commands: only its ::error annotations', async () => {
    const keys = FORGING.filter((name) => !/[\r\n\u2028]/.test(name));
    const config = writeConfig(
      `version: 1\ndatabases:\n  main:\n    url: \${LOCAL_URL}\n${keys.map((key, i) => `    ${JSON.stringify(key)}: ${JSON.stringify(`${key}${i}`)}\n`).join('')}`,
    );
    const result = await runCli(['validate', '-c', config], RUNNER_ENV);
    expect(result.code).toBe(1);
    expect(workflowCommandsIn(result.stdout)).toStrictEqual([]);
    const commands = workflowCommandsIn(result.stderr);
    expect(commands.length).toBeGreaterThanOrEqual(keys.length);
    for (const command of commands) {
      expect(command.syntax).toBe('::');
      expect(command.command).toBe('error');
      expect(command.line.startsWith('::error title=datalinks%3A invalid configuration,file=')).toBe(true);
    }
  });
});

/**
 * The values of the quoted identifiers and literals of SQL text, decoded as PostgreSQL reads them:
 * "..." and U&"..." (\XXXX, \+XXXXXX, \\), '...' and E'...' (\xHH, \\, \'). The same list before and
 * after the edge means the SQL names the same objects.
 */
function decodeSqlTokens(sql: string): string[] {
  const values: string[] = [];
  // Comment lines (`-- database NAME`) are for people, not SQL tokens.
  const code = sql
    .split('\n')
    .filter((line) => !line.startsWith('-- '))
    .join('\n');
  const token = /(U&)?"((?:[^"]|"")*)"|(\bE)?'((?:[^'\\]|''|\\.)*)'/gs;
  for (const match of code.matchAll(token)) {
    if (match[2] !== undefined) {
      const inner = match[2].replaceAll('""', '"');
      values.push(
        match[1]
          ? inner.replace(/\\(\\|\+[0-9a-fA-F]{6}|[0-9a-fA-F]{4})/g, (_, code: string) =>
              code === '\\' ? '\\' : String.fromCodePoint(Number.parseInt(code.replace('+', ''), 16)),
            )
          : inner,
      );
    } else {
      const inner = (match[4] ?? '').replaceAll("''", "'");
      values.push(
        match[3]
          ? inner.replace(/\\(x[0-9a-fA-F]{1,2}|.)/g, (_, code: string) =>
              code.startsWith('x') && code.length > 1 ? String.fromCharCode(Number.parseInt(code.slice(1), 16)) : code,
            )
          : inner,
      );
    }
  }
  return values;
}

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { escapeText } from '../../src/escape.js';
import { createLinkedPair, createRole, type TestDatabase, urlFor, withClient } from '../support/databases.js';
import { workflowCommandsIn } from '../support/workflow-commands.js';

const run = promisify(execFile);
const BIN = resolve('bin/datalinks.js');

/** A repository checkout as GitHub Actions lays it out: the config at its root, a job summary file. */
function workspace(config: string) {
  const dir = mkdtempSync(join(tmpdir(), 'datalinks-gha-'));
  writeFileSync(join(dir, 'datalinks.yaml'), config);
  const summary = join(dir, 'step-summary.md');
  writeFileSync(summary, '');
  return { dir, summary, env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir, GITHUB_STEP_SUMMARY: summary } };
}

async function datalinks(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { cwd, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const LINKED =
  'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      crm:\n        remote:\n          url: ${CRM_URL}\n';

describe('datalinks in GitHub Actions', () => {
  it('annotates each problem of an invalid file on its line and column', async () => {
    const ws = workspace(
      'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      crm:\n        remot:\n          url: x\n',
    );
    const result = await datalinks(['plan'], ws.dir, { ...ws.env, LOCAL_URL: 'postgres://u@h/d' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^::error title=datalinks%3A invalid configuration,file=datalinks\.yaml,line=7,col=9::unknown key "remot"/m,
    );
    expect(result.stderr).toContain('datalinks.yaml:7:9: unknown key "remot"');
    expect(result.stdout).toBe('');
  });

  it('writes the plan to the job summary as markdown, annotates a plan error on the link and a destroy as a warning, and shows no password', async () => {
    const { local, remote } = await createLinkedPair();
    const role = await createRole('gha', 'p%w|a,s:s`ord');
    await remote.query(`CREATE TABLE people (id integer PRIMARY KEY, name text)`);
    await remote.query(`GRANT SELECT ON people TO ${role.name}`);
    const env = { LOCAL_URL: local.url, CRM_URL: urlFor(remote.name, role) };
    const ws = workspace(LINKED);

    const plan = await datalinks(['plan', '--detailed-exitcode'], ws.dir, { ...ws.env, ...env });
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('Plan: 1 to create, 0 to update, 0 to destroy.');
    expect(plan.stderr).toBe('');
    const planned = readFileSync(ws.summary, 'utf8');
    expect(planned.startsWith('<!-- datalinks plan: datalinks.yaml -->\n### datalinks plan: datalinks.yaml\n')).toBe(true);
    expect(planned).toContain('**Plan: 1 to create, 0 to update, 0 to destroy.**');
    expect(planned).toContain('| 🟩`+` | link crm will be created |');
    expect(planned).toContain('| 🟩`+` | &emsp;foreign table crm.people (2 columns) |');

    const apply = await datalinks(['apply', '--auto-approve'], ws.dir, { ...ws.env, ...env });
    expect(apply.code).toBe(0);
    const applied = readFileSync(ws.summary, 'utf8').slice(planned.length);
    expect(applied).toContain('### datalinks apply: datalinks.yaml');
    expect(applied).toMatch(/\| ✅ main \| Database main: applied \d+ statements in [\d.]+s\. \|/);
    expect(applied).toContain('**Apply complete: 1 database changed.**');

    writeFileSync(
      join(ws.dir, 'datalinks.yaml'),
      LINKED.replace('          url: ${CRM_URL}\n', '          url: ${CRM_URL}\n          schema: nope\n'),
    );
    const broken = await datalinks(['plan'], ws.dir, { ...ws.env, ...env });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^::error title=datalinks%3A database main,file=datalinks\.yaml,line=6,col=7::link crm: .*nope/m);

    writeFileSync(join(ws.dir, 'datalinks.yaml'), 'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n');
    const destroy = await datalinks(['plan', '--markdown'], ws.dir, { ...ws.env, ...env });
    expect(destroy.code).toBe(0);
    expect(destroy.stderr).toMatch(
      /^::warning title=datalinks%3A destructive change in database main,file=datalinks\.yaml,line=3,col=3::link crm will be destroyed$/m,
    );
    expect(destroy.stdout.startsWith('<!-- datalinks plan: datalinks.yaml -->')).toBe(true);
    expect(destroy.stdout).toContain('> [!CAUTION]\n> This plan destroys or replaces one thing:\n> - **main**: link crm will be destroyed');
    expect(readFileSync(ws.summary, 'utf8').endsWith(destroy.stdout)).toBe(true);

    const everything = [plan, apply, broken, destroy].map((r) => r.stdout + r.stderr).join('') + readFileSync(ws.summary, 'utf8');
    for (const form of [role.password, encodeURIComponent(role.password), 'p%25w', 'p%w\\|a']) expect(everything).not.toContain(form);
  });

  it('prints no workflow commands and writes no summary outside GitHub Actions', async () => {
    const { local, remote } = await createLinkedPair();
    const ws = workspace(LINKED);
    const result = await datalinks(['plan'], ws.dir, { LOCAL_URL: local.url, CRM_URL: remote.url });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('::');
    expect(readFileSync(ws.summary, 'utf8')).toBe('');
  });

  it('prints no workflow command but its own annotations, in any format of any command, whatever the remote names', async () => {
    const { local, remote } = await createLinkedPair();
    const role = await createRole('gha');
    // Each name tries a command in one syntax or the other, or around the runner's matching rules.
    const tables = [
      'a##[error]forged',
      '##[add-mask]x',
      '::warning::y',
      '#\u200b#[error]zw',
      'x\n##[error]nl',
      '\u3000::error::sp',
      '##[stop-commands]tok',
    ];
    const column = '##[set-output name=c;]v';
    const gone = '##[error]gone';
    const unreadable = '::error::unreadable';
    const id = pg.escapeIdentifier;
    await remote.query(
      [...tables, gone, unreadable]
        .map(
          (table) =>
            `CREATE TABLE ${id(table)} (id integer, ${id(column)} text, ${id('::stop-commands::tok')} integer);` +
            (table !== unreadable ? ` GRANT SELECT ON ${id(table)} TO ${id(role.name)};` : ''),
        )
        .join('\n'),
    );
    const ws = workspace(`${LINKED}        exclude: ["##[error]no-such-table"]\n`);
    const env = { ...ws.env, LOCAL_URL: local.url, CRM_URL: urlFor(remote.name, role) };
    const run = async (...args: string[]) => {
      const result = await datalinks(args, ws.dir, env);
      expectOnlyOwnAnnotations(result, args);
      return result;
    };

    expect((await run('validate')).code).toBe(0);
    const text = await run('plan');
    expect(text.stdout).toContain('foreign table crm.a#\\x23[error]forged (3 columns)');
    const json = await run('plan', '--json');
    const created = JSON.parse(json.stdout).databases[0].changes[0].operations.filter(
      (op: { kind: string }) => op.kind === 'create_foreign_table',
    );
    expect(created.map((op: { table: { name: string } }) => op.table.name).sort()).toStrictEqual([...tables, gone, unreadable].sort());
    expect(created[0].table.columns.map((c: { name: string }) => c.name)).toStrictEqual(['id', column, '::stop-commands::tok']);
    const sql = await run('plan', '--sql');
    await expectSqlNamesThemselves(sql.stdout, local, [...tables, gone, unreadable, column]);
    const markdown = await run('plan', '--markdown', '--out', 'plan.json');
    expect(markdown.stdout.startsWith('<!-- datalinks plan: datalinks.yaml -->\n')).toBe(true);
    expect((await run('apply', 'plan.json')).code).toBe(0);
    expect((await run('list')).stdout).toContain('==== crm');
    expect(JSON.parse((await run('list', '--json')).stdout).databases[0].links[0].tables).toBe(9);
    const exported = await run('export');
    // Export writes the tables linked now, each read back as itself, and the file's filter in a comment.
    expect(parseYaml(exported.stdout).databases.main.links.crm.tables).toStrictEqual([...tables, gone, unreadable].sort());
    expect(exported.stdout).toContain('# differs from the file: the file has exclude: "#\\x23[error]no-such-table" (every other table');
    const check = await run('check');
    expect(check.stdout).toContain('✗ crm.::error::unreadable: ');
    const checked = JSON.parse((await run('check', '--json')).stdout);
    expect(checked.databases[0].links[0].unreadable_tables.map((t: { table: string }) => t.table)).toStrictEqual([unreadable]);

    // A remote table dropped: its destroy is a ::warning annotation, the name in it escaped too.
    await remote.query(`DROP TABLE ${id(gone)}`);
    const destroy = await run('plan');
    // The other warning is the exclude: entry that matches no remote table (plan's did-you-mean).
    const warnings = workflowCommandsIn(destroy.stderr).filter((w) => w.data.includes('will be dropped'));
    expect(warnings.map((w) => w.command)).toStrictEqual(['warning']);
    expect(warnings[0]?.data).toBe('foreign table crm.#\\x23[error]gone will be dropped (no longer on the remote)');
    expect((await run('apply', '--auto-approve')).code).toBe(0);

    // Errors: a remote schema named like a command, and a database alias that is not in the file.
    writeFileSync(join(ws.dir, 'datalinks.yaml'), `${LINKED}          schema: "::error::nope"\n`);
    const broken = await run('plan', '--json');
    expect(broken.code).toBe(1);
    expect(workflowCommandsIn(broken.stderr).map((c) => c.command)).toStrictEqual(['error']);
    expect(JSON.parse(broken.stdout).databases[0].errors[0].schema).toBe('::error::nope');
    const unknown = await run('plan', '-d', '##[error]x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no database "#\\x23[error]x" in datalinks.yaml');
  });
});

/**
 * What a runner would do with `result`'s output: stdout holds no command at all; stderr only the
 * ::error and ::warning annotations datalinks writes (their title starts `datalinks`).
 */
function expectOnlyOwnAnnotations(result: { stdout: string; stderr: string }, args: string[]) {
  expect(workflowCommandsIn(result.stdout), `stdout of ${args.join(' ')}`).toStrictEqual([]);
  for (const command of workflowCommandsIn(result.stderr)) {
    expect(command.syntax, command.line).toBe('::');
    expect(['error', 'warning'], command.line).toContain(command.command);
    expect(command.properties.title, command.line).toMatch(/^datalinks/);
  }
}

/**
 * Every quoted name the output edge rewrote in `plan --sql` output reads, in PostgreSQL, as one of
 * `names` as plan --sql shows it (a control character in a name is shown as `\n` text there, on a
 * runner or not).
 */
async function expectSqlNamesThemselves(sql: string, database: TestDatabase, raw: string[]) {
  const names = raw.map((name) => escapeText(name) as string);
  const identifiers = [...sql.matchAll(/U&"(?:[^"]|"")*"/g)].map((m) => m[0]);
  expect(identifiers.length).toBeGreaterThan(0);
  const literals = [...sql.matchAll(/\bE'(?:[^'\\]|''|\\.)*'/g)].map((m) => m[0]);
  // One session for all of them (a new one for each was a backend start per name).
  await withClient(database.url, async (client) => {
    for (const identifier of identifiers) {
      const [row] = (await client.query(`SELECT 1 AS ${identifier}`)).rows;
      expect(names).toContain(Object.keys(row ?? {})[0]);
    }
    for (const literal of literals) {
      const [row] = (await client.query<{ value: string }>(`SELECT ${literal} AS value`)).rows;
      expect(names).toContain(row?.value);
    }
  });
}

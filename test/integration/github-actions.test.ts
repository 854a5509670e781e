import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLinkedPair, createRole, urlFor } from '../support/databases.js';

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
});

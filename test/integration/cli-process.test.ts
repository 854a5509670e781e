import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeConfig } from '../support/cli.js';
import { createLinkedPair } from '../support/databases.js';

const run = promisify(execFile);
const ESC = '\u001b';

async function datalinks(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/datalinks.js', ...args], {
      env: { PATH: process.env.PATH, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the datalinks command, as a separate process without a terminal', () => {
  it('prints plain text with no escape codes, and exits 2 with --detailed-exitcode when there are changes', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE people (id integer)');
    const config = writeConfig(
      'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      crm:\n        remote:\n          url: ${CRM_URL}\n',
    );
    const env = { LOCAL_URL: local.url, CRM_URL: remote.url };
    const plan = await datalinks(['plan', '--detailed-exitcode', '-c', config], env);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('+ link crm will be created');
    expect(plan.stdout + plan.stderr).not.toContain(ESC);

    const apply = await datalinks(['apply', '-c', config], env);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('run again with --auto-approve');
    expect(apply.stdout + apply.stderr).not.toContain(ESC);
  });

  it('colours piped output when FORCE_COLOR asks for it, unless NO_COLOR says otherwise', async () => {
    const { local, remote } = await createLinkedPair();
    const config = writeConfig(
      'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      crm:\n        remote:\n          url: ${CRM_URL}\n',
    );
    const env = { LOCAL_URL: local.url, CRM_URL: remote.url };
    const forced = await datalinks(['plan', '-c', config], { ...env, FORCE_COLOR: '1' });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`${ESC}[32m+${ESC}[39m link crm will be created`);
    for (const off of [{ FORCE_COLOR: '0' }, { FORCE_COLOR: '1', NO_COLOR: '1' }]) {
      const plain = await datalinks(['plan', '-c', config], { ...env, ...off });
      expect(plain.stdout).toContain('+ link crm will be created');
      expect(plain.stdout).not.toContain(ESC);
    }
    const flag = await datalinks(['plan', '--no-color', '-c', config], { ...env, FORCE_COLOR: '1' });
    expect(flag.stdout).not.toContain(ESC);
  });

  it('reports an invalid file with file:line:col and exit 1, and no stack trace', async () => {
    const config = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    linkz: {}\n');
    const result = await datalinks(['validate', '-c', config], { LOCAL_URL: 'postgres://u:p@h/d' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${config}:5:5: unknown key "linkz" in "databases.main"`);
    expect(result.stderr).toContain('did you mean "links"?');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs the demo end to end', async () => {
    const result = await datalinks(['demo'], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('+ link crm will be created');
    expect(result.stdout).toMatch(/Database main: applied \d+ statements/);
    expect(result.stdout).toContain('Remote:      CRM_DATABASE_URL');
    expect(result.stdout).toMatch(/Ada Lovelace \| 2\s+\| 16\.00/);
    expect(result.stdout).toContain('+ foreign table crm.invoices (3 columns)');
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).not.toContain('demo-password');
  });
});

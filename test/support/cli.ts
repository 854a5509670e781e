import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createCapturedOutput } from '../../src/cli/output.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the datalinks CLI in-process, as a user would from a shell without a terminal. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const output = createCapturedOutput({ PATH: process.env.PATH, ...env });
  const code = await main(['node', 'datalinks', ...args], output);
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

/** Writes a config file into a fresh temp folder and returns its path. */
export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'datalinks-config-'));
  const path = join(dir, 'datalinks.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** The usual test file: database `main` at ${LOCAL_URL} with link `billing` to ${BILLING_URL}, plus `extra` lines. */
export function oneLinkConfig(extra = ''): string {
  return `version: 1
databases:
  main:
    url: \${LOCAL_URL}
    links:
      billing:
        remote:
          url: \${BILLING_URL}
${extra}`;
}

/** The strongest check after any apply: planning again finds nothing to do (exit 0 with --detailed-exitcode). */
export async function expectNoChanges(cli: (...args: string[]) => Promise<CliResult>): Promise<void> {
  const again = await cli('plan', '--detailed-exitcode');
  expect(again.stdout).toContain('No changes.');
  expect(again.code).toBe(0);
}

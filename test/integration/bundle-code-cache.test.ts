import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oneLinkConfig, writeConfig } from '../support/cli.js';
import { runInTerminal } from '../support/cli-process.js';
import { createLinkedPair } from '../support/databases.js';

// The built CLI (npm test builds it first): `--version` and `validate` load dist/cli/quick.cjs, every other
// command dist/cli/main.cjs, with the V8 code cache the build wrote beside each (bin/load-bundle.cjs).
const EXAMPLE = resolve('datalinks.example.yaml');

/** Node with only PATH set (no NODE_OPTIONS: V8 rejects a cache made under other flags). */
function node(args: string[], cwd = process.cwd()) {
  const run = spawnSync(process.execPath, args, { cwd, env: { PATH: process.env.PATH }, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Whether the bundle `name` under `root` loads from its cache: what bin/load-bundle.cjs reports. */
function cacheUsed(root: string, name = 'quick.cjs'): boolean {
  const loader = JSON.stringify(join(root, 'bin', 'load-bundle.cjs'));
  const run = node(['-e', `process.stdout.write(String(require(${loader}).compileBundle(${JSON.stringify(name)}).cacheUsed))`]);
  expect(run.stderr).toBe('');
  return run.stdout === 'true';
}

const copies: string[] = [];
afterAll(() => {
  for (const copy of copies.splice(0)) rmSync(copy, { recursive: true, force: true });
});

/** A copy of the installed CLI's quick path (bin/ and the quick bundle with its cache) to tamper with. */
function copyOfQuickPath(): string {
  const root = mkdtempSync(join(tmpdir(), 'datalinks-quick-cache-'));
  copies.push(root);
  cpSync('bin', join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
  for (const file of ['quick.cjs', 'quick.cjs.cache']) cpSync(join('dist', 'cli', file), join(root, 'dist', 'cli', file));
  return root;
}

describe('the code caches of the bundles', () => {
  it('are of bundles written in ASCII, which Node reads as Latin-1 (README: one byte a character)', () => {
    for (const bundle of ['quick.cjs', 'main.cjs']) expect(isAscii(readFileSync(join('dist', 'cli', bundle))), bundle).toBe(true);
  });

  it('are made by the build and used under the Node that built them', () => {
    expect(cacheUsed(process.cwd(), 'quick.cjs')).toBe(true);
    expect(cacheUsed(process.cwd(), 'main.cjs')).toBe(true);
    const validate = node(['bin/datalinks.js', 'validate', '-c', EXAMPLE]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('is valid: 2 databases, 3 links.');
  });

  it('is not used for a quick.cjs changed after the build, even by a change of the same length (which V8 alone would accept)', () => {
    const root = copyOfQuickPath();
    const bundle = join(root, 'dist', 'cli', 'quick.cjs');
    const source = readFileSync(bundle, 'utf8');
    expect(source).toContain('is valid: ');
    writeFileSync(bundle, source.replace('is valid: ', 'is VALID: '));
    expect(cacheUsed(root)).toBe(false);
    const validate = node([join(root, 'bin', 'datalinks.js'), 'validate', '-c', EXAMPLE]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('is VALID: 2 databases, 3 links.');
  });

  it('a cache V8 cannot use (made elsewhere, or damaged) is rejected and the commands run as without it', () => {
    const root = copyOfQuickPath();
    const source = readFileSync(join(root, 'dist', 'cli', 'quick.cjs'));
    const cache = join(root, 'dist', 'cli', 'quick.cjs.cache');
    const damaged = Buffer.from(readFileSync(cache));
    for (let i = 32; i < damaged.length; i += 97) damaged[i] = (damaged[i] ?? 0) ^ 0xff;
    writeFileSync(cache, Buffer.concat([createHash('sha256').update(source).digest(), damaged.subarray(32)]));
    expect(cacheUsed(root)).toBe(false);
    const original = node(['bin/datalinks.js', 'validate', '-c', EXAMPLE]);
    const validate = node([join(root, 'bin', 'datalinks.js'), 'validate', '-c', EXAMPLE]);
    expect([validate.code, validate.stdout, validate.stderr]).toEqual([original.code, original.stdout, original.stderr]);
    const version = node([join(root, 'bin', 'datalinks.js'), '--version']);
    expect(version.stdout).toBe(node(['bin/datalinks.js', '--version']).stdout);
    expect(version.code).toBe(0);
  });
});

describe('the ES modules the CommonJS bundle imports', () => {
  it('plan in a terminal loads the Ink UI (dist/cli/terminal.js) and shows the plan', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer)');
    const config = writeConfig(oneLinkConfig());
    const plan = await runInTerminal(['plan', '--no-color', '-c', config], { LOCAL_URL: local.url, BILLING_URL: remote.url }, 100);
    expect(plan.stdout).not.toContain('unexpected error');
    expect(plan.stdout).toContain('+ foreign table billing.invoices (1 column)');
    expect(plan.stdout).toMatch(/Plan: .*1.* to create, 0 to update, 0 to destroy\./);
    // Ink's progress line, which the plain output has not.
    expect(plan.stdout).toContain('reading database main');
    expect(plan.code).toBe(0);
  });
});

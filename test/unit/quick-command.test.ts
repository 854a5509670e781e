import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createCapturedOutput } from '../../src/cli/output.js';
import { runProgram } from '../../src/cli/program.js';
import { recogniseQuickCommand } from '../../src/cli/quick-command.js';

const argv = (...args: string[]) => ['node', 'datalinks', ...args];

describe('the quick path for --version and validate', () => {
  it('recognises only the exact shapes it can run, and leaves everything else to commander', () => {
    expect(recogniseQuickCommand(argv('--version'), 'datalinks.yaml')).toStrictEqual({ kind: 'version' });
    expect(
      recogniseQuickCommand(argv('validate', '-c', 'a.yaml', '--database=x', '-d', 'y', '--no-color'), 'datalinks.yaml'),
    ).toStrictEqual({
      kind: 'validate',
      options: { config: 'a.yaml', database: ['x', 'y'] },
    });
    for (const args of [
      ['--version', 'x'],
      ['validate', '--help'],
      ['validate', '-c'],
      ['validate', '-c', '-d'],
      ['validate', '--config='],
      ['validate', '-ca.yaml'],
      ['validate', 'extra'],
      ['plan'],
      [],
    ])
      expect(recogniseQuickCommand(argv(...args), 'datalinks.yaml'), args.join(' ')).toBeUndefined();
  });

  it('prints and exits exactly as commander does for the shapes it takes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalinks-quick-'));
    writeFileSync(join(dir, 'ok.yaml'), 'version: 1\ndatabases:\n  main:\n    url: ${LOCAL}\n');
    writeFileSync(join(dir, 'bad.yaml'), 'version: 2\n');
    for (const args of [
      ['--version'],
      ['-v'],
      ['validate', '-c', join(dir, 'ok.yaml')],
      ['validate', '--config', join(dir, 'ok.yaml'), '-d', 'main'],
      ['validate', '--config', join(dir, 'ok.yaml'), '-d', 'nope'],
      ['validate', '-c', join(dir, 'bad.yaml')],
      ['validate', '-c', join(dir, 'missing.yaml')],
    ]) {
      const quick = createCapturedOutput({});
      const quickCode = await main(argv(...args), quick);
      // The same argv through commander: its errors are thrown to main's edge, which only formats them.
      const slow = createCapturedOutput({});
      const slowCode = await runProgram(argv(...args), slow, main).catch(() => 1);
      expect(quickCode, args.join(' ')).toBe(slowCode);
      expect(quick.stdout(), args.join(' ')).toBe(slow.stdout());
    }
  });
});

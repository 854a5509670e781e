import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';

const ENV = { DATABASE_URL: 'postgres://app:secret@db/app', X: 'postgres://u:p@h/d' };

async function expectOnlyPositionedProblems(bytes: Buffer): Promise<void> {
  const result = await parseConfig('fuzz.yaml', bytes, ENV);
  if (result.ok) return;
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(problem.position.file).toBe('fuzz.yaml');
    expect(problem.position.line).toBeGreaterThanOrEqual(0);
    expect(problem.position.column).toBeGreaterThanOrEqual(0);
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.message).not.toContain('secret');
  }
}

const yamlish = fc.stringMatching(/^[a-z_:{}[\]\-\s,'"$#&*!|>0-9.]{0,200}$/);
const entry = fc.record({
  key: fc.constantFrom(
    'version',
    'databases',
    'main',
    'url',
    'links',
    'billing',
    'remote',
    'tables',
    'exclude',
    'access',
    'grant_to',
    'server_options',
    'fetch_size',
    'tabels',
    'Billing',
    'pg_x',
  ),
  value: fc.oneof(
    fc.constantFrom('1', '2', '${DATABASE_URL}', '${X}', '${NOPE}', '[a, b]', 'read', 'write', '{}', 'null', 'true', '"x"', '-1'),
    fc.string({ maxLength: 20 }),
  ),
  indent: fc.integer({ min: 0, max: 10 }),
});

describe('the config loader on any input', () => {
  it('turns arbitrary bytes into a config or positioned problems, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), (bytes) => expectOnlyPositionedProblems(Buffer.from(bytes))),
      { numRuns: 300 },
    );
  });

  it('handles YAML-looking garbage', async () => {
    await fc.assert(
      fc.asyncProperty(yamlish, (text) => expectOnlyPositionedProblems(Buffer.from(text))),
      { numRuns: 500 },
    );
  });

  it('handles near-miss configurations built from real keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 25 }), (entries) =>
        expectOnlyPositionedProblems(Buffer.from(entries.map((e) => `${' '.repeat(e.indent)}${e.key}: ${e.value}`).join('\n'))),
      ),
      { numRuns: 500 },
    );
  });

  it('reads a very large file (2,000 links) and reports a problem deep inside it with its line', async () => {
    const links = Array.from({ length: 2000 }, (_, i) => `      link_${i}:\n        remote:\n          url: \${X}\n`).join('');
    const text = `version: 1\ndatabases:\n  main:\n    url: \${DATABASE_URL}\n    links:\n${links}      Bad:\n        remote:\n          url: \${X}\n`;
    const result = await parseConfig('large.yaml', Buffer.from(text), ENV);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map((p) => `${p.position.line}: ${p.message}`)).toStrictEqual([
        `6006: link name "Bad" may only contain lower-case letters, digits and underscores`,
      ]);
  });
});

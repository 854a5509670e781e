import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSimpleYaml } from '../../src/config/simple-yaml.js';
import { readYamlDocument } from '../../src/config/yaml-document.js';
import { type PathSegment, YamlSource } from '../../src/config/yaml-source.js';

/**
 * Whatever the simple reader accepts it must read exactly as the yaml package does: the same data,
 * and the same line and column for every key and value (config problems are reported there).
 */
function expectSameAsYaml(text: string): boolean {
  const simple = parseSimpleYaml(text);
  if (!simple) return false;
  const full = readYamlDocument('f.yaml', text);
  expect(full.ok).toBe(true);
  if (!full.ok) return false;
  expect(simple.data).toStrictEqual(full.data);
  const source = new YamlSource('f.yaml', simple.root, simple.lineStarts);
  const visit = (value: unknown, path: PathSegment[]) => {
    expect(source.valuePosition(path)).toStrictEqual(full.source.valuePosition(path));
    if (Array.isArray(value)) for (const [i, item] of value.entries()) visit(item, [...path, i]);
    else if (value !== null && typeof value === 'object')
      for (const [key, child] of Object.entries(value)) {
        expect(source.keyPosition(path, key)).toStrictEqual(full.source.keyPosition(path, key));
        visit(child, [...path, key]);
      }
  };
  visit(simple.data, []);
  return true;
}

const fleet = (links: number) =>
  `version: 1\ndatabases:\n  main:\n    url: \${DATABASE_URL}\n    links:\n${Array.from({ length: links }, (_, i) => `      link_${i}:\n        remote:\n          url: \${X}\n`).join('')}`;

describe('the simple YAML reader', () => {
  it('reads the example and a fleet as the yaml package does', () => {
    expect(expectSameAsYaml(readFileSync('datalinks.example.yaml', 'utf8'))).toBe(true);
    expect(expectSameAsYaml(fleet(100))).toBe(true);
  });

  it('reads scalars, quotes, flow sequences and comments as the yaml package does', () => {
    const text = [
      'version: 1 # the format',
      'databases:',
      '  main:',
      '    url: "${DATABASE_URL}"',
      '    links:',
      '      billing:  # a link',
      '        remote:',
      "          url: 'postgres://u:p@h:5432/db?sslmode=require#x'",
      '          schema: sales#2',
      '        tables: [ a,b-c , d.e, 12, true, x$y ]',
      '        exclude: []',
      '        server_options:',
      '          fetch_size: 0012',
      '          use_remote_estimate: False',
      '          extensions: ~',
      '          keep: null',
      '',
      '   # an indented comment',
      '        access: read',
    ].join('\n');
    expect(expectSameAsYaml(text)).toBe(true);
  });

  it('leaves everything else to the yaml package', () => {
    for (const text of [
      'version: 1\ndatabases:\n  - a',
      'version: 1\nversion: 2',
      'a: &x 1\nb: *x',
      'a: |\n  text',
      'a: b\n  c',
      'a:\nb: 1',
      'a: "x\\ty"',
      "a: 'it''s'",
      'a:\tb',
      'a: 1.5',
      'a: -1',
      'a: 0x1f',
      'a: b: c',
      '---\na: 1',
      '  a: 1',
      'a:\n    b: 1\n  c: 2',
      '"a": 1',
      'true: 1',
      'a: [b, c,]',
      'a: {b: c}',
      'a: é',
      'a: 1\r\nb: 2',
      '',
    ])
      expect(parseSimpleYaml(text), text).toBeUndefined();
  });

  it('agrees with the yaml package on every invalid fixture it accepts', () => {
    const dir = 'fixtures/invalid';
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) expectSameAsYaml(readFileSync(join(dir, name), 'latin1'));
  });

  it('agrees with the yaml package on generated files', () => {
    const entry = fc.record({
      depth: fc.integer({ min: 0, max: 4 }),
      key: fc.constantFrom('version', 'databases', 'main', 'url', 'links', 'tables', 'a_b', 'x-y', 'Null', 'no', 'k1'),
      value: fc.oneof(
        fc.constantFrom('1', '${X}', '[a, b]', '[ ]', "'q'", '"d"', 'read # c', 'true', '~', '007', 'a:b', 'x #y', '-', '1e3'),
        fc.stringMatching(/^[a-z0-9 :#$[\]{},.'"-]{1,12}$/),
      ),
    });
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 15 }), fc.integer({ min: 1, max: 4 }), (entries, width) => {
        // A tree: each entry at most one level below the one before; an entry with children has no value.
        const depths: number[] = [];
        for (const [i, e] of entries.entries()) depths.push(Math.min(e.depth, i === 0 ? 0 : (depths[i - 1] ?? 0) + 1));
        const text = entries
          .map((e, i) => `${' '.repeat(width * (depths[i] ?? 0))}${e.key}:${(depths[i + 1] ?? 0) > (depths[i] ?? 0) ? '' : ` ${e.value}`}`)
          .join('\n');
        const simple = parseSimpleYaml(text);
        if (simple) {
          accepted++;
          expect(readYamlDocument('f.yaml', text).ok, text).toBe(true);
          expectSameAsYaml(text);
        }
      }),
      { numRuns: 2000 },
    );
    // The generator must reach the reader's accepting paths, not only its refusals.
    expect(accepted).toBeGreaterThan(200);
  });
});

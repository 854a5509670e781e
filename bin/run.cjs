'use strict';
// How bin/datalinks.js (and the benchmark's probe) start the CLI. `--version` and `validate` run from
// one CommonJS file (dist/cli/quick.cjs, which declines any other shape of those commands and hands it
// back) without Node's ES module loader, compiled from the code cache the build made (load-quick.cjs);
// every other command loads only the ES module bundle.
const QUICK_FIRST_ARGUMENTS = new Set(['validate', '--version', '-v']);

/** Runs the CLI on `argv` (as process.argv) and resolves to its exit code. */
async function run(argv) {
  const quick = QUICK_FIRST_ARGUMENTS.has(argv[2])
    ? await require('./load-quick.cjs').compileQuick().exports.runQuickCommand(argv)
    : undefined;
  return quick ?? (await import('../dist/cli/main.js')).main(argv);
}

module.exports = { run };

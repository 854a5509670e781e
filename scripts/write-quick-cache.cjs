'use strict';
// The build's last step (scripts/bundle.mjs runs it, showing only what it says when it fails): runs the quick commands
// once from the freshly built dist/cli/quick.cjs, so that V8 has compiled what they use, and writes
// the code cache that bin/load-quick.cjs loads it with.
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { compileQuick, writeQuickCache } = require('../bin/load-quick.cjs');

async function main() {
  const { exports, script, source } = compileQuick({ useCache: false });
  const example = join(__dirname, '..', 'datalinks.example.yaml');
  // A file with a mistake too: validate's error path is what pre-commit hooks run most after a typo.
  const dir = mkdtempSync(join(tmpdir(), 'datalinks-cache-'));
  const mistaken = join(dir, 'datalinks.yaml');
  writeFileSync(mistaken, 'version: 1\ndatabases:\n  main:\n    url: postgres://db/main\n    linkz: {}\n');
  try {
    for (const args of [['--version'], ['validate', '-c', example], ['validate', '-c', mistaken]]) {
      await exports.runQuickCommand(['node', 'datalinks', ...args]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeQuickCache(script, source);
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (error) => {
    process.stderr.write(`could not write the code cache of dist/cli/quick.cjs: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  },
);

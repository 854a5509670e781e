'use strict';
// The build's last step (scripts/bundle.mjs runs it, showing only what it says when it fails): runs
// commands once from the freshly built bundles, so that V8 has compiled what they use, and writes the
// code caches that bin/load-bundle.cjs loads them with. No database is reached (the file's URLs name a
// socket that does not exist): what a plan runs after connecting compiles at run time, as without a cache.
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { compileBundle, writeBundleCache } = require('../bin/load-bundle.cjs');

async function runAll(name, entry, commands) {
  const { exports, script, bytes } = compileBundle(name, { useCache: false });
  for (const args of commands) await exports[entry](['node', 'datalinks', ...args]);
  writeBundleCache(name, script, bytes);
}

async function main() {
  const example = join(__dirname, '..', 'datalinks.example.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'datalinks-cache-'));
  // A file with a mistake: validate's error path is what pre-commit hooks run most after a typo.
  const mistaken = join(dir, 'mistaken.yaml');
  writeFileSync(mistaken, 'version: 1\ndatabases:\n  main:\n    url: postgres://db/main\n    linkz: {}\n');
  // Its databases are behind a Unix socket in a directory that does not exist: no network, no wait.
  const closed = join(dir, 'datalinks.yaml');
  const socket = encodeURIComponent(join(dir, 'no-server'));
  writeFileSync(
    closed,
    `version: 1\ndatabases:\n  main:\n    url: postgres://build@localhost/app?host=${socket}\n    links:\n      billing:\n        remote:\n          url: postgres://build@localhost/billing?host=${socket}\n`,
  );
  try {
    await runAll('quick.cjs', 'runQuickCommand', [['--version'], ['validate', '-c', example], ['validate', '-c', mistaken]]);
    await runAll('main.cjs', 'main', [
      ['--help'],
      ['plan', '--help'],
      ['plan', '-c', closed],
      ['plan', '--json', '-c', closed],
      ['check', '-c', closed],
      ['list', '-c', closed],
      ['apply', '--auto-approve', '-c', closed],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (error) => {
    process.stderr.write(`could not write the code caches of dist/cli: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  },
);

#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): `--version` and `validate` run from one CommonJS file without Node's ES
// module loader (dist/cli/quick.cjs, which declines any other shape of those commands); every other
// command loads the ES module bundle only.
const first = process.argv[2];
const quick = first === 'validate' || first === '--version' || first === '-v';

(quick ? require('../dist/cli/quick.cjs').runQuickCommand(process.argv) : Promise.resolve(undefined)).then(async (code) => {
  process.exitCode = code ?? (await (await import('../dist/cli/main.js')).main(process.argv));
});

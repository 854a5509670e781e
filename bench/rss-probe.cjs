// Runs the datalinks CLI in this process as bin/datalinks.js does and reports its peak RSS, so the
// benchmark measures the real command (same code, same start-up) and its memory without a
// platform-specific `time`. CommonJS, like the bin.
'use strict';
const { writeSync } = require('node:fs');

const started = process.hrtime.bigint();
const first = process.argv[2];
const quick = first === 'validate' || first === '--version' || first === '-v';

(quick ? require('../dist/cli/quick.cjs').runQuickCommand(process.argv) : Promise.resolve(undefined)).then(async (result) => {
  const code = result ?? (await (await import('../dist/cli/main.js')).main(process.argv));
  const rss = process.resourceUsage().maxRSS * 1024;
  writeSync(3, `${JSON.stringify({ code, rss, inProcessMs: Number(process.hrtime.bigint() - started) / 1e6 })}\n`);
  process.exitCode = code;
});

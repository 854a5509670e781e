// Runs the datalinks CLI in this process as bin/datalinks.js does and reports its peak RSS and CPU time, so the
// benchmark measures the real command (same code, same start-up) and its memory without a
// platform-specific `time`. CommonJS, like the bin.
'use strict';
const { writeSync } = require('node:fs');

const started = process.hrtime.bigint();
require('../bin/run.cjs')
  .run(process.argv)
  .then((code) => {
    const rss = process.resourceUsage().maxRSS * 1024;
    const cpu = process.cpuUsage();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    writeSync(3, `${JSON.stringify({ code, rss, cpuMs, inProcessMs: Number(process.hrtime.bigint() - started) / 1e6 })}\n`);
    process.exitCode = code;
  });

// Runs the datalinks CLI in this process and reports its peak RSS, so the benchmark measures the
// real command (same code, same start-up) and its memory without a platform-specific `time`.
import { writeSync } from 'node:fs';

const started = process.hrtime.bigint();
const { main } = await import('../dist/cli/main.js');
const code = await main(process.argv);
const rss = process.resourceUsage().maxRSS * 1024;
writeSync(3, `${JSON.stringify({ code, rss, inProcessMs: Number(process.hrtime.bigint() - started) / 1e6 })}\n`);
process.exitCode = code;

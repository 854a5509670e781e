/**
 * npm run fuzz: the convergence walk (issue 18), longer than the one in `npm test`.
 *   --seed N      first seed (default: from the clock, printed)   --seeds K   how many seeds (default 1)
 *   --steps N     steps per seed (default 60)                      --settings default|odd|both (default both:
 *                 odd seeds run with non-default DateStyle/TimeZone/IntervalStyle/bytea_output on both sides)
 *   --verbose     print every step
 * A failure prints its seed and step; `npm run fuzz -- --seed N --steps STEP` replays it.
 * Uses DATALINKS_TEST_DATABASE_URL (a superuser URL) if set, else an embedded PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { withPlainClient } from '../src/db/plain-client.js';
import { startEmbeddedServer } from '../src/demo/embedded-server.js';
import { alterDatabaseSql, LOCAL_SETTINGS, REMOTE_SETTINGS } from '../test/support/convergence/settings.js';
import { runWalk, WalkFailure } from '../test/support/convergence/walk.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string', default: '1' },
    steps: { type: 'string', default: '60' },
    settings: { type: 'string', default: 'both' },
    verbose: { type: 'boolean', default: false },
  },
});
const firstSeed = values.seed !== undefined ? Number(values.seed) : Date.now() % 100_000;
const seeds = Number(values.seeds);
const steps = Number(values.steps);
if (![firstSeed, seeds, steps].every(Number.isInteger) || !['default', 'odd', 'both'].includes(values.settings)) {
  console.error('usage: npm run fuzz -- [--seed N] [--seeds K] [--steps N] [--settings default|odd|both] [--verbose]');
  process.exit(1);
}

const external = process.env.DATALINKS_TEST_DATABASE_URL;
const server = external ? null : await startEmbeddedServer();
const adminUrl = external ?? (server as { url: string }).url;
const admin = (sql: string) => withPlainClient(adminUrl, (client) => client.query(sql));
const urlFor = (database: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
};

let failures = 0;
try {
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const odd = values.settings === 'odd' || (values.settings === 'both' && seed % 2 === 1);
    const suffix = randomBytes(4).toString('hex');
    const [local, remote] = [`dl_fuzz_local_${suffix}`, `dl_fuzz_remote_${suffix}`];
    await admin(`CREATE DATABASE ${local}`);
    await admin(`CREATE DATABASE ${remote}`);
    if (odd) {
      for (const sql of alterDatabaseSql(remote, REMOTE_SETTINGS, pg.escapeIdentifier)) await admin(sql);
      for (const sql of alterDatabaseSql(local, LOCAL_SETTINGS, pg.escapeIdentifier)) await admin(sql);
    }
    const started = Date.now();
    try {
      const stats = await runWalk({
        seed,
        steps,
        localUrl: urlFor(local),
        remoteUrl: urlFor(remote),
        replayFlags: `--settings ${odd ? 'odd' : 'default'}`,
        log: values.verbose ? (line) => console.log(line) : undefined,
      });
      console.log(
        `seed ${seed}${odd ? ' (non-default settings)' : ''}, remote schema ${JSON.stringify(stats.remoteSchema)}: ${stats.steps} steps converged in ${((Date.now() - started) / 1000).toFixed(1)}s; ` +
          `${stats.refused} refused by the remote, ${stats.planErrors} plan errors as IMPORT fails, views kept ${stats.viewsKept} / dropped ${stats.viewsDropped}, ${stats.rowsCompared} rows read equal; ` +
          `operations ${JSON.stringify(stats.operations)}`,
      );
    } catch (error) {
      failures++;
      console.log(`seed ${seed}${odd ? ' (non-default settings)' : ''}: FAILED`);
      console.log(error instanceof WalkFailure ? error.message : error);
    } finally {
      await admin(`DROP DATABASE IF EXISTS ${local} WITH (FORCE)`);
      await admin(`DROP DATABASE IF EXISTS ${remote} WITH (FORCE)`);
    }
  }
} finally {
  await server?.stop();
}
process.exit(failures > 0 ? 1 : 0);

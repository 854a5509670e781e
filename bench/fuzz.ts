/**
 * npm run fuzz: the convergence walk (issue 18), longer than the one in `npm test`.
 *   --seed N      first seed (default: from the clock, printed)   --seeds K   how many seeds (default 1)
 *   --steps N     steps per seed (default 60)                      --settings default|odd|both (default both:
 *                 odd seeds run with non-default DateStyle/TimeZone/IntervalStyle/bytea_output on both sides)
 *   --verbose     print every step                                 --combined  mostly combined steps (several remote
 *                 changes and import option flips at once, a local view over a column none of them touches)
 * A failure prints its seed and step; `npm run fuzz -- --seed N --steps STEP` replays it.
 * Uses DATALINKS_TEST_DATABASE_URL (a superuser URL) if set, else an embedded PostgreSQL.
 *
 * npm run fuzz -- --mysql: the value walk (issue 24) instead, on a MariaDB and a Debian PostgreSQL 15
 * with mysql_fdw that it starts itself: random column types and widths, edge and random values, read
 * through a MySQL link and compared with MariaDB's own answer.
 *   --seed N --seeds K    as above                      --tables N   tables per seed (default 4)
 *   --columns N           columns per table (default 16)  --rows N    random rows per table (default 12)
 * A failure prints its seed; `npm run fuzz -- --mysql --seed N` replays it.
 *
 * npm run fuzz -- --properties: the signature properties (test/unit/table-signature.test.ts) ten times
 * longer than in `npm test` (DATALINKS_PROPERTY_SCALE=10); fast-check prints the seed of a failure.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { withPlainClient } from '../src/db/plain-client.js';
import { startEmbeddedServer } from '../src/demo/embedded-server.js';
import { alterDatabaseSql, LOCAL_SETTINGS, REMOTE_SETTINGS } from '../test/support/convergence/settings.js';
import { runWalk, WalkFailure } from '../test/support/convergence/walk.js';
import { missingMysqlPackages, startMysqlServers } from '../test/support/mysql-servers.js';
import { runValueWalk, ValueWalkFailure } from '../test/support/value-walk/walk.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string', default: '1' },
    steps: { type: 'string', default: '60' },
    settings: { type: 'string', default: 'both' },
    verbose: { type: 'boolean', default: false },
    mysql: { type: 'boolean', default: false },
    combined: { type: 'boolean', default: false },
    tables: { type: 'string', default: '4' },
    columns: { type: 'string', default: '16' },
    rows: { type: 'string', default: '12' },
    properties: { type: 'boolean', default: false },
  },
});
const firstSeed = values.seed !== undefined ? Number(values.seed) : Date.now() % 100_000;
const seeds = Number(values.seeds);
const steps = Number(values.steps);
if (![firstSeed, seeds, steps].every(Number.isInteger) || !['default', 'odd', 'both'].includes(values.settings)) {
  console.error('usage: npm run fuzz -- [--seed N] [--seeds K] [--steps N] [--settings default|odd|both] [--combined] [--verbose]');
  process.exit(1);
}

if (values.mysql) process.exit(await fuzzMysqlValues());
if (values.properties) {
  const run = spawnSync('npx', ['vitest', 'run', '--project', 'unit', 'test/unit/table-signature.test.ts'], {
    stdio: 'inherit',
    env: { ...process.env, DATALINKS_PROPERTY_SCALE: '10' },
  });
  process.exit(run.status ?? 1);
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
        replayFlags: `--settings ${odd ? 'odd' : 'default'}${values.combined ? ' --combined' : ''}`,
        combined: values.combined,
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

/** `--mysql`: the value walk over seeds, on servers it starts and stops. Returns the exit status. */
async function fuzzMysqlValues(): Promise<number> {
  const shape = { tables: Number(values.tables), columns: Number(values.columns), rows: Number(values.rows) };
  if (!Object.values(shape).every((n) => Number.isInteger(n) && n > 0)) {
    console.error('usage: npm run fuzz -- --mysql [--seed N] [--seeds K] [--tables N] [--columns N] [--rows N] [--verbose]');
    return 1;
  }
  const missing = missingMysqlPackages();
  if (missing) {
    console.error(`npm run fuzz -- --mysql needs MariaDB and PostgreSQL 15 with mysql_fdw: ${missing}`);
    return 1;
  }
  const servers = await startMysqlServers();
  // Ctrl-C (or a timeout's TERM) stops the servers this run started before it exits.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void servers.stop().finally(() => process.exit(130));
    });
  }
  const total = { seeds: 0, relations: 0, columns: 0, rows: 0, values: 0, refused: 0, limited: 0, rowsNotRead: 0 };
  const families: Record<string, number> = {};
  let failed = 0;
  try {
    for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
      const started = Date.now();
      try {
        const stats = await runValueWalk({
          seed,
          mysqlAdminUrl: servers.mysqlAdminUrl,
          localAdminUrl: servers.localAdminUrl,
          tables: shape.tables,
          shape: { columns: shape.columns, randomRows: shape.rows },
          log: values.verbose ? (line) => console.log(line) : undefined,
        });
        total.seeds++;
        total.relations += stats.relations;
        total.columns += stats.columns;
        total.rows += stats.rows;
        total.values += stats.values;
        total.refused += stats.refusedColumns + stats.refusedNames;
        total.limited += stats.limitedColumns;
        total.rowsNotRead += stats.rowsNotRead;
        for (const [family, n] of Object.entries(stats.families)) families[family] = (families[family] ?? 0) + n;
        console.log(
          `seed ${seed}: ${stats.relations} relations, ${stats.columns} columns, ${stats.rows} rows, ${stats.values} values equal; ` +
            `${stats.refusedColumns} columns and ${stats.refusedNames} names refused by plan, ${stats.limitedColumns} columns with a read limit, ` +
            `${stats.rowsNotRead} rows past it counted by check (${((Date.now() - started) / 1000).toFixed(1)}s)`,
        );
      } catch (error) {
        failed++;
        console.log(`seed ${seed}: FAILED`);
        console.log(error instanceof ValueWalkFailure ? error.message : error);
      }
    }
  } finally {
    await servers.stop();
  }
  console.log(
    `${total.seeds} of ${seeds} seeds passed: ${total.relations} relations, ${total.columns} columns and ${total.rows} rows read through links, ` +
      `${total.values} values equal to MariaDB's; ${total.refused} columns or names refused by plan, ${total.limited} columns with a read limit, ` +
      `${total.rowsNotRead} rows past it counted by check.\ncolumns by type: ${JSON.stringify(families)}`,
  );
  return failed > 0 ? 1 : 0;
}

/**
 * npm run bench: datalinks against the lower bounds it cannot beat, on a real PostgreSQL.
 *   --links L --tables T --columns C --runs N --databases D   (defaults 100, 100, 10, 5, 8)
 *   --readme   also writes the tables into README.md's Performance section (between its bench markers)
 * Uses DATALINKS_BENCH_DATABASE_URL (a superuser URL) if set, else an embedded PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runPlan } from '../src/cli/run-plan.js';
import { parseConfig } from '../src/config/load-config.js';
import type { DesiredState } from '../src/config/types.js';
import { withPlainClient } from '../src/db/plain-client.js';
import { startEmbeddedServer } from '../src/demo/embedded-server.js';
import * as localQueries from '../src/introspect/local-queries.js';
import * as remoteQueries from '../src/introspect/remote/postgres-queries.js';
import { renderDatabaseSql } from '../src/plan/statements.js';
import { type Breakdown, noopBreakdown } from './phases.js';

const { values } = parseArgs({
  options: {
    links: { type: 'string', default: '100' },
    tables: { type: 'string', default: '100' },
    columns: { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
    databases: { type: 'string', default: '8' },
    readme: { type: 'boolean', default: false },
  },
});
const L = Number(values.links);
const T = Number(values.tables);
const C = Number(values.columns);
const RUNS = Number(values.runs);
const D = Number(values.databases);

interface Sample {
  ms: number;
  rss: number;
  /** CPU time of the datalinks process (user + system), when it ran under the probe. */
  cpuMs?: number;
}
interface Row {
  name: string;
  median: number;
  spread: [number, number];
  rssMb: number | null;
  bound?: string;
  ratio?: number;
  target?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

function runProcess(args: string[], env: NodeJS.ProcessEnv, probe = true): Promise<Sample & { code: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const argv = probe ? ['bench/rss-probe.cjs', ...args] : args;
    const child = spawn(process.execPath, argv, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let report = '';
    let stderr = '';
    child.stdio[3]?.on('data', (chunk) => {
      report += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const parsed = report ? (JSON.parse(report) as { rss: number; cpuMs?: number }) : { rss: 0 };
      if (probe && code !== 0 && code !== 2) reject(new Error(`datalinks ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ms, rss: parsed.rss, cpuMs: parsed.cpuMs, code: code ?? 1 });
    });
  });
}

async function measure(
  name: string,
  once: () => Promise<Sample>,
  before?: () => Promise<void>,
): Promise<{ name: string; samples: Sample[] }> {
  await before?.();
  await once(); // warm-up
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    await before?.();
    samples.push(await once());
  }
  process.stderr.write(`  ${name}: ${median(samples.map((s) => s.ms)).toFixed(0)} ms\n`);
  return { name, samples };
}

const stat = (r: { samples: Sample[] }) => median(r.samples.map((s) => s.ms));
const cpuStat = (r: { samples: Sample[] }) => median(r.samples.map((s) => s.cpuMs ?? Number.NaN));

/**
 * CPU the PostgreSQL server has used so far: its postmaster and every backend it has reaped, read from
 * /proc (Linux, server on this machine); undefined elsewhere. The difference over a measurement is the
 * server's work for it (give or take this query's own backend).
 */
async function serverCpuMs(admin: string): Promise<number | undefined> {
  try {
    // Fields after the command name: state is field 3, so field n is at n - 3 (ppid 4; utime, stime, cutime, cstime 14-17).
    const fieldsOf = (pid: string | number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // The backend's parent is the postmaster; read while the backend still exists.
    const postmaster = await withPlainClient(admin, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return fieldsOf(rows[0]?.pid ?? 0)[1] ?? '';
    });
    const fields = fieldsOf(postmaster);
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** A measurement and the server CPU each of its runs (warm-up included) cost on average. */
async function withServerCpu(admin: string, run: () => Promise<{ name: string; samples: Sample[] }>) {
  const before = await serverCpuMs(admin);
  const result = await run();
  const after = await serverCpuMs(admin);
  // measure() runs one warm-up before its samples.
  const serverMs = before === undefined || after === undefined ? undefined : (after - before) / (result.samples.length + 1);
  return { ...result, serverMs };
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function databaseUrl(admin: string, name: string): string {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

async function recreate(admin: string, name: string): Promise<void> {
  await withPlainClient(admin, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  });
}

/** `tables` tables of C columns in the remote's public schema. */
async function createRemoteTables(url: string, tables: number): Promise<void> {
  await withPlainClient(url, async (client) => {
    const columns = Array.from(
      { length: C },
      (_, c) => `c${c} ${['integer', 'text', 'numeric(12,2)', 'timestamptz', 'boolean'][c % 5]}${c === 0 ? ' NOT NULL' : ''}`,
    ).join(', ');
    for (let t = 0; t < tables; t++) await client.query(`CREATE TABLE t${t} (${columns})`);
  });
}

/**
 * What proving every link takes at least, as bare SQL: per link, a temporary foreign table over the
 * remote's pg_settings opens the connection and reads the version, every foreign table is read with
 * LIMIT 0 in UNION ALL batches of 50, all rolled back, and the link's connection is closed again.
 */
async function rawProbes(client: pg.Client, links: number, tables: number): Promise<void> {
  for (let i = 0; i < links; i++) {
    const server = `link_${i}`;
    // postgres_fdw closes a connection only outside the transaction that used it.
    await client.query('BEGIN');
    await client.query(
      `CREATE FOREIGN TABLE pg_temp.probe (name text, setting text) SERVER ${server} OPTIONS (schema_name 'pg_catalog', table_name 'pg_settings')`,
    );
    await client.query(`SELECT max(setting) FROM pg_temp.probe WHERE name = 'server_version_num'`);
    for (let start = 0; start < tables; start += 50) {
      const batch = Array.from({ length: Math.min(50, tables - start) }, (_, t) => `(SELECT 1 FROM ${server}.t${start + t} LIMIT 0)`);
      await client.query(batch.join(' UNION ALL '));
    }
    await client.query('ROLLBACK');
    await client.query('SELECT postgres_fdw_disconnect($1)', [server]);
  }
}

/**
 * A fleet of tenant databases with 2 links each (a shared remote of `tables` tables), at D and 4×D
 * tenants: what each tenant adds to a no-op plan and to a check, with the default --parallelism.
 */
async function measureFleet(admin: string, dir: string, remoteUrl: string, tables: number) {
  const sizes = [D, 4 * D];
  const largest = sizes[sizes.length - 1] ?? D;
  const env: NodeJS.ProcessEnv = { REMOTE_URL: remoteUrl };
  for (let d = 0; d < largest; d++) {
    await recreate(admin, `bench_tenant_${d}`);
    env[`LOCAL_${d}_URL`] = databaseUrl(admin, `bench_tenant_${d}`);
  }
  const configs = sizes.map((size) => {
    const path = join(dir, `fleet-${size}.yaml`);
    writeFileSync(path, configYaml(size, 2));
    return path;
  });
  const applied = await timed(() => runProcess(['apply', '--auto-approve', '-c', configs[configs.length - 1] ?? ''], env));
  const measured: { size: number; plan: number; check: number; rows: Row[] }[] = [];
  for (const [i, size] of sizes.entries()) {
    const config = configs[i] ?? '';
    const plan = await measure(`fleet: plan, ${size} tenants × 2 links of ${tables} tables`, () => runProcess(['plan', '-c', config], env));
    const check = await measure(`fleet: check, ${size} tenants × 2 links`, () => runProcess(['check', '-c', config], env));
    measured.push({ size, plan: stat(plan), check: stat(check), rows: [plan, check].map(toRow) });
  }
  const [small, large] = [measured[0], measured[measured.length - 1]];
  const per = (key: 'plan' | 'check') => (small && large ? (large[key] - small[key]) / (large.size - small.size) : Number.NaN);
  const perTenant = { plan: per('plan'), check: per('check'), apply: applied / largest };
  return {
    rows: measured.flatMap((m) => m.rows),
    perTenant,
    summary:
      `Fleet: each tenant (2 links) adds ${perTenant.plan.toFixed(0)} ms to a no-op plan and ${perTenant.check.toFixed(0)} ms to a check ` +
      `(from ${small?.size} to ${large?.size} tenants); apply from nothing took ${perTenant.apply.toFixed(0)} ms a tenant at ${largest}.`,
  };
}

/**
 * What CPU alone allows the D-databases row: the CPU its run needs (server and datalinks) spread over
 * every core of this machine, against one database's time.
 */
function cpuBound(one: { samples: Sample[]; serverMs?: number }, many: { samples: Sample[]; serverMs?: number }): string {
  if (one.serverMs === undefined || many.serverMs === undefined) return 'Server CPU not measured (the server is not on this machine).';
  const cores = cpus().length;
  const manyCpu = many.serverMs + cpuStat(many);
  const floor = manyCpu / cores;
  return (
    `CPU: 1 database costs PostgreSQL ${one.serverMs.toFixed(0)} ms and datalinks ${cpuStat(one).toFixed(0)} ms; ${D} cost PostgreSQL ` +
    `${many.serverMs.toFixed(0)} ms (${(many.serverMs / D).toFixed(0)} ms a database) and datalinks ${cpuStat(many).toFixed(0)} ms. ` +
    `On ${cores} cores that CPU alone takes ${floor.toFixed(0)} ms, ${(floor / stat(one)).toFixed(2)}× one database's time: ` +
    `the lowest ratio this machine allows for the row.`
  );
}

function toRow(r: { name: string; samples: Sample[] }): Row {
  return {
    name: r.name,
    median: stat(r),
    spread: [Math.min(...r.samples.map((s) => s.ms)), Math.max(...r.samples.map((s) => s.ms))],
    rssMb: r.samples[0]?.rss ? Math.max(...r.samples.map((s) => s.rss)) / 2 ** 20 : null,
  };
}

function configYaml(databases: number, links: number): string {
  const dbs = Array.from({ length: databases }, (_, d) => {
    const linkYaml = Array.from({ length: links }, (_, i) => `      link_${i}:\n        remote:\n          url: \${REMOTE_URL}\n`).join('');
    return `  db_${d}:\n    url: \${LOCAL_${d}_URL}\n    links:\n${linkYaml}`;
  });
  return `version: 1\ndatabases:\n${dbs.join('')}`;
}

async function main(): Promise<void> {
  const external = process.env.DATALINKS_BENCH_DATABASE_URL;
  const server = external ? undefined : await startEmbeddedServer({ settings: { shared_preload_libraries: 'pg_stat_statements' } });
  const admin = external ?? server?.url ?? '';
  const dir = mkdtempSync(join(tmpdir(), 'datalinks-bench-'));
  try {
    process.stderr.write(
      `datalinks benchmark: L=${L} links, T=${T} tables of C=${C} columns (${L * T} foreign tables), ${RUNS} runs each\n`,
    );
    await recreate(admin, 'bench_remote');
    const remoteUrl = databaseUrl(admin, 'bench_remote');
    await createRemoteTables(remoteUrl, T);
    const localUrls = Array.from({ length: D }, (_, d) => databaseUrl(admin, `bench_local_${d}`));
    for (let d = 0; d < D; d++) await recreate(admin, `bench_local_${d}`);
    const env: NodeJS.ProcessEnv = { REMOTE_URL: remoteUrl, ...Object.fromEntries(localUrls.map((url, d) => [`LOCAL_${d}_URL`, url])) };
    const config = join(dir, 'datalinks.yaml');
    writeFileSync(config, configYaml(1, L));
    const cli = (...args: string[]) => runProcess([...args, '-c', config], env);
    const desired = await loadDesired(configYaml(1, L), env);

    const results: { name: string; samples: Sample[] }[] = [];
    const nodeStart = await measure('node -e 0', async () => ({ ...(await runProcess(['-e', '0'], {}, false)), rss: 0 }));
    results.push(nodeStart);
    results.push(await measure('datalinks --version', () => runProcess(['--version'], env)));
    results.push(await measure(`datalinks validate (${L} links)`, () => cli('validate')));
    // validate connects to nothing, but refuses two aliases of one database: each URL names its own.
    const exampleEnv = {
      ...Object.fromEntries(
        ['DATABASE_URL', 'BILLING_DATABASE_URL', 'ANALYTICS_DATABASE_URL', 'REPORTING_DATABASE_URL', 'CATALOG_DATABASE_URL'].map((name) => [
          name,
          databaseUrl(admin, name.toLowerCase()),
        ]),
      ),
      OWNER_PASSWORD: 'bench',
    };
    results.push(
      await measure('datalinks validate (datalinks.example.yaml)', () =>
        runProcess(['validate', '-c', 'datalinks.example.yaml'], exampleEnv),
      ),
    );

    results.push(await measure('plan (cold: nothing linked yet)', () => cli('plan')));

    // The SQL a full apply runs, executed bare: one connection, one transaction.
    const { plan } = await runPlan(desired, { connectTimeoutMs: 10_000, parallelism: 4, planOptions: {} });
    const statements = renderDatabaseSql(plan.databases[0]!, {
      passwordFor: () => new URL(remoteUrl).password,
      now: new Date().toISOString(),
    });
    const rawApply = await measure(
      `raw execution of the apply SQL (${statements.length} statements)`,
      async () => ({
        ms: await timed(() =>
          withPlainClient(localUrls[0] ?? '', async (client) => {
            await client.query('BEGIN');
            for (const statement of statements) await client.query(statement.sql);
            await client.query('COMMIT');
          }),
        ),
        rss: 0,
      }),
      () => recreate(admin, 'bench_local_0'),
    );
    results.push(rawApply);
    // --no-verify: the same SQL as the raw run, so the ratio is datalinks' own overhead. Plain apply
    // also proves each created link from the local server before COMMIT (one remote connection and a
    // LIMIT 0 read of every foreign table per link): reported beside it, without a target.
    results.push(
      await measure(
        'apply from nothing (--no-verify)',
        () => cli('apply', '--auto-approve', '--no-verify'),
        () => recreate(admin, 'bench_local_0'),
      ),
    );
    results.push(
      await measure(
        'apply from nothing (verifying each link)',
        () => cli('apply', '--auto-approve'),
        () => recreate(admin, 'bench_local_0'),
      ),
    );
    // The bound: every catalog query a plan needs, reading every column of every foreign table and
    // remote table and every dependent of every link, over one plain connection each. A no-op plan
    // need not pay it (signatures, one row a link of tables alike; no dependents of what it keeps).
    const catalogQueries =
      (full: boolean, localUrl = localUrls[0] ?? '', remote = remoteUrl) =>
      async () => ({
        ms: await timed(async () => {
          await withPlainClient(localUrl, async (client) => {
            await client.query('SET search_path = pg_catalog');
            await client.query(localQueries.ENVIRONMENT_QUERY);
            const servers = await client.query(localQueries.SERVERS_QUERY);
            const links = servers.rows.map((row) => row.name);
            const tables = full
              ? await client.query(localQueries.FOREIGN_TABLES_QUERY)
              : await client.query(localQueries.FOREIGN_TABLES_WITH_SIGNATURES_QUERY, [links]);
            await client.query(localQueries.SCHEMAS_QUERY, [links]);
            await client.query(localQueries.FOREIGN_TABLE_COLUMNS_QUERY, [full ? tables.rows.map((row) => row.relid) : []]);
            // Every dependent of every link (each walked whole, as a destroy of all of them would), or none.
            const walked = full ? links : [];
            await client.query(localQueries.DEPENDENTS_QUERY, [walked, [], []]);
            await client.query(localQueries.EXISTING_ROLES_QUERY, [[]]);
            await client.query(localQueries.NEEDS_QUERY, [
              ['type', 'type'],
              ['pg_catalog', 'pg_catalog'],
              ['int4', 'text'],
              [-1, -1],
            ]);
          });
          await withPlainClient(remote, async (client) => {
            await client.query('SET search_path = pg_catalog');
            await client.query(remoteQueries.REMOTE_SCHEMAS_QUERY, [['public']]);
            await client.query(remoteQueries.REMOTE_TABLES_QUERY, [['public']]);
          });
        }),
        rss: 0,
      });
    const rawQueries = await measure('raw catalog queries, every column (1 connection, after apply)', catalogQueries(true));
    results.push(rawQueries);
    results.push(await measure('raw catalog queries a no-op plan sends (signatures, no columns)', catalogQueries(false)));
    const noopPlan = await measure('plan (no changes)', () => cli('plan'));
    results.push(noopPlan);
    const breakdown = await noopBreakdown({
      adminUrl: admin,
      configPath: config,
      env,
      planMs: stat(noopPlan),
      nodeMs: stat(nodeStart),
      runs: RUNS,
      runPlanCli: () => cli('plan'),
      runHelp: () => runProcess(['plan', '--help'], env),
    });
    await withPlainClient(remoteUrl, (client) => client.query(`CREATE TABLE IF NOT EXISTS added_later (id integer, note text)`));
    results.push(await measure('plan (one remote table added)', () => cli('plan')));
    await withPlainClient(remoteUrl, (client) => client.query('DROP TABLE added_later'));

    // check proves every link from the local server; the bound is the same proof as bare SQL on one connection.
    const rawProbe = await measure(`raw probe SQL (${L} links: connect, version, every table LIMIT 0, disconnect)`, async () => ({
      ms: await timed(() => withPlainClient(localUrls[0] ?? '', (client) => rawProbes(client, L, T))),
      rss: 0,
    }));
    results.push(rawProbe);
    const checkAll = await measure(`check (${L} links of ${T} tables)`, () => cli('check'));
    results.push(checkAll);

    // The same tables in many small links: 120 links of 20 tables, where the fixed cost per link shows.
    const wide = { links: Math.max(1, Math.round((L * 6) / 5)), tables: Math.max(1, Math.round(T / 5)) };
    await recreate(admin, 'bench_remote_wide');
    const wideRemoteUrl = databaseUrl(admin, 'bench_remote_wide');
    await createRemoteTables(wideRemoteUrl, wide.tables);
    await recreate(admin, 'bench_local_wide');
    const wideEnv: NodeJS.ProcessEnv = { REMOTE_URL: wideRemoteUrl, LOCAL_0_URL: databaseUrl(admin, 'bench_local_wide') };
    const wideConfig = join(dir, 'wide.yaml');
    writeFileSync(wideConfig, configYaml(1, wide.links));
    await runProcess(['apply', '--auto-approve', '--no-verify', '-c', wideConfig], wideEnv);
    const wideName = `${wide.links * wide.tables} foreign tables in ${wide.links} links`;
    const wideRaw = await measure(
      `raw catalog queries, every column (${wideName})`,
      catalogQueries(true, wideEnv.LOCAL_0_URL ?? '', wideRemoteUrl),
    );
    results.push(wideRaw);
    const widePlan = await measure(`plan (no changes, ${wideName})`, () => runProcess(['plan', '-c', wideConfig], wideEnv));
    results.push(widePlan);

    // Query counts, per database, at two sizes: they must not depend on links or tables.
    const countAt = async (links: number) => {
      let queries = 0;
      await runPlan(await loadDesired(configYaml(1, links), env), {
        connectTimeoutMs: 10_000,
        parallelism: 4,
        planOptions: {},
        onQuery: () => queries++,
      });
      return queries;
    };
    const queryCounts = {
      [`L=${Math.max(1, Math.round(L / 10))}`]: await countAt(Math.max(1, Math.round(L / 10))),
      [`L=${L}`]: await countAt(L),
    };

    // Several databases planned concurrently: D databases of the same size, each with L/D links applied.
    const perDb = Math.max(1, Math.round(L / D));
    const multiEnv: NodeJS.ProcessEnv = { REMOTE_URL: remoteUrl };
    for (let d = 0; d < D; d++) {
      await recreate(admin, `bench_multi_${d}`);
      multiEnv[`LOCAL_${d}_URL`] = databaseUrl(admin, `bench_multi_${d}`);
    }
    const multiConfig = join(dir, 'multi.yaml');
    writeFileSync(multiConfig, configYaml(D, perDb));
    await runProcess(['apply', '--auto-approve', '--parallelism', String(D), '-c', multiConfig], multiEnv);
    const one = await withServerCpu(admin, () =>
      measure(`plan, 1 database of ${perDb} links`, () => runProcess(['plan', '-d', 'db_0', '-c', multiConfig], multiEnv)),
    );
    const many = await withServerCpu(admin, () =>
      measure(`plan, ${D} such databases (--parallelism 4)`, () => runProcess(['plan', '-c', multiConfig], multiEnv)),
    );
    const manyWide = await measure(`plan, ${D} such databases (--parallelism ${D})`, () =>
      runProcess(['plan', '--parallelism', String(D), '-c', multiConfig], multiEnv),
    );
    const fleet = await measureFleet(admin, dir, wideRemoteUrl, wide.tables);

    const rows: Row[] = results.map((r) => ({
      name: r.name,
      median: stat(r),
      spread: [Math.min(...r.samples.map((s) => s.ms)), Math.max(...r.samples.map((s) => s.ms))],
      rssMb: r.samples[0]?.rss ? Math.max(...r.samples.map((s) => s.rss)) / 2 ** 20 : null,
    }));
    const find = (name: string) => rows.find((r) => r.name === name);
    const node = stat(nodeStart);
    const bound = (name: string, against: string, boundMs: number, target: number) => {
      const row = find(name);
      if (row) Object.assign(row, { bound: against, ratio: row.median / boundMs, target: `≤ ${target}×` });
    };
    bound('datalinks --version', 'node start-up', node, 2);
    bound(`datalinks validate (${L} links)`, 'node start-up', node, 2);
    bound('datalinks validate (datalinks.example.yaml)', 'node start-up', node, 2);
    bound('plan (no changes)', 'node start-up + raw queries, every column', node + stat(rawQueries), 0.8);
    bound(checkAll.name, 'raw probe SQL', stat(rawProbe), 1.5);
    bound(widePlan.name, 'node start-up + raw queries, every column', node + stat(wideRaw), 1);
    bound('apply from nothing (--no-verify)', 'raw execution of its SQL', stat(rawApply), 1.1);
    bound('apply from nothing (verifying each link)', 'raw execution of its SQL', stat(rawApply), Number.NaN);
    const noop = find('plan (no changes)');
    if (noop?.rssMb) noop.target = `${noop.target}; RSS ≤ 100 MB`;
    const verified = find('apply from nothing (verifying each link)');
    if (verified) verified.target = '';
    rows.push(
      ...[one, many, manyWide].map((r) => ({
        name: r.name,
        median: stat(r),
        spread: [Math.min(...r.samples.map((s) => s.ms)), Math.max(...r.samples.map((s) => s.ms))] as [number, number],
        rssMb: null,
      })),
    );
    rows.push(...fleet.rows);
    const concurrency = stat(many) / stat(one);
    const concurrencyWide = stat(manyWide) / stat(one);
    Object.assign(rows.find((r) => r.name === many.name) ?? {}, {
      bound: '1 database',
      ratio: concurrency,
      target: '≤ 2×',
    });

    const table = [
      '| measurement | median ms | min–max ms | peak RSS MB | bound | ratio | target |',
      '|---|---:|---:|---:|---|---:|---|',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.median.toFixed(0)} | ${r.spread[0].toFixed(0)}–${r.spread[1].toFixed(0)} | ${r.rssMb === null ? '' : r.rssMb.toFixed(0)} | ${r.bound ?? ''} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target ?? ''} |`,
      ),
    ].join('\n');
    const summary = [
      `Queries per plan (per local database, plus one remote): ${Object.entries(queryCounts)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`,
      `${D} databases took ${concurrency.toFixed(2)}× the time of 1 with --parallelism 4, ${concurrencyWide.toFixed(2)}× with --parallelism ${D} (a sum would be ${D}×).`,
      cpuBound(one, many),
      fleet.summary,
    ].join('\n');
    const breakdownText = breakdownTable(breakdown, stat(noopPlan));
    process.stdout.write(`\n${table}\n\n${summary}\n\n${breakdownText}\n`);
    if (values.readme) writeReadmeSection([table, '', summary, '', breakdownText].join('\n'));
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/latest.json',
      `${JSON.stringify({ size: { links: L, tables: T, columns: C, foreignTables: L * T, runs: RUNS }, rows, queryCounts, concurrency, concurrencyWide, serverCpuMs: { one: one.serverMs, many: many.serverMs }, breakdown, fleet: fleet.perTenant, date: new Date().toISOString() }, null, 2)}\n`,
    );
    process.stdout.write('Written to bench/results/latest.json\n');
  } finally {
    await server?.stop();
  }
}

/**
 * The part of datalinks' own time that does not depend on the tables: loading the CLI and the two
 * connections with their session set-up, against the share of the queries' time the target allows.
 */
function fixedShare(breakdown: Breakdown): string {
  const fixed = breakdown.phases.filter((phase) => phase.fixed).reduce((sum, phase) => sum + phase.ms, 0);
  const allowed = 0.3 * breakdown.serverMs;
  return (
    `Loading the CLI and the two connections alone take ${fixed.toFixed(0)} ms (${((100 * fixed) / breakdown.serverMs).toFixed(0)}%), ` +
    `which leaves ${Math.max(0, allowed - fixed).toFixed(0)} ms under the target to decode, build and compare ${L * T} tables.`
  );
}

function breakdownTable(breakdown: Breakdown, planMs: number): string {
  const share = (ms: number) => `${((100 * ms) / planMs).toFixed(0)}%`;
  const own = breakdown.ownMs / breakdown.serverMs;
  return [
    `Where the no-op plan's ${planMs.toFixed(0)} ms go (${L * T} foreign tables in ${L} links):`,
    '',
    '| phase | ms | share |',
    '|---|---:|---:|',
    ...breakdown.phases.map((phase) => `| ${phase.name} | ${phase.ms.toFixed(0)} | ${share(phase.ms)} |`),
    '',
    `datalinks' own time beyond Node's start and its queries' server time: ${breakdown.ownMs.toFixed(0)} ms, ` +
      `${(100 * own).toFixed(0)}% of the queries' ${breakdown.serverMs.toFixed(0)} ms (target ≤ 30%). ` +
      fixedShare(breakdown),
    `Slowest statements: ${breakdown.queries
      .slice(0, 3)
      .map((q) => `${q.ms.toFixed(0)} ms \`${q.query.slice(0, 48)}…\``)
      .join('; ')}.`,
  ].join('\n');
}

const README_START = '<!-- bench:start (npm run bench -- --readme writes what follows) -->';
const README_END = '<!-- bench:end -->';

/** Replaces README's measured section with this run's, leaving the prose around it as it is. */
function writeReadmeSection(text: string): void {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} section`);
  const measured = `${README_START}\n${text}\n\n(${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(
    1,
  )} at the end of the run)\n`;
  writeFileSync('README.md', readme.slice(0, start) + measured + readme.slice(end));
  process.stdout.write('README.md Performance section rewritten\n');
}

async function loadDesired(yaml: string, env: NodeJS.ProcessEnv): Promise<DesiredState> {
  const result = await parseConfig('bench.yaml', Buffer.from(yaml), env);
  if (!result.ok) throw new Error('benchmark config is invalid');
  return result.value;
}

await main();

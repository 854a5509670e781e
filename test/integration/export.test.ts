import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expectNoChanges, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, createRole, linkByHand, type TestDatabase, urlFor, withClient } from '../support/databases.js';

const id = pg.escapeIdentifier;
const lit = pg.escapeLiteral;
const NO_LINKS = 'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n';

/** A remote with tables in public and in schema finance, readable by a login role. */
async function setup() {
  const { local, remote } = await createLinkedPair();
  const remoteUser = await createRole('remote');
  // One session (each query of a TestDatabase is a session of its own).
  await remote.query(`
    CREATE TABLE invoices (id integer, total numeric);
    INSERT INTO invoices VALUES (1, 10);
    CREATE SCHEMA finance;
    CREATE TABLE finance.ledger (id integer, amount numeric);
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${id(remoteUser.name)};
    GRANT USAGE ON SCHEMA finance TO ${id(remoteUser.name)};
    GRANT SELECT ON ALL TABLES IN SCHEMA finance TO ${id(remoteUser.name)};`);
  const remoteUrl = urlFor(remote.name, remoteUser);
  return { local, remote, remoteUser, remoteUrl };
}

/** A foreign server and the connecting role's user mapping, made by hand. */
async function serverByHand(local: TestDatabase, remote: TestDatabase, user: { name: string; password: string }, name: string) {
  const target = new URL(remote.url);
  await local.query(`
    CREATE EXTENSION IF NOT EXISTS postgres_fdw;
    CREATE SERVER ${id(name)} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host ${lit(target.hostname)}, port ${lit(target.port)}, dbname ${lit(remote.name)});
    CREATE USER MAPPING FOR CURRENT_USER SERVER ${id(name)} OPTIONS (user ${lit(user.name)}, password ${lit(user.password)});`);
}

describe('export', () => {
  it('exports hand-made links so that adopting them changes nothing and keeps the same access', async () => {
    const { local, remote, remoteUser, remoteUrl } = await setup();
    // billing: the usual hand-made link, with a second role that may read it.
    await linkByHand(local, remoteUrl, 'billing');
    const reader = await createRole('reader');
    await local.query(
      `CREATE USER MAPPING FOR ${id(reader.name)} SERVER billing OPTIONS (user ${lit(remoteUser.name)}, password ${lit(remoteUser.password)})`,
    );
    await local.query(`GRANT USAGE ON SCHEMA billing TO ${id(reader.name)}`);
    await local.query(`GRANT SELECT ON billing.invoices TO ${id(reader.name)}`);
    // fin: a link of the remote schema finance.
    await serverByHand(local, remote, remoteUser, 'fin');
    await local.query('CREATE SCHEMA fin');
    await local.query('IMPORT FOREIGN SCHEMA finance FROM SERVER fin INTO fin');

    const env = { LOCAL_URL: local.url, BILLING_URL: remoteUrl, FIN_URL: remoteUrl };
    const exported = await runCli(['export', '-c', writeConfig(NO_LINKS)], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain(remoteUser.password);
    const links = parse(exported.stdout).databases.main.links;
    expect(links.billing).toStrictEqual({
      remote: { url: '${BILLING_URL}' },
      tables: ['invoices'],
      access: 'read',
      grant_to: [reader.name],
    });
    expect(links.fin).toStrictEqual({ remote: { url: '${FIN_URL}', schema: 'finance' }, tables: ['ledger'], access: 'write' });
    expect(exported.stdout).toContain(
      `# warning: server "billing" lets the link write (updatable is not false), but no role of grant_to may write`,
    );

    const file = writeConfig(exported.stdout);
    const plan = await runCli(['plan', '--adopt', '-c', file], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('~ link billing (made by hand) will be adopted');
    expect(plan.stdout).toContain('~ link fin (made by hand) will be adopted');
    expect(plan.stdout).not.toContain('foreign table');
    expect(plan.stdout).not.toMatch(/grant|revoke|user mapping/);
    expect((await runCli(['apply', '--adopt', '--auto-approve', '-c', file], env)).code).toBe(0);

    const again = await runCli(['plan', '--detailed-exitcode', '-c', file], env);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
    // The same access as before: the reader reads and cannot write.
    const asReader = urlFor(local.name, reader);
    expect(await withClient(asReader, async (c) => (await c.query('SELECT id FROM billing.invoices')).rows)).toEqual([{ id: 1 }]);
    await expect(withClient(asReader, (c) => c.query('INSERT INTO billing.invoices VALUES (2, 20)'))).rejects.toThrow(/permission denied/);
    expect(await local.query('SELECT count(*)::int AS n FROM fin.ledger')).toEqual([{ n: 0 }]);
  });

  it('says in a warning what a link file cannot express', async () => {
    const { local, remote, remoteUser, remoteUrl } = await setup();
    // crm_srv: its foreign tables live in schema crm, and it has a PUBLIC user mapping.
    await serverByHand(local, remote, remoteUser, 'crm_srv');
    await local.query(
      `CREATE USER MAPPING FOR PUBLIC SERVER crm_srv OPTIONS (user ${lit(remoteUser.name)}, password ${lit(remoteUser.password)})`,
    );
    await local.query('CREATE SCHEMA crm');
    await local.query('IMPORT FOREIGN SCHEMA public FROM SERVER crm_srv INTO crm');
    // multi: tables of two remote schemas in one local schema.
    await serverByHand(local, remote, remoteUser, 'multi');
    await local.query('CREATE SCHEMA multi');
    await local.query('IMPORT FOREIGN SCHEMA public FROM SERVER multi INTO multi');
    await local.query('IMPORT FOREIGN SCHEMA finance FROM SERVER multi INTO multi');

    const exported = await runCli(['export', '-c', writeConfig(NO_LINKS)], { LOCAL_URL: local.url, REMOTE_URL: remoteUrl });
    expect(exported.code).toBe(0);
    const links = parse(exported.stdout).databases.main.links;
    expect(links.crm_srv.tables).toStrictEqual(['invoices']);
    expect(exported.stdout).toContain(
      '# warning: foreign tables of server "crm_srv" are in schema "crm", not in schema "crm_srv": a datalinks link keeps its foreign tables in the schema named after its server',
    );
    expect(links.crm_srv.grant_to).toStrictEqual(['public']);
    // As many tables in each: the first schema by name is exported, the other named.
    expect(links.multi.tables).toStrictEqual(['ledger']);
    expect(links.multi.remote).toStrictEqual({ url: '${MULTI_URL}', schema: 'finance' });
    expect(exported.stdout).toContain(
      '# warning: the foreign tables of server "multi" read 2 remote schemas; a link reads one, so only the tables of "finance" are exported. Not exported: "public" (1 table)',
    );
  });

  it('exports remote tables named with $, ${VAR}, quotes, #, :, line breaks and YAML indicators so that they read back as themselves', async () => {
    const { local, remote, remoteUser, remoteUrl } = await setup();
    const names = [
      '${CI_SECRET}',
      'a$$b',
      '$',
      '$CI_SECRET',
      `it's "q" #x: y`,
      '- [x]: {y}',
      'line\nbreak',
      '東京🌈\u202e',
      '##[error]x',
      '::warning::y',
      '? *a &b !c |d >e %f @g `h',
      'null',
    ];
    for (const name of names) await remote.query(`CREATE TABLE ${id(name)} (id integer)`);
    await remote.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${id(remoteUser.name)}`);
    await linkByHand(local, remoteUrl, 'billing');
    const secret = 'the-value-of-ci-secret';
    const env = { LOCAL_URL: local.url, BILLING_URL: remoteUrl, CI_SECRET: secret };

    // On a GitHub runner, as CI would run it: the output edge escapes what the runner would read as a command.
    const exported = await runCli(['export', '-c', writeConfig(NO_LINKS)], { ...env, GITHUB_ACTIONS: 'true' });
    expect(exported.code).toBe(0);
    const file = writeConfig(exported.stdout);
    const validate = await runCli(['validate', '-c', file], env);
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);

    const plan = await runCli(['plan', '--adopt', '--json', '-c', file], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).not.toContain(secret);
    const [change] = JSON.parse(plan.stdout).databases[0].changes;
    expect(change).toMatchObject({ action: 'update', link: 'billing', adopt: true });
    // Adopted as it is: no foreign table to create, drop or replace, so every name was read back exactly.
    const kinds = change.operations.map((op: { kind: string }) => op.kind);
    expect(kinds.filter((kind: string) => kind.includes('foreign_table'))).toStrictEqual([]);
    expect((await runCli(['apply', '--adopt', '--auto-approve', '-c', file], env)).code).toBe(0);
    await expectNoChanges((...args) => runCli([...args, '-c', file], env));
    const tables = await local.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'billing'`,
    );
    expect(tables.map((t) => t.name).sort()).toStrictEqual([...names, 'invoices'].sort());
  });

  it('writes back urls composed from variables, so that its file validates and plans with the same environment', async () => {
    const { local, remote, remoteUser } = await setup();
    const admin = new URL(local.url);
    // The local url and the remote's composed from one password variable each, as a fleet writes them.
    const localUrl = `postgres://${admin.username}:\${OWNER_PASSWORD}@${admin.host}${admin.pathname}`;
    const remoteUrl = `postgres://${remoteUser.name}:\${BILLING_PASSWORD}@${admin.host}/${remote.name}`;
    const config = writeConfig(
      `version: 1\ndatabases:\n  main:\n    url: ${localUrl}\n    links:\n      billing:\n        remote:\n          url: ${remoteUrl}\n`,
    );
    const env = { OWNER_PASSWORD: decodeURIComponent(admin.password), BILLING_PASSWORD: remoteUser.password };
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);

    const exported = await runCli(['export', '-c', config], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain('********');
    expect(exported.stdout).not.toContain(remoteUser.password);
    const main = parse(exported.stdout).databases.main;
    expect(main.url).toBe(localUrl);
    expect(main.links.billing.remote.url).toBe(remoteUrl);
    expect(exported.stdout).not.toContain('Set these variables');
    const file = writeConfig(exported.stdout);
    const validate = await runCli(['validate', '-c', file], env);
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
    await expectNoChanges((...args) => runCli([...args, '-c', file], env));
  });

  it("writes the foreign tables that exist, not the file's filter, and says in comments where the file differs; its output plans as No changes", async () => {
    const { local, remote, remoteUser, remoteUrl } = await setup();
    await remote.query('CREATE TABLE refunds (id integer)');
    await remote.query('CREATE TABLE payouts (id integer)');
    await remote.query(`GRANT SELECT ON refunds, payouts TO ${id(remoteUser.name)}`);
    const reader = await createRole('reader');
    const config = (tables: string, extra = '') =>
      `version: 1\ndatabases:\n  main:\n    url: \${LOCAL_URL}\n    links:\n      billing:\n        remote:\n          url: \${BILLING_URL}\n        tables: ${tables}\n${extra}`;
    const env = { LOCAL_URL: local.url, BILLING_URL: remoteUrl, CRM_URL: remoteUrl };
    const applied = writeConfig(config('[invoices, refunds]'));
    expect((await runCli(['apply', '--auto-approve', '-c', applied], env)).code).toBe(0);
    await linkByHand(local, remoteUrl, 'crm');
    // The file moves on: another table, write access, a reader, a fetch_size, and a link not applied yet.
    const file = writeConfig(
      config(
        '[invoices, payouts]',
        `        access: write\n        grant_to: [${reader.name}]\n        server_options: { fetch_size: 500 }\n      ledger:\n        remote:\n          url: \${BILLING_URL}\n`,
      ),
    );
    const exported = await runCli(['export', '-c', file], env);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const written = parse(exported.stdout).databases.main;
    expect(written.links.billing).toStrictEqual({
      remote: { url: '${BILLING_URL}' },
      tables: ['invoices', 'refunds'],
      access: 'read',
      server_options: { truncatable: false },
    });
    expect(written.links.crm.tables).toStrictEqual(['invoices', 'payouts', 'refunds']);
    expect(Object.keys(written.links)).toStrictEqual(['billing', 'crm']);
    const comments = exported.stdout
      .split('\n')
      .filter((line) => line.includes('differs from the file'))
      .map((line) => line.trim());
    expect(comments).toStrictEqual([
      `# What exists is written; "differs from the file:" comments say where ${file} says otherwise.`,
      '# differs from the file: its link "ledger" does not exist in this database (datalinks apply creates it), so it is not written here',
      "# differs from the file: server option fetch_size: not set here, '500' from the file",
      `# differs from the file: the file's tables: also lists "payouts", which no foreign table of the link reads here`,
      `# differs from the file: foreign tables read "refunds", which the file's tables: does not list`,
      '# differs from the file: access: read here, write in the file',
      `# differs from the file: the file's grant_to also lists "${reader.name}", who may not use the link here`,
      '# differs from the file: the link is not in the file',
    ]);
    // What it wrote is what exists: adopting the hand-made link is its only change, and then nothing is left to do.
    const exportedFile = writeConfig(exported.stdout);
    const plan = await runCli(['plan', '--adopt', '-c', exportedFile], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Plan: 0 to create, 1 to update, 0 to destroy.');
    expect(plan.stdout).toContain('~ link crm (made by hand) will be adopted');
    expect((await runCli(['apply', '--adopt', '--auto-approve', '-c', exportedFile], env)).code).toBe(0);
    await expectNoChanges((...args) => runCli([...args, '-c', exportedFile], env));
  });

  it('runs without a configuration file, on --database-url or DATABASE_URL, and never prints the URL or its password', async () => {
    const { local, remoteUrl } = await setup();
    await linkByHand(local, remoteUrl, 'billing');
    const cwd = mkdtempSync(join(tmpdir(), 'datalinks-export-'));
    const cli = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
      try {
        const { stdout, stderr } = await run('node', [resolve('bin/datalinks.js'), ...args], {
          cwd,
          env: { PATH: process.env.PATH, ...env },
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    };
    const password = decodeURIComponent(new URL(local.url).password);
    const remotePassword = decodeURIComponent(new URL(remoteUrl).password);

    const byFlag = await cli(['export', '--database-url', local.url]);
    expect(byFlag.stderr).toBe('');
    expect(byFlag.code).toBe(0);
    const byVariable = await cli(['export'], { DATABASE_URL: local.url });
    expect(byVariable.code).toBe(0);
    for (const result of [byFlag, byVariable]) {
      const text = result.stdout + result.stderr;
      for (const secret of [password, remotePassword, local.url]) expect(text).not.toContain(secret);
      expect(parse(result.stdout).databases).toStrictEqual({
        main: { url: '${DATABASE_URL}', links: { billing: { remote: { url: '${BILLING_URL}' }, tables: ['invoices'], access: 'write' } } },
      });
      expect(result.stdout).not.toContain('differs from the file');
    }
    expect(byFlag.stdout).toContain(
      '#   DATABASE_URL: the local database (the URL given as --database-url, not written here: it holds the password)',
    );
    expect(byVariable.stdout).toContain(
      '#   DATABASE_URL: the local database (the URL given as DATABASE_URL, not written here: it holds the password)',
    );

    // Saved as datalinks.yaml, it is the file a new user starts from: adopt, then nothing to do.
    writeFileSync(join(cwd, 'datalinks.yaml'), byVariable.stdout);
    const env = { DATABASE_URL: local.url, BILLING_URL: remoteUrl };
    expect((await cli(['apply', '--adopt', '--auto-approve'], env)).code).toBe(0);
    const again = await cli(['plan', '--detailed-exitcode'], env);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);

    const both = await cli(['export', '--database-url', local.url, '-c', 'datalinks.yaml']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--database-url and -c cannot be used together');
    const broken = await cli(['export', '--database-url', `${local.url} `]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('--database-url ends with a space after the URL');
    expect(broken.stderr).not.toContain(password);
    const empty = mkdtempSync(join(tmpdir(), 'datalinks-export-'));
    const none = await run('node', [resolve('bin/datalinks.js'), 'export'], { cwd: empty, env: { PATH: process.env.PATH } }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(none).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no datalinks.yaml here to export the databases of, and DATABASE_URL is not set'),
    });
  });
});

const run = promisify(execFile);

import { accessSync, constants, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { formatVersion } from '../../src/server-version.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { adminQuery, createLinkedPair, createRole, type TestDatabase, urlFor, withClient } from '../support/databases.js';

/**
 * Links without a stored password (remote.auth: scram_passthrough), on a real server with real SCRAM
 * logins. postgres_fdw has use_scram_passthrough since PostgreSQL 18: the part that needs it runs only
 * there (CI's 18 leg sets DATALINKS_REQUIRE_PG18=1, which turns the skip into a failure); the refusal
 * before 18 runs on every older server. Local and remote are two databases of one server: roles are
 * the server's, so the local role and the remote role are two different roles, whose SCRAM secrets
 * are made identical, or not, by hand, exactly as between two servers.
 */
const versionNum = Number((await adminQuery<{ v: string }>(`SELECT current_setting('server_version_num') AS v`))[0]?.v);
if (!Number.isInteger(versionNum)) throw new Error('cannot read the test server version');
const PG18 = versionNum >= 180000;
const running = `PostgreSQL ${formatVersion(versionNum)}`;
if (!PG18) {
  console.warn(`scram-passthrough.test.ts: the SCRAM pass-through tests need PostgreSQL 18 and are skipped on ${running}`);
}

const scramConfig = (extra = '') => writeConfig(oneLinkConfig(`          auth: scram_passthrough\n${extra}`));

/** Gives `to` the SCRAM secret of `from` (README "Links without a stored password"): what a DBA runs on the remote. */
async function copySecret(from: string, to: string): Promise<void> {
  const [row] = await adminQuery<{ secret: string }>('SELECT rolpassword AS secret FROM pg_authid WHERE rolname = $1', [from]);
  expect(row?.secret.startsWith('SCRAM-SHA-256$')).toBe(true);
  await adminQuery(`ALTER ROLE ${pg.escapeIdentifier(to)} PASSWORD ${pg.escapeLiteral(row?.secret ?? '')}`);
}

async function mappingOptions(local: TestDatabase): Promise<string[][]> {
  const rows = await local.query<{ role: string; options: string[] | null }>(
    `SELECT m.usename AS role, m.umoptions AS options FROM pg_user_mappings m WHERE m.srvname = 'billing' ORDER BY 1`,
  );
  return rows.map((row) => row.options ?? []);
}

/**
 * A local database where role `app` (not a superuser, as on managed PostgreSQL) applies, and a remote
 * whose role `bill` may read `invoices`. `bill` starts with a secret of its own; `matched` copies app's.
 */
async function scramPair({ matched = true } = {}) {
  const { local, remote } = await createLinkedPair();
  const app = await createRole('app');
  const bill = await createRole('bill');
  await adminQuery(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(local.name)} TO ${pg.escapeIdentifier(app.name)}`);
  await local.query('CREATE EXTENSION postgres_fdw');
  await local.query(`GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${pg.escapeIdentifier(app.name)}`);
  await remote.query('CREATE TABLE invoices (id integer PRIMARY KEY, total numeric NOT NULL)');
  await remote.query('INSERT INTO invoices VALUES (1, 10)');
  await remote.query(`GRANT SELECT ON invoices TO ${pg.escapeIdentifier(bill.name)}`);
  if (matched) await copySecret(app.name, bill.name);
  // The remote URL's password is for datalinks' own reading of the remote from this machine.
  const billPassword = matched ? app.password : bill.password;
  const env = { LOCAL_URL: urlFor(local.name, app), BILLING_URL: urlFor(remote.name, { name: bill.name, password: billPassword }) };
  return { local, remote, app, bill, env };
}

interface CheckedLink {
  state: string;
  remote: { user: string | null; auth?: string; role?: string } | null;
  failure: { code: string; detail: string | null; hint: string | null } | null;
}

function checkedLinks(stdout: string): CheckedLink[] {
  return (JSON.parse(stdout) as { databases: { links: CheckedLink[] }[] }).databases.flatMap((db) => db.links);
}

describe('remote.auth: scram_passthrough on any server', () => {
  it('validate refuses it for a mysql:// remote, at the line and column of `auth`', async () => {
    const file = writeConfig(`version: 1
databases:
  main:
    url: \${LOCAL_URL}
    links:
      shop:
        remote:
          url: \${SHOP_URL}
          auth: scram_passthrough
`);
    const result = await runCli(['validate', '-c', file], { SHOP_URL: 'mysql://shop:s3cret-shop@mysql.internal:3306/shop' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${file}:9:17: link "shop" has \`auth: scram_passthrough\`, but its MySQL remote (mysql_fdw) cannot pass SCRAM keys through`,
    );
    expect(result.stderr).toContain('hint: remove `auth`');
    expect(result.stderr + result.stdout).not.toContain('s3cret-shop');
  });
});

describe.skipIf(PG18)(
  `remote.auth: scram_passthrough before PostgreSQL 18${PG18 ? ' (skipped: needs a server older than 18)' : ''}`,
  () => {
    it('plan refuses it, naming the version the local server runs, and apply changes nothing', async () => {
      const { local, env } = await scramPair();
      const file = scramConfig();
      const plan = await runCli(['plan', '-c', file], env);
      expect(plan.code).toBe(1);
      const said = plan.stdout + plan.stderr;
      expect(said).toContain(
        `\`auth: scram_passthrough\` needs PostgreSQL 18 or later on the local server (postgres_fdw's use_scram_passthrough); this database runs ${running}`,
      );
      expect(said).toContain('upgrade the local server, or remove `auth`');
      const json = JSON.parse((await runCli(['plan', '--json', '-c', file], env)).stdout) as {
        databases: { errors: { code: string; since: number; running: number }[] }[];
      };
      expect(json.databases[0]?.errors).toMatchObject([{ code: 'scram_passthrough_unsupported', since: 180000, running: versionNum }]);
      expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(1);
      expect(await local.query(`SELECT 1 FROM pg_foreign_server WHERE srvname = 'billing'`)).toStrictEqual([]);
    });
  },
);

/** CI's PostgreSQL 18 leg: a skip there would hide that the feature went untested. */
const REQUIRED = process.env.DATALINKS_REQUIRE_PG18 === '1';

if (!PG18 && REQUIRED) {
  describe('PostgreSQL 18 is required here', () => {
    it('DATALINKS_REQUIRE_PG18=1: the SCRAM pass-through tests must run, not be skipped', () => {
      expect.fail(
        `DATALINKS_REQUIRE_PG18=1, but DATALINKS_TEST_DATABASE_URL runs ${running}: the SCRAM pass-through tests need PostgreSQL 18`,
      );
    });
  });
}

describe.skipIf(!PG18)(
  `remote.auth: scram_passthrough on PostgreSQL 18${PG18 ? '' : ` (skipped: needs PostgreSQL 18, this server runs ${running})`}`,
  () => {
    it('applies a link whose mappings hold no password, proves it, and a role queries through it with its own SCRAM login', async () => {
      const { local, app, bill, env } = await scramPair();
      // grant_to role: it logs in with its own password; its SCRAM secret must be bill's too.
      const reader = await createRole('reader');
      await copySecret(bill.name, reader.name);
      const stranger = await createRole('stranger');
      const file = scramConfig(`        grant_to: [${reader.name}, ${stranger.name}]\n`);

      const plan = await runCli(['plan', '-c', file], env);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain(`+ user mapping for ${app.name} (remote user ${bill.name}, no password: SCRAM pass-through)`);
      expect(plan.stdout).toContain(
        `link "billing" stores no password (SCRAM pass-through): whoever queries it as "${app.name}", "${reader.name}", "${stranger.name}" must have logged in to this server with SCRAM`,
      );
      const sql = await runCli(['plan', '--sql', '-c', file], env);
      expect(sql.stdout).toContain(`"use_scram_passthrough" 'true'`);
      expect(sql.stdout).not.toMatch(/password '/);

      const apply = await runCli(['apply', '--auto-approve', '-c', file], env);
      expect(apply.stderr).toBe('');
      expect(apply.code).toBe(0);
      // The proof ran from datalinks' own session, which logged in as app with SCRAM.
      expect(await mappingOptions(local)).toStrictEqual([[`user=${bill.name}`], [`user=${bill.name}`], [`user=${bill.name}`]]);
      const [server] = await local.query<{ options: string[] }>(
        `SELECT srvoptions AS options FROM pg_foreign_server WHERE srvname = 'billing'`,
      );
      expect(server?.options).toContain('use_scram_passthrough=true');

      // A member of the role connects as it would: its own SCRAM login, then a query through the link.
      const asReader = urlFor(local.name, { name: reader.name, password: app.password });
      expect(await withClient(asReader, async (c) => (await c.query('SELECT id, total FROM billing.invoices')).rows)).toStrictEqual([
        { id: 1, total: '10' },
      ]);
      // A role with another secret is refused by the remote, though its mapping is the same.
      await expect(withClient(urlFor(local.name, stranger), (c) => c.query('SELECT id FROM billing.invoices'))).rejects.toMatchObject({
        code: '08001',
        detail: expect.stringMatching(/password authentication failed for user/),
      });

      const again = await runCli(['plan', '--detailed-exitcode', '-c', file], env);
      expect(again.stdout).toContain('No changes.');
      expect(again.stdout).not.toContain('stores no password');
      expect(again.code).toBe(0);
      const check = await runCli(['check', '--json', '-c', file], env);
      expect(check.code).toBe(0);
      expect(checkedLinks(check.stdout)).toMatchObject([
        { state: 'ok', remote: { user: bill.name, auth: 'scram_passthrough', role: app.name }, failure: null },
      ]);
      // export writes it back as `auth`, which plans no change.
      const exported = await runCli(['export', '-c', file], env);
      expect(exported.stdout).toMatch(/^ {10}auth: scram_passthrough$/m);
      expect(exported.stdout).not.toContain('use_scram_passthrough');
      const roundTrip = writeConfig(exported.stdout);
      expect((await runCli(['plan', '--detailed-exitcode', '-c', roundTrip], env)).stdout).toContain('No changes.');
    });

    it('check reports a secret changed on one side only as auth failed, with the copy that fixes it', async () => {
      const { local, remote, app, bill, env } = await scramPair();
      const file = scramConfig();
      expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
      // The local role's password rotated here only: its SCRAM secret no longer matches bill's.
      const rotated = 'rotated-here-only';
      await adminQuery(`ALTER ROLE ${pg.escapeIdentifier(app.name)} PASSWORD ${pg.escapeLiteral(rotated)}`);
      const rotatedEnv = { ...env, LOCAL_URL: urlFor(local.name, { name: app.name, password: rotated }) };

      const check = await runCli(['check', '-c', file], rotatedEnv);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain('auth failed');
      expect(check.stdout).toContain(
        `the remote refused the SCRAM keys of local role ${app.name} for remote role ${bill.name}: their SCRAM secrets differ`,
      );
      expect(check.stdout).toContain(`SELECT rolpassword FROM pg_authid WHERE rolname = '${app.name}'`);
      expect(check.stdout).toContain(`ALTER ROLE ${bill.name} PASSWORD 'SCRAM-SHA-256$...'`);
      expect(check.stdout + check.stderr).not.toContain(rotated);
      const json = checkedLinks((await runCli(['check', '--json', '-c', file], rotatedEnv)).stdout);
      expect(json).toMatchObject([{ state: 'auth_failed', failure: { code: 'auth_failed' } }]);

      // Following the hint: the secret copied to the remote role. The URL's password for bill is now the rotated one.
      await copySecret(app.name, bill.name);
      const fixed = { ...rotatedEnv, BILLING_URL: urlFor(remote.name, { name: bill.name, password: rotated }) };
      const after = await runCli(['check', '--json', '-c', file], fixed);
      expect(checkedLinks(after.stdout)).toMatchObject([{ state: 'ok' }]);
      expect(after.code).toBe(0);
    });

    it('apply refuses to commit a link whose secrets differ: the proof fails and nothing is left', async () => {
      const { local, env } = await scramPair({ matched: false });
      const apply = await runCli(['apply', '--auto-approve', '-c', scramConfig()], env);
      expect(apply.code).toBe(1);
      expect(apply.stdout + apply.stderr).toContain('their SCRAM secrets differ');
      expect(await local.query(`SELECT 1 FROM pg_foreign_server WHERE srvname = 'billing'`)).toStrictEqual([]);
    });

    it('switches an existing link between a stored password and SCRAM pass-through in place, both ways', async () => {
      const { local, app, bill, env } = await scramPair();
      const passwordFile = writeConfig(oneLinkConfig());
      expect((await runCli(['apply', '--auto-approve', '-c', passwordFile], env)).code).toBe(0);
      expect(await mappingOptions(local)).toStrictEqual([[`user=${bill.name}`, expect.stringMatching(/^password=/)]]);
      const [before] = await local.query<{ oid: number }>(`SELECT oid FROM pg_foreign_server WHERE srvname = 'billing'`);

      const file = scramConfig();
      // Reviewed as a saved plan, and applied from it.
      const planFile = join(mkdtempSync(join(tmpdir(), 'datalinks-scram-')), 'switch.plan.json');
      const plan = await runCli(['plan', '--out', planFile, '-c', file], env);
      expect(plan.stdout).toContain('link billing will be updated in place');
      expect(plan.stdout).toContain('+ use_scram_passthrough = true');
      expect(plan.stdout).toContain('replaced by one without a password (SCRAM pass-through; the stored password is removed)');
      expect(plan.stdout).toContain('Plan: 0 to create, 1 to update, 0 to destroy.');
      expect(readFileSync(planFile, 'utf8')).toContain('"reason": "auth_changed"');
      expect(readFileSync(planFile, 'utf8')).not.toContain(app.password);
      expect((await runCli(['apply', planFile, '-c', file], env)).code).toBe(0);
      expect(await mappingOptions(local)).toStrictEqual([[`user=${bill.name}`]]);
      expect((await runCli(['plan', '--detailed-exitcode', '-c', file], env)).code).toBe(0);

      const back = await runCli(['plan', '-c', passwordFile], env);
      expect(back.stdout).toContain('- use_scram_passthrough = true');
      expect(back.stdout).toContain("replaced by one with the remote URL's password (sensitive value; SCRAM pass-through off)");
      expect((await runCli(['apply', '--auto-approve', '-c', passwordFile], env)).code).toBe(0);
      expect(await mappingOptions(local)).toStrictEqual([[`user=${bill.name}`, expect.stringMatching(/^password=/)]]);
      expect((await runCli(['plan', '--detailed-exitcode', '-c', passwordFile], env)).code).toBe(0);
      const [after] = await local.query<{ oid: number }>(`SELECT oid FROM pg_foreign_server WHERE srvname = 'billing'`);
      expect(after?.oid).toBe(before?.oid);
    });

    describe('datalinks logged in without SCRAM', async () => {
      // pg_hba.conf of the test server gets a trust rule for one role, so that it logs in without SCRAM.
      // The test process must be able to write the file (the embedded server and CI's clusters are local).
      const hbaFile = PG18 ? ((await adminQuery<{ hba_file: string }>('SHOW hba_file'))[0]?.hba_file ?? '') : '';
      let writable = false;
      try {
        accessSync(hbaFile, constants.W_OK);
        writable = true;
      } catch {
        if (PG18) console.warn(`scram-passthrough.test.ts: cannot write ${hbaFile}, so the login without SCRAM is not tested`);
      }
      const original = writable ? readFileSync(hbaFile, 'utf8') : '';
      /** Writes pg_hba.conf and waits until the postmaster's reload shows: `url` (a wrong password) gets in, or not. */
      const setHba = async (content: string, url: string, trusted: boolean) => {
        writeFileSync(hbaFile, content);
        await adminQuery('SELECT pg_reload_conf()');
        for (let i = 0; i < 50; i++) {
          if ((await withClient(url, async () => true).catch(() => false)) === trusted) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error('pg_hba.conf was not reloaded');
      };
      afterAll(async () => {
        if (!writable) return;
        writeFileSync(hbaFile, original);
        await adminQuery('SELECT pg_reload_conf()');
      });

      it.skipIf(!writable && !REQUIRED)(
        "plan says the proof cannot pass, apply's proof rolls back, and check reports it as a session without SCRAM keys",
        async () => {
          const { local, app, env } = await scramPair();
          const trusted = { ...env, LOCAL_URL: urlFor(local.name, { name: app.name, password: 'not-the-password' }) };
          await setHba(`host all ${app.name} 127.0.0.1/32 trust\nhost all ${app.name} ::1/128 trust\n${original}`, trusted.LOCAL_URL, true);
          const file = scramConfig();

          const plan = await runCli(['plan', '-c', file], trusted);
          expect(plan.code).toBe(0);
          expect(plan.stdout).toContain(`datalinks logged in to this database as "${app.name}" without SCRAM`);
          expect(plan.stdout).toContain("apply's proof of that link cannot connect and rolls the apply back (--no-verify skips the proof)");

          const apply = await runCli(['apply', '--auto-approve', '-c', file], trusted);
          expect(apply.code).toBe(1);
          expect(apply.stdout + apply.stderr).toContain('without SCRAM');
          expect(await local.query(`SELECT 1 FROM pg_foreign_server WHERE srvname = 'billing'`)).toStrictEqual([]);

          expect((await runCli(['apply', '--auto-approve', '--no-verify', '-c', file], trusted)).code).toBe(0);
          const check = await runCli(['check', '--json', '-c', file], trusted);
          expect(check.code).toBe(1);
          expect(checkedLinks(check.stdout)).toMatchObject([
            {
              state: 'auth_failed',
              failure: {
                code: 'scram_login_missing',
                hint: expect.stringContaining(`logged in to the local database as "${app.name}" without SCRAM`),
              },
            },
          ]);
          // Logged in with SCRAM again, datalinks proves the link.
          await setHba(original, trusted.LOCAL_URL, false);
          expect((await runCli(['check', '-c', file], env)).code).toBe(0);
        },
      );
    });
  },
);

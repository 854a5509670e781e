import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { closeLinkConnections, probeLinks } from '../../src/check/probe-link.js';
import { freePort } from '../../src/demo/embedded-server.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { runInTerminal } from '../support/cli-process.js';
import { adminQuery, adminUrl, createLinkedPair, createRole, type TestDatabase, urlFor, withClient } from '../support/databases.js';

/** A remote with a table, read by a login role that does not own it (as on a real remote). */
async function linkedPair() {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer PRIMARY KEY, total numeric NOT NULL)');
  await remote.query('INSERT INTO invoices VALUES (1, 10)');
  const remoteUser = await createRole('remote');
  await remote.query(`GRANT SELECT ON invoices TO ${pg.escapeIdentifier(remoteUser.name)}`);
  const env = { LOCAL_URL: local.url, BILLING_URL: urlFor(remote.name, remoteUser) };
  return { local, remote, remoteUser, env };
}

async function appliedPair(extra = '') {
  const pair = await linkedPair();
  const file = writeConfig(oneLinkConfig(extra));
  const apply = await runCli(['apply', '--auto-approve', '-c', file], pair.env);
  expect(apply.code).toBe(0);
  return { ...pair, file };
}

/** Sessions on the remote database opened by postgres_fdw (its default application_name). */
async function fdwSessionsOn(remote: TestDatabase): Promise<number> {
  const rows = await adminQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'postgres_fdw'`,
    [remote.name],
  );
  return rows[0]?.n ?? 0;
}

/** A backend ends a moment after its client leaves: wait up to `ms` for the remote to see no link session. */
async function settledFdwSessions(remote: TestDatabase, ms = 3000): Promise<number> {
  const until = Date.now() + ms;
  let n = await fdwSessionsOn(remote);
  while (n > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    n = await fdwSessionsOn(remote);
  }
  return n;
}

interface JsonLink {
  link: string;
  state: string;
  remote_version: string | null;
  remote_version_num: number | null;
  connect_ms: number | null;
  rtt_ms: number | null;
  tables_checked: number;
  unreadable_tables: { schema: string; table: string; remote_table: string; sqlstate: string; message: string; hint: string | null }[];
  failure: { code: string; message: string; detail: string | null; hint: string | null } | null;
  drift: { action: string; operations: string[] } | null;
}

const validateCheck = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(
  JSON.parse(readFileSync('schemas/check.schema.json', 'utf8')),
);

/** The links of a `check --json` output, which must match schemas/check.schema.json. */
function linksOf(stdout: string): JsonLink[] {
  const document = JSON.parse(stdout) as { format_version: number; databases: { name: string; links: JsonLink[] }[] };
  expect(validateCheck(document), JSON.stringify(validateCheck.errors)).toBe(true);
  return document.databases.flatMap((db) => db.links);
}

const stalls: Server[] = [];
const stalledSockets: Socket[] = [];
afterAll(() => {
  for (const socket of stalledSockets) socket.destroy();
  for (const server of stalls) server.close();
});

describe('datalinks check', () => {
  it('reports a working link as ok, with the remote version and timings, and leaves no connection behind', async () => {
    const { remote, env, file } = await appliedPair();
    const started = Date.now();
    const result = await runCli(['check', '-c', file], env);
    const elapsed = Date.now() - started;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /✓ billing: ok: PostgreSQL \d+(\.\d+)?( \([^)]*\))? at 127\.0\.0\.1:\d+\/dl_remote_\w+ as role dl_remote_\w+, 1 table readable, connect [\d.]+ ms, round trip [\d.]+ ms/,
    );
    expect(result.stdout).toContain('Check: 1 link: 1 ok, 0 broken, 0 drifted.');
    expect(elapsed).toBeLessThan(5000);

    const json = await runCli(['check', '--json', '-c', file], env);
    expect(json.code).toBe(0);
    const [link] = linksOf(json.stdout);
    const [version] = await remote.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    expect(link).toMatchObject({
      link: 'billing',
      state: 'ok',
      remote_version_num: Number(version?.v),
      tables_checked: 1,
      unreadable_tables: [],
      failure: null,
      drift: null,
    });
    expect(link?.rtt_ms).toBeGreaterThan(0);
    expect(link?.connect_ms).toBeGreaterThan(0);
    expect(await settledFdwSessions(remote)).toBe(0);
  });

  it('proves the link from the local server: a libpq setting the CLI ignores (gssencmode=require) fails apply before COMMIT, and check calls it unreachable', async () => {
    const pair = await linkedPair();
    const env = { ...pair.env, BILLING_URL: `${pair.env.BILLING_URL}?gssencmode=require` };
    const file = writeConfig(oneLinkConfig());
    // plan connects from this machine, whose driver ignores gssencmode; apply proves the link from
    // the local server before COMMIT and rolls it back.
    const refused = await runCli(['apply', '--auto-approve', '-c', file], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Database main: FAILED: link billing: unreachable: could not connect to server "billing"');
    expect(refused.stdout).toContain('so it was rolled back and nothing was applied');
    expect(await pair.local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
    // --no-verify commits it anyway; check then finds it broken.
    expect((await runCli(['apply', '--auto-approve', '--no-verify', '-c', file], env)).code).toBe(0);
    const result = await runCli(['check', '-c', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ billing: unreachable: could not connect to server "billing"');
    expect(result.stdout).toContain('gssencmode');
    expect(result.stdout).toMatch(/hint: the link's TLS settings .* are used by the local database server's libpq/);
  });

  it('names a closed port as unreachable, with a hint about the local server network', async () => {
    const { local, env, file } = await appliedPair();
    const closed = await freePort();
    await local.query(`ALTER SERVER billing OPTIONS (SET port '${closed}')`);
    const result = await runCli(['check', '-c', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✗ billing: unreachable: could not connect to server "billing": connection to server at "127.0.0.1", port ${closed} failed: Connection refused`,
    );
    expect(result.stdout).toContain(`hint: the local database server cannot reach 127.0.0.1:${closed}`);
    const json = linksOf((await runCli(['check', '--json', '-c', file], env)).stdout);
    expect(json[0]).toMatchObject({
      state: 'unreachable',
      failure: { code: 'connect_failed' },
      remote_version: null,
      drift: { action: 'update', operations: ['alter_server_options'] },
    });
    expect(json[0]?.failure?.hint).toContain('cannot reach');
    // What --json says of the drift, the text says too: apply would set the port back, which may be the fix.
    expect(result.stdout).toContain('      differs from the file; apply would change:');
    expect(result.stdout).toContain(`- port = ${closed}`);
    expect(result.stdout).toContain(
      "      hint: datalinks plan shows the changes; datalinks apply makes them; the server's options differ from the file, which may be why it fails",
    );
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
    expect((await runCli(['check', '--detailed-exitcode', '-c', file], env)).code).toBe(0);
  });

  it('says auth failed when the mapping password is stale, and never prints a password', async () => {
    const { local, remote, remoteUser, env, file } = await appliedPair();
    const wrong = 'Wr0ng-pa55-in-mapping';
    await local.query(`ALTER USER MAPPING FOR CURRENT_USER SERVER billing OPTIONS (SET password '${wrong}')`);
    const result = await runCli(['check', '-c', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ billing: auth failed: could not connect to server "billing"`);
    expect(result.stdout).toContain(`password authentication failed for user "${remoteUser.name}"`);
    expect(result.stdout).toContain(`hint: the remote refused the user mapping's credentials for role ${remoteUser.name}`);

    // Rotated on the remote only: the file's URL (and the mapping) still hold the old one.
    await local.query(`ALTER USER MAPPING FOR CURRENT_USER SERVER billing OPTIONS (SET password ${pg.escapeLiteral(remoteUser.password)})`);
    const rotated = "n3w'pa\\ss%@word";
    await adminQuery(`ALTER ROLE ${pg.escapeIdentifier(remoteUser.name)} PASSWORD ${pg.escapeLiteral(rotated)}`);
    const json = await runCli(['check', '--json', '-c', file], env);
    expect(json.code).toBe(1);
    expect(linksOf(json.stdout)[0]).toMatchObject({ state: 'auth_failed', failure: { code: 'auth_failed' } });
    for (const text of [result.stdout, result.stderr, json.stdout, json.stderr]) {
      for (const secret of [wrong, remoteUser.password, encodeURIComponent(remoteUser.password), rotated, encodeURIComponent(rotated)]) {
        expect(text).not.toContain(secret);
      }
    }
    expect(await settledFdwSessions(remote)).toBe(0);
  });

  it('names each remote table the remote role cannot read, with the GRANT to run on the remote', async () => {
    const { remote, remoteUser, env } = await linkedPair();
    await remote.query('CREATE TABLE payments (id integer)');
    await remote.query('CREATE TABLE "Audit Log" (id integer)');
    await remote.query(`GRANT SELECT ON payments, "Audit Log" TO ${pg.escapeIdentifier(remoteUser.name)}`);
    const file = writeConfig(oneLinkConfig());
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
    await remote.query(`REVOKE SELECT ON payments, "Audit Log" FROM ${pg.escapeIdentifier(remoteUser.name)}`);

    const result = await runCli(['check', '-c', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ billing: unreadable tables: ');
    expect(result.stdout).toContain('2 of 3 tables unreadable');
    expect(result.stdout).toContain('✗ billing.payments: permission denied for table payments');
    expect(result.stdout).toContain(`hint: on the remote, as the table's owner: GRANT SELECT ON public.payments TO ${remoteUser.name};`);
    expect(result.stdout).toContain('✗ billing.Audit Log: permission denied for table Audit Log');
    expect(result.stdout).toContain(`GRANT SELECT ON public."Audit Log" TO ${remoteUser.name};`);
    expect(result.stdout).not.toContain('billing.invoices:');
    const json = linksOf((await runCli(['check', '--json', '-c', file], env)).stdout);
    expect(json[0]?.state).toBe('unreadable_tables');
    expect(json[0]?.tables_checked).toBe(3);
    expect(json[0]?.unreadable_tables.map((t) => [t.table, t.sqlstate])).toEqual([
      ['Audit Log', '42501'],
      ['payments', '42501'],
    ]);
  });

  it('reports a link in the file that was never applied as missing', async () => {
    const { env } = await linkedPair();
    const result = await runCli(['check', '--detailed-exitcode', '-c', writeConfig(oneLinkConfig())], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ billing: missing: no foreign server "billing" in this database');
    expect(result.stdout).toContain('hint: the link is in the file but not in this database: datalinks apply creates it');
    expect(result.stdout).toContain('not in this database: apply would create it, with 1 foreign table');
  });

  it('reports a working link that differs from the file as drift (exit 2 with --detailed-exitcode)', async () => {
    const { remote, remoteUser, env, file } = await appliedPair();
    await remote.query('CREATE TABLE refunds (id integer)');
    await remote.query(`GRANT SELECT ON refunds TO ${pg.escapeIdentifier(remoteUser.name)}`);
    const plain = await runCli(['check', '-c', file], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('~ billing: drift: PostgreSQL');
    expect(plain.stdout).toContain('+ foreign table billing.refunds (1 column)');
    expect(plain.stdout).toContain('Check: 1 link: 0 ok, 0 broken, 1 drifted.');
    const detailed = await runCli(['check', '--detailed-exitcode', '--json', '-c', file], env);
    expect(detailed.code).toBe(2);
    expect(linksOf(detailed.stdout)[0]).toMatchObject({
      state: 'drift',
      drift: { action: 'update', operations: ['create_foreign_table'] },
    });
    // After apply the link matches the file again.
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
    expect((await runCli(['check', '--detailed-exitcode', '-c', file], env)).code).toBe(0);
  });

  it('gives up on a remote that accepts connections but never answers, within the statement timeout', async () => {
    const { local, env, file } = await appliedPair();
    const stall = createServer((socket) => {
      stalledSockets.push(socket);
    });
    stalls.push(stall);
    const port = await new Promise<number>((resolve) =>
      stall.listen(0, '127.0.0.1', () => resolve((stall.address() as { port: number }).port)),
    );
    await local.query(`ALTER SERVER billing OPTIONS (SET port '${port}')`);
    const started = Date.now();
    const result = await runCli(['check', '--statement-timeout', '1s', '--json', '-c', file], env);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(result.code).toBe(1);
    // PostgreSQL 16+ interrupts postgres_fdw's connect at the statement timeout; on 14 and 15, which
    // cannot, the probe gives the server a connect_timeout for its own connection instead.
    const [server] = await adminQuery<{ n: number }>(`SELECT current_setting('server_version_num')::int AS n`);
    const [link] = linksOf(result.stdout);
    if ((server?.n ?? 0) >= 160000) expect(link).toMatchObject({ state: 'unreachable', failure: { code: 'timeout' } });
    else
      expect(link).toMatchObject({
        state: 'unreachable',
        failure: { code: 'connect_failed', detail: expect.stringContaining('timeout expired') },
      });
    // The probe's connect_timeout was rolled back with it.
    expect(await local.query(`SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'billing'`)).toEqual([
      { srvoptions: expect.not.arrayContaining([expect.stringMatching(/^connect_timeout=/)]) },
    ]);
  });

  it('works for a local role that is not a superuser, and without TEMP falls back to reading a linked table', async () => {
    const { local, remote, remoteUser, env } = await linkedPair();
    const owner = await createRole('owner');
    await adminQuery(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(local.name)} TO ${pg.escapeIdentifier(owner.name)}`);
    await local.query('CREATE EXTENSION postgres_fdw');
    await local.query(`GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${pg.escapeIdentifier(owner.name)}`);
    const ownerEnv = { ...env, LOCAL_URL: urlFor(local.name, owner) };
    const file = writeConfig(oneLinkConfig());
    expect((await runCli(['apply', '--auto-approve', '-c', file], ownerEnv)).code).toBe(0);

    const ok = linksOf((await runCli(['check', '--json', '-c', file], ownerEnv)).stdout);
    expect(ok[0]).toMatchObject({ state: 'ok', tables_checked: 1, failure: null });
    expect(ok[0]?.remote_version).toMatch(/^\d+/);

    // A hardened database where the role may not make temporary tables: the probe reads a linked table instead.
    await adminQuery(`REVOKE TEMPORARY ON DATABASE ${pg.escapeIdentifier(local.name)} FROM PUBLIC`);
    const result = await runCli(['check', '-c', file], ownerEnv);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /✓ billing: ok: connected to 127\.0\.0\.1:\d+\/dl_remote_\w+ as role dl_remote_\w+, 1 table readable, connect [\d.]+ ms/,
    );
    // The table it connects through may itself be unreadable: the connection is still proven, the table named.
    await remote.query(`REVOKE SELECT ON invoices FROM ${pg.escapeIdentifier(remoteUser.name)}`);
    const unreadable = linksOf((await runCli(['check', '--json', '-c', file], ownerEnv)).stdout);
    expect(unreadable[0]).toMatchObject({
      state: 'unreadable_tables',
      failure: null,
      unreadable_tables: [{ table: 'invoices', sqlstate: '42501' }],
    });
    // Without TEMP and without a linked table there is nothing to connect through: said, not guessed.
    await remote.query('DROP TABLE invoices');
    await local.query('DROP FOREIGN TABLE billing.invoices');
    const none = linksOf((await runCli(['check', '--json', '-c', file], ownerEnv)).stdout);
    expect(none[0]).toMatchObject({ state: 'unreachable', failure: { code: 'probe_failed' } });
    expect(none[0]?.failure?.message).toContain('permission denied to create temporary tables');
    expect(none[0]?.failure?.hint).toContain('GRANT TEMPORARY ON DATABASE');
  });

  it('says which database it cannot connect to, and checks the others', async () => {
    const { env } = await appliedPair();
    const closed = await freePort();
    const two = writeConfig(`${oneLinkConfig()}  gone:\n    url: \${GONE_URL}\n    links: {}\n`);
    const result = await runCli(['check', '-c', two], { ...env, GONE_URL: `postgres://postgres:x@127.0.0.1:${closed}/nope` });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✓ billing: ok');
    expect(result.stdout).toContain(`✗ cannot connect to database "gone" (127.0.0.1:${closed}/nope): connection refused`);
    expect(result.stdout).toContain('Check: 1 link: 1 ok, 0 broken, 0 drifted, 1 database not checked.');
  });

  it('refuses bad flags with a clear message', async () => {
    const result = await runCli(['check', '--statement-timeout', 'soon'], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"soon" is not a duration');
  });
});

/** A file whose database `main` has `count` links to ${BILLING_URL}, named link_01, link_02, ..., each with `extra` lines. */
function manyLinksConfig(count: number, extra = ''): string {
  const links = Array.from(
    { length: count },
    (_, i) => `      link_${String(i + 1).padStart(2, '0')}:\n        remote:\n          url: \${BILLING_URL}\n${extra}`,
  );
  return `version: 1\ndatabases:\n  main:\n    url: \${LOCAL_URL}\n    links:\n${links.join('')}`;
}

describe('check at scale', () => {
  it('checks more links to one remote than the remote lets its role connect, and reports every one ok', async () => {
    const { remote, remoteUser, env } = await linkedPair();
    // Three connections are all this remote role may have; the file has ten links to it.
    await adminQuery(`ALTER ROLE ${pg.escapeIdentifier(remoteUser.name)} CONNECTION LIMIT 3`);
    try {
      const file = writeConfig(manyLinksConfig(10));
      expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
      const result = await runCli(['check', '-c', file], env);
      expect(result.stdout).not.toContain('too many connections');
      expect(result.stdout).toContain('Check: 10 links: 10 ok, 0 broken, 0 drifted.');
      expect(result.code).toBe(0);
      const json = await runCli(['check', '--json', '-c', file], env);
      expect(linksOf(json.stdout).map((link) => link.state)).toEqual(Array(10).fill('ok'));
      expect(await settledFdwSessions(remote)).toBe(0);
    } finally {
      await adminQuery(`ALTER ROLE ${pg.escapeIdentifier(remoteUser.name)} CONNECTION LIMIT -1`);
    }
  });
});

interface JsonMapping {
  role: string;
  user: string | null;
  state: string;
  failure: { code: string; message: string; hint: string | null } | null;
}

describe('check tells the whole truth', () => {
  it("proves each grant_to role's user mapping: one whose password was changed by hand is auth failed, and the hint's fix works", async () => {
    const pair = await linkedPair();
    const reader = await createRole('reader');
    const file = writeConfig(oneLinkConfig(`        grant_to: [${reader.name}]\n`));
    expect((await runCli(['apply', '--auto-approve', '-c', file], pair.env)).code).toBe(0);
    const ok = await runCli(['check', '-c', file], pair.env);
    expect(ok.stdout).toContain(`the user mapping of ${reader.name} too`);
    expect(ok.code).toBe(0);

    // The reader's queries now fail, while the connecting role's still work.
    await pair.local.query(
      `ALTER USER MAPPING FOR ${pg.escapeIdentifier(reader.name)} SERVER billing OPTIONS (SET password 'changed-by-hand')`,
    );
    const asReader = () =>
      withClient(pair.local.url, async (client) => {
        await client.query(`SET ROLE ${pg.escapeIdentifier(reader.name)}`);
        return (await client.query('SELECT id FROM billing.invoices')).rows;
      });
    await expect(asReader()).rejects.toMatchObject({ detail: expect.stringContaining('password authentication failed') });
    const broken = await runCli(['check', '-c', file], pair.env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('✗ billing: auth failed: PostgreSQL');
    expect(broken.stdout).toContain(`      ✗ user mapping of role ${reader.name}: auth failed: could not connect to server "billing"`);
    expect(broken.stdout).toContain(`password authentication failed for user "${pair.remoteUser.name}"`);
    // A superuser reads the mapping's options, so plan sees it differ: apply replaces it.
    expect(broken.stdout).toContain(
      `hint: the remote refused the credentials of role ${reader.name}'s user mapping for role ${pair.remoteUser.name}, which differ from the file (changed by hand): datalinks apply replaces the mapping with the file's`,
    );
    expect(broken.stdout).toContain(`  broken: main/billing (auth failed)`);
    expect(broken.stdout).not.toContain('changed-by-hand');
    const json = linksOf((await runCli(['check', '--json', '-c', file], pair.env)).stdout) as (JsonLink & { mappings: JsonMapping[] })[];
    expect(json[0]).toMatchObject({
      state: 'auth_failed',
      failure: null,
      mappings: [{ role: reader.name, user: pair.remoteUser.name, state: 'auth_failed', failure: { code: 'auth_failed' } }],
    });
    expect((await runCli(['apply', '--auto-approve', '-c', file], pair.env)).code).toBe(0);
    expect((await runCli(['check', '--detailed-exitcode', '-c', file], pair.env)).code).toBe(0);
    expect(await asReader()).toEqual([{ id: 1 }]);
    expect(await settledFdwSessions(pair.remote)).toBe(0);
  });

  it("as a role that is not a superuser: a mapping it may not connect as is unknown (exit 1 with --detailed-exitcode), and once it may, the hint's fix works", async () => {
    const pair = await linkedPair();
    const owner = await createRole('owner');
    const reader = await createRole('reader');
    await adminQuery(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(pair.local.name)} TO ${pg.escapeIdentifier(owner.name)}`);
    await pair.local.query('CREATE EXTENSION postgres_fdw');
    await pair.local.query(`GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${pg.escapeIdentifier(owner.name)}`);
    const env = { ...pair.env, LOCAL_URL: urlFor(pair.local.name, owner) };
    const file = writeConfig(oneLinkConfig(`        grant_to: [${reader.name}]\n`));
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
    await pair.local.query(
      `ALTER USER MAPPING FOR ${pg.escapeIdentifier(reader.name)} SERVER billing OPTIONS (SET password 'changed-by-hand')`,
    );

    const unknown = await runCli(['check', '-c', file], env);
    expect(unknown.code).toBe(0);
    expect(unknown.stdout).toContain(`? billing: unknown: PostgreSQL`);
    expect(unknown.stdout).toContain(
      `      ? user mapping of role ${reader.name}: not proven: permission denied to set role "${reader.name}"`,
    );
    expect(unknown.stdout).toContain(`GRANT ${reader.name} TO ${owner.name}`);
    expect(unknown.stdout).toContain('Check: 1 link: 0 ok, 0 broken, 0 drifted, 1 unknown (could not tell).\n  unknown: main/billing\n');
    expect((await runCli(['check', '--detailed-exitcode', '-c', file], env)).code).toBe(1);

    // As the hint says: the owner may now SET ROLE to the reader (without inheriting its privileges on 16+).
    const [server] = await adminQuery<{ n: number }>(`SELECT current_setting('server_version_num')::int AS n`);
    const inherit = (server?.n ?? 0) >= 160000 ? ' WITH INHERIT FALSE' : '';
    await adminQuery(`GRANT ${pg.escapeIdentifier(reader.name)} TO ${pg.escapeIdentifier(owner.name)}${inherit}`);
    const broken = await runCli(['check', '-c', file], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`      ✗ user mapping of role ${reader.name}: auth failed:`);
    // The owner may not read the reader's mapping, so plan cannot see it differ: apply alone would not fix it.
    expect((await runCli(['plan', '--detailed-exitcode', '-c', file], env)).code).toBe(0);
    const drop = `DROP USER MAPPING FOR ${reader.name} SERVER billing;`;
    expect(broken.stdout).toContain(`As the server's owner, drop the mapping: ${drop} then datalinks apply creates it again from the file`);
    await withClient(env.LOCAL_URL, (client) => client.query(drop));
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
    expect((await runCli(['check', '--detailed-exitcode', '-c', file], env)).code).toBe(0);
  });

  it('counts a working link it could not compare with the file as unknown, never "0 drifted" with exit 0 under --detailed-exitcode', async () => {
    const { env, file } = await appliedPair();
    // The file now names a remote schema that does not exist: plan cannot plan the link, so check cannot compare it.
    const edited = writeConfig(oneLinkConfig('          schema: no_such_schema_here\n'));
    const plain = await runCli(['check', '-c', edited], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('? billing: unknown: PostgreSQL');
    expect(plain.stdout).toContain('could not compare with the file:');
    expect(plain.stdout).toContain('no_such_schema_here');
    expect(plain.stdout).toContain('Check: 1 link: 0 ok, 0 broken, 0 drifted, 1 unknown (could not tell).');
    const detailed = await runCli(['check', '--detailed-exitcode', '--json', '-c', edited], env);
    expect(detailed.code).toBe(1);
    const document = JSON.parse(detailed.stdout) as { summary: Record<string, unknown> };
    expect(linksOf(detailed.stdout)[0]).toMatchObject({ state: 'unknown', failure: null });
    expect(document.summary).toMatchObject({ ok: 0, drift: 0, unknown: 1 });
    expect((await runCli(['check', '--detailed-exitcode', '-c', file], env)).code).toBe(0);
  });

  it('says what plan and apply would really do about a table gone from the remote, listed in tables: or not', async () => {
    const { remote, remoteUser, env } = await linkedPair();
    await remote.query('CREATE TABLE refunds (id integer)');
    await remote.query(`GRANT SELECT ON refunds TO ${pg.escapeIdentifier(remoteUser.name)}`);
    const listed = writeConfig(oneLinkConfig('        tables: [invoices, refunds]\n'));
    const all = writeConfig(oneLinkConfig());
    expect((await runCli(['apply', '--auto-approve', '-c', listed], env)).code).toBe(0);
    await remote.query('DROP TABLE refunds');

    // Listed: plan warns that the entry matches nothing, and apply drops the foreign table, as the hint says.
    const listedCheck = await runCli(['check', '-c', listed], env);
    expect(listedCheck.code).toBe(1);
    expect(listedCheck.stdout).toContain('✗ billing.refunds: relation "public.refunds" does not exist');
    expect(listedCheck.stdout).toContain('hint: the table is gone from the remote: datalinks apply drops its foreign table');
    const plan = await runCli(['plan', '-c', listed], env);
    expect(plan.stdout).toContain('refunds');
    expect(plan.stdout).toMatch(/- foreign table billing\.refunds/);

    // Not listed (all tables): the same.
    const allCheck = await runCli(['check', '-c', all], env);
    expect(allCheck.stdout).toContain('hint: the table is gone from the remote: datalinks apply drops its foreign table');
    expect((await runCli(['apply', '--auto-approve', '-c', listed], env)).code).toBe(0);
    expect((await runCli(['check', '--detailed-exitcode', '-c', all], env)).code).toBe(0);
  });

  it('ends with the aliases and links that are not ok, counts databases not reached by code, and --quiet prints only what is not ok', async () => {
    const { local, env } = await appliedPair();
    await local.query(`ALTER USER MAPPING FOR CURRENT_USER SERVER billing OPTIONS (SET password 'stale-one')`);
    const closed = await freePort();
    const file = writeConfig(
      `${oneLinkConfig()}      orders:\n        remote:\n          url: \${BILLING_URL}\n  gone:\n    url: \${GONE_URL}\n    links: {}\n`,
    );
    const fleetEnv = { ...env, GONE_URL: `postgres://postgres:x@127.0.0.1:${closed}/nope` };
    expect((await runCli(['apply', '--auto-approve', '-d', 'main', '--link', 'orders', '-c', file], fleetEnv)).code).toBe(0);
    const result = await runCli(['check', '-c', file], fleetEnv);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✓ orders: ok');
    expect(result.stdout).toContain(
      'Check: 2 links: 1 ok, 1 broken, 0 drifted, 1 database not checked.\n  broken: main/billing (auth failed)\n  databases not checked: gone (unreachable)\n',
    );
    const quiet = await runCli(['check', '--quiet', '-c', file], fleetEnv);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).not.toContain('orders');
    expect(quiet.stdout).toContain('✗ billing: auth failed');
    expect(quiet.stdout).toContain('Database gone');
    expect(quiet.stdout).toContain('Check: 2 links: 1 ok, 1 broken');
    const json = JSON.parse((await runCli(['check', '--json', '-c', file], fleetEnv)).stdout) as {
      databases: { name: string; error: { code: string } | null }[];
      summary: { databases: Record<string, unknown> };
    };
    expect(json.databases.find((db) => db.name === 'gone')?.error?.code).toBe('unreachable');
    expect(json.summary.databases).toStrictEqual({
      total: 2,
      checked: 1,
      not_checked: 1,
      not_checked_by_code: { unreachable: 1, login_refused: 0, interrupted: 0, check_failed: 0, not_checked: 0 },
    });
  });

  it('wraps its lines and the summary on words in a 60-column terminal, as plan does', async () => {
    const { env } = await linkedPair();
    const closed = await freePort();
    const file = writeConfig(`${oneLinkConfig()}  gone:\n    url: \${GONE_URL}\n    links: {}\n`);
    const fleetEnv = { ...env, GONE_URL: `postgres://postgres:x@127.0.0.1:${closed}/nope` };
    const piped = await runCli(['check', '-c', file], fleetEnv);
    const terminal = await runInTerminal(['check', '-c', file], fleetEnv, 60);
    expect(terminal.code).toBe(1);
    const lines = terminal.stdout.trimEnd().split('\n');
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(60);
    // The same words in the same order: lines break between words, never inside one.
    const words = (text: string) => text.trim().split(/\s+/);
    expect(words(terminal.stdout)).toStrictEqual(words(piped.stdout));
    // Continuation lines hang under the text they continue.
    expect(terminal.stdout).toMatch(/\n {6}hint: the link is in the file[^\n]*\n {12}\S/);
    expect(lines.some((line) => line.startsWith('Check: 1 link:'))).toBe(true);
  });
});

describe('probeLinks', () => {
  it('proves a link created in the same, still open, transaction, then leaves the transaction usable', async () => {
    const { local, remote, remoteUser } = await linkedPair();
    await remote.query('CREATE TABLE hidden (id integer)');
    const port = new URL(adminUrl()).port;
    await withClient(local.url, async (client) => {
      await client.query('CREATE EXTENSION postgres_fdw');
      await client.query('BEGIN');
      for (const [name, password] of [
        ['good', remoteUser.password],
        ['stale', 'not-the-password'],
      ] as const) {
        await client.query(
          `CREATE SERVER ${name} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '${port}', dbname ${pg.escapeLiteral(remote.name)})`,
        );
        await client.query(
          `CREATE USER MAPPING FOR CURRENT_USER SERVER ${name} OPTIONS (user ${pg.escapeLiteral(remoteUser.name)}, password ${pg.escapeLiteral(password)})`,
        );
        await client.query(`CREATE SCHEMA ${name}`);
        await client.query(
          `CREATE FOREIGN TABLE ${name}.invoices (id integer) SERVER ${name} OPTIONS (schema_name 'public', table_name 'invoices')`,
        );
        await client.query(
          `CREATE FOREIGN TABLE ${name}.hidden (id integer) SERVER ${name} OPTIONS (schema_name 'public', table_name 'hidden')`,
        );
      }

      const health = await probeLinks(client, ['good', 'stale', 'absent'], { statementTimeoutMs: 5000 });
      expect(health.map((h) => [h.link, h.state, h.failure?.code ?? null])).toEqual([
        ['good', 'unreadable_tables', null],
        ['stale', 'auth_failed', 'auth_failed'],
        ['absent', 'missing', 'server_missing'],
      ]);
      expect(health[0]).toMatchObject({ tablesChecked: 2, unreadable: [{ schema: 'good', name: 'hidden', sqlstate: '42501' }] });
      expect(health[0]?.remoteVersionNum).toBeGreaterThanOrEqual(140000);
      expect(health[0]?.rttMs).toBeGreaterThan(0);

      // The transaction is intact: what it made is still there, nothing the probe made is, and its settings are back.
      expect((await client.query(`SELECT count(*)::int AS n FROM pg_foreign_table`)).rows).toEqual([{ n: 4 }]);
      expect((await client.query(`SELECT to_regclass('pg_temp.datalinks_probe') AS t`)).rows).toEqual([{ t: null }]);
      expect((await client.query(`SELECT current_setting('statement_timeout') AS s`)).rows).toEqual([{ s: '0' }]);
      expect((await client.query('SELECT id FROM good.invoices')).rows).toEqual([{ id: 1 }]);
      await client.query('COMMIT');

      // Probing a committed link: postgres_fdw keeps the probe's connection after the transaction...
      await client.query('BEGIN');
      // (no statementTimeoutMs: on 14/15 the connect_timeout it adds, and rolls back, invalidates the connection by itself)
      expect((await probeLinks(client, ['good']))[0]?.state).toBe('unreadable_tables');
      await client.query('ROLLBACK');
      expect((await client.query('SELECT server_name FROM postgres_fdw_get_connections() ORDER BY 1')).rows).toEqual([
        { server_name: 'good' },
      ]);
      expect(await fdwSessionsOn(remote)).toBe(1);
      // ...until closeLinkConnections, with the session still open.
      expect(await closeLinkConnections(client)).toBe(true);
      expect((await client.query('SELECT * FROM postgres_fdw_get_connections()')).rows).toEqual([]);
      expect(await settledFdwSessions(remote)).toBe(0);
    });
  });
});

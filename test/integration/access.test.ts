import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { adminQuery, createLinkedPair, createRole, urlFor, withClient } from '../support/databases.js';

const config = (extra: string) => writeConfig(oneLinkConfig(extra));

/** A remote with a table and a login role that may read and write it. */
async function remoteWithUser() {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer PRIMARY KEY, total numeric NOT NULL)');
  await remote.query('INSERT INTO invoices VALUES (1, 10)');
  const remoteUser = await createRole('remote');
  await remote.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON invoices TO ${pg.escapeIdentifier(remoteUser.name)}`);
  return { local, remote, remoteUser, remoteUrl: urlFor(remote.name, remoteUser) };
}

/** A local role that is not a superuser, set up as a managed-Postgres admin would be. */
async function nonSuperuserLocal(localName: string) {
  const owner = await createRole('owner');
  await adminQuery(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(localName)} TO ${pg.escapeIdentifier(owner.name)}`);
  await withClient(urlFor(localName), async (client) => {
    await client.query('CREATE EXTENSION postgres_fdw');
    await client.query(`GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${pg.escapeIdentifier(owner.name)}`);
  });
  return { owner, url: urlFor(localName, owner) };
}

describe('access, grants and credentials', () => {
  it('gives grant_to roles a user mapping and SELECT, and read links refuse writes', async () => {
    const { local, remoteUrl } = await remoteWithUser();
    const reader = await createRole('reader');
    const env = { LOCAL_URL: local.url, BILLING_URL: remoteUrl };
    const file = config(`        grant_to: [${reader.name}]\n`);
    const apply = await runCli(['apply', '--auto-approve', '-c', file], env);
    expect(apply.code).toBe(0);

    const asReader = urlFor(local.name, reader);
    expect(await withClient(asReader, async (c) => (await c.query('SELECT id, total FROM billing.invoices')).rows)).toEqual([
      { id: 1, total: '10' },
    ]);
    await expect(withClient(asReader, (c) => c.query('INSERT INTO billing.invoices VALUES (2, 20)'))).rejects.toThrow(/permission denied/);
    // Read access holds for the owner too: the server is not updatable.
    await expect(local.query('INSERT INTO billing.invoices VALUES (2, 20)')).rejects.toThrow(
      /foreign table "invoices" does not allow inserts/,
    );
    expect((await runCli(['plan', '--detailed-exitcode', '-c', file], env)).code).toBe(0);

    // Removing the role from grant_to revokes its access and drops its mapping.
    const without = config('');
    const plan = await runCli(['plan', '-c', without], env);
    expect(plan.stdout).toContain(`- revoke SELECT on billing.invoices from ${reader.name}`);
    expect(plan.stdout).toContain(`- revoke USAGE on schema billing from ${reader.name}`);
    expect(plan.stdout).toContain(`- user mapping for ${reader.name}`);
    expect((await runCli(['apply', '--auto-approve', '-c', without], env)).code).toBe(0);
    await expect(withClient(asReader, (c) => c.query('SELECT * FROM billing.invoices'))).rejects.toThrow(/permission denied/);
    expect((await runCli(['plan', '--detailed-exitcode', '-c', without], env)).code).toBe(0);
  });

  it('access: write lets the owner and grant_to roles insert through the link', async () => {
    const { local, remote, remoteUrl } = await remoteWithUser();
    const writer = await createRole('writer');
    const env = { LOCAL_URL: local.url, BILLING_URL: remoteUrl };
    const file = config(`        access: write\n        grant_to: [${writer.name}]\n`);
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);

    await local.query('INSERT INTO billing.invoices VALUES (2, 20)');
    await withClient(urlFor(local.name, writer), (c) => c.query('INSERT INTO billing.invoices VALUES (3, 30)'));
    await withClient(urlFor(local.name, writer), (c) => c.query('UPDATE billing.invoices SET total = 31 WHERE id = 3'));
    expect(await remote.query('SELECT id, total FROM invoices ORDER BY id')).toEqual([
      { id: 1, total: '10' },
      { id: 2, total: '20' },
      { id: 3, total: '31' },
    ]);
    expect((await runCli(['plan', '--detailed-exitcode', '-c', file], env)).code).toBe(0);
  });

  it('follows a remote password change by replacing the user mapping, never printing the password', async () => {
    const { local, remoteUser, remote } = await remoteWithUser();
    const file = config('');
    const env = { LOCAL_URL: local.url, BILLING_URL: urlFor(remote.name, remoteUser) };
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);

    const rotated = "n3w'pa\\ss%@word";
    await adminQuery(`ALTER ROLE ${pg.escapeIdentifier(remoteUser.name)} PASSWORD ${pg.escapeLiteral(rotated)}`);
    await expect(local.query('SELECT * FROM billing.invoices')).rejects.toThrow(/could not connect to server "billing"/);
    const rotatedEnv = { ...env, BILLING_URL: urlFor(remote.name, { name: remoteUser.name, password: rotated }) };

    const plan = await runCli(['plan', '--sql', '-c', file], rotatedEnv);
    expect(plan.stdout).toContain(`~ user mapping for postgres: credentials changed (sensitive value changed)`);
    expect(plan.stdout).toContain(`"password" '********'`);
    for (const text of [plan.stdout, plan.stderr]) {
      expect(text).not.toContain(rotated);
      expect(text).not.toContain(encodeURIComponent(rotated));
      expect(text).not.toContain(remoteUser.password);
    }
    expect((await runCli(['apply', '--auto-approve', '-c', file], rotatedEnv)).code).toBe(0);
    expect(await local.query('SELECT id FROM billing.invoices')).toEqual([{ id: 1 }]);
    expect((await runCli(['plan', '--detailed-exitcode', '-c', file], rotatedEnv)).code).toBe(0);
  });

  it('works for a local role that is not a superuser, as on a managed Postgres', async () => {
    const { local, remote, remoteUrl } = await remoteWithUser();
    const { url } = await nonSuperuserLocal(local.name);
    const reader = await createRole('reader');
    const env = { LOCAL_URL: url, BILLING_URL: remoteUrl };
    const file = config(`        grant_to: [${reader.name}]\n`);

    const apply = await runCli(['apply', '--auto-approve', '-c', file], env);
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(await withClient(url, async (c) => (await c.query('SELECT total FROM billing.invoices')).rows)).toEqual([{ total: '10' }]);
    expect(await withClient(urlFor(local.name, reader), async (c) => (await c.query('SELECT id FROM billing.invoices')).rows)).toEqual([
      { id: 1 },
    ]);

    // Updates as the same role: a new remote table, then a dropped one, then a destroy.
    await remote.query('CREATE TABLE customers (id integer)');
    await remote.query(`GRANT SELECT ON customers TO PUBLIC`);
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(0);
    expect(await withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM billing.customers')).rows)).toEqual([
      { n: 0 },
    ]);
    expect((await runCli(['plan', '--detailed-exitcode', '-c', file], env)).code).toBe(0);

    const empty = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n');
    expect((await runCli(['apply', '--auto-approve', '-c', empty], env)).code).toBe(0);
    expect(await local.query(`SELECT srvname FROM pg_foreign_server`)).toEqual([]);
  });

  it('tells a role without USAGE on the wrapper which GRANT a superuser must run, and applies nothing', async () => {
    const { local, remoteUrl } = await remoteWithUser();
    const owner = await createRole('owner');
    await adminQuery(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(local.name)} TO ${pg.escapeIdentifier(owner.name)}`);
    await local.query('CREATE EXTENSION postgres_fdw');
    const env = { LOCAL_URL: urlFor(local.name, owner), BILLING_URL: remoteUrl };
    const result = await runCli(['apply', '--auto-approve', '-c', config('')], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`role "${owner.name}" may not use the postgres_fdw foreign-data wrapper`);
    expect(result.stdout).toContain(`GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${owner.name};`);
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
  });

  it('says what a superuser must run when postgres_fdw is missing and the role cannot create it', async () => {
    const { local, remoteUrl } = await remoteWithUser();
    const owner = await createRole('owner');
    await adminQuery(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(local.name)} TO ${pg.escapeIdentifier(owner.name)}`);
    const env = { LOCAL_URL: urlFor(local.name, owner), BILLING_URL: remoteUrl };
    const plan = await runCli(['plan', '-c', config('')], env);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(`role "${owner.name}" may not create it (only a superuser can)`);
    expect(plan.stdout).toContain('CREATE SCHEMA datalinks_ext; CREATE EXTENSION postgres_fdw SCHEMA datalinks_ext;');
    const result = await runCli(['apply', '--auto-approve', '-c', config('')], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Nothing was applied.');
    expect(await local.query(`SELECT extname FROM pg_extension WHERE extname = 'postgres_fdw'`)).toEqual([]);
  });
});

describe('what the remote role may read', () => {
  it('notes at plan time a remote table the remote role cannot SELECT, with the GRANT to run on the remote', async () => {
    const { local, remote, remoteUser, remoteUrl } = await remoteWithUser();
    await remote.query('CREATE TABLE secrets_table (id integer)');
    const env = { LOCAL_URL: local.url, BILLING_URL: remoteUrl };
    const plan = await runCli(['plan', '-c', config('')], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      `note: link "billing": remote role "${remoteUser.name}" cannot read table "public.secrets_table"; queries through it will fail until, on the remote: GRANT SELECT ON public.secrets_table TO ${remoteUser.name};`,
    );
    const json = await runCli(['plan', '--json', '-c', config('')], env);
    expect(JSON.parse(json.stdout).databases[0].notes).toStrictEqual([
      {
        code: 'remote_table_unreadable',
        severity: 'note',
        link: 'billing',
        wrapper: 'postgres_fdw',
        user: remoteUser.name,
        schema: 'public',
        table: 'secrets_table',
        message: `link "billing": remote role "${remoteUser.name}" cannot read table "public.secrets_table"; queries through it will fail until, on the remote: GRANT SELECT ON public.secrets_table TO ${remoteUser.name};`,
      },
    ]);
    await remote.query(`GRANT SELECT ON secrets_table TO ${pg.escapeIdentifier(remoteUser.name)}`);
    expect((await runCli(['plan', '-c', config('')], env)).stdout).not.toContain('cannot read table');
  });
});

describe('proving links before COMMIT', () => {
  it('opens one connection to a remote for many links to it, so a role with a connection limit can apply them all', async () => {
    const { local, remote, remoteUser, remoteUrl } = await remoteWithUser();
    // Each link probed would hold its own connection until COMMIT; two are all this remote role may have.
    await remote.query(`ALTER ROLE ${pg.escapeIdentifier(remoteUser.name)} CONNECTION LIMIT 2`);
    const links = ['a', 'b', 'c', 'd', 'e']
      .map((name) => `      link_${name}:\n        remote:\n          url: \${BILLING_URL}\n`)
      .join('');
    const file = writeConfig(`version: 1\ndatabases:\n  main:\n    url: \${LOCAL_URL}\n    links:\n${links}`);
    const apply = await runCli(['apply', '--auto-approve', '-c', file], { LOCAL_URL: local.url, BILLING_URL: remoteUrl });
    expect(apply.stdout).toContain('Apply complete');
    expect(apply.code).toBe(0);
    await adminQuery(`ALTER ROLE ${pg.escapeIdentifier(remoteUser.name)} CONNECTION LIMIT -1`);
  });
});

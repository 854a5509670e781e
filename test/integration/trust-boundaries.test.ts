import { dirname, join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { expectNoChanges, oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, createRole, linkByHand, type TestDatabase, urlFor, withClient } from '../support/databases.js';

const NO_LINKS = 'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n';

async function setup(yaml = oneLinkConfig()) {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer PRIMARY KEY, total numeric(10,2))');
  await remote.query('INSERT INTO invoices VALUES (1, 10)');
  const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
  const config = writeConfig(yaml);
  const cli = (...args: string[]) => runCli([...args, '-c', config], env);
  return { local, remote, env, config, cli };
}

/** Every object in the local database outside `schema`, with its owner and definition: what must not change. */
async function objectsOutside(db: TestDatabase, schema: string): Promise<unknown[]> {
  return db.query(
    `SELECT n.nspname, c.relname, c.relkind, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
            (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
               FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ($1, 'pg_catalog', 'information_schema', 'pg_toast')
      UNION ALL
     SELECT n.nspname, p.proname, 'function', pg_catalog.pg_get_userbyid(p.proowner), pg_catalog.pg_get_function_result(p.oid)
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname NOT IN ($1, 'pg_catalog', 'information_schema')
      ORDER BY 1, 2, 3`,
    [schema],
  );
}

describe('trust boundaries', () => {
  it('never runs a hostile remote catalog text as SQL: a forged expression is refused at plan time', async () => {
    const { local, remote, cli } = await setup();
    await local.query('CREATE TABLE public.victim (id integer)');
    await remote.query('CREATE TABLE evil (day date, later integer GENERATED ALWAYS AS (1) STORED)');
    // The remote's superuser makes its catalog lie: every expression it prints is an attack.
    await remote.query(
      `CREATE OR REPLACE FUNCTION pg_catalog.pg_get_expr(pg_node_tree, oid) RETURNS text LANGUAGE sql
         AS $$ SELECT '1) STORED NOT NULL); DROP TABLE public.victim; --'::text $$`,
    );
    const before = await objectsOutside(local, 'billing');
    const plan = await cli('plan');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('the generation expression of column "later" of remote table "evil" was refused');
    expect(plan.stdout).toContain('import_generated: false');
    expect((await cli('apply', '--auto-approve')).code).toBe(1);
    expect(await objectsOutside(local, 'billing')).toEqual(before);
    expect(await local.query('SELECT count(*)::int AS n FROM public.victim')).toEqual([{ n: 0 }]);
  });

  it('writes types and collations from the local catalog: a hostile collation name is a plan error, not SQL', async () => {
    const { local, remote, cli } = await setup();
    await local.query('CREATE TABLE public.victim (id integer)');
    await remote.query(`CREATE COLLATION "C"" ; DROP TABLE public.victim; --" FROM "C"`);
    await remote.query(`CREATE TABLE notes (body text COLLATE "C"" ; DROP TABLE public.victim; --")`);
    const plan = await cli('plan');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('column "body" of remote table "notes" uses collation');
    expect(plan.stdout).toContain('import_collate: false');
    expect(await local.query('SELECT count(*)::int AS n FROM public.victim')).toEqual([{ n: 0 }]);

    // The hint, followed: without import_collate the column gets the local type's collation.
    const fixed = writeConfig(oneLinkConfig('        import_options: { import_collate: false }\n'));
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    expect((await runCli(['apply', '--auto-approve', '-c', fixed], env)).code).toBe(0);
    expect(await local.query(`SELECT count(*)::int AS n FROM billing.notes`)).toEqual([{ n: 0 }]);
    await expectNoChanges((...args) => runCli([...args, '-c', fixed], env));
  });

  it('leaves alone a server another role forged a marker on, and the schema it is named after', async () => {
    const { local, remote, cli } = await setup();
    // The victim: a schema with a domain that public.users uses.
    await local.query('CREATE SCHEMA accounting');
    await local.query('CREATE DOMAIN accounting.money_amount AS numeric(12,2)');
    await local.query('CREATE TABLE public.users (id integer, balance accounting.money_amount)');
    await local.query('CREATE EXTENSION postgres_fdw');
    const mallory = await createRole('mallory');
    await local.query(`GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${pg.escapeIdentifier(mallory.name)}`);
    await withClient(urlFor(local.name, mallory), async (client) => {
      await client.query(`CREATE SERVER accounting FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'nowhere')`);
      await client.query(`COMMENT ON SERVER accounting IS 'datalinks:{}'`);
    });

    const empty = writeConfig(NO_LINKS);
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const plan = await runCli(['plan', '-c', empty], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`server "accounting" carries a datalinks marker but is owned by role "${mallory.name}": left alone`);
    expect(plan.stdout).toContain('No changes.');
    expect((await runCli(['apply', '--auto-approve', '-c', empty], env)).code).toBe(0);
    expect(await local.query(`SELECT attname FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attnum > 0`)).toEqual([
      { attname: 'id' },
      { attname: 'balance' },
    ]);
    expect(await local.query(`SELECT srvname FROM pg_foreign_server`)).toEqual([{ srvname: 'accounting' }]);
    expect((await runCli(['list', '-c', empty], env)).stdout).toContain(
      `==== accounting (not managed by datalinks; owner ${mallory.name})`,
    );

    // Another owner's apply of its own link is not blocked by the forged server.
    const apply = await cli('apply', '--auto-approve');
    expect(apply.code).toBe(0);
    await expectNoChanges(cli);
  });

  it('lists with ! and refuses, without --allow-dependent-drops, what depends on a link other than views', async () => {
    const { local, cli, env } = await setup();
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await local.query('CREATE TABLE public.snapshots (taken_at timestamptz, invoice billing.invoices)');
    await local.query(
      'CREATE FUNCTION public.all_invoices() RETURNS SETOF billing.invoices LANGUAGE sql AS $$ SELECT * FROM billing.invoices $$',
    );
    await local.query('CREATE DOMAIN billing.cents AS integer');
    await local.query('CREATE TABLE public.prices (amount billing.cents)');
    const before = await objectsOutside(local, 'billing');

    const empty = writeConfig(NO_LINKS);
    const plan = await runCli(['plan', '-c', empty], env);
    expect(plan.stdout).toContain('! also drops column invoice of table public.snapshots');
    expect(plan.stdout).toContain('! also drops function public.all_invoices()');
    expect(plan.stdout).toContain('! also drops type billing.cents');
    expect(plan.stdout).toContain('! also drops column amount of table public.prices');
    const refused = await runCli(['apply', '--auto-approve', '-c', empty], env);
    expect(refused.code).toBe(1);
    expect(await objectsOutside(local, 'billing')).toEqual(before);

    // Through a saved plan, whose dependents, codes and removed access the plan schema describes.
    const planFile = join(dirname(empty), 'plan.json');
    expect((await runCli(['plan', '--out', planFile, '-c', empty], env)).code).toBe(0);
    const allowed = await runCli(['apply', planFile, '--allow-dependent-drops', '-c', empty], env);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(await local.query(`SELECT proname FROM pg_proc WHERE proname = 'all_invoices'`)).toEqual([]);
    await expectNoChanges((...args) => runCli([...args, '-c', empty], env));
  });

  it('names a row-type column when a retyped remote column replaces its table', async () => {
    const { local, remote, cli } = await setup();
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await local.query('CREATE TABLE public.snapshots (invoice billing.invoices)');
    await remote.query('ALTER TABLE invoices ALTER COLUMN total TYPE numeric(12,2)');
    const plan = await cli('plan');
    expect(plan.stdout).toContain('-/+ foreign table billing.invoices');
    expect(plan.stdout).toContain('! also drops column invoice of table public.snapshots');
    expect((await cli('apply', '--auto-approve')).code).toBe(1);
    expect(
      await local.query(
        `SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'public.snapshots'::regclass AND attname = 'invoice'`,
      ),
    ).toEqual([{ n: 1 }]);
  });

  it('keeps a read link read-only at every level: table options that contradict it are drift', async () => {
    const { local, remote, cli } = await setup();
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await local.query(`ALTER FOREIGN TABLE billing.invoices OPTIONS (ADD updatable 'true')`);
    const plan = await cli('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('foreign table billing.invoices options');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await expect(local.query('INSERT INTO billing.invoices VALUES (2, 20)')).rejects.toThrow(/does not allow inserts/);
    await expect(local.query('TRUNCATE billing.invoices')).rejects.toThrow(/does not allow truncates/);
    expect(await remote.query('SELECT count(*)::int AS n FROM invoices')).toEqual([{ n: 1 }]);
    await expectNoChanges(cli);
  });

  it('recovers a link whose server was dropped by hand with CASCADE', async () => {
    const { local, cli } = await setup();
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await local.query('DROP SERVER billing CASCADE');
    const plan = await cli('plan');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+ link billing will be created');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(await local.query('SELECT id FROM billing.invoices')).toEqual([{ id: 1 }]);
    await expectNoChanges(cli);
  });

  it("refuses to adopt a schema that holds anything but the server's foreign tables", async () => {
    const { local, remote, cli } = await setup();
    await local.query('CREATE EXTENSION postgres_fdw');
    await local.query(
      `CREATE SERVER billing FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '${new URL(remote.url).port}', dbname '${remote.name}')`,
    );
    await local.query('CREATE SCHEMA billing');
    await local.query('CREATE TABLE billing.ledger (id integer)');
    const plan = await cli('plan', '--adopt');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(
      'cannot adopt schema "billing": it holds objects that are not foreign tables of server "billing" (table billing.ledger)',
    );
    await local.query('ALTER TABLE billing.ledger SET SCHEMA public');
    expect((await cli('apply', '--auto-approve', '--adopt')).code).toBe(0);
    await expectNoChanges(cli);
  });

  it('export then --adopt keeps the access a PUBLIC user mapping and PUBLIC grants gave every role', async () => {
    const { local, remote, env } = await setup();
    await linkByHand(local, remote.url, 'billing');
    const target = new URL(remote.url);
    await local.query(
      `CREATE USER MAPPING FOR PUBLIC SERVER billing OPTIONS (user ${pg.escapeLiteral(decodeURIComponent(target.username))}, password ${pg.escapeLiteral(decodeURIComponent(target.password))})`,
    );
    await local.query('GRANT USAGE ON SCHEMA billing TO PUBLIC');
    await local.query('GRANT SELECT ON ALL TABLES IN SCHEMA billing TO PUBLIC');
    const reader = await createRole('reader');
    const asReader = urlFor(local.name, reader);
    const read = () => withClient(asReader, async (c) => (await c.query('SELECT id FROM billing.invoices')).rows);
    expect(await read()).toEqual([{ id: 1 }]);

    const exported = await runCli(['export', '-c', writeConfig(NO_LINKS)], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('- public');
    const file = writeConfig(exported.stdout);
    const exportEnv = { ...env, BILLING_URL: remote.url };
    const adopt = await runCli(['apply', '--auto-approve', '--adopt', '-c', file], exportEnv);
    expect(adopt.stdout).not.toContain('removes access');
    expect(adopt.code).toBe(0);
    await expectNoChanges((...args) => runCli([...args, '-c', file], exportEnv));
    expect(await read()).toEqual([{ id: 1 }]);
  });

  it('refuses two aliases that name the same database, naming both', async () => {
    const { local, env } = await setup();
    const url = new URL(local.url);
    url.hostname = 'localhost';
    const file = writeConfig(
      `version: 1\ndatabases:\n  main:\n    url: \${LOCAL_URL}\n    links: {}\n  again:\n    url: \${AGAIN_URL}\n    links: {}\n`,
    );
    const plan = await runCli(['plan', '-c', file], { ...env, AGAIN_URL: url.toString() });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('databases "main" and "again" in the file are the same database');
  });
});

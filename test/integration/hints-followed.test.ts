import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { adminQuery, createLinkedPair, createRole, urlFor, withClient } from '../support/databases.js';

/** The hint printed under the first error, as the user reads it. */
function hintOf(stdout: string): string {
  const hint = /hint: (.*)/.exec(stdout)?.[1];
  if (!hint) throw new Error(`no hint in:\n${stdout}`);
  return hint;
}

/** The SQL a hint says a superuser must run, run as a superuser: each statement after "must run:". */
async function runHintSql(databaseUrl: string, hint: string): Promise<void> {
  const sql = hint.slice(hint.indexOf('must run:') + 'must run:'.length).trim();
  expect(sql.length).toBeGreaterThan(0);
  await withClient(databaseUrl, async (client) => {
    for (const statement of sql
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean))
      await client.query(statement);
  });
}

describe('every hint, followed, makes the next plan succeed', () => {
  it('a missing local type: leave the table out as the hint says (exclude:, or tables: when the link lists them)', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query(
      `CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE people (id integer, feeling mood); CREATE TABLE orders (id integer)`,
    );
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const plan = await runCli(['plan', '-c', writeConfig(oneLinkConfig())], env);
    expect(plan.code).toBe(1);
    const exclude = /`(exclude: \[.*\])`/.exec(hintOf(plan.stdout))?.[1];
    expect(exclude).toBe('exclude: [people]');
    const followed = await runCli(['plan', '-c', writeConfig(oneLinkConfig(`        ${exclude}\n`))], env);
    expect(followed.code).toBe(0);

    const listed = await runCli(['plan', '-c', writeConfig(oneLinkConfig('        tables: [people, orders]\n'))], env);
    expect(hintOf(listed.stdout)).toContain('remove "people" from `tables`');
    expect((await runCli(['plan', '-c', writeConfig(oneLinkConfig('        tables: [orders]\n'))], env)).code).toBe(0);
  });

  it('a default that needs a sequence missing locally: import_default off, or the sequence created', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE page_views (id serial PRIMARY KEY, path text)');
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const withDefaults = writeConfig(oneLinkConfig('        import_options: { import_default: true }\n'));
    const plan = await runCli(['plan', '-c', withDefaults], env);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('uses relation public.page_views_id_seq, which does not exist in this database');
    expect(hintOf(plan.stdout)).toContain('set `import_options: { import_default: false }` on link "billing"');
    expect(
      (
        await runCli(
          ['apply', '--auto-approve', '-c', writeConfig(oneLinkConfig('        import_options: { import_default: false }\n'))],
          env,
        )
      ).code,
    ).toBe(0);

    await local.query('CREATE SEQUENCE public.page_views_id_seq');
    const applied = await runCli(['apply', '--auto-approve', '-c', withDefaults], env);
    expect(applied.code).toBe(0);
    expect((await runCli(['plan', '--detailed-exitcode', '-c', withDefaults], env)).code).toBe(0);
  });

  it('postgres_fdw missing for a role that cannot create it: the superuser SQL of the hint', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer)');
    const owner = await createRole('owner');
    await adminQuery(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(local.name)} TO ${pg.escapeIdentifier(owner.name)}`);
    const env = { LOCAL_URL: urlFor(local.name, owner), BILLING_URL: remote.url };
    const config = writeConfig(oneLinkConfig());
    const plan = await runCli(['plan', '-c', config], env);
    expect(plan.code).toBe(1);
    await runHintSql(local.url, hintOf(plan.stdout));
    expect((await runCli(['plan', '-c', config], env)).code).toBe(0);
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
  });

  it('no USAGE on the wrapper: the GRANT of the hint', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer)');
    const owner = await createRole('owner');
    await adminQuery(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(local.name)} TO ${pg.escapeIdentifier(owner.name)}`);
    await local.query('CREATE EXTENSION postgres_fdw');
    const env = { LOCAL_URL: urlFor(local.name, owner), BILLING_URL: remote.url };
    const config = writeConfig(oneLinkConfig());
    const plan = await runCli(['plan', '-c', config], env);
    expect(plan.code).toBe(1);
    await runHintSql(local.url, hintOf(plan.stdout));
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
  });

  it('a generation expression refused: import_generated off', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE t (a integer, b integer GENERATED ALWAYS AS (a * 2) STORED)');
    await remote.query(
      `CREATE OR REPLACE FUNCTION pg_catalog.pg_get_expr(pg_node_tree, oid) RETURNS text LANGUAGE sql AS $$ SELECT '1); --'::text $$`,
    );
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const plan = await runCli(['plan', '-c', writeConfig(oneLinkConfig())], env);
    expect(plan.code).toBe(1);
    const option = /`import_options: \{ (import_generated: false) \}`/.exec(hintOf(plan.stdout))?.[1];
    expect(option).toBe('import_generated: false');
    const followed = writeConfig(oneLinkConfig(`        import_options: { ${option} }\n`));
    expect((await runCli(['apply', '--auto-approve', '-c', followed], env)).code).toBe(0);
    expect((await runCli(['plan', '--detailed-exitcode', '-c', followed], env)).code).toBe(0);
  });
});

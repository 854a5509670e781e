import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/embedded-server.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createDatabase, createLinkedPair, urlFor } from '../support/databases.js';

describe('errors per link and per database', () => {
  it('reports an unreachable remote for its link and still plans the other databases', async () => {
    const { local, remote } = await createLinkedPair();
    const other = await createDatabase('other');
    await remote.query('CREATE TABLE invoices (id integer)');
    const closedPort = await freePort();
    const env = {
      LOCAL_URL: local.url,
      OTHER_URL: other.url,
      BILLING_URL: remote.url,
      DOWN_URL: `postgres://someone:s3cret-pw@127.0.0.1:${closedPort}/nowhere`,
    };
    const config = writeConfig(`version: 1
databases:
  main:
    url: \${LOCAL_URL}
    links:
      down:
        remote:
          url: \${DOWN_URL}
  other:
    url: \${OTHER_URL}
    links:
      billing:
        remote:
          url: \${BILLING_URL}
`);
    const plan = await runCli(['plan', '-c', config], env);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(`✗ link down: cannot connect to the remote 127.0.0.1:${closedPort}/nowhere: connection refused`);
    expect(plan.stdout).toContain('+ link billing will be created');
    expect(plan.stdout).not.toContain('s3cret-pw');

    const apply = await runCli(['apply', '--auto-approve', '-c', config], env);
    expect(apply.code).toBe(1);
    expect(apply.stdout).toContain('Database other: applied');
    expect(await other.query('SELECT count(*)::int AS n FROM billing.invoices')).toEqual([{ n: 0 }]);
    expect(await local.query(`SELECT srvname FROM pg_foreign_server`)).toEqual([]);
  });

  it('reports a missing local database with its name and host', async () => {
    const { remote } = await createLinkedPair();
    const env = { LOCAL_URL: urlFor('dl_does_not_exist'), BILLING_URL: remote.url };
    const config = writeConfig(oneLinkConfig());
    const plan = await runCli(['plan', '-c', config], env);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(
      /cannot connect to database "main" \(127\.0\.0\.1:\d+\/dl_does_not_exist\): database "dl_does_not_exist" does not exist/,
    );
    expect(plan.stdout).toContain('hint: create the database, or fix the database name in the URL');
    const json = JSON.parse((await runCli(['plan', '--json', '-c', config], env)).stdout);
    expect(json.databases[0].errors).toMatchObject([{ link: null, code: 'local_unreadable' }]);
  });

  it('reports a missing remote schema', async () => {
    const { local, remote } = await createLinkedPair();
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const config = writeConfig(oneLinkConfig('          schema: finance\n'));
    const plan = await runCli(['plan', '-c', config], env);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('✗ link billing: schema "finance" does not exist on the remote');
    const json = JSON.parse((await runCli(['plan', '--json', '-c', config], env)).stdout);
    expect(json.databases[0].errors).toStrictEqual([
      {
        code: 'remote_schema_missing',
        link: 'billing',
        schema: 'finance',
        suggestion: null,
        message: 'schema "finance" does not exist on the remote',
        hint: 'fix `remote.schema`, or create the schema on the remote',
      },
    ]);
  });

  it('catches at plan time a remote column whose type does not exist locally', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query(`CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE people (id integer, feeling mood)`);
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const config = writeConfig(
      'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      crm:\n        remote:\n          url: ${BILLING_URL}\n',
    );
    const plan = await runCli(['plan', '-c', config], env);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(
      '✗ link crm: column "feeling" of remote table "people" has type public.mood, which does not exist in this database',
    );
    expect(plan.stdout).toContain('exclude: [people]');
    const json = JSON.parse((await runCli(['plan', '--json', '-c', config], env)).stdout);
    expect(json.databases[0].errors).toMatchObject([
      { link: 'crm', code: 'type_missing', message: expect.stringContaining('column "feeling" of remote table "people"') },
    ]);
    const apply = await runCli(['apply', '--auto-approve', '-c', config], env);
    expect(apply.code).toBe(1);
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
  });

  it('refuses an update that would drop a view over a replaced foreign table, unless allowed', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer, total numeric)');
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const config = writeConfig(oneLinkConfig());
    await runCli(['apply', '--auto-approve', '-c', config], env);
    await local.query('CREATE VIEW public.big_invoices AS SELECT id FROM billing.invoices WHERE total > 100');
    await remote.query('ALTER TABLE invoices ALTER COLUMN total TYPE integer');

    const refused = await runCli(['apply', '--auto-approve', '-c', config], env);
    expect(refused.stdout).toContain('! also drops view public.big_invoices (depends on billing.invoices)');
    expect(refused.code).toBe(1);
    expect(await local.query('SELECT count(*)::int AS n FROM public.big_invoices')).toEqual([{ n: 0 }]);
    const allowed = await runCli(['apply', '--auto-approve', '--allow-dependent-drops', '-c', config], env);
    expect(allowed.code).toBe(0);
    expect(await local.query(`SELECT viewname FROM pg_views WHERE viewname = 'big_invoices'`)).toEqual([]);
  });

  it('without a terminal, apply refuses to run without --auto-approve and names the flag', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer)');
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const config = writeConfig(oneLinkConfig());
    const result = await runCli(['apply', '-c', config], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--auto-approve');
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, createRole, linkByHand, urlFor } from '../support/databases.js';

const CONFIG =
  'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      billing:\n        remote:\n          url: ${BILLING_URL}\n';

async function setup() {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer, total numeric)');
  const remoteUser = await createRole('remote');
  await remote.query(`GRANT SELECT ON invoices TO ${remoteUser.name}`);
  const env = { LOCAL_URL: local.url, BILLING_URL: urlFor(remote.name, remoteUser) };
  const config = writeConfig(CONFIG);
  const planFile = `${config}.plan.json`;
  return { local, remote, remoteUser, env, config, planFile };
}

describe('saved plans', () => {
  it('applies a saved plan once, and the second time reports it already applied, changing nothing', async () => {
    const { local, env, config, planFile } = await setup();
    const plan = await runCli(['plan', '--out', planFile, '-c', config], env);
    expect(plan.stdout).toContain(`Saved the plan to ${planFile}`);
    expect((await local.query('SELECT srvname FROM pg_foreign_server')).length).toBe(0);

    const first = await runCli(['apply', planFile, '-c', config], env);
    expect(first.code).toBe(0);
    expect(await local.query('SELECT count(*)::int AS n FROM billing.invoices')).toEqual([{ n: 0 }]);

    const second = await runCli(['apply', planFile, '-c', config], env);
    expect(second.stdout).toContain('Database main: already applied');
    expect(second.stdout).toContain('Apply complete: 0 databases changed, 1 already applied.');
    expect(second.code).toBe(0);
  });

  it('refuses a saved plan when the state changed between plan and apply, and applies nothing', async () => {
    const { local, remote, env, config, planFile } = await setup();
    await runCli(['plan', '--out', planFile, '-c', config], env);
    await remote.query('CREATE TABLE customers (id integer)');
    const result = await runCli(['apply', planFile, '-c', config], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'stale plan: what apply must change in link "billing" is no longer what the plan holds: the database or a remote changed since this plan was made',
    );
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
  });

  it("refuses a saved plan when its database's configuration was edited after it, naming what changed", async () => {
    const { local, env, config, planFile } = await setup();
    await runCli(['plan', '--out', planFile, '-c', config], env);
    writeFileSync(config, `${CONFIG}        access: write\n`);
    const result = await runCli(['apply', planFile, '-c', config], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'Database main: refused: not applied: its configuration changed since this plan was made (link "billing": its access)',
    );
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);
  });

  it('writes plan JSON that validates against schemas/plan.schema.json and holds no secret', async () => {
    const { env, config, planFile, remoteUser } = await setup();
    const json = await runCli(['plan', '--json', '--out', planFile, '-c', config], env);
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(
      JSON.parse(readFileSync('schemas/plan.schema.json', 'utf8')),
    );
    for (const text of [json.stdout, readFileSync(planFile, 'utf8')]) {
      const document = JSON.parse(text);
      expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
      expect(document.summary).toEqual({ create: 1, update: 0, destroy: 0 });
      expect(document.databases[0].changes[0]).toMatchObject({ action: 'create', link: 'billing' });
      expect(text).not.toContain(remoteUser.password);
    }
  });
});

describe('saved plans and what they depend on', () => {
  /** Link billing with `tables: [invoices]`, the extension already installed (a plan then needs no CREATE EXTENSION). */
  async function filtered() {
    const base = await setup();
    await base.local.query('CREATE EXTENSION postgres_fdw');
    const config = writeConfig(`${CONFIG}        tables: [invoices]\n`);
    return { ...base, config, planFile: `${config}.plan.json` };
  }

  it('stays valid and applies after unrelated local and remote changes', async () => {
    const { local, remote, env, config, planFile } = await filtered();
    expect((await runCli(['plan', '--out', planFile, '-c', config], env)).code).toBe(0);

    await local.query('CREATE SCHEMA scratch');
    await local.query('CREATE TABLE public.unrelated (id integer)');
    await local.query(`CREATE SERVER crm FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'elsewhere', dbname 'crm')`);
    await remote.query('CREATE TABLE audit_log (id integer)');

    const applied = await runCli(['apply', planFile, '-c', config], env);
    expect(applied.stdout).toContain('Database main: applied');
    expect(applied.code).toBe(0);
    expect(await local.query('SELECT count(*)::int AS n FROM billing.invoices')).toEqual([{ n: 0 }]);
    expect(await local.query(`SELECT relname FROM pg_class WHERE relname = 'audit_log'`)).toEqual([]);
    expect((await runCli(['plan', '--detailed-exitcode', '-c', config], env)).code).toBe(0);
  });

  it('stays valid when a view is made over a linked table the plan keeps', async () => {
    const { local, remote, env, config, planFile } = await filtered();
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    await remote.query('ALTER TABLE invoices ADD COLUMN note text');
    const plan = await runCli(['plan', '--out', planFile, '-c', config], env);
    expect(plan.stdout).toContain('~ foreign table billing.invoices (remote columns added: altered in place)');
    await local.query('CREATE VIEW public.invoice_ids AS SELECT id FROM billing.invoices');
    const applied = await runCli(['apply', planFile, '-c', config], env);
    expect(applied.stdout).toContain('Database main: applied');
    expect(applied.code).toBe(0);
    expect(await local.query('SELECT count(*)::int AS n FROM public.invoice_ids')).toEqual([{ n: 0 }]);
  });

  it('goes stale when a view is made over a foreign table the saved plan drops', async () => {
    const { local, remote, env, config, planFile } = await setup();
    await remote.query('CREATE TABLE customers (id integer)');
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    await remote.query('DROP TABLE customers');
    const plan = await runCli(['plan', '--out', planFile, '-c', config], env);
    expect(plan.stdout).toContain('- foreign table billing.customers');
    expect(plan.stdout).not.toContain('also drops');
    await local.query('CREATE VIEW public.customer_ids AS SELECT id FROM billing.customers');
    const stale = await runCli(['apply', planFile, '-c', config], env);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('stale plan');
    expect(await local.query(`SELECT viewname FROM pg_views WHERE viewname = 'customer_ids'`)).toEqual([{ viewname: 'customer_ids' }]);
    expect(await local.query(`SELECT relname FROM pg_class WHERE relname = 'customers' AND relkind = 'f'`)).toEqual([
      { relname: 'customers' },
    ]);
  });

  it('goes stale when a linked table changes on the remote, or a grant on a linked foreign table changes', async () => {
    const { local, remote, env, config, planFile } = await filtered();
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    await remote.query('ALTER TABLE invoices ADD COLUMN note text');

    await runCli(['plan', '--out', planFile, '-c', config], env);
    await local.query('GRANT SELECT ON billing.invoices TO PUBLIC');
    const grantChanged = await runCli(['apply', planFile, '-c', config], env);
    expect(grantChanged.code).toBe(1);
    expect(grantChanged.stdout).toContain('stale plan');
    await local.query('REVOKE SELECT ON billing.invoices FROM PUBLIC');

    await runCli(['plan', '--out', planFile, '-c', config], env);
    await remote.query('ALTER TABLE invoices ADD COLUMN due date');
    const columnChanged = await runCli(['apply', planFile, '-c', config], env);
    expect(columnChanged.code).toBe(1);
    expect(columnChanged.stdout).toContain('stale plan');
    const columns = await local.query<{ attname: string }>(
      `SELECT attname FROM pg_attribute WHERE attrelid = 'billing.invoices'::regclass AND attnum > 0 ORDER BY attnum`,
    );
    expect(columns.map((c) => c.attname)).toEqual(['id', 'total']);
  });
});

describe('export and adopt', () => {
  it('exports managed links as YAML that validates and plans to no changes', async () => {
    const { env, config, remoteUser } = await setup();
    await runCli(['apply', '--auto-approve', '-c', config], env);
    const exported = await runCli(['export', '-c', config], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('url: ${BILLING_URL}');
    expect(exported.stdout).not.toContain(remoteUser.password);
    expect((await parseConfig('exported.yaml', Buffer.from(exported.stdout), env)).ok).toBe(true);
    const again = writeConfig(exported.stdout);
    const plan = await runCli(['plan', '--detailed-exitcode', '-c', again], env);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });

  it('adopts a hand-made link only with --adopt, then manages it', async () => {
    const { local, env, config, remote, remoteUser } = await setup();
    const target = new URL(remote.url);
    await linkByHand(local, urlFor(remote.name, remoteUser), 'billing');

    // Exported from a file that does not list the link yet: its tables are listed as they are.
    const unlisted = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n');
    const exported = await runCli(['export', '-c', unlisted], env);
    expect(exported.stdout).toContain('made by hand: `datalinks apply --adopt` takes it over');
    expect(exported.stdout).toContain(`BILLING_URL: user ${remoteUser.name} at ${target.hostname}:${target.port}/${remote.name}`);
    expect(exported.stdout).toContain('tables:\n          - invoices');
    expect(exported.stdout).toContain('access: write');
    expect(exported.stdout).not.toContain(remoteUser.password);
    const exportedConfig = writeConfig(exported.stdout);
    const exportedPlan = await runCli(['plan', '--adopt', '-c', exportedConfig], env);
    expect(exportedPlan.stdout).toContain('(made by hand) will be adopted');
    expect(exportedPlan.stdout).not.toContain('foreign table');

    const refused = await runCli(['plan', '-c', config], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('pass --adopt to take it over');

    const adopt = await runCli(['plan', '--adopt', '-c', config], env);
    expect(adopt.stdout).toContain('~ link billing (made by hand) will be adopted: marked as managed and reconciled in place');
    expect(adopt.stdout).toContain('+ updatable = false');
    expect(adopt.stdout).not.toContain('foreign table');
    // A plan saved with --adopt is applied as it was planned, without repeating the flag.
    const planFile = `${config}.adopt.json`;
    await runCli(['plan', '--adopt', '--out', planFile, '-c', config], env);
    const applied = await runCli(['apply', planFile, '-c', config], env);
    expect(applied.stdout).toContain('Database main: applied');
    expect(applied.code).toBe(0);
    const [comment] = await local.query<{ c: string }>(`SELECT obj_description(oid, 'pg_foreign_server') AS c FROM pg_foreign_server`);
    expect(comment?.c).toMatch(/^datalinks:/);
    expect((await runCli(['plan', '--detailed-exitcode', '-c', config], env)).code).toBe(0);
  });
});

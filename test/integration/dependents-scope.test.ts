import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/cli/run-plan.js';
import { parseConfig } from '../../src/config/load-config.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair } from '../support/databases.js';

/** Link billing applied over remote tables invoices and customers, and a view over each made locally by hand. */
async function setup() {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer, total numeric, note text)');
  await remote.query('CREATE TABLE customers (id integer, name text)');
  const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
  const config = writeConfig(oneLinkConfig());
  const cli = (...args: string[]) => runCli([...args, '-c', config], env);
  expect((await cli('apply', '--auto-approve')).code).toBe(0);
  await local.query('CREATE VIEW public.invoice_notes AS SELECT id, note FROM billing.invoices');
  await local.query('CREATE VIEW public.customer_names AS SELECT name FROM billing.customers');
  /** The dependents introspection read for a config (what the planner may drop), by description. */
  const dependentsRead = async (yaml = oneLinkConfig()) => {
    const parsed = await parseConfig('inline.yaml', Buffer.from(yaml), env);
    if (!parsed.ok) throw new Error('config should be valid');
    const { observed } = await runPlan(parsed.value, { connectTimeoutMs: 10_000, parallelism: 1, planOptions: {} });
    const result = observed[0]?.local;
    if (!result?.ok) throw new Error('the local database should be readable');
    return [...new Set(result.catalog.dependents.map((d) => d.description))].sort();
  };
  return { local, remote, env, config, cli, dependentsRead };
}

describe('dependents are read only of what a plan may drop or replace', () => {
  it('reads none when nothing changes, and names a view as soon as the table it reads must change', async () => {
    const { local, remote, cli, dependentsRead } = await setup();
    const unchanged = await cli('plan', '--detailed-exitcode');
    expect(unchanged.stdout).toContain('No changes.');
    expect(unchanged.code).toBe(0);
    expect(await dependentsRead()).toEqual([]);

    await remote.query('ALTER TABLE invoices DROP COLUMN note');
    expect(await dependentsRead()).toEqual(['view public.invoice_notes']);
    const plan = await cli('plan', '--json');
    const change = JSON.parse(plan.stdout).databases[0].changes[0];
    expect(change.dependents).toEqual([
      { link: 'billing', table: 'invoices', column: 'note', inLinkSchema: false, description: 'view public.invoice_notes' },
    ]);
    const refused = await cli('apply', '--auto-approve');
    expect(refused.stdout).toContain('! also drops view public.invoice_notes (depends on billing.invoices)');
    expect(refused.stdout).toContain('refused: not applied: it would drop 1 object outside the links (view public.invoice_notes)');
    expect(refused.code).toBe(1);
    expect(await local.query('SELECT count(*)::int AS n FROM public.invoice_notes')).toEqual([{ n: 0 }]);
  });

  it('names a view over a table that the filter now excludes', async () => {
    const { local, env, dependentsRead } = await setup();
    const excluding = oneLinkConfig('        exclude: [customers]\n');
    expect(await dependentsRead(excluding)).toEqual(['view public.customer_names']);
    const config = writeConfig(excluding);
    const refused = await runCli(['apply', '--auto-approve', '-c', config], env);
    expect(refused.stdout).toContain('- foreign table billing.customers');
    expect(refused.stdout).toContain('! also drops view public.customer_names (depends on billing.customers)');
    expect(refused.code).toBe(1);
    expect(await local.query('SELECT count(*)::int AS n FROM public.customer_names')).toEqual([{ n: 0 }]);
  });

  it('replaces, not alters, a retyped column that a view reads, though the table was unchanged until then', async () => {
    const { local, remote, cli } = await setup();
    await remote.query('ALTER TABLE customers ALTER COLUMN name TYPE varchar(40)');
    const refused = await cli('apply', '--auto-approve');
    expect(refused.stdout).toContain('-/+ foreign table billing.customers');
    expect(refused.stdout).toContain('! also drops view public.customer_names (depends on billing.customers)');
    expect(refused.code).toBe(1);
    expect(await local.query('SELECT count(*)::int AS n FROM public.customer_names')).toEqual([{ n: 0 }]);
  });

  it('refuses to destroy a link removed from the file while a view reads its table and an object lives in its schema', async () => {
    const { local, env, dependentsRead } = await setup();
    await local.query('CREATE TABLE billing.notes_by_hand (id integer)');
    const empty = 'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n';
    expect(await dependentsRead(empty)).toEqual(['table billing.notes_by_hand', 'view public.customer_names', 'view public.invoice_notes']);
    const refused = await runCli(['apply', '--auto-approve', '-c', writeConfig(empty)], env);
    expect(refused.stdout).toContain('- link billing will be destroyed');
    expect(refused.stdout).toContain('! also drops view public.invoice_notes (depends on billing.invoices)');
    expect(refused.stdout).toContain('! also drops table billing.notes_by_hand');
    expect(refused.code).toBe(1);
    expect(await local.query(`SELECT srvname FROM pg_foreign_server`)).toEqual([{ srvname: 'billing' }]);
    expect(await local.query('SELECT count(*)::int AS n FROM public.invoice_notes')).toEqual([{ n: 0 }]);
  });
});

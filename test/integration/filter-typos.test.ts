import { describe, expect, it } from 'vitest';
import { expectNoChanges, oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, createRole } from '../support/databases.js';

async function setup(extra: string) {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer); CREATE TABLE audit_log (id integer, secret text)');
  const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
  const config = writeConfig(oneLinkConfig(extra));
  const cli = (...args: string[]) => runCli([...args, '-c', config], env);
  return { local, remote, cli };
}

describe('names in the file that match nothing', () => {
  it('a typo in `exclude` is a warning naming the table it then links, with a did-you-mean', async () => {
    const { local, cli } = await setup('        exclude: [audit_lg]\n');
    const plan = await cli('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(
      'warning: link "billing": "audit_lg" in `exclude` matches no table of remote schema "public" (did you mean "audit_log"?): it leaves nothing out, so "audit_log" is linked. Fix the name, or remove it from `exclude`',
    );
    const json = JSON.parse((await cli('plan', '--json')).stdout);
    expect(json.databases[0].notes).toMatchObject([
      { code: 'filter_entry_unmatched', list: 'exclude', entry: 'audit_lg', suggestion: 'audit_log', severity: 'warning' },
    ]);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(await local.query('SELECT count(*)::int AS n FROM billing.audit_log')).toEqual([{ n: 0 }]);
  });

  it('a `tables` entry that names no remote table is a warning, and the others are linked', async () => {
    const { local, cli } = await setup('        tables: [invoices, invoice]\n');
    const plan = await cli('plan');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'warning: link "billing": "invoice" in `tables` matches no table of remote schema "public" (did you mean "invoices"?): nothing is linked for it. Fix the name, or remove it from `tables`',
    );
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(await local.query(`SELECT relname FROM pg_class WHERE relnamespace = 'billing'::regnamespace AND relkind = 'f'`)).toEqual([
      { relname: 'invoices' },
    ]);
    const again = await cli('plan', '--detailed-exitcode');
    expect(again.stdout).toContain('No changes.');
    expect(again.stdout).toContain('warning: link "billing": "invoice" in `tables`');
    expect(again.code).toBe(0);
  });

  it("a `remote.schema` that does not exist is an error with the remote's nearest schema", async () => {
    const { remote, cli } = await setup('          schema: finanse\n');
    await remote.query('CREATE SCHEMA finance; CREATE SCHEMA sales');
    const plan = await cli('plan');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('✗ link billing: schema "finanse" does not exist on the remote (did you mean "finance"?)');
    expect(plan.stdout).toContain('hint: fix `remote.schema` (the remote has a schema "finance"), or create the schema on the remote');
    const json = JSON.parse((await cli('plan', '--json')).stdout);
    expect(json.databases[0].errors).toMatchObject([{ code: 'remote_schema_missing', schema: 'finanse', suggestion: 'finance' }]);
  });

  it('a grant_to role that does not exist is a warning with the nearest role; the link and the other roles are applied', async () => {
    const reader = await createRole('reader');
    const typo = `${reader.name.slice(0, -1)}x`;
    const { local, cli } = await setup(`        grant_to: [${reader.name}, ${typo}]\n`);
    const plan = await cli('plan');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      `warning: link "billing": role "${typo}" in grant_to does not exist in this database (did you mean "${reader.name}"?): it gets no user mapping and no grants. Create it (CREATE ROLE ${typo}) or fix the name in grant_to`,
    );
    const apply = await cli('apply', '--auto-approve');
    expect(apply.code).toBe(0);
    expect(await local.query(`SELECT has_table_privilege($1, 'billing.invoices', 'SELECT') AS ok`, [reader.name])).toEqual([{ ok: true }]);
    await expectNoChanges(cli);
  });
});

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { expectNoChanges, runCli, writeConfig } from '../support/cli.js';
import { adminUrl, createDatabase } from '../support/databases.js';
import { fleetFile } from '../support/fleet.js';

const id = pg.escapeIdentifier;

describe('a fleet file written once with shared blocks', () => {
  it('plans and applies each tenant with the shared catalog link and its own schema of billing, then has nothing to do', async () => {
    const [catalog, billing] = [await createDatabase('catalog'), await createDatabase('billing')];
    const locals = await Promise.all(['t1', 't2', 't3'].map((label) => createDatabase(label)));
    await catalog.query('CREATE TABLE products (id integer, name text)');
    await catalog.query('CREATE TABLE prices (product_id integer, amount numeric)');
    await catalog.query('CREATE TABLE internal_notes (id integer)');
    const tenants = locals.map((local, i) => ({ alias: `tenant_00${i + 1}`, database: local }));
    for (const { alias } of tenants) {
      await billing.query(`CREATE SCHEMA ${id(alias)}`);
      await billing.query(`CREATE TABLE ${id(alias)}.invoices (id integer, total numeric)`);
      await billing.query(`INSERT INTO ${id(alias)}.invoices VALUES (1, ${alias.length})`);
    }
    // Each tenant's URL is composed from one password variable, as a fleet of one owner writes it.
    const admin = new URL(adminUrl());
    const file = fleetFile(
      tenants.map(({ alias, database }) => ({
        alias,
        url: `postgres://${admin.username}:\${OWNER_PASSWORD}@${admin.host}/${database.name}`,
      })),
    );
    const config = writeConfig(file);
    const env = { CATALOG_URL: catalog.url, BILLING_URL: billing.url, OWNER_PASSWORD: decodeURIComponent(admin.password) };
    const cli = (...args: string[]) => runCli([...args, '-c', config], env);

    const plan = await cli('plan');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Plan: 6 to create, 0 to update, 0 to destroy.');
    const applied = await cli('apply', '--auto-approve');
    expect(applied.code).toBe(0);
    for (const { alias, database } of tenants) {
      expect(
        await database.query(
          'SELECT foreign_table_schema AS s, foreign_table_name AS t FROM information_schema.foreign_tables ORDER BY 1, 2',
        ),
      ).toEqual([
        { s: 'billing', t: 'invoices' },
        { s: 'catalog', t: 'prices' },
        { s: 'catalog', t: 'products' },
      ]);
      // Each tenant reads its own schema of billing through the shared block.
      expect(await database.query('SELECT total::int AS total FROM billing.invoices')).toEqual([{ total: alias.length }]);
    }
    await expectNoChanges(cli);

    // The same change in every tenant is one section of the PR comment, headed by the count; the
    // tenants with none are one line.
    for (const { alias } of tenants.slice(0, 2)) await billing.query(`CREATE TABLE ${id(alias)}.refunds (id integer)`);
    const markdown = await cli('plan', '--markdown');
    expect(markdown.stdout).toContain('#### 2 databases, each: tenant\\_001, tenant\\_002');
    expect(markdown.stdout.match(/foreign table billing\.refunds/g)).toHaveLength(1);
    expect(markdown.stdout).toContain('#### Database tenant\\_003');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const none = await cli('plan', '--markdown');
    expect(none.stdout).toContain('#### No changes in 3 databases: tenant\\_001, tenant\\_002, tenant\\_003');

    // A tenant's remote.schema edited: explained as that, not as an import option.
    const moved = writeConfig(file.replace('schema: tenant_003 }', 'schema: tenant_002 }'));
    const text = await runCli(['plan', '-c', moved, '-d', 'tenant_003'], env);
    expect(text.stdout).toContain('-/+ foreign table billing.invoices (remote.schema changed from "tenant_003" to "tenant_002": replaced)');
    expect(text.stdout).not.toContain('import options changed');
    const json = JSON.parse((await runCli(['plan', '--json', '-c', moved, '-d', 'tenant_003'], env)).stdout);
    const ops = json.databases[0].changes[0].operations;
    expect(ops.find((op: { kind: string }) => op.kind === 'replace_foreign_table').reason).toStrictEqual({
      code: 'remote_schema_changed',
      options: [],
      schemas: { before: 'tenant_003', after: 'tenant_002' },
    });
  });
});

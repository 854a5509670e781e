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
  });
});

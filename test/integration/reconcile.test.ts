import { describe, expect, it } from 'vitest';
import { expectNoChanges, oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, type TestDatabase } from '../support/databases.js';

async function setup(configYaml = oneLinkConfig()) {
  const { local, remote } = await createLinkedPair();
  // One session for the remote's tables (each query of a TestDatabase is a new session).
  await remote.query(`
    CREATE TABLE invoices (id integer PRIMARY KEY, customer_id integer NOT NULL, total numeric(10,2), note text);
    CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);
    INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace');
    INSERT INTO invoices VALUES (10, 1, 99.50, 'first'), (11, 2, 12.00, NULL);`);
  const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
  const config = writeConfig(configYaml);
  const cli = (...args: string[]) => runCli([...args, '-c', config], env);
  return { local, remote, env, config, cli };
}

async function foreignTables(local: TestDatabase, schema = 'billing'): Promise<string[]> {
  const rows = await local.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'f' ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.relname);
}

describe('plan and apply', () => {
  it('creates a link whose remote tables can be queried and joined from the local database', async () => {
    const { local, cli } = await setup();
    const plan = await cli('plan', '--detailed-exitcode');
    expect(plan.stdout).toContain('+ link billing will be created');
    expect(plan.stdout).toContain('Plan: 1 to create, 0 to update, 0 to destroy.');
    expect(plan.code).toBe(2);

    const apply = await cli('apply', '--auto-approve');
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('Database main: applied');

    const rows = await local.query(
      'SELECT c.name, i.total FROM billing.invoices i JOIN billing.customers c ON c.id = i.customer_id ORDER BY i.id',
    );
    expect(rows).toEqual([
      { name: 'Ada', total: '99.50' },
      { name: 'Grace', total: '12.00' },
    ]);
    const [comment] = await local.query<{ comment: string }>(
      `SELECT obj_description(oid, 'pg_foreign_server') AS comment FROM pg_foreign_server WHERE srvname = 'billing'`,
    );
    expect(comment?.comment).toMatch(/^datalinks:\{"created_at":"[^"]+","remote":"BILLING_URL"\}$/);
    await expectNoChanges(cli);
  });

  it('imports a table created on the remote after the link was made', async () => {
    const { local, remote, cli } = await setup();
    await cli('apply', '--auto-approve');
    await remote.query(`CREATE TABLE payments (id integer, amount numeric)`);
    await remote.query(`INSERT INTO payments VALUES (1, 5)`);

    const plan = await cli('plan');
    expect(plan.stdout).toContain('~ link billing will be updated in place');
    expect(plan.stdout).toContain('+ foreign table billing.payments (2 columns)');
    expect(plan.stdout).toContain('Plan: 0 to create, 1 to update, 0 to destroy.');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(await local.query('SELECT amount FROM billing.payments')).toEqual([{ amount: '5' }]);
    await expectNoChanges(cli);
  });

  it('fixes columns added, dropped and retyped on the remote in place, keeping views over the unchanged ones', async () => {
    const { local, remote, cli } = await setup();
    await cli('apply', '--auto-approve');
    await local.query('CREATE VIEW public.invoice_customers AS SELECT id, customer_id FROM billing.invoices');
    const [before] = await local.query<{ oid: number }>(`SELECT 'billing.invoices'::regclass::oid::int AS oid`);
    await remote.query(
      `ALTER TABLE invoices ADD COLUMN currency text NOT NULL DEFAULT 'EUR', DROP COLUMN note, ALTER COLUMN total TYPE numeric(12,2)`,
    );

    const plan = await cli('plan');
    expect(plan.stdout).toContain('~ foreign table billing.invoices (remote columns changed: altered in place)');
    expect(plan.stdout).toContain('+ currency text NOT NULL');
    expect(plan.stdout).toContain('- note');
    expect(plan.stdout).toContain('~ total numeric(10,2) → numeric(12,2)');
    expect(plan.stdout).not.toContain('also drops');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const [after] = await local.query<{ oid: number }>(`SELECT 'billing.invoices'::regclass::oid::int AS oid`);
    expect(after?.oid).toBe(before?.oid);
    expect(await local.query('SELECT id, currency, total FROM billing.invoices ORDER BY id')).toEqual([
      { id: 10, currency: 'EUR', total: '99.50' },
      { id: 11, currency: 'EUR', total: '12.00' },
    ]);
    expect(await local.query('SELECT count(*)::int AS n FROM public.invoice_customers')).toEqual([{ n: 2 }]);
    await expectNoChanges(cli);
  });

  it('finds a local column renamed by hand behind its column_name option, and renames it back', async () => {
    const { local, cli } = await setup();
    await cli('apply', '--auto-approve');
    await local.query('ALTER FOREIGN TABLE billing.invoices RENAME COLUMN total TO amount');
    const plan = await cli('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(await local.query('SELECT total FROM billing.invoices ORDER BY id')).toEqual([{ total: '99.50' }, { total: '12.00' }]);
    await expectNoChanges(cli);
  });

  it('renames a column renamed on the remote, and replaces a table only when its columns were reordered', async () => {
    const { local, remote, cli } = await setup();
    await cli('apply', '--auto-approve');
    await local.query('CREATE VIEW public.customer_ids AS SELECT customer_id FROM billing.invoices');
    await remote.query('ALTER TABLE invoices RENAME COLUMN customer_id TO client_id');
    const plan = await cli('plan');
    expect(plan.stdout).toContain('~ customer_id renamed to client_id');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(await local.query('SELECT customer_id FROM public.customer_ids ORDER BY 1')).toEqual([{ customer_id: 1 }, { customer_id: 2 }]);
    await expectNoChanges(cli);

    await remote.query('DROP TABLE customers');
    await remote.query('CREATE TABLE customers (name text NOT NULL, id integer PRIMARY KEY)');
    const reordered = await cli('plan');
    expect(reordered.stdout).toContain('-/+ foreign table billing.customers (remote columns changed: replaced)');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await expectNoChanges(cli);
  });

  it('alters a foreign table in place when the remote only appended columns, keeping views over it', async () => {
    const { local, remote, cli } = await setup();
    await cli('apply', '--auto-approve');
    await local.query('CREATE VIEW public.invoice_totals AS SELECT sum(total) AS total FROM billing.invoices');
    const [before] = await local.query<{ oid: number }>(`SELECT 'billing.invoices'::regclass::oid::int AS oid`);
    await remote.query(`ALTER TABLE invoices ADD COLUMN currency text NOT NULL DEFAULT 'EUR', ADD COLUMN paid_at timestamptz`);

    const plan = await cli('plan');
    expect(plan.stdout).toContain('~ foreign table billing.invoices (remote columns added: altered in place)');
    expect(plan.stdout).toContain('+ currency text NOT NULL');
    expect(plan.stdout).toContain('+ paid_at timestamp with time zone');
    expect(plan.stdout).not.toContain('also drops');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);

    const [after] = await local.query<{ oid: number }>(`SELECT 'billing.invoices'::regclass::oid::int AS oid`);
    expect(after?.oid).toBe(before?.oid);
    expect(await local.query('SELECT total FROM public.invoice_totals')).toEqual([{ total: '111.50' }]);
    expect(await local.query('SELECT currency FROM billing.invoices ORDER BY id')).toEqual([{ currency: 'EUR' }, { currency: 'EUR' }]);
    await expectNoChanges(cli);
  });

  it('drops the foreign table of a table dropped on the remote', async () => {
    const { local, remote, cli } = await setup();
    await cli('apply', '--auto-approve');
    await remote.query('DROP TABLE customers');
    const plan = await cli('plan');
    expect(plan.stdout).toContain('- foreign table billing.customers (no longer on the remote)');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(await foreignTables(local)).toEqual(['invoices']);
    await expectNoChanges(cli);
  });

  it('follows the remote to a new host and port in place, keeping the foreign tables', async () => {
    const { local, remote, env, config } = await setup();
    await runCli(['apply', '--auto-approve', '-c', config], env);
    const [before] = await local.query<{ oid: number }>(`SELECT 'billing.invoices'::regclass::oid::int AS oid`);
    // A failover: the same database reached under another host name and through another port spelling.
    const moved = new URL(remote.url);
    moved.hostname = 'localhost';
    const movedEnv = { ...env, BILLING_URL: moved.toString() };
    await local.query(`ALTER SERVER billing OPTIONS (SET port '1')`);

    const plan = await runCli(['plan', '-c', config], movedEnv);
    expect(plan.stdout).toContain('~ server billing options');
    expect(plan.stdout).toContain('- host = 127.0.0.1');
    expect(plan.stdout).toContain('+ host = localhost');
    expect(plan.stdout).toContain('- port = 1');
    expect(plan.stdout).not.toContain('foreign table');
    expect((await runCli(['apply', '--auto-approve', '-c', config], movedEnv)).code).toBe(0);

    const [after] = await local.query<{ oid: number }>(`SELECT 'billing.invoices'::regclass::oid::int AS oid`);
    expect(after?.oid).toBe(before?.oid);
    expect(await local.query('SELECT count(*)::int AS n FROM billing.invoices')).toEqual([{ n: 2 }]);
    await expectNoChanges((...args) => runCli([...args, '-c', config], movedEnv));
  });

  it('restores links that were dropped by hand, as after a database reset', async () => {
    const { local, cli } = await setup();
    await cli('apply', '--auto-approve');
    await local.query('DROP SCHEMA billing CASCADE');
    await local.query('DROP SERVER billing CASCADE');
    const plan = await cli('plan');
    expect(plan.stdout).toContain('+ link billing will be created');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(await foreignTables(local)).toEqual(['customers', 'invoices']);
    await expectNoChanges(cli);
  });

  it('follows edits of the tables and exclude filters', async () => {
    const { local, remote, env } = await setup(oneLinkConfig('        tables: [invoices]\n'));
    await remote.query('CREATE TABLE audit_log (id integer)');
    const only = writeConfig(oneLinkConfig('        tables: [invoices]\n'));
    expect((await runCli(['apply', '--auto-approve', '-c', only], env)).code).toBe(0);
    expect(await foreignTables(local)).toEqual(['invoices']);

    const allBut = writeConfig(oneLinkConfig('        exclude: [audit_log]\n'));
    const plan = await runCli(['plan', '-c', allBut], env);
    expect(plan.stdout).toContain('+ foreign table billing.customers');
    expect(plan.stdout).not.toContain('audit_log');
    expect((await runCli(['apply', '--auto-approve', '-c', allBut], env)).code).toBe(0);
    expect(await foreignTables(local)).toEqual(['customers', 'invoices']);

    const narrowed = writeConfig(oneLinkConfig('        tables: [customers]\n'));
    const narrowedPlan = await runCli(['plan', '-c', narrowed], env);
    expect(narrowedPlan.stdout).toContain('- foreign table billing.invoices (excluded by the table filter)');
    expect((await runCli(['apply', '--auto-approve', '-c', narrowed], env)).code).toBe(0);
    expect(await foreignTables(local)).toEqual(['customers']);
    await expectNoChanges((...args) => runCli([...args, '-c', narrowed], env));
  });

  it('links two schemas of one remote as two links, and a partition only when named', async () => {
    const { local, remote, env } = await setup();
    await remote.query(`CREATE SCHEMA finance; CREATE TABLE finance.ledger (at date NOT NULL, amount numeric) PARTITION BY RANGE (at);
                        CREATE TABLE finance.ledger_2026 PARTITION OF finance.ledger FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
                        INSERT INTO finance.ledger VALUES ('2026-03-01', 10)`);
    const config = writeConfig(`${oneLinkConfig()}      finance:
        remote:
          url: \${BILLING_URL}
          schema: finance
      finance_2026:
        remote:
          url: \${BILLING_URL}
          schema: finance
        tables: [ledger_2026]
`);
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    expect(await foreignTables(local, 'finance')).toEqual(['ledger']);
    expect(await foreignTables(local, 'finance_2026')).toEqual(['ledger_2026']);
    expect(await local.query('SELECT amount FROM finance.ledger')).toEqual([{ amount: '10' }]);
    expect(await local.query('SELECT amount FROM finance_2026.ledger_2026')).toEqual([{ amount: '10' }]);
    await expectNoChanges((...args) => runCli([...args, '-c', config], env));
  });

  it('destroys a link removed from the file', async () => {
    const { local, env, config } = await setup();
    await runCli(['apply', '--auto-approve', '-c', config], env);
    const empty = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n');
    const plan = await runCli(['plan', '-c', empty], env);
    expect(plan.stdout).toContain('- link billing will be destroyed');
    expect(plan.stdout).toContain('Plan: 0 to create, 0 to update, 1 to destroy.');
    expect((await runCli(['apply', '--auto-approve', '-c', empty], env)).code).toBe(0);
    expect(await local.query(`SELECT srvname FROM pg_foreign_server`)).toEqual([]);
    expect(await local.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'billing'`)).toEqual([]);
    await expectNoChanges((...args) => runCli([...args, '-c', empty], env));
  });

  it('refuses to destroy a link that a view depends on unless --allow-dependent-drops', async () => {
    const { local, env, config } = await setup();
    await runCli(['apply', '--auto-approve', '-c', config], env);
    await local.query('CREATE VIEW public.invoice_totals AS SELECT sum(total) AS total FROM billing.invoices');
    const empty = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n');

    const plan = await runCli(['plan', '-c', empty], env);
    expect(plan.stdout).toContain('! also drops view public.invoice_totals (depends on billing.invoices)');
    expect(plan.stdout).toContain('--allow-dependent-drops');
    const refused = await runCli(['apply', '--auto-approve', '-c', empty], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('refused: not applied: it would drop 1 object outside the links (view public.invoice_totals)');
    expect(await local.query(`SELECT count(*)::int AS n FROM public.invoice_totals`)).toEqual([{ n: 1 }]);

    const allowed = await runCli(['apply', '--auto-approve', '--allow-dependent-drops', '-c', empty], env);
    expect(allowed.code).toBe(0);
    expect(await local.query(`SELECT viewname FROM pg_views WHERE viewname = 'invoice_totals'`)).toEqual([]);
    await expectNoChanges((...args) => runCli([...args, '-c', empty], env));
  });

  it('leaves an unmanaged server or schema of the same name untouched and says so', async () => {
    const { local, cli } = await setup();
    await local.query('CREATE EXTENSION postgres_fdw');
    await local.query(`CREATE SERVER billing FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'elsewhere')`);
    const plan = await cli('plan');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('link billing: a foreign server "billing" already exists and was not made by datalinks');
    expect(plan.stdout).toContain('--adopt');
    const apply = await cli('apply', '--auto-approve');
    expect(apply.code).toBe(1);
    expect(await local.query(`SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'billing'`)).toEqual([
      { srvoptions: ['host=elsewhere'] },
    ]);

    await local.query('DROP SERVER billing');
    await local.query('CREATE SCHEMA billing');
    await local.query('CREATE TABLE billing.mine (id integer)');
    const schemaPlan = await cli('plan');
    expect(schemaPlan.code).toBe(1);
    expect(schemaPlan.stdout).toContain('a schema "billing" already exists and does not belong to a datalinks link');
    expect(await local.query('SELECT count(*)::int AS n FROM billing.mine')).toEqual([{ n: 0 }]);
  });
});

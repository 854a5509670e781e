import { describe, expect, it } from 'vitest';
import { expectNoChanges, oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair } from '../support/databases.js';

/** A link to a remote whose columns use its own types; the local database has copies of them, as a link needs. */
async function setup(typesSql: string, tableSql: string) {
  const { local, remote } = await createLinkedPair();
  await remote.query(typesSql);
  await local.query(typesSql);
  await remote.query(tableSql);
  const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
  const config = writeConfig(oneLinkConfig());
  const cli = (...args: string[]) => runCli([...args, '-c', config], env);
  const applied = await cli('apply', '--auto-approve');
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  return { local, remote, cli };
}

describe('local copies of remote types', () => {
  it('a remote enum label missing here is a plan error with the ALTER TYPE to run, and check calls the link drifted in the same words', async () => {
    const { local, remote, cli } = await setup(
      "CREATE TYPE mood AS ENUM ('ok', 'sad')",
      "CREATE TABLE orders (id integer, state mood, history mood[]); INSERT INTO orders VALUES (1, 'ok', '{sad}')",
    );
    await remote.query("ALTER TYPE mood ADD VALUE 'refunded'");
    await remote.query("INSERT INTO orders VALUES (2, 'refunded', '{ok,refunded}')");
    // What a user sees today without the check: every read through the link fails.
    await expect(local.query('SELECT * FROM billing.orders')).rejects.toThrow(/invalid input value for enum (public\.)?mood: "refunded"/);

    const message =
      "the local enum type public.mood, which the link's foreign tables use for the remote's public.mood, lacks the remote's label 'refunded': reading a row that holds it through the link fails with \"invalid input value for enum\"";
    const hint = "add it here, in the remote's order: ALTER TYPE public.mood ADD VALUE 'refunded' AFTER 'sad';";
    const plan = await cli('plan');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(`✗ link billing: ${message}`);
    expect(plan.stdout).toContain(`hint: ${hint}`);
    const json = JSON.parse((await cli('plan', '--json')).stdout);
    expect(json.databases[0].errors).toStrictEqual([
      {
        code: 'enum_labels_missing',
        link: 'billing',
        schema: 'public',
        type: 'mood',
        labels: [{ label: 'refunded', after: 'sad', before: null }],
        message,
        hint,
      },
    ]);

    const check = await cli('check', '--detailed-exitcode');
    expect(check.stdout).toContain('~ billing: drift:');
    expect(check.stdout).toContain(`~ ${message}`);
    expect(check.stdout).toContain(`hint: ${hint}`);
    expect(check.stdout).toContain('1 drifted');
    expect(check.code).toBe(2);
    const checkJson = JSON.parse((await cli('check', '--json')).stdout);
    expect(checkJson.databases[0].links[0]).toMatchObject({
      state: 'drift',
      drift: null,
      drift_unknown: null,
      type_drift: [{ code: 'enum_labels_missing', message, hint }],
    });

    // Following the hint: the link reads every row, and plan and check find nothing.
    await local.query("ALTER TYPE public.mood ADD VALUE 'refunded' AFTER 'sad'");
    expect(await local.query('SELECT id, state::text, history::text FROM billing.orders ORDER BY id')).toEqual([
      { id: 1, state: 'ok', history: '{sad}' },
      { id: 2, state: 'refunded', history: '{ok,refunded}' },
    ]);
    await expectNoChanges(cli);
    const healthy = await cli('check', '--detailed-exitcode');
    expect(healthy.stdout).toContain('✓ billing: ok');
    expect(healthy.code).toBe(0);
  });

  it("a domain's CHECK or a composite's attributes that differ are a note in plan, and drift in check, in the same words", async () => {
    const { local, remote, cli } = await setup(
      'CREATE DOMAIN posint AS integer CHECK (VALUE > 0); CREATE TYPE pair AS (a integer)',
      'CREATE TABLE points (id posint, p pair)',
    );
    await remote.query('ALTER DOMAIN posint DROP CONSTRAINT posint_check; ALTER DOMAIN posint ADD CHECK (VALUE > 10)');
    await remote.query('ALTER TYPE pair ADD ATTRIBUTE b text');
    const plan = await cli('plan', '--detailed-exitcode');
    const domain =
      `link "billing": the local type public.posint, which its foreign tables use for the remote's public.posint, differs from it: ` +
      'its CHECK constraints are CHECK ((VALUE > 0)) here and CHECK ((VALUE > 10)) on the remote. Reads still work; change one side if values should mean the same on both';
    const composite =
      `link "billing": the local type public.pair, which its foreign tables use for the remote's public.pair, differs from it: ` +
      'its attributes are (a integer) here and (a integer, b text) on the remote. Reads still work; change one side if values should mean the same on both';
    expect(plan.stdout).toContain(`note: ${domain}`);
    expect(plan.stdout).toContain(`note: ${composite}`);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);

    const check = await cli('check');
    expect(check.stdout).toContain('~ billing: drift:');
    expect(check.stdout).toContain(`~ ${domain}`);
    expect(check.stdout).toContain(`~ ${composite}`);
    expect(check.code).toBe(0);

    await local.query('ALTER DOMAIN posint DROP CONSTRAINT posint_check; ALTER DOMAIN posint ADD CHECK (VALUE > 10)');
    await local.query('ALTER TYPE pair ADD ATTRIBUTE b text');
    const after = await cli('plan');
    expect(after.stdout).not.toContain('note:');
    expect((await cli('check')).stdout).toContain('✓ billing: ok');
  });
});

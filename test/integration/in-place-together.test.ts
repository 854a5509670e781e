import { describe, expect, it } from 'vitest';
import { expectNoChanges, oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair } from '../support/databases.js';

const config = (importDefault: boolean) => oneLinkConfig(`        import_options: { import_default: ${importDefault} }\n`);

describe('changes that can each be made in place, together', () => {
  it('a rename, a retype and an import_default flip between two plans alter the table and keep a view over an untouched column', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE orders (c1 integer DEFAULT 1, c2 integer DEFAULT 2, c3 integer DEFAULT 3)');
    await remote.query('INSERT INTO orders DEFAULT VALUES');
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const path = writeConfig(config(false));
    const cli = (...args: string[]) => runCli([...args, '-c', path], env);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await local.query('CREATE VIEW public.firsts AS SELECT c1 FROM billing.orders');

    await remote.query('ALTER TABLE orders RENAME COLUMN c2 TO c2_renamed');
    await remote.query('ALTER TABLE orders ALTER COLUMN c3 TYPE bigint');
    const flipped = writeConfig(config(true));
    const plan = await runCli(['plan', '-c', flipped], env);
    expect(plan.stdout).toContain('~ foreign table billing.orders (remote columns changed: altered in place)');
    expect(plan.stdout).toContain('~ c2 renamed to c2_renamed');
    expect(plan.stdout).toContain('~ c3 integer → bigint DEFAULT 3');
    expect(plan.stdout).not.toContain('also drops');
    const apply = await runCli(['apply', '--auto-approve', '-c', flipped], env);
    expect(apply.code).toBe(0);
    expect(await local.query('SELECT c1 FROM public.firsts')).toEqual([{ c1: 1 }]);
    expect(await local.query('SELECT c2_renamed, c3 FROM billing.orders')).toEqual([{ c2_renamed: 2, c3: '3' }]);
    await expectNoChanges((...args) => runCli([...args, '-c', flipped], env));
  });
});

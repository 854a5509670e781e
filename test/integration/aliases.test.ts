import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair } from '../support/databases.js';

/** The same database under another spelling of its host, which validate cannot call the same. */
function otherSpelling(url: string): string {
  const other = new URL(url);
  other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return other.toString();
}

const MAIN_ONLY = `version: 1
databases:
  main:
    url: \${MAIN_URL}
    links:
      billing:
        remote:
          url: \${BILLING_URL}
`;
/** main as before, and `other`, a shard's alias with no links: planned alone, it would destroy billing. */
const WITH_OTHER = `${MAIN_ONLY}  other:
    url: \${OTHER_URL}
    links: {}
`;

const billingExists = async (local: { query: (sql: string) => Promise<unknown[]> }) =>
  (await local.query(`SELECT 1 FROM pg_catalog.pg_foreign_server WHERE srvname = 'billing'`)).length === 1;

describe('aliases of one database behind -d', () => {
  it('a shard (-d other) of the database main links never destroys what main declares: plan, apply, a saved plan', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer)');
    const env = { MAIN_URL: local.url, BILLING_URL: remote.url, OTHER_URL: otherSpelling(local.url) };
    expect((await runCli(['apply', '--auto-approve', '-c', writeConfig(MAIN_ONLY)], env)).code).toBe(0);
    expect(await billingExists(local)).toBe(true);

    const config = writeConfig(WITH_OTHER);
    const plan = await runCli(['plan', '-d', 'other', '-c', config], env);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('databases "other" and "main" in the file are the same database');
    expect(plan.stdout).not.toContain('will be destroyed');

    const apply = await runCli(['apply', '-d', 'other', '--auto-approve', '-c', config], env);
    expect(apply.code).toBe(1);
    expect(apply.stdout).toContain('databases "other" and "main" in the file are the same database');
    expect(await billingExists(local)).toBe(true);

    const saved = join(dirname(config), 'other.plan.json');
    expect((await runCli(['plan', '-d', 'other', '--out', saved, '-c', config], env)).code).toBe(1);
    expect((await runCli(['apply', saved, '-d', 'other', '-c', config], env)).code).toBe(1);
    expect(await billingExists(local)).toBe(true);

    // A plan made while main could not be reached says so, and is refused once main answers: still the same database.
    const unreachable = { ...env, MAIN_URL: 'postgres://nobody:pw@127.0.0.1:1/nowhere' };
    const blind = join(dirname(config), 'blind.plan.json');
    const planned = await runCli(['plan', '-d', 'other', '--out', blind, '-c', config], unreachable);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('note: database "main" of the file could not be reached to check that it is not this same database');
    expect(planned.stdout).toContain('- link billing will be destroyed');
    const late = await runCli(['apply', blind, '-d', 'other', '-c', config], env);
    expect(late.code).toBe(1);
    expect(late.stdout).toContain('databases "other" and "main" in the file are the same database');
    expect(await billingExists(local)).toBe(true);

    // Without -d, as before: both refused.
    const both = await runCli(['plan', '-c', config], env);
    expect(both.code).toBe(1);
    expect(both.stdout).toContain('databases "main" and "other" in the file are the same database');
  });

  it('plans and applies a selected database when another alias of the file cannot be reached, with a note naming it', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer)');
    const config = writeConfig(WITH_OTHER);
    const env = { MAIN_URL: local.url, BILLING_URL: remote.url, OTHER_URL: 'postgres://nobody:pw@127.0.0.1:1/nowhere' };
    const apply = await runCli(['apply', '-d', 'main', '--auto-approve', '-c', config], env);
    expect(apply.stdout).toContain('note: database "other" of the file could not be reached to check that it is not this same database');
    expect(apply.stdout).toContain('127.0.0.1:1/nowhere');
    expect(apply.code).toBe(0);
    expect(await billingExists(local)).toBe(true);
    expect(apply.stdout + apply.stderr).not.toContain(':pw@');
  });
});

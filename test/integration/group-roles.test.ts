import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { adminQuery, createGroupRole, createLinkedPair, createRole, urlFor, withClient } from '../support/databases.js';

describe('grant_to a group role', () => {
  it('plan notes a role that cannot log in; its members read through the link after SET ROLE, or when listed themselves', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer); INSERT INTO invoices VALUES (1)');
    const member = await createRole('member');
    const group = `${member.name}_group`;
    await createGroupRole(group);
    await adminQuery(`GRANT ${pg.escapeIdentifier(group)} TO ${pg.escapeIdentifier(member.name)}`);
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const config = writeConfig(oneLinkConfig(`        grant_to: [${group}]\n`));
    const plan = await runCli(['plan', '-c', config], env);
    expect(plan.stdout).toContain(
      `note: link "billing": role "${group}" in grant_to cannot log in (NOLOGIN, a group role): postgres_fdw looks up the user mapping of the role that runs a query, so its members get "user mapping not found" unless they first run SET ROLE ${group}; or list in grant_to the member roles that log in`,
    );
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);

    // What the note says, as a member finds it.
    await withClient(urlFor(local.name, member), async (client) => {
      await expect(client.query('SELECT id FROM billing.invoices')).rejects.toThrow(/user mapping not found/);
      await client.query(`SET ROLE ${pg.escapeIdentifier(group)}`);
      expect((await client.query('SELECT id FROM billing.invoices')).rows).toEqual([{ id: 1 }]);
    });
    // The other way out: the member role listed itself.
    const both = writeConfig(oneLinkConfig(`        grant_to: [${group}, ${member.name}]\n`));
    const again = await runCli(['apply', '--auto-approve', '-c', both], env);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('cannot log in');
    await withClient(urlFor(local.name, member), async (client) => {
      expect((await client.query('SELECT id FROM billing.invoices')).rows).toEqual([{ id: 1 }]);
    });
  });
});

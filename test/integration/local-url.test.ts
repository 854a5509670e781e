import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { adminQuery, adminUrl, createLinkedPair } from '../support/databases.js';

describe('the local url is a client connection: it takes libpq parameters a foreign server cannot', () => {
  it('connects through a Unix socket directory given as ?host=, with sslmode and application_name', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer)');
    const [setting] = await adminQuery<{ dirs: string }>("SELECT current_setting('unix_socket_directories') AS dirs");
    const server = new URL(adminUrl());
    const socketDir = (setting?.dirs ?? '').split(',')[0]?.trim() ?? '';
    // The test server must be on this machine for its socket to be here.
    expect(existsSync(join(socketDir, `.s.PGSQL.${server.port}`))).toBe(true);
    const localUrl = `postgres://${server.username}:${server.password}@/${local.name}?host=${encodeURIComponent(socketDir)}&port=${server.port}&sslmode=disable&application_name=datalinks-ci&connect_timeout=5`;
    const env = { LOCAL_URL: localUrl, BILLING_URL: remote.url };
    const config = writeConfig(oneLinkConfig());

    const validate = await runCli(['validate', '-c', config], env);
    expect(validate.stdout).toContain('is valid');
    const apply = await runCli(['apply', '--auto-approve', '-c', config], env);
    expect(apply.stdout).toContain('Database main: applied');
    expect(apply.code).toBe(0);
    expect(await local.query('SELECT count(*)::int AS n FROM billing.invoices')).toEqual([{ n: 0 }]);
    const list = await runCli(['list', '-c', config], env);
    expect(list.stdout).toContain(`=== main (${socketDir}:${server.port}/${local.name})`);
  });

  it('refuses client parameters on a remote url, where they would become foreign server options', async () => {
    const result = await runCli(['validate', '-c', writeConfig(oneLinkConfig())], {
      LOCAL_URL: 'postgres://app@/app?host=/var/run/postgresql&sslcert=/etc/ssl/client.pem&sslkey=/etc/ssl/client.key&sslpassword=k3y-pass',
      BILLING_URL: 'postgres://ro@billing.internal/billing?sslkey=/etc/ssl/client.key',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('databases.main.url');
    expect(result.stderr).toContain('BILLING_URL (used as databases.main.links.billing.remote.url) has the parameter "sslkey"');
    expect(result.stderr).not.toContain('k3y-pass');
  });
});

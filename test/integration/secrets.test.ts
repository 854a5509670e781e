import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../support/cli.js';
import { adminQuery, createLinkedPair, createRole, urlFor } from '../support/databases.js';

const PASSWORD = `o'brien\\pa%ss@wo:rd/$x?#`;

describe('secrets', () => {
  it('never show a password on any channel: plan, --json, --sql, --out, apply, list, export, errors', async () => {
    const { local, remote } = await createLinkedPair();
    const { name: role } = await createRole('secret', PASSWORD);
    await remote.query(`CREATE TABLE invoices (id integer); GRANT SELECT ON invoices TO ${role}`);
    const remoteUrl = urlFor(remote.name, { name: role, password: PASSWORD });
    const env = { LOCAL_URL: local.url, BILLING_URL: remoteUrl };
    const config = writeConfig(
      'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      billing:\n        remote:\n          url: ${BILLING_URL}\n',
    );
    const cli = (...args: string[]) => runCli([...args, '-c', config], env);
    const channels: string[] = [];
    const collect = (result: { stdout: string; stderr: string }) => channels.push(result.stdout, result.stderr);

    collect(await cli('plan'));
    collect(await cli('plan', '--json'));
    collect(await cli('plan', '--sql', '--out', `${config}.plan`));
    channels.push(readFileSync(`${config}.plan`, 'utf8'));
    const apply = await cli('apply', '--auto-approve');
    expect(apply.code).toBe(0);
    collect(apply);
    expect(await local.query('SELECT count(*)::int AS n FROM billing.invoices')).toEqual([{ n: 0 }]);
    collect(await cli('list'));
    collect(await cli('list', '--json'));
    collect(await cli('export'));
    // The password rotates on the remote but not in the environment: connection errors.
    await adminQuery(`ALTER ROLE ${role} PASSWORD 'rotated-elsewhere'`);
    const failing = await cli('plan');
    expect(failing.stdout).toContain('password authentication failed');
    collect(failing);
    // A statement that fails while the password is in it (the remote user is removed locally).
    await adminQuery(`ALTER ROLE ${role} PASSWORD ${pg.escapeLiteral(PASSWORD)}`);
    collect(await runCli(['plan', '-c', config], { ...env, BILLING_URL: remoteUrl.replace(encodeURIComponent(PASSWORD), 'x%27y') }));
    collect(
      await runCli(['validate', '-c', writeConfig(`version: 1\ndatabases:\n  main:\n    url: \${BAD_URL}\n`)], {
        BAD_URL: `mysql://${role}:${encodeURIComponent(PASSWORD)}@h/d`,
      }),
    );

    const everything = channels.join('\n');
    expect(everything.length).toBeGreaterThan(2000);
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD), PASSWORD.replaceAll("'", "''"), 'pa%ss@wo']) {
      expect(everything).not.toContain(form);
    }
  });
});

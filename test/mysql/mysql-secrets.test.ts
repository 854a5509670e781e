import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../support/cli.js';
import { createLocalDatabase, createMysqlDatabase, mysqlAdmin, mysqlMissing } from '../support/mysql.js';

const PASSWORD = `o'brien\\pa%ss@wo:rd/$x?#"ü`;

describe.skipIf(mysqlMissing() !== '')('secrets of MySQL remotes', () => {
  it('never show a MySQL password on any channel: plan, --json, --sql, --out, apply, list, export, check, errors', async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('secret', PASSWORD), createLocalDatabase()]);
    await remote.query('CREATE TABLE invoices (id int PRIMARY KEY)');
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
    const config = writeConfig(
      'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      shop:\n        remote:\n          url: ${SHOP_URL}\n',
    );
    const cli = (...args: string[]) => runCli([...args, '-c', config], env);
    const channels: string[] = [];
    const collect = (result: { stdout: string; stderr: string }) => channels.push(result.stdout, result.stderr);

    collect(await cli('validate'));
    collect(await cli('plan'));
    collect(await cli('plan', '--json'));
    collect(await cli('plan', '--sql', '--out', `${config}.plan`));
    channels.push(readFileSync(`${config}.plan`, 'utf8'));
    const apply = await cli('apply', '--auto-approve');
    expect(apply.code).toBe(0);
    collect(apply);
    expect(await local.query('SELECT count(*)::int AS n FROM shop.invoices')).toStrictEqual([{ n: 0 }]);
    collect(await cli('list'));
    collect(await cli('list', '--json'));
    collect(await cli('export'));
    collect(await cli('check'));
    // The password rotates on the remote but not in the environment: plan and check fail, naming the user.
    await mysqlAdmin("ALTER USER ?@'%' IDENTIFIED BY 'rotated-elsewhere'", [remote.user]);
    const failing = await cli('plan');
    expect(failing.stdout).toContain(`MySQL refused user "${remote.user}"`);
    collect(failing);
    const check = await cli('check');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('Access denied');
    collect(check);
    const checkJson = await cli('check', '--json');
    expect(JSON.parse(checkJson.stdout).databases[0].links[0]).toMatchObject({
      state: 'auth_failed',
      remote: { host: '127.0.0.1', dbname: remote.name, user: remote.user },
    });
    collect(checkJson);

    const everything = channels.join('\n');
    expect(everything.length).toBeGreaterThan(2000);
    for (const form of [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      PASSWORD.replaceAll("'", "''"),
      'pa%ss@wo',
      JSON.stringify(PASSWORD).slice(1, -1),
    ]) {
      expect(everything).not.toContain(form);
    }
  });
});

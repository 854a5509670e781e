import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { adminQuery, adminUrl, createLinkedPair, createRole } from '../support/databases.js';

/** Characters that each break a different escaping: SQL, URL, JSON, shell, key=value strings. */
const SHAPES = {
  quote: "o'brien",
  backslash: 'back\\slash',
  percent: 'per%25cent%',
  at: 'at@sign',
  colon: 'co:lon',
  slash: 'sl/ash?x#y',
  unicode: 'ünïcødé-密码',
  spaces: 'two  spaces ',
  everything: `'"\\%@:/ ü&=+;`,
};

/**
 * A password with a random head and tail around the shape: neither may appear anywhere, so even a
 * password cut short in a message (which a CI log masker matching the whole would miss) is caught.
 */
function passwordWith(shape: string) {
  const head = randomBytes(5).toString('hex');
  const tail = randomBytes(5).toString('hex');
  return { password: `${head}${shape}${tail}`, markers: [head, tail] };
}

function leaks(text: string, password: string, markers: string[]): string[] {
  const forms = [password, encodeURIComponent(password), password.replaceAll("'", "''"), JSON.stringify(password).slice(1, -1), ...markers];
  return forms.filter((form) => text.includes(form));
}

describe('no password on any channel, whatever form the URL takes', () => {
  it.each(Object.entries(SHAPES))('a password with %s', async (_, shape) => {
    const { password, markers } = passwordWith(shape);
    const { local, remote } = await createLinkedPair();
    const role = await createRole('leak', password);
    await remote.query(`CREATE TABLE invoices (id integer); GRANT SELECT ON invoices TO ${pg.escapeIdentifier(role.name)}`);
    const server = new URL(adminUrl());
    const where = `${server.hostname}:${server.port}/${remote.name}`;
    const encoded = encodeURIComponent(password);
    const config = writeConfig(oneLinkConfig());
    const channels: string[] = [];
    // The local url in libpq's other spelling too: the password as ?password=.
    const localPassword = decodeURIComponent(server.password);
    const localUrl = new URL(local.url);
    localUrl.password = '';
    localUrl.searchParams.set('password', localPassword);
    const run = async (args: string[], billingUrl: string) => {
      const LOCAL_URL = billingUrl.includes('?password=') ? localUrl.toString() : local.url;
      const result = await runCli([...args, '-c', config], { LOCAL_URL, BILLING_URL: billingUrl });
      channels.push(result.stdout, result.stderr);
      return result;
    };
    const everyChannel = async (billingUrl: string) => {
      await run(['validate'], billingUrl);
      await run(['plan'], billingUrl);
      await run(['plan', '--json'], billingUrl);
      await run(['plan', '--sql', '--out', `${config}.plan`], billingUrl);
      channels.push(readFileSync(`${config}.plan`, 'utf8'));
    };

    // Accepted forms, before anything is applied, so that --sql shows a user mapping.
    const accepted = {
      userinfo: `postgres://${role.name}:${encoded}@${where}`,
      queryPassword: `postgres://${role.name}@${where}?password=${encoded}`,
      both: `postgres://${role.name}:${encoded}@${where}?password=${encoded}&sslmode=disable`,
    };
    for (const url of Object.values(accepted)) {
      await everyChannel(url);
      expect(channels.at(-3)).toContain('+ link billing will be created');
    }
    const applied = await run(['apply', '--auto-approve'], accepted.queryPassword);
    expect(applied.code).toBe(0);
    expect(await local.query('SELECT count(*)::int AS n FROM billing.invoices')).toEqual([{ n: 0 }]);
    await run(['list'], accepted.queryPassword);
    await run(['list', '--json'], accepted.queryPassword);
    await run(['export'], accepted.queryPassword);

    // Refused forms: each says what is wrong, and nothing of the value. (A password written into a
    // URL without encoding may happen to parse, as another password: then it fails to authenticate.)
    const refused = {
      'a key=value string': `host=${server.hostname} port=${server.port} user=${role.name} password='${password.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}' dbname=${remote.name}`,
      'a JDBC URL': `jdbc:postgresql://${where}?user=${role.name}&password=${encoded}`,
      'a malformed %': `postgres://${role.name}:${password}%zz@${where}`,
      '?sslpassword=': `postgres://${role.name}:${encoded}@${where}?sslpassword=${encoded}`,
      'an unencoded password': `postgres://${role.name}:${password}@${where}`,
    };
    for (const [form, url] of Object.entries(refused)) {
      const validate = await run(['validate'], url);
      if (form !== 'an unencoded password') {
        expect(validate.stderr).toContain('BILLING_URL (used as databases.main.links.billing.remote.url)');
        expect(validate.code).toBe(1);
      }
      await run(['plan'], url);
      await run(['plan', '--json'], url);
      await run(['apply', '--auto-approve'], url);
      await run(['list'], url);
      await run(['export'], url);
    }

    // The password rotates on the server but not in the environment: authentication errors.
    await adminQuery(`ALTER ROLE ${pg.escapeIdentifier(role.name)} PASSWORD 'rotated-elsewhere'`);
    const failing = await run(['plan'], accepted.userinfo);
    expect(failing.stdout).toContain('password authentication failed');

    const everything = channels.join('\n');
    expect(everything.length).toBeGreaterThan(5000);
    expect(leaks(everything, password, markers)).toEqual([]);
    expect(leaks(everything, localPassword, [])).toEqual([]);
  });
});

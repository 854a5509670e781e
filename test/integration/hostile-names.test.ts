import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair } from '../support/databases.js';

const NAMES = [
  `it's`,
  `say "hi"`,
  'semi;colon; DROP TABLE x; --',
  'select',
  'with space',
  'ünïcødé 表',
  'x'.repeat(63),
  'back\\slash',
  '$1 %s',
];

describe('hostile names and values', () => {
  it('links remote tables and columns whatever their names, and they are queryable', async () => {
    const { local, remote } = await createLinkedPair();
    const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
    for (const name of NAMES) {
      await remote.query(`CREATE TABLE ${ident(name)} (${NAMES.map((column) => `${ident(column)} text`).join(', ')})`);
      await remote.query(`INSERT INTO ${ident(name)} (${ident(NAMES[0]!)}) VALUES ('ok')`);
    }
    // URL parameters and server options with quotes, backslashes and $ round-trip into the catalog.
    const appName = `o'brien \\ $app`;
    const env = { LOCAL_URL: local.url, REMOTE_URL: `${remote.url}?application_name=${encodeURIComponent(appName)}` };
    const config = writeConfig(
      'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links:\n      odd:\n        remote:\n          url: ${REMOTE_URL}\n        server_options: { extensions: [plpgsql] }\n',
    );
    const apply = await runCli(['apply', '--auto-approve', '-c', config], env);
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    for (const name of NAMES) {
      expect(await local.query(`SELECT ${ident(NAMES[0]!)} AS v, ${ident(NAMES[6]!)} AS w FROM odd.${ident(name)}`)).toEqual([
        { v: 'ok', w: null },
      ]);
    }
    const [server] = await local.query<{ srvoptions: string[] }>(`SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'odd'`);
    expect(server?.srvoptions).toContain(`application_name=${appName}`);
    expect(server?.srvoptions).toContain('extensions=plpgsql');
    expect((await runCli(['plan', '--detailed-exitcode', '-c', config], env)).code).toBe(0);
  });
});

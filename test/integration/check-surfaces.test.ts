import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/embedded-server.js';
import { runCli } from '../support/cli.js';
import { createLinkedPair, createRole, urlFor } from '../support/databases.js';
import { missingMetricsTools, parseOpenMetrics, promtoolCheck, scrapeTextfileCollector } from '../support/metrics-tools.js';
import { workflowCommandsIn } from '../support/workflow-commands.js';

const id = pg.escapeIdentifier;

/** Remote table names that try a workflow command in either syntax, or break a label or a table cell. */
const HOSTILE_TABLE = '##[error]forged|`x`';
const HOSTILE_UNREADABLE = '::error::unreadable';

/**
 * A checkout as GitHub Actions lays it out, and a database with four links that check finds in four
 * states: billing ok, ledger unreadable (a table its remote role may not read), crew drifted (a remote
 * table added since apply), gone unreachable (its server moved to a closed port by hand). The local
 * database's alias holds a quote, a backslash, a line break and a workflow command; the remote role's
 * password holds what URL encoding and the formats escape.
 */
async function fourLinks(alias = 'main') {
  const { local, remote } = await createLinkedPair();
  const role = await createRole('surfaces', 'p%w|a,s:s"ord\\');
  for (const table of ['invoices', HOSTILE_TABLE, HOSTILE_UNREADABLE]) {
    await remote.query(`CREATE TABLE ${id(table)} (id integer)`);
    if (table !== HOSTILE_UNREADABLE) await remote.query(`GRANT SELECT ON ${id(table)} TO ${id(role.name)}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'datalinks-surfaces-'));
  const summary = join(dir, 'step-summary.md');
  writeFileSync(summary, '');
  const links = ['billing', 'ledger', 'crew', 'gone'];
  const config = `version: 1\ndatabases:\n  ${JSON.stringify(alias)}:\n    url: \${LOCAL_URL}\n    links:\n${links
    .map(
      (link) =>
        `      ${link}:\n        remote:\n          url: \${REMOTE_URL}\n        tables: ${link === 'ledger' ? JSON.stringify([HOSTILE_TABLE, HOSTILE_UNREADABLE]) : '[invoices]'}\n`,
    )
    .join('')}`;
  writeFileSync(join(dir, 'datalinks.yaml'), config);
  const env = { LOCAL_URL: local.url, REMOTE_URL: urlFor(remote.name, role) };
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli([...args, '-c', join(dir, 'datalinks.yaml')], { ...env, ...extra });
  // Applied while ledger's tables are still readable, so that their foreign tables exist.
  await remote.query(`GRANT SELECT ON ${id(HOSTILE_UNREADABLE)} TO ${id(role.name)}`);
  const applied = await cli(['apply', '--auto-approve']);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  for (const table of [HOSTILE_TABLE, HOSTILE_UNREADABLE]) await remote.query(`REVOKE SELECT ON ${id(table)} FROM ${id(role.name)}`);
  await remote.query('CREATE TABLE refunds (id integer)');
  await remote.query(`GRANT SELECT ON refunds TO ${id(role.name)}`);
  writeFileSync(
    join(dir, 'datalinks.yaml'),
    config.replace(
      '      crew:\n        remote:\n          url: ${REMOTE_URL}\n        tables: [invoices]',
      '      crew:\n        remote:\n          url: ${REMOTE_URL}\n        tables: [invoices, refunds]',
    ),
  );
  await local.query(`ALTER SERVER gone OPTIONS (SET port '${await freePort()}')`);
  const runner = { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir, GITHUB_STEP_SUMMARY: summary };
  const secrets = [role.password, encodeURIComponent(role.password), new URL(local.url).password].filter((s) => s.length >= 3);
  return { local, remote, role, dir, summary, cli, runner, secrets };
}

/** stdout holds no workflow command; stderr only datalinks' own annotations. */
function expectOnlyOwnAnnotations(result: { stdout: string; stderr: string }) {
  expect(workflowCommandsIn(result.stdout)).toStrictEqual([]);
  for (const command of workflowCommandsIn(result.stderr)) {
    expect(command.syntax, command.line).toBe('::');
    expect(['error', 'warning'], command.line).toContain(command.command);
    expect(command.properties.title, command.line).toMatch(/^datalinks check/);
  }
}

describe('check in GitHub Actions', () => {
  it('annotates broken links as errors and drifted ones as warnings on their lines, and adds a table with state, latency and the fix to the job summary', async () => {
    const { summary, cli, runner, secrets } = await fourLinks();
    const result = await cli(['check'], runner);
    expect(result.code).toBe(1);
    expectOnlyOwnAnnotations(result);
    const annotations = workflowCommandsIn(result.stderr);
    const byLink = (link: string) => annotations.find((a) => a.properties.title?.includes(`link ${link} `));
    expect(annotations).toHaveLength(3);
    expect(byLink('ledger')).toMatchObject({
      command: 'error',
      properties: {
        title: 'datalinks check: link ledger of database main: unreadable tables',
        file: 'datalinks.yaml',
        line: '10',
        col: '7',
      },
    });
    expect(byLink('ledger')?.data).toContain('2 of 2 tables unreadable; ');
    // The names as the text shows them: what would read as a command in the older syntax escaped.
    expect(byLink('ledger')?.data).toContain('; ledger.#\\x23[error]forged|`x`: permission denied for table ');
    expect(byLink('ledger')?.data).toContain('; ledger.::error::unreadable: permission denied for table ');
    expect(byLink('ledger')?.data).toMatch(
      /\nhint: on the remote, as the table's owner: GRANT SELECT ON public\."#\\x23\[error\]forged\|`x`" TO dl_surfaces_\w+;/,
    );
    expect(byLink('gone')).toMatchObject({ command: 'error', properties: { line: '18', title: expect.stringMatching(/: unreachable$/) } });
    expect(byLink('gone')?.data).toMatch(/Connection refused[^\n]*\nhint: the local database server cannot reach 127\.0\.0\.1:\d+/);
    expect(byLink('crew')).toMatchObject({ command: 'warning', properties: { line: '14', title: expect.stringMatching(/: drift$/) } });
    expect(byLink('crew')?.data).toContain(
      'apply would change: + foreign table crew.refunds (1 column)\nhint: datalinks plan shows the changes; datalinks apply makes them',
    );

    const markdown = readFileSync(summary, 'utf8');
    expect(markdown.startsWith('### datalinks check: ')).toBe(true);
    expect(markdown).toContain('**Check: 4 links: 1 ok, 2 broken, 1 drifted.**');
    expect(markdown).toContain('> [!CAUTION]\n> 2 links are broken: the fix is in each row.');
    expect(markdown).toContain('| | link | state | latency | found | fix |');
    expect(markdown).toMatch(
      /\| ✅ \| billing \| ok \| connect [\d.]+ ms, round trip [\d.]+ ms \| PostgreSQL [\d.]+[^|]*, 1 table readable \| {2}\|/,
    );
    expect(markdown).toMatch(
      /\| ⚠️ \| crew \| drift \| connect [\d.]+ ms[^|]*\| [^|]*apply would change: \+ foreign table crew.refunds \(1 column\) \| datalinks plan shows the changes; datalinks apply makes them \|/,
    );
    expect(markdown).toMatch(
      /\| ❌ \| gone \| unreachable \| {2}\| could not connect to server "gone"[^|]*Connection refused[^|]*\| the local database server cannot reach /,
    );
    // The hostile names are escaped as markdown: no table cell is broken, no code span or command opened.
    expect(markdown).toContain('ledger.\\#\\#\\[error\\]forged\\|\\`x\\`');
    for (const line of markdown.split('\n').filter((l) => l.startsWith('| ❌') || l.startsWith('| ✅') || l.startsWith('| ⚠️'))) {
      expect(line.replace(/\\\|/g, '').split('|')).toHaveLength(8);
    }
    expect(workflowCommandsIn(markdown)).toStrictEqual([]);
    for (const secret of secrets) expect(result.stdout + result.stderr + markdown).not.toContain(secret);
  });

  it('prints no workflow command but its own annotations in any format, and none outside it', async () => {
    const { summary, cli, runner } = await fourLinks();
    for (const format of ['text', 'json', 'openmetrics']) {
      const result = await cli(['check', '--format', format], runner);
      expect(result.code).toBe(1);
      expectOnlyOwnAnnotations(result);
      expect(workflowCommandsIn(result.stderr)).toHaveLength(3);
    }
    expect(readFileSync(summary, 'utf8').match(/^### datalinks check/gm)).toHaveLength(3);
    const outside = await cli(['check', '--json']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toBe('');
    expect(JSON.parse(outside.stdout).summary).toMatchObject({ ok: 1, drift: 1, unreachable: 1, unreadable_tables: 1 });
    expect(readFileSync(summary, 'utf8').match(/^### datalinks check/gm)).toHaveLength(3);
  });
});

const toolsMissing = missingMetricsTools();

describe.skipIf(toolsMissing !== '')('check --format openmetrics', () => {
  it('gives per-link gauges labelled by alias and link that promtool and the OpenMetrics parser read, with no secret in them', async () => {
    const alias = 'ma"in\\\n##[error]x p%w|a,s:s"ord\\';
    const { cli, runner, secrets } = await fourLinks(alias);
    const result = await cli(['check', '--format', 'openmetrics']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const text = result.stdout;
    expect(promtoolCheck(text)).toStrictEqual({ code: 0, said: '' });
    const families = parseOpenMetrics(text);
    const value = (family: string, labels: Record<string, string>) =>
      families.find((f) => f.name === family)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    // The alias as the text view shows it (the line break as \n), its password-looking part scrubbed.
    const database = 'ma"in\\\\n##[error]x ********';
    expect(families.find((f) => f.name === 'datalinks_database_up')?.samples).toStrictEqual([
      { name: 'datalinks_database_up', labels: { database }, value: 1 },
    ]);
    const at = (link: string) => ({ database, link });
    expect([value('datalinks_link_up', at('billing')), value('datalinks_link_up', at('ledger'))]).toStrictEqual([1, 0]);
    expect([value('datalinks_link_up', at('crew')), value('datalinks_link_up', at('gone'))]).toStrictEqual([1, 0]);
    expect(value('datalinks_link_state', { ...at('gone'), state: 'unreachable' })).toBe(1);
    expect(value('datalinks_link_state', { ...at('gone'), state: 'ok' })).toBe(0);
    expect(value('datalinks_link_state', { ...at('ledger'), state: 'unreadable_tables' })).toBe(1);
    expect(value('datalinks_link_unreadable_tables', at('ledger'))).toBe(2);
    expect(value('datalinks_link_tables', at('ledger'))).toBe(2);
    expect([value('datalinks_link_drift', at('crew')), value('datalinks_link_drift', at('billing'))]).toStrictEqual([1, 0]);
    expect(value('datalinks_link_connect_seconds', at('billing'))).toBeGreaterThan(0);
    expect(value('datalinks_link_connect_seconds', at('billing'))).toBeLessThan(5);
    expect(value('datalinks_link_round_trip_seconds', at('billing'))).toBeGreaterThan(0);
    expect(value('datalinks_link_connect_seconds', at('gone'))).toBeUndefined();
    expect(families.find((f) => f.name === 'datalinks_link_connect_seconds')?.unit).toBe('seconds');
    const ran = value('datalinks_check_timestamp_seconds', {}) ?? 0;
    expect(Math.abs(ran - Date.now() / 1000)).toBeLessThan(120);
    // Labels are the alias and the link (and a state), nothing a secret could be in.
    const labelNames = new Set(families.flatMap((f) => f.samples.flatMap((s) => Object.keys(s.labels))));
    expect([...labelNames].sort()).toStrictEqual(['database', 'link', 'state']);
    for (const secret of secrets) expect(text).not.toContain(secret);

    // On a GitHub runner: still read by both parsers, with nothing the runner would run; the value as the text shows it.
    const onRunner = await cli(['check', '--format', 'openmetrics'], runner);
    expectOnlyOwnAnnotations(onRunner);
    expect(promtoolCheck(onRunner.stdout)).toStrictEqual({ code: 0, said: '' });
    const runnerDatabase = parseOpenMetrics(onRunner.stdout).find((f) => f.name === 'datalinks_database_up')?.samples[0]?.labels.database;
    expect(runnerDatabase).toBe('ma"in\\\\n#\\x23[error]x ********');
  });

  it('--out writes the file atomically for node_exporter: readable by another user, no temp file left, replaced whole, never through a symbolic link', async () => {
    const { dir, cli } = await fourLinks();
    const textfiles = join(dir, 'textfile');
    mkdirSync(textfiles);
    const out = join(textfiles, 'datalinks.prom');
    const first = await cli(['check', '--format', 'openmetrics', '--out', out]);
    expect(first.code).toBe(1);
    expect(first.stdout).toBe(`Check: 4 links: 1 ok, 2 broken, 1 drifted. Written to ${out} (openmetrics).\n`);
    expect(statSync(out).mode & 0o777).toBe(0o644);
    expect(readdirSync(textfiles)).toStrictEqual(['datalinks.prom']);
    const inode = statSync(out).ino;
    expect((await cli(['check', '--format', 'openmetrics', '--out', out])).code).toBe(1);
    expect(statSync(out).ino).not.toBe(inode);
    expect(readdirSync(textfiles)).toStrictEqual(['datalinks.prom']);
    expect(promtoolCheck(readFileSync(out, 'utf8'))).toStrictEqual({ code: 0, said: '' });

    // node_exporter's textfile collector reads it: no scrape error, and the links' gauges with their labels.
    const scraped = await scrapeTextfileCollector(textfiles);
    expect(scraped).toMatch(/^node_textfile_scrape_error 0$/m);
    expect(scraped).toMatch(/^datalinks_link_up\{database="main",link="billing"\} 1$/m);
    expect(scraped).toMatch(/^datalinks_link_up\{database="main",link="gone"\} 0$/m);
    expect(scraped).toMatch(/^datalinks_link_drift\{database="main",link="crew"\} 1$/m);

    const link = join(textfiles, 'link.prom');
    symlinkSync(join(dir, 'elsewhere.prom'), link);
    const refused = await cli(['check', '--format', 'openmetrics', '--out', link]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cannot write the check to ${link}: it is a symbolic link`);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir)).not.toContain('elsewhere.prom');
  });
});

describe('check --format', () => {
  it('refuses --json with another format before connecting to anything', async () => {
    const result = await runCli(['check', '--json', '--format', 'openmetrics', '-c', '/nonexistent/datalinks.yaml'], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--json and --format openmetrics cannot be used together');
  });
});

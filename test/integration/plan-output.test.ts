import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, urlFor } from '../support/databases.js';

/** A character a terminal would act on, other than the line breaks datalinks itself writes. */
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const rawLines = (text: string) => text.split('\n').filter((line) => RAW.test(line));

describe('what plan, apply, list and export print', () => {
  it('shows a remote table named to forge the plan as visible text, and the plan still ends with its summary', async () => {
    const { local, remote } = await createLinkedPair();
    const forged = 'x\nNo changes.\n\u001b[2J';
    await remote.query(`CREATE TABLE ${pg.escapeIdentifier(forged)} (${pg.escapeIdentifier('\u001b]8;;https://evil.example\u0007')} text)`);
    await remote.query(`CREATE TABLE ${pg.escapeIdentifier('report\u202etxt.exe')} (id integer)`);
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const config = writeConfig(oneLinkConfig());

    const plan = await runCli(['plan', '-c', config], env);
    expect(plan.code).toBe(0);
    expect(rawLines(plan.stdout)).toStrictEqual([]);
    const lines = plan.stdout.trimEnd().split('\n');
    expect(lines).not.toContain('No changes.');
    expect(lines.at(-1)).toBe('Plan: 1 to create, 0 to update, 0 to destroy.');
    expect(plan.stdout).toContain('+ foreign table billing.x\\nNo changes.\\n\\x1b[2J (1 column)');
    expect(plan.stdout).toContain('+ foreign table billing.report\\u202etxt.exe (1 column)');
    const sql = await runCli(['plan', '--sql', '-c', config], env);
    expect(rawLines(sql.stdout)).toStrictEqual([]);
    expect(sql.stdout).toContain('CREATE FOREIGN TABLE "billing"."x\\nNo changes.\\n\\x1b[2J" (');
    const json = await runCli(['plan', '--json', '-c', config], env);
    expect(rawLines(json.stdout)).toStrictEqual([]);
    const created = JSON.parse(json.stdout).databases[0].changes[0].operations.filter(
      (op: { kind: string }) => op.kind === 'create_foreign_table',
    );
    expect(created.map((op: { table: { name: string } }) => op.table.name)).toStrictEqual(['report\u202etxt.exe', forged]);

    const apply = await runCli(['apply', '--auto-approve', '-c', config], env);
    expect(apply.code).toBe(0);
    expect(rawLines(apply.stdout)).toStrictEqual([]);
    const list = await runCli(['list', '-c', config], env);
    expect(list.stdout).toContain('Tables:      2');
    // list --json has its format_version and the shape schemas/list.schema.json describes.
    const listed = JSON.parse((await runCli(['list', '--json', '-c', config], env)).stdout);
    const validateList = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(
      JSON.parse(readFileSync('schemas/list.schema.json', 'utf8')),
    );
    expect(validateList(listed), JSON.stringify(validateList.errors)).toBe(true);
    expect(listed).toMatchObject({
      format_version: 1,
      databases: [{ name: 'main', links: [{ name: 'billing', managed: true, tables: 2 }] }],
    });

    // Exported from a file without the link, the tables are listed: the names round-trip through YAML.
    const unlisted = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n');
    const exported = await runCli(['export', '-c', unlisted], env);
    expect(exported.code).toBe(0);
    expect(rawLines(exported.stdout)).toStrictEqual([]);
    expect(parse(exported.stdout).databases.main.links.billing.tables).toStrictEqual(['report\u202etxt.exe', forged]);
  });

  it('escapes names quoted in an error about the file', async () => {
    const config = writeConfig('version: 1\n"bad\\e[2J\\u202e": 1\ndatabases: {}\n');
    const result = await runCli(['validate', '-c', config], {});
    expect(result.code).toBe(1);
    expect(rawLines(result.stderr)).toStrictEqual([]);
    expect(result.stderr).toContain('unknown key "bad\\x1b[2J\\u202e" in the top level of the file');
  });

  it('never says No changes. when a database could not be planned', async () => {
    const { local } = await createLinkedPair();
    const missing = urlFor('dl_no_such_database');
    const onlyBroken = writeConfig('version: 1\ndatabases:\n  broken:\n    url: ${MISSING_URL}\n    links: {}\n');
    const failed = await runCli(['plan', '-c', onlyBroken], { MISSING_URL: missing });
    expect(failed.code).toBe(1);
    expect(failed.stdout.split('\n')).not.toContain('No changes.');
    expect(failed.stdout).toContain('Nothing could be planned: the database has errors.');

    const oneBroken = writeConfig(
      'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n  broken:\n    url: ${MISSING_URL}\n    links: {}\n',
    );
    const partly = await runCli(['plan', '-c', oneBroken], { LOCAL_URL: local.url, MISSING_URL: missing });
    expect(partly.code).toBe(1);
    expect(partly.stdout.split('\n')).not.toContain('No changes.');
    expect(partly.stdout).toContain('No changes in the databases that could be planned; 1 database has errors.');
  });

  it('apply says objects outside the links will be dropped with --allow-dependent-drops, and refused without', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer, total numeric)');
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    expect((await runCli(['apply', '--auto-approve', '-c', writeConfig(oneLinkConfig())], env)).code).toBe(0);
    await local.query('CREATE VIEW public.invoice_totals AS SELECT sum(total) AS total FROM billing.invoices');
    const empty = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n');

    const refused = await runCli(['apply', '--auto-approve', '-c', empty], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('apply refuses it: pass --allow-dependent-drops to drop them with the links.');
    const allowed = await runCli(['apply', '--auto-approve', '--allow-dependent-drops', '-c', empty], env);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('They WILL be dropped with the links: --allow-dependent-drops was passed.');
    expect(allowed.stdout).not.toContain('refuses');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';
import { formatProblem } from '../../src/config/problem.js';

const FIXTURES = 'fixtures/invalid';
const ENV = {
  DATABASE_URL: 'postgres://app:app-secret@db.internal:5432/app',
  BILLING_DATABASE_URL: 'postgres://billing:b1ll1ng-s3cret@billing.internal/billing',
  MYSQL_URL: 'mysql://root:hunter2@mysql.internal/billing',
};
const SECRETS = ['app-secret', 'b1ll1ng-s3cret', 'hunter2'];

describe('invalid configuration files', () => {
  const fixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.yaml'));

  it.each(fixtures)('%s is rejected with the message beside it', async (name) => {
    const result = await parseConfig(name, readFileSync(join(FIXTURES, name)), ENV);
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.map(formatProblem).join('\n');
    const expected = readFileSync(join(FIXTURES, name.replace(/\.yaml$/, '.expected.txt')), 'utf8').trimEnd();
    expect(text).toBe(expected);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('a missing file is reported with the path and how to create it', async () => {
    const result = await loadConfig('no/such/datalinks.yaml', ENV);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(formatProblem(result.problems[0]!)).toBe(
        'no/such/datalinks.yaml: file not found\n  hint: create no/such/datalinks.yaml (datalinks.example.yaml is a good start) or pass its path with -c FILE',
      );
    }
  });
});

describe('valid configuration files', () => {
  it('datalinks.example.yaml validates when its variables are set', async () => {
    const result = await loadConfig('datalinks.example.yaml', {
      ...ENV,
      ANALYTICS_DATABASE_URL: 'postgresql://analytics:pw@warehouse.internal:6432/analytics?sslmode=require',
      REPORTING_DATABASE_URL: 'postgres://app:pw@follower.internal/app',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [main, reporting] = result.value.databases;
    expect(main?.links.map((l) => l.name)).toEqual(['billing', 'analytics']);
    expect(main?.links[0]).toMatchObject({
      tables: ['invoices', 'customers'],
      access: 'read',
      grantTo: ['app_reader'],
      serverOptions: { fetch_size: '10000', use_remote_estimate: 'true' },
      remote: {
        variable: 'BILLING_DATABASE_URL',
        schema: 'public',
        target: { host: 'billing.internal', user: 'billing', dbname: 'billing', port: null },
      },
    });
    expect(main?.links[1]).toMatchObject({
      exclude: ['audit_log'],
      access: 'write',
      importOptions: { import_default: true, import_collate: true, import_not_null: true },
      remote: { target: { host: 'warehouse.internal', port: '6432', params: { sslmode: 'require' } } },
    });
    expect(reporting?.links.map((l) => l.name)).toEqual(['billing']);
  });

  it('interpolates ${VAR} anywhere and writes $$ as a literal $', async () => {
    const yaml =
      'version: 1\ndatabases:\n  main:\n    url: ${DATABASE_URL}\n    links:\n      billing:\n        remote:\n          url: ${BILLING_DATABASE_URL}\n        tables: [price$$list, "${TABLE}"]\n';
    const result = await parseConfig('inline.yaml', Buffer.from(yaml), { ...ENV, TABLE: 'invoices' });
    expect(result.ok && result.value.databases[0]?.links[0]?.tables).toEqual(['price$list', 'invoices']);
  });

  it('a database without links is kept, meaning every managed link there is destroyed', async () => {
    const result = await parseConfig(
      'inline.yaml',
      Buffer.from('version: 1\ndatabases:\n  main:\n    url: ${DATABASE_URL}\n    links: {}\n  other:\n    url: ${OTHER_URL}\n'),
      { ...ENV, OTHER_URL: 'postgres://app@db.internal:5432/other' },
    );
    expect(result.ok && result.value.databases.map((db) => [db.alias, db.links.length])).toEqual([
      ['main', 0],
      ['other', 0],
    ]);
  });
});

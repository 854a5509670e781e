import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DesiredDatabase, DesiredLink } from '../../src/config/types.js';
import { DEFAULT_IMPORT_OPTIONS } from '../../src/config/types.js';
import type { LinkCatalog } from '../../src/introspect/types.js';
import { exportConfig } from '../../src/render/export-config.js';
import { localEnvironment } from '../support/local-environment.js';

const remote = { url: '', host: 'remote.example', port: null, dbname: 'app', user: 'reader', password: null, params: {} };

function link(overrides: Partial<DesiredLink> = {}): DesiredLink {
  return {
    name: 'billing',
    remote: { target: remote, variable: 'BILLING_URL', urlSource: '${BILLING_URL}', schema: 'public' },
    tables: null,
    exclude: [],
    access: 'read',
    grantTo: [],
    serverOptions: {},
    importOptions: DEFAULT_IMPORT_OPTIONS,
    position: { file: 'datalinks.yaml', line: 6, column: 7 },
    ...overrides,
  };
}

function database(links: DesiredLink[]): DesiredDatabase {
  return {
    alias: 'main',
    target: { url: '', host: 'localhost', port: null, dbname: 'app', user: 'app', password: null, params: {} },
    urlSource: '${LOCAL_URL}',
    links,
    position: { file: 'datalinks.yaml', line: 3, column: 3 },
  };
}

/** Managed server `billing` (read access, as apply makes it on PostgreSQL 17) whose foreign tables read `tables`. */
function catalogOf(tables: string[], options: Record<string, string> = {}): LinkCatalog {
  return {
    environment: localEnvironment(),
    servers: [
      {
        name: 'billing',
        wrapper: 'postgres_fdw',
        owner: 'app',
        owned: true,
        options: { host: 'remote.example', dbname: 'app', updatable: 'false', truncatable: 'false', ...options },
        comment: 'datalinks:{"created_at":"2026-01-01T00:00:00Z","remote":"BILLING_URL"}',
        mappings: [{ role: 'app', options: { user: 'reader' } }],
      },
    ],
    schemas: [{ name: 'billing', owner: 'app', owned: true, comment: 'datalinks:{}', grants: [] }],
    foreignTables: tables.map((name) => ({
      schema: 'billing',
      name,
      server: 'billing',
      owner: 'app',
      options: { schema_name: 'public', table_name: name },
      grants: [],
    })),
  };
}

const differences = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('# differs from the file: '))
    .map((line) => line.slice('# differs from the file: '.length));

describe('export compares what exists with the file', () => {
  it('says nothing differs for a link as the file makes it, but that the file links every table', () => {
    const text = exportConfig([{ database: database([link()]), catalog: catalogOf(['a', 'b']) }], { configPath: 'datalinks.yaml' });
    expect(parse(text).databases.main.links.billing.tables).toStrictEqual(['a', 'b']);
    expect(differences(text)).toStrictEqual([
      'the file has no tables: (every table of the remote schema); tables: here lists the 2 tables linked now (a table made on the remote since the last apply is not among them)',
    ]);
  });

  it('names excluded tables that are linked, a moved host and a changed fetch_size, escaped', () => {
    const text = exportConfig(
      [
        {
          database: database([link({ exclude: ['audit\n##[error]x', 'b'], serverOptions: { fetch_size: '500' } })]),
          catalog: catalogOf(['a', 'audit\n##[error]x'], { host: 'old.example', fetch_size: '100' }),
        },
      ],
      { configPath: 'datalinks.yaml' },
    );
    expect(differences(text)).toStrictEqual([
      "server option fetch_size: '100' here, '500' from the file",
      "server option host: 'old.example' here, 'remote.example' from the file",
      'the file has exclude: "audit\\n##[error]x" and "b" (every other table of the remote schema); tables: here lists the 2 tables linked now',
      'foreign tables read "audit\\n##[error]x", which the file excludes',
    ]);
    expect(parse(text).databases.main.links.billing.tables).toStrictEqual(['a', 'audit\n##[error]x']);
  });

  it('writes no comparison without a file', () => {
    const text = exportConfig([{ database: database([]), catalog: catalogOf(['a']) }], { localUrlFrom: 'DATABASE_URL' });
    expect(differences(text)).toStrictEqual([]);
    expect(text).toContain('DATABASE_URL: the local database (the URL given as DATABASE_URL, not written here: it holds the password)');
    expect(parse(text).databases.main.url).toBe('${LOCAL_URL}');
  });
});

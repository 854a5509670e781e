import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outputEdge } from '../../src/cli/output.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { DesiredDatabase } from '../../src/config/types.js';
import type { LinkCatalog } from '../../src/introspect/types.js';
import { exportConfig } from '../../src/render/export-config.js';
import { writeConfig } from '../support/cli.js';
import { localEnvironment } from '../support/local-environment.js';

/** The environment export's file is read back in: a secret that a name must never turn into. */
const ENV = {
  LOCAL_URL: 'postgres://app@localhost/app',
  BILLING_URL: 'postgres://reader:pw@remote.example/app',
  CI_SECRET: 'the-ci-secret',
  X: 'the-x-value',
};

/** Pieces a hostile catalog name is made of: interpolation, quoting, YAML indicators, lines, unicode. */
const PIECES = [
  '$',
  '$$',
  '${CI_SECRET}',
  '${X}',
  '${',
  '}',
  '$X',
  "'",
  '"',
  '\\',
  '#',
  ' #',
  ':',
  ': ',
  '- ',
  '? ',
  '&a',
  '*a',
  '!t',
  '|',
  '>',
  '%',
  '@',
  '`',
  '{',
  '[',
  ']',
  ',',
  '\n',
  '\r\n',
  '\t',
  ' ',
  '~',
  'null',
  'true',
  '0x1F',
  '1e3',
  '---',
  '...',
  '##[error]',
  '::warning::',
  '東京',
  '🌈',
  '\u202e',
  '\u200b',
  '\u0085',
  '\u2028',
  'a',
  'Z',
];
const hostileName = fc
  .oneof(
    fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  )
  .filter((name) => !/\p{Cs}/u.test(name) && !name.includes('\u0000'));

const database: DesiredDatabase = {
  alias: 'main',
  target: { url: '', host: 'localhost', port: null, dbname: 'app', user: 'app', password: null, params: {} },
  urlSource: '${LOCAL_URL}',
  links: [],
  position: { file: 'datalinks.yaml', line: 3, column: 3 },
};

/** A hand-made server `billing` whose foreign tables read `tables` of remote schema `schema`, mapped for `roles`. */
function catalogOf(tables: string[], schema: string, roles: string[]): LinkCatalog {
  return {
    environment: localEnvironment(),
    servers: [
      {
        name: 'billing',
        wrapper: 'postgres_fdw',
        owner: 'app',
        owned: true,
        options: { host: 'remote.example', dbname: 'app', updatable: 'false' },
        comment: null,
        mappings: [{ role: 'app', options: { user: 'reader' } }, ...roles.map((role) => ({ role, options: null }))],
      },
    ],
    schemas: [{ name: 'billing', owner: 'app', owned: true, comment: null, grants: [] }],
    foreignTables: tables.map((name) => ({
      schema: 'billing',
      name,
      server: 'billing',
      owner: 'app',
      options: { schema_name: schema, table_name: name },
      grants: [],
    })),
  };
}

describe('export reads back as itself', () => {
  it("every remote table, schema and role name, through datalinks' own loader with interpolation, on a runner or not", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(hostileName, { minLength: 1, maxLength: 5 }),
        hostileName,
        fc.uniqueArray(
          hostileName.filter((role) => role !== 'app'),
          { maxLength: 3 },
        ),
        fc.boolean(),
        async (tables, schema, roles, onRunner) => {
          const written = exportConfig([{ database, catalog: catalogOf(tables, schema, roles) }]);
          const printed = outputEdge(onRunner ? { GITHUB_ACTIONS: 'true' } : {})(written, 'yaml');
          const path = writeConfig('');
          writeFileSync(path, printed);
          const loaded = await loadConfig(path, ENV);
          if (!loaded.ok) throw new Error(`${printed}\n${JSON.stringify(loaded.problems)}`);
          const link = loaded.value.databases[0]?.links[0];
          expect(link?.name).toBe('billing');
          expect(link?.tables).toStrictEqual([...tables].sort());
          expect(link?.remote.schema).toBe(schema);
          expect(link?.grantTo).toStrictEqual([...roles].sort());
          expect(link?.remote.variable).toBe('BILLING_URL');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a remote table named ${CI_SECRET} stays that name, and a$$b stays a$$b', async () => {
    const written = exportConfig([{ database, catalog: catalogOf(['${CI_SECRET}', 'a$$b', '$'], 'public', []) }]);
    expect(written).toContain('- $${CI_SECRET}\n');
    expect(written).toContain('- a$$$$b\n');
    const path = writeConfig(written);
    const loaded = await loadConfig(path, ENV);
    expect(loaded.ok && loaded.value.databases[0]?.links[0]?.tables).toStrictEqual(['$', '${CI_SECRET}', 'a$$b']);
  });
});

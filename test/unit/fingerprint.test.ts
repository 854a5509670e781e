import { describe, expect, it } from 'vitest';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredLink } from '../../src/config/types.js';
import type { LocalCatalog, ObservedDatabase, ObservedForeignTable, RemoteTable } from '../../src/introspect/types.js';
import { fingerprintObserved } from '../../src/plan/fingerprint.js';
import { planDatabase } from '../../src/plan/plan-database.js';
import { localEnvironment } from '../support/local-environment.js';

const PASSWORD = 's3cret-pw';

function link(overrides: Partial<DesiredLink> = {}): DesiredLink {
  return {
    name: 'billing',
    remote: {
      target: { url: '', host: 'h', port: null, dbname: 'b', user: 'bill', password: PASSWORD, params: {} },
      variable: 'BILLING_URL',
      urlSource: '${BILLING_URL}',
      schema: 'public',
    },
    tables: ['invoices'],
    exclude: [],
    access: 'read',
    grantTo: ['reader'],
    serverOptions: {},
    importOptions: DEFAULT_IMPORT_OPTIONS,
    position: { file: 'datalinks.yaml', line: 6, column: 7 },
    ...overrides,
  };
}

function database(links: DesiredLink[] = [link()]): DesiredDatabase {
  return {
    alias: 'main',
    target: { url: '', host: 'h', port: null, dbname: 'app', user: 'app', password: 'pw', params: {} },
    urlSource: '${DATABASE_URL}',
    links,
    position: { file: 'datalinks.yaml', line: 3, column: 3 },
  };
}

const remoteTable = (name: string, columns: [string, string][] = [['id', 'int4']], isPartition = false): RemoteTable => ({
  name,
  kind: 'r',
  isPartition,
  readable: true,
  columns: columns.map(([column, type]) => ({
    name: column,
    type: { schema: type === 'mood' ? 'public' : 'pg_catalog', name: type, typmod: -1 },
    notNull: false,
    collation: null,
    default: null,
    generated: '',
  })),
});

const LOCAL_TYPES = { int4: 'integer', int8: 'bigint', timestamp: 'timestamp without time zone' };

const foreignTable = (schema: string, name: string, server = schema): ObservedForeignTable => ({
  schema,
  name,
  server,
  owner: 'app',
  options: { schema_name: 'public', table_name: name },
  columns: [{ name: 'id', type: 'integer', notNull: false, collation: null, default: null, generated: '', columnName: 'id' }],
  grants: [{ grantee: 'reader', privilege: 'SELECT' }],
});

/** A database with link billing applied (tables: [invoices]) and nothing else. */
function state(): { local: LocalCatalog; remote: RemoteTable[] } {
  return {
    local: {
      environment: localEnvironment(),
      servers: [
        {
          name: 'billing',
          wrapper: 'postgres_fdw',
          owner: 'app',
          owned: true,
          options: { host: 'h', dbname: 'b', updatable: 'false' },
          comment: 'datalinks:{"created_at":"2026-01-01T00:00:00.000Z","remote":"BILLING_URL"}',
          mappings: [
            { role: 'app', options: { user: 'bill', password: PASSWORD } },
            { role: 'reader', options: { user: 'bill', password: PASSWORD } },
          ],
        },
      ],
      schemas: [
        {
          name: 'billing',
          owner: 'app',
          owned: true,
          comment: 'datalinks:{"created_at":"2026-01-01T00:00:00.000Z","remote":"BILLING_URL"}',
          grants: [{ grantee: 'reader', privilege: 'USAGE' }],
        },
        { name: 'public', owner: 'app', owned: true, comment: null, grants: [] },
      ],
      foreignTables: [foreignTable('billing', 'invoices')],
      dependents: [{ link: 'billing', table: 'invoices', column: 'id', inLinkSchema: false, description: 'view public.totals' }],
      existingRoles: ['reader'],
      resolved: {
        types: Object.fromEntries(
          Object.entries(LOCAL_TYPES).map(([name, text]) => [`pg_catalog\0${name}\0-1`, { text, collation: null }]),
        ),
        missing: [],
      },
    },
    remote: [remoteTable('invoices')],
  };
}

function fingerprint(change: (s: { local: LocalCatalog; remote: RemoteTable[] }) => void = () => {}, desired = database()): string {
  const s = state();
  change(s);
  const observed: ObservedDatabase = {
    alias: 'main',
    local: { ok: true, catalog: s.local },
    remotes: { billing: { ok: true, tables: s.remote } },
  };
  return fingerprintObserved(desired, observed, planDatabase(desired, observed));
}

describe('the saved plan fingerprint covers what the plan depends on, and only that', () => {
  const base = fingerprint();

  it('ignores an unrelated schema, a hand-made server of another name, its foreign tables and their dependents', () => {
    expect(
      fingerprint((s) => {
        s.local.schemas.push(
          { name: 'scratch', owner: 'app', owned: true, comment: null, grants: [] },
          { name: 'crm', owner: 'app', owned: true, comment: null, grants: [] },
        );
        s.local.servers.push({
          name: 'crm',
          wrapper: 'postgres_fdw',
          owner: 'app',
          owned: true,
          options: { host: 'x' },
          comment: null,
          mappings: [],
        });
        s.local.foreignTables.push(foreignTable('crm', 'leads'));
        s.local.dependents.push({ link: 'crm', table: 'leads', column: null, inLinkSchema: false, description: 'view public.leads_v' });
      }),
    ).toBe(base);
  });

  it('ignores remote tables outside the link: not in tables:, excluded, or a partition', () => {
    expect(fingerprint((s) => s.remote.push(remoteTable('audit_log')))).toBe(base);
    const excluding = database([link({ tables: null, exclude: ['audit_log'] })]);
    const withoutAudit = fingerprint(() => {}, excluding);
    expect(fingerprint((s) => s.remote.push(remoteTable('audit_log', [['at', 'timestamp']])), excluding)).toBe(withoutAudit);
    expect(fingerprint((s) => s.remote.push(remoteTable('invoices_2026', [], true)), excluding)).toBe(withoutAudit);
  });

  it('ignores how a type resolves locally when only a table outside the link uses it', () => {
    expect(fingerprint((s) => s.remote.push(remoteTable('moods', [['m', 'mood']])))).toBe(base);
    expect(fingerprint((s) => (s.local.resolved.types = {}))).not.toBe(base);
  });

  it('changes with a remote table the link would import, or a changed column of a linked table', () => {
    const all = database([link({ tables: null })]);
    expect(fingerprint((s) => s.remote.push(remoteTable('payments')), all)).not.toBe(fingerprint(() => {}, all));
    expect(fingerprint((s) => (s.remote[0] = remoteTable('invoices', [['id', 'int8']])))).not.toBe(base);
  });

  it('changes with a linked foreign table, its grants, the link schema, server, mappings or dependents', () => {
    expect(fingerprint((s) => (s.local.foreignTables[0]!.grants = []))).not.toBe(base);
    expect(fingerprint((s) => (s.local.foreignTables[0]!.columns = []))).not.toBe(base);
    expect(fingerprint((s) => (s.local.schemas[0]!.grants = []))).not.toBe(base);
    expect(fingerprint((s) => (s.local.servers[0]!.options.host = 'moved'))).not.toBe(base);
    expect(fingerprint((s) => s.local.servers[0]!.mappings.pop())).not.toBe(base);
    expect(fingerprint((s) => (s.local.servers[0]!.mappings[0]!.options = { user: 'other', password: PASSWORD }))).not.toBe(base);
  });

  it('counts the objects outside the links that the plan drops, not those over tables it keeps', () => {
    const view = { link: 'billing', table: 'invoices', column: 'id', inLinkSchema: false, description: 'view public.report' };
    expect(fingerprint((s) => s.local.dependents.push(view))).toBe(base);
    const dropping = database([link({ tables: [] })]);
    expect(fingerprint((s) => s.local.dependents.push(view), dropping)).not.toBe(fingerprint(() => {}, dropping));
  });

  it('changes with a managed link left out of the file (the plan destroys it), and with the environment', () => {
    expect(
      fingerprint((s) =>
        s.local.servers.push({ ...s.local.servers[0]!, name: 'legacy', comment: 'datalinks:{"created_at":null,"remote":null}' }),
      ),
    ).not.toBe(base);
    expect(fingerprint((s) => (s.local.environment.fdwUsage = false))).not.toBe(base);
    expect(fingerprint((s) => (s.local.environment.fdwExtension = null))).not.toBe(base);
    expect(fingerprint((s) => (s.local.existingRoles = []))).not.toBe(base);
  });

  it('is not computed from a password: changing only a mapping password leaves it as it was', () => {
    expect(
      fingerprint((s) => {
        for (const mapping of s.local.servers[0]!.mappings) mapping.options = { user: 'bill', password: 'another' };
      }),
    ).toBe(base);
    expect(
      fingerprint(() => {}, database([link({ remote: { ...link().remote, target: { ...link().remote.target, password: 'x' } } })])),
    ).toBe(base);
  });
});

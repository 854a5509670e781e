import { describe, expect, it } from 'vitest';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredLink } from '../../src/config/types.js';
import type { LocalCatalog, ObservedDatabase, ObservedForeignTable, RemoteTable } from '../../src/introspect/types.js';
import { fingerprintObserved } from '../../src/plan/fingerprint.js';
import { planDatabase } from '../../src/plan/plan-database.js';

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

const remoteTable = (name: string, columns: [string, string][] = [['id', 'integer']], isPartition = false): RemoteTable => ({
  name,
  kind: 'r',
  isPartition,
  columns: columns.map(([column, type]) => ({ name: column, type, notNull: false, collation: null, default: null, generated: '' })),
});

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
      environment: {
        database: 'app',
        versionNum: 170000,
        currentUser: 'app',
        isSuperuser: false,
        fdwExtension: '1.1',
        fdwAvailable: true,
        fdwUsage: true,
        canCreateSchema: true,
      },
      servers: [
        {
          name: 'billing',
          wrapper: 'postgres_fdw',
          owner: 'app',
          options: { host: 'h', dbname: 'b', updatable: 'false' },
          comment: 'datalinks:{"created_at":"2026-01-01T00:00:00.000Z","remote":"BILLING_URL"}',
          mappings: [
            { role: 'app', options: { user: 'bill', password: PASSWORD } },
            { role: 'reader', options: { user: 'bill', password: PASSWORD } },
          ],
        },
      ],
      schemas: [
        { name: 'billing', owner: 'app', grants: [{ grantee: 'reader', privilege: 'USAGE' }] },
        { name: 'public', owner: 'app', grants: [] },
      ],
      foreignTables: [foreignTable('billing', 'invoices')],
      dependents: [{ link: 'billing', table: 'invoices', description: 'view public.totals' }],
      existingRoles: ['reader'],
      missingTypes: [],
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
        s.local.schemas.push({ name: 'scratch', owner: 'app', grants: [] }, { name: 'crm', owner: 'app', grants: [] });
        s.local.servers.push({ name: 'crm', wrapper: 'postgres_fdw', owner: 'app', options: { host: 'x' }, comment: null, mappings: [] });
        s.local.foreignTables.push(foreignTable('crm', 'leads'));
        s.local.dependents.push({ link: 'crm', table: 'leads', description: 'view public.leads_v' });
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

  it('ignores a missing local type used only by a table outside the link', () => {
    expect(fingerprint((s) => s.local.missingTypes.push('public.mood'))).toBe(base);
    expect(fingerprint((s) => s.local.missingTypes.push('integer'))).not.toBe(base);
  });

  it('changes with a remote table the link would import, or a changed column of a linked table', () => {
    const all = database([link({ tables: null })]);
    expect(fingerprint((s) => s.remote.push(remoteTable('payments')), all)).not.toBe(fingerprint(() => {}, all));
    expect(fingerprint((s) => (s.remote[0] = remoteTable('invoices', [['id', 'bigint']])))).not.toBe(base);
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
    const view = { link: 'billing', table: 'invoices', description: 'view public.report' };
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

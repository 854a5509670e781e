import { describe, expect, it } from 'vitest';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredLink } from '../../src/config/types.js';
import type { LocalCatalog, ObservedDatabase, ObservedForeignTable, RemoteTable } from '../../src/introspect/types.js';
import { compareDigests, digestDatabase } from '../../src/plan/config-digest.js';
import { fingerprintObserved, fingerprintParts } from '../../src/plan/fingerprint.js';
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

describe('a targeted plan (--link) and what it depends on', () => {
  const legacy = (s: { local: LocalCatalog }) =>
    s.local.servers.push({ ...s.local.servers[0]!, name: 'legacy', comment: 'datalinks:{"created_at":null,"remote":null}' });

  function observe(change: (s: { local: LocalCatalog; remote: RemoteTable[] }) => void = () => {}): ObservedDatabase {
    const s = state();
    change(s);
    return { alias: 'main', local: { ok: true, catalog: s.local }, remotes: { billing: { ok: true, tables: s.remote } } };
  }

  it('never destroys or notes a managed link outside the target, and still does without one', () => {
    const observed = observe(legacy);
    const destroys = (plan: { changes: { action: string; link: string }[] }) =>
      plan.changes.filter((c) => c.action === 'destroy').map((c) => c.link);
    expect(destroys(planDatabase(database(), observed, { target: ['billing'] }))).toStrictEqual([]);
    expect(destroys(planDatabase(database(), observed))).toStrictEqual(['legacy']);
    // destroy --link legacy: the database wants no link, and only legacy is in the target.
    const destroying = planDatabase(database([]), observed, { target: ['legacy'] });
    expect(destroying.changes.map((c) => [c.action, c.link])).toStrictEqual([['destroy', 'legacy']]);
  });

  it('does not count a managed link outside the target', () => {
    const targeted = (change?: (s: { local: LocalCatalog; remote: RemoteTable[] }) => void) => {
      const observed = observe(change);
      return fingerprintParts(database(), observed, planDatabase(database(), observed, { target: ['billing'] }), ['billing']).fingerprint;
    };
    expect(targeted(legacy)).toBe(targeted());
  });

  it('keeps the remotes part apart: the same after the local catalog changes, not after a linked remote table does', () => {
    const parts = (change?: (s: { local: LocalCatalog; remote: RemoteTable[] }) => void) => {
      const observed = observe(change);
      return fingerprintParts(database(), observed, planDatabase(database(), observed));
    };
    const base = parts();
    const emptied = parts((s) => {
      s.local.servers = [];
      s.local.foreignTables = [];
    });
    expect(emptied.remote).toBe(base.remote);
    expect(emptied.fingerprint).not.toBe(base.fingerprint);
    expect(parts((s) => (s.remote[0] = remoteTable('invoices', [['id', 'int8']]))).remote).not.toBe(base.remote);
  });
});

describe('the configuration a saved plan records', () => {
  const withPassword = (password: string) =>
    database([
      link({ remote: { ...link().remote, target: { ...link().remote.target, password, url: `postgres://bill:${password}@h/b` } } }),
    ]);

  it('holds no password, nor anything that changes with one', () => {
    const digest = digestDatabase(withPassword(PASSWORD));
    expect(JSON.stringify(digest)).not.toContain(PASSWORD);
    expect(digestDatabase(withPassword('another'))).toStrictEqual(digest);
  });

  it('names each part that changed, a link added or removed, and nothing for a comment or a moved line', () => {
    const base = digestDatabase(database());
    expect(
      compareDigests(base, digestDatabase(database([link({ position: { file: 'datalinks.yaml', line: 60, column: 7 } })]))),
    ).toStrictEqual([]);
    const changed = database([
      link({
        access: 'write',
        grantTo: [],
        remote: { ...link().remote, target: { ...link().remote.target, user: 'other' } },
        serverOptions: { fetch_size: '10' },
      }),
      link({ name: 'crew' }),
    ]);
    expect(compareDigests(base, digestDatabase(changed))).toStrictEqual([
      { link: 'billing', part: 'remote_user' },
      { link: 'billing', part: 'access' },
      { link: 'billing', part: 'grant_to' },
      { link: 'billing', part: 'server_options' },
      { link: 'crew', part: 'added' },
    ]);
    expect(compareDigests(digestDatabase(changed), base)).toContainEqual({ link: 'crew', part: 'removed' });
    expect(compareDigests(base, digestDatabase({ ...database(), target: { ...database().target, dbname: 'other' } }))).toStrictEqual([
      { part: 'url' },
    ]);
  });
});

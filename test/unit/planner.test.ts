import { describe, expect, it } from 'vitest';
import { parsePostgresUrl } from '../../src/config/parse-url.js';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredLink } from '../../src/config/types.js';
import type { LocalCatalog, ObservedDatabase, RemoteTable } from '../../src/introspect/types.js';
import { planDatabase } from '../../src/plan/plan-database.js';
import { renderDatabaseSql } from '../../src/sql/render-sql.js';

function target(url: string) {
  const parsed = parsePostgresUrl(url);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.target;
}

function link(overrides: Partial<DesiredLink> = {}): DesiredLink {
  return {
    name: 'billing',
    remote: {
      target: target('postgres://bill:pw@billing.internal:5432/billing?sslmode=require'),
      variable: 'BILLING_URL',
      urlSource: '${BILLING_URL}',
      schema: 'public',
    },
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
    target: target('postgres://app:pw@localhost/app'),
    urlSource: '${DATABASE_URL}',
    links,
    position: { file: 'datalinks.yaml', line: 3, column: 3 },
  };
}

const INVOICES: RemoteTable = {
  name: 'invoices',
  kind: 'r',
  isPartition: false,
  columns: [
    { name: 'id', type: 'integer', notNull: true, collation: null, default: "nextval('invoices_id_seq'::regclass)", generated: '' },
    { name: 'note', type: 'text', notNull: false, collation: 'pg_catalog."default"', default: null, generated: '' },
  ],
};

function catalog(overrides: Partial<LocalCatalog> = {}): LocalCatalog {
  return {
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
    servers: [],
    schemas: [{ name: 'public', owner: 'app', grants: [] }],
    foreignTables: [],
    dependents: [],
    existingRoles: [],
    missingTypes: [],
    ...overrides,
  };
}

function observed(local: LocalCatalog, tables: RemoteTable[] = [INVOICES]): ObservedDatabase {
  return { alias: 'main', local: { ok: true, catalog: local }, remotes: { billing: { ok: true, tables } } };
}

const linked = (): LocalCatalog =>
  catalog({
    servers: [
      {
        name: 'billing',
        wrapper: 'postgres_fdw',
        owner: 'app',
        options: { dbname: 'billing', host: 'billing.internal', port: '5432', sslmode: 'require', updatable: 'false' },
        comment: 'datalinks:{"created_at":"2026-01-01T00:00:00.000Z","remote":"BILLING_URL"}',
        mappings: [{ role: 'app', options: { user: 'bill', password: 'pw' } }],
      },
    ],
    schemas: [
      { name: 'billing', owner: 'app', grants: [] },
      { name: 'public', owner: 'app', grants: [] },
    ],
    foreignTables: [
      {
        schema: 'billing',
        name: 'invoices',
        server: 'billing',
        owner: 'app',
        options: { schema_name: 'public', table_name: 'invoices' },
        columns: [
          { name: 'id', type: 'integer', notNull: true, collation: null, default: null, generated: '', columnName: 'id' },
          {
            name: 'note',
            type: 'text',
            notNull: false,
            collation: 'pg_catalog."default"',
            default: null,
            generated: '',
            columnName: 'note',
          },
        ],
        grants: [],
      },
    ],
  });

const sql = (plan: ReturnType<typeof planDatabase>) =>
  renderDatabaseSql(plan, { passwordFor: () => 'pw', now: '2026-11-25T00:00:00.000Z' }).map((s) => s.sql);

describe('planDatabase', () => {
  it('creates a new link: server, comment, mapping, schema, foreign tables in IMPORT shape', () => {
    const plan = planDatabase(database([link()]), observed(catalog()));
    expect(plan.errors).toStrictEqual([]);
    expect(plan.changes.map((c) => c.action)).toStrictEqual(['create']);
    expect(sql(plan)).toStrictEqual([
      `CREATE SERVER "billing" FOREIGN DATA WRAPPER postgres_fdw OPTIONS ("dbname" 'billing', "host" 'billing.internal', "port" '5432', "sslmode" 'require', "updatable" 'false')`,
      `COMMENT ON SERVER "billing" IS 'datalinks:{"created_at":"2026-11-25T00:00:00.000Z","remote":"BILLING_URL"}'`,
      `CREATE USER MAPPING FOR "app" SERVER "billing" OPTIONS ("user" 'bill', "password" 'pw')`,
      `CREATE SCHEMA "billing"`,
      `CREATE FOREIGN TABLE "billing"."invoices" (\n  "id" integer OPTIONS (column_name 'id') NOT NULL,\n  "note" text OPTIONS (column_name 'note') COLLATE pg_catalog."default"\n) SERVER "billing" OPTIONS (schema_name 'public', table_name 'invoices')`,
    ]);
  });

  it('plans nothing when the catalogs already match', () => {
    const plan = planDatabase(database([link()]), observed(linked()));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.preamble).toStrictEqual([]);
  });

  it('alters the server in place after a failover moved the remote host', () => {
    const moved = link({
      remote: { ...link().remote, target: target('postgres://bill:pw@replica.internal:6432/billing?sslmode=require') },
    });
    const plan = planDatabase(database([moved]), observed(linked()));
    expect(sql(plan)).toStrictEqual([`ALTER SERVER "billing" OPTIONS (SET "host" 'replica.internal', SET "port" '6432')`]);
  });

  it('imports only the tables that appeared on the remote', () => {
    const customers: RemoteTable = {
      name: 'customers',
      kind: 'v',
      isPartition: false,
      columns: [{ name: 'id', type: 'bigint', notNull: false, collation: null, default: null, generated: '' }],
    };
    const plan = planDatabase(database([link()]), observed(linked(), [customers, INVOICES]));
    expect(sql(plan)).toStrictEqual([
      `CREATE FOREIGN TABLE "billing"."customers" (\n  "id" bigint OPTIONS (column_name 'id')\n) SERVER "billing" OPTIONS (schema_name 'public', table_name 'customers')`,
    ]);
  });

  it('replaces a foreign table whose remote column changed type, and names the dependent view', () => {
    const changed: RemoteTable = { ...INVOICES, columns: [{ ...INVOICES.columns[0]!, type: 'bigint' }, INVOICES.columns[1]!] };
    const local = { ...linked(), dependents: [{ link: 'billing', table: 'invoices', description: 'view public.totals' }] };
    const plan = planDatabase(database([link()]), observed(local, [changed]));
    const change = plan.changes[0]!;
    expect(change.operations).toMatchObject([
      { kind: 'replace_foreign_table', diff: [{ change: 'changed', column: 'id', before: 'integer NOT NULL', after: 'bigint NOT NULL' }] },
    ]);
    expect(change.dependents).toStrictEqual([{ link: 'billing', table: 'invoices', description: 'view public.totals' }]);
    expect(sql(plan)[0]).toBe('DROP FOREIGN TABLE "billing"."invoices" CASCADE');
  });

  it('alters a foreign table in place when the remote appended a column', () => {
    const grown: RemoteTable = {
      ...INVOICES,
      columns: [...INVOICES.columns, { name: 'paid', type: 'boolean', notNull: true, collation: null, default: null, generated: '' }],
    };
    const plan = planDatabase(database([link()]), observed(linked(), [grown]));
    expect(sql(plan)).toStrictEqual([
      `ALTER FOREIGN TABLE "billing"."invoices" ADD COLUMN "paid" boolean OPTIONS (column_name 'paid') NOT NULL`,
    ]);
    expect(plan.changes[0]?.dependents).toStrictEqual([]);
  });

  it('does not plan a credentials change it cannot see, and says so', () => {
    const local = linked();
    local.servers[0]!.mappings = [{ role: 'app', options: null }];
    const plan = planDatabase(database([link()]), observed(local));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.notes).toStrictEqual([
      'link "billing": the credentials of the user mapping for role "app" cannot be read by "app", so they were not compared',
    ]);
  });

  it('replaces the user mapping when the password changed', () => {
    const local = linked();
    local.servers[0]!.mappings = [{ role: 'app', options: { user: 'bill', password: 'old' } }];
    const plan = planDatabase(database([link()]), observed(local));
    expect(sql(plan)).toStrictEqual([
      'DROP USER MAPPING IF EXISTS FOR "app" SERVER "billing"',
      `CREATE USER MAPPING FOR "app" SERVER "billing" OPTIONS ("user" 'bill', "password" 'pw')`,
    ]);
    expect(JSON.stringify(plan)).not.toContain('"pw"');
  });

  it('refuses to take over a server it did not make', () => {
    const local = linked();
    local.servers[0]!.comment = 'made by hand';
    const plan = planDatabase(database([link()]), observed(local));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.errors[0]?.message).toBe('a foreign server "billing" already exists and was not made by datalinks');
  });

  it('destroys a managed link that left the file, and nothing unmanaged', () => {
    const local = linked();
    local.servers.push({ name: 'by_hand', wrapper: 'postgres_fdw', owner: 'app', options: {}, comment: null, mappings: [] });
    const plan = planDatabase(database([]), observed(local));
    expect(sql(plan)).toStrictEqual(['DROP SCHEMA "billing" CASCADE', 'DROP SERVER "billing" CASCADE']);
  });

  it('quotes every identifier and literal, whatever the remote calls its tables', () => {
    const odd: RemoteTable = {
      name: `it's "odd"; DROP`,
      kind: 'r',
      isPartition: false,
      columns: [{ name: 'a"b', type: 'text', notNull: false, collation: null, default: null, generated: '' }],
    };
    const plan = planDatabase(database([link({ remote: { ...link().remote, schema: "o'brien" } })]), {
      ...observed(catalog(), [odd]),
    });
    expect(sql(plan).at(-1)).toBe(
      `CREATE FOREIGN TABLE "billing"."it's ""odd""; DROP" (\n  "a""b" text OPTIONS (column_name 'a"b')\n) SERVER "billing" OPTIONS (schema_name 'o''brien', table_name 'it''s "odd"; DROP')`,
    );
  });

  it('refuses a server option the connected PostgreSQL does not know', () => {
    const local = catalog();
    local.environment.versionNum = 140000;
    const plan = planDatabase(database([link({ serverOptions: { parallel_abort: 'true' } })]), observed(local));
    expect(plan.errors.map((e) => e.message)).toStrictEqual([
      'server option "parallel_abort" needs PostgreSQL 16 or later; this database runs 14',
    ]);
  });
});

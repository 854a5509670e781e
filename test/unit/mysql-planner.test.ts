import { describe, expect, it } from 'vitest';
import { parsePostgresUrl } from '../../src/config/parse-url.js';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredLink } from '../../src/config/types.js';
import type { LocalCatalog, ObservedDatabase, RemoteColumn, RemoteTable } from '../../src/introspect/types.js';
import { planDatabase } from '../../src/plan/plan-database.js';
import { expectedSignature, foreignTableUnchanged } from '../../src/plan/unchanged-tables.js';
import { problemWords } from '../../src/render/plan-words.js';
import { renderDatabaseSql } from '../../src/sql/render-sql.js';
import { parseMysqlUrl } from '../../src/wrappers/mysql/parse-url.js';

function mysqlLink(overrides: Partial<DesiredLink> = {}): DesiredLink {
  const parsed = parseMysqlUrl('mysql://shop:pw@mysql.internal:3307/shop');
  if (!parsed.ok) throw new Error(parsed.message);
  return {
    name: 'shop',
    remote: { target: parsed.target, variable: 'SHOP_URL', urlSource: '${SHOP_URL}', schema: 'shop' },
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

const database = (links: DesiredLink[]): DesiredDatabase => ({
  alias: 'main',
  target: { url: 'postgres://app:pw@localhost/app', host: 'localhost', port: null, dbname: 'app', user: 'app', password: 'pw', params: {} },
  urlSource: '${DATABASE_URL}',
  links,
  position: { file: 'datalinks.yaml', line: 3, column: 3 },
});

const column = (name: string, type: string, typmod = -1, extra: Partial<RemoteColumn> = {}): RemoteColumn => ({
  name,
  type: { schema: 'pg_catalog', name: type, typmod },
  notNull: false,
  collation: null,
  default: null,
  generated: '',
  ...extra,
});

const ORDERS: RemoteTable = {
  name: 'orders',
  kind: 'r',
  isPartition: false,
  readable: true,
  columns: [column('id', 'int8', -1, { notNull: true }), column('total', 'numeric', ((10 << 16) | 2) + 4)],
};

function catalog(mysqlFdw: { extension: string | null; available: boolean }): LocalCatalog {
  return {
    environment: {
      database: 'app',
      identity: 'x',
      versionNum: 150000,
      currentUser: 'app',
      isSuperuser: true,
      fdwExtension: '1.1',
      fdwAvailable: true,
      fdwUsage: true,
      canCreateSchema: true,
      wrappers: {
        postgres_fdw: { extension: '1.1', available: true, usage: true },
        mysql_fdw: { ...mysqlFdw, usage: mysqlFdw.extension ? true : null },
      },
    },
    servers: [],
    schemas: [],
    foreignTables: [],
    dependents: [],
    existingRoles: [],
    resolved: {
      types: {
        'pg_catalog\0int8\0-1': { text: 'bigint', collation: null },
        [`pg_catalog\0numeric\0${((10 << 16) | 2) + 4}`]: { text: 'numeric(10,2)', collation: null },
      },
      missing: [],
    },
  };
}

const observed = (local: LocalCatalog, tables: RemoteTable[] = [ORDERS]): ObservedDatabase => ({
  alias: 'main',
  local: { ok: true, catalog: local },
  remotes: { shop: { ok: true, tables } },
});

const sql = (plan: ReturnType<typeof planDatabase>) =>
  renderDatabaseSql(plan, { passwordFor: () => 'pw', now: '2026-11-25T00:00:00.000Z' }).map((s) => s.sql);

describe('planning a MySQL link', () => {
  it('creates the mysql_fdw extension, server, username mapping and foreign tables with dbname and no column_name', () => {
    const plan = planDatabase(database([mysqlLink()]), observed(catalog({ extension: null, available: true })));
    expect(plan.errors).toStrictEqual([]);
    expect(sql(plan)).toStrictEqual([
      'CREATE SCHEMA "datalinks_ext"',
      'GRANT USAGE ON SCHEMA "datalinks_ext" TO PUBLIC',
      'CREATE EXTENSION IF NOT EXISTS mysql_fdw SCHEMA "datalinks_ext"',
      `CREATE SERVER "shop" FOREIGN DATA WRAPPER mysql_fdw OPTIONS ("character_set" 'utf8mb4', "host" 'mysql.internal', "port" '3307')`,
      `COMMENT ON SERVER "shop" IS 'datalinks:{"created_at":"2026-11-25T00:00:00.000Z","remote":"SHOP_URL"}'`,
      `CREATE USER MAPPING FOR "app" SERVER "shop" OPTIONS ("username" 'shop', "password" 'pw')`,
      'CREATE SCHEMA "shop"',
      `COMMENT ON SCHEMA "shop" IS 'datalinks:{"created_at":"2026-11-25T00:00:00.000Z","remote":"SHOP_URL"}'`,
      `CREATE FOREIGN TABLE "shop"."orders" (\n  "id" bigint NOT NULL,\n  "total" numeric(10,2)\n) SERVER "shop" OPTIONS (dbname 'shop', table_name 'orders')`,
    ]);
  });

  it('says which package to install when mysql_fdw is not available on the local server', () => {
    const plan = planDatabase(database([mysqlLink()]), observed(catalog({ extension: null, available: false })));
    expect(plan.errors.map((p) => ({ link: p.link, code: p.code, ...problemWords(p) }))).toStrictEqual([
      {
        link: null,
        code: 'extension_unavailable',
        message: 'the mysql_fdw extension is not available on this PostgreSQL server',
        hint: 'install mysql_fdw on the PostgreSQL server (Debian: apt-get install postgresql-15-mysql-fdw), then run plan again',
      },
    ]);
  });

  it('refuses a column whose MySQL type has no faithful mapping, naming table and column', () => {
    const places: RemoteTable = {
      ...ORDERS,
      name: 'places',
      columns: [column('spot', 'text', -1, { unmappedType: 'geometry (no PostgreSQL type holds its values faithfully)' })],
    };
    const plan = planDatabase(database([mysqlLink()]), observed(catalog({ extension: '1.1', available: true }), [ORDERS, places]));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.errors.map((e) => [e.code, problemWords(e).message, problemWords(e).hint])).toStrictEqual([
      [
        'type_unmapped',
        'column "spot" of remote table "places" has the MySQL type geometry (no PostgreSQL type holds its values faithfully)',
        "change the column's type on the remote, or leave the table out with `exclude: [places]`",
      ],
    ]);
  });
});

describe('signatures and MySQL links', () => {
  it('never proves a MySQL foreign table unchanged: its columns are always read and compared', () => {
    // Resolved as the local database answers for a PostgreSQL remote: with type and collation oids.
    const base = catalog({ extension: '1.1', available: true }).resolved;
    const resolved = {
      ...base,
      types: Object.fromEntries(Object.entries(base.types).map(([key, type], i) => [key, { ...type, oid: 20 + i, collationOid: 0 }])),
    };
    const signature = expectedSignature(ORDERS, DEFAULT_IMPORT_OPTIONS, resolved) ?? undefined;
    expect(signature).toBeDefined();
    const remote = { ok: true as const, tables: [ORDERS] };
    const table = { schema: 'shop', name: 'orders', server: 'shop', owner: 'app', grants: [] };
    const mysqlTable = { ...table, options: { dbname: 'shop', table_name: 'orders' } };
    expect(foreignTableUnchanged(mysqlLink(), remote, mysqlTable, signature, resolved)).toBe(false);
    // The control: a PostgreSQL link's table with that very signature is proven unchanged.
    const postgres = parsePostgresUrl('postgres://shop:pw@pg.internal:5432/shop');
    if (!postgres.ok) throw new Error(postgres.message);
    const postgresLink = mysqlLink({ remote: { ...mysqlLink().remote, target: postgres.target } });
    const postgresTable = { ...table, options: { schema_name: 'shop', table_name: 'orders' } };
    expect(foreignTableUnchanged(postgresLink, remote, postgresTable, signature, resolved)).toBe(true);
  });
});

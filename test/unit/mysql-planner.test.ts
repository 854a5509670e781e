import { describe, expect, it } from 'vitest';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredLink } from '../../src/config/types.js';
import type { LocalCatalog, ObservedDatabase, RemoteColumn, RemoteTable } from '../../src/introspect/types.js';
import { planDatabase } from '../../src/plan/plan-database.js';
import { renderDatabaseSql } from '../../src/plan/statements.js';
import type { PlanNote, PlanProblem } from '../../src/plan/types.js';
import { expectedSignature, foreignTableUnchanged } from '../../src/plan/unchanged-tables.js';
import { noteText, problemWords } from '../../src/render/plan-words.js';
import { parseMysqlUrl } from '../../src/wrappers/mysql/parse-url.js';
import { parsePostgresUrl } from '../../src/wrappers/postgres/parse-url.js';

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

  it('refuses a column whose MySQL type has no faithful mapping, naming table and column, with a view that converts it as the fix', () => {
    const places: RemoteTable = {
      ...ORDERS,
      name: 'places',
      columns: [column('spot', 'text', -1, { unmapped: { declared: 'geometry', reason: 'no_local_type', conversion: 'spatial_text' } })],
    };
    const plan = planDatabase(database([mysqlLink()]), observed(catalog({ extension: '1.1', available: true }), [ORDERS, places]));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.errors.map((e) => [e.code, problemWords(e).message, problemWords(e).hint])).toStrictEqual([
      [
        'type_unmapped',
        'column "spot" of remote table "places" has the MySQL type geometry, which no PostgreSQL type holds',
        'link a remote view in its place: on the remote, CREATE VIEW `places_linked` AS SELECT ST_AsText(`spot`) AS `spot`, <the other columns> FROM `places`; then leave the table out with `exclude: [places]`',
      ],
    ]);
  });

  it('refuses a float column, which mysql_fdw reads rounded, with a view that casts it to double as the fix', () => {
    const readings: RemoteTable = {
      ...ORDERS,
      name: 'read`ings',
      columns: [column('v', 'text', -1, { unmapped: { declared: 'float', reason: 'rounded', conversion: 'cast_double' } })],
    };
    const link = mysqlLink({ tables: ['read`ings'] });
    const plan = planDatabase(database([link]), observed(catalog({ extension: '1.1', available: true }), [readings]));
    expect(plan.errors.map((e) => ({ code: e.code, ...problemWords(e) }))).toStrictEqual([
      {
        code: 'type_unmapped',
        message:
          'column "v" of remote table "read`ings" has the MySQL type float, which mysql_fdw reads rounded to 6 significant digits, whatever the local type',
        hint: 'link a remote view in its place: on the remote, CREATE VIEW `read``ings_linked` AS SELECT CAST(`v` AS DOUBLE) AS `v`, <the other columns> FROM `read``ings`; then list the view in `tables` of link "shop" instead of "read`ings"',
      },
    ]);
    expect(plan.errors[0]).toMatchObject({ reason: 'rounded', conversion: 'cast_double', detail: 'float', wrapper: 'mysql_fdw' });
  });

  it('refuses table and column names longer than the 63 bytes PostgreSQL keeps, and names sharing their first 63 bytes', () => {
    // 64 bytes in 32 characters; and two names of 64 bytes whose first 63 are the same.
    const longColumn = 'ü'.repeat(32);
    const twins = [`${'ü'.repeat(31)}x1`, `${'ü'.repeat(31)}x2`];
    const longTable = `t${'é'.repeat(32)}`; // 65 bytes
    const fits = 'a'.repeat(63);
    const tables: RemoteTable[] = [
      {
        ...ORDERS,
        name: 'wide',
        columns: [column('id', 'int8'), column(longColumn, 'int8'), ...twins.map((twin) => column(twin, 'int8'))],
      },
      { ...ORDERS, name: longTable, columns: [column('id', 'int8')] },
      { ...ORDERS, name: fits, columns: [column(fits, 'int8')] },
    ];
    const plan = planDatabase(database([mysqlLink()]), observed(catalog({ extension: '1.1', available: true }), tables));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.errors.map((e) => (e.code === 'name_too_long' ? [e.table, e.column, e.bytes, e.limit] : e.code))).toStrictEqual([
      ['wide', longColumn, 64, 63],
      ['wide', twins[0], 64, 63],
      ['wide', twins[1], 64, 63],
      [longTable, null, 65, 63],
    ]);
    expect(problemWords(plan.errors[3] as PlanProblem)).toStrictEqual({
      message: `remote table "${longTable}" has a name of 65 bytes; PostgreSQL keeps only the first 63 bytes of a name`,
      hint: `link a remote view with a shorter name in its place: on the remote, CREATE VIEW \`shorter_name\` AS SELECT * FROM \`${longTable}\`; or leave the table out with \`exclude: [${longTable}]\``,
    });
    expect(problemWords(plan.errors[0] as PlanProblem).hint).toBe(
      `link a remote view that renames it in its place: on the remote, CREATE VIEW \`wide_linked\` AS SELECT \`${longColumn}\` AS \`shorter_name\`, <the other columns> FROM \`wide\`; then leave the table out with \`exclude: [wide]\``,
    );
    // Leaving the tables out is a fix that works: the plan is clean.
    const fixed = planDatabase(
      database([mysqlLink({ exclude: ['wide', longTable] })]),
      observed(catalog({ extension: '1.1', available: true }), tables),
    );
    expect(fixed.errors).toStrictEqual([]);
  });

  it('warns, with the limit, about each linked column whose longer values end a read through the link', () => {
    const photos: RemoteTable = {
      ...ORDERS,
      name: 'photos',
      columns: [column('id', 'int8'), column('jpeg', 'bytea', -1, { readLimit: 8192 })],
    };
    const local = catalog({ extension: '1.1', available: true });
    local.resolved.types['pg_catalog\0bytea\0-1'] = { text: 'bytea', collation: null };
    const plan = planDatabase(database([mysqlLink()]), observed(local, [ORDERS, photos]));
    expect(plan.errors).toStrictEqual([]);
    expect(plan.notes).toStrictEqual([{ code: 'remote_values_limited', link: 'shop', table: 'photos', column: 'jpeg', limit: 8192 }]);
    expect(noteText(plan.notes[0] as PlanNote)).toBe(
      'link "shop": a value of more than 8,192 bytes in column "jpeg" of remote table "photos" ends a read through the link there without an error (mysql_fdw reads the column into a buffer of that size); `datalinks check` counts the rows that hold one',
    );
    // A table the link leaves out is not read through it: no note.
    const excluded = planDatabase(database([mysqlLink({ exclude: ['photos'] })]), observed(local, [ORDERS, photos]));
    expect(excluded.notes).toStrictEqual([]);
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

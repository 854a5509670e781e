import { describe, expect, it } from 'vitest';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredLink } from '../../src/config/types.js';
import type {
  Dependent,
  LocalCatalog,
  LocalEnvironment,
  ObservedColumn,
  ObservedDatabase,
  RemoteColumn,
  RemoteTable,
} from '../../src/introspect/types.js';
import { planChanges, summarize } from '../../src/plan/plan-changes.js';
import { planDatabase } from '../../src/plan/plan-database.js';
import { renderDatabaseSql } from '../../src/plan/statements.js';
import type { PlanProblem } from '../../src/plan/types.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { buildPlanView } from '../../src/render/plan-view.js';
import { accessRemovedText, noteText, problemWords } from '../../src/render/plan-words.js';
import { parseMysqlUrl } from '../../src/wrappers/mysql/parse-url.js';
import { parsePostgresUrl } from '../../src/wrappers/postgres/parse-url.js';

import { localEnvironment } from '../support/local-environment.js';

/** Problems with the words render/ gives them, as a person reads them. */
const said = (problems: PlanProblem[]) => problems.map((p) => ({ link: p.link, code: p.code, ...problemWords(p) }));

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

type ColumnOptions = Partial<Omit<RemoteColumn, 'name' | 'type'>>;

const TYPES: Record<string, { text: string; collation: string | null }> = {
  int4: { text: 'integer', collation: null },
  int8: { text: 'bigint', collation: null },
  bool: { text: 'boolean', collation: null },
  text: { text: 'text', collation: '"pg_catalog"."default"' },
};

/** A remote column as the remote query returns it: raw type parts, never formatted text. */
function col(name: string, type: keyof typeof TYPES | string, options: ColumnOptions = {}): RemoteColumn {
  return {
    name,
    type: { schema: type in TYPES ? 'pg_catalog' : 'public', name: type, typmod: -1 },
    notNull: false,
    collation: type === 'text' ? { schema: 'pg_catalog', name: 'default' } : null,
    default: null,
    generated: '',
    ...options,
  };
}

function remoteTable(name: string, columns: RemoteColumn[], overrides: Partial<RemoteTable> = {}): RemoteTable {
  return { name, kind: 'r', isPartition: false, readable: true, columns, ...overrides };
}

const INVOICES = remoteTable('invoices', [
  col('id', 'int4', { notNull: true, default: "nextval('public.invoices_id_seq'::regclass)" }),
  col('note', 'text'),
]);

function catalog(overrides: Partial<LocalCatalog> = {}): LocalCatalog {
  return {
    environment: localEnvironment({ identity: '2026-01-01 5432 16384' }),
    servers: [],
    schemas: [{ name: 'public', owner: 'app', owned: true, comment: null, grants: [] }],
    foreignTables: [],
    dependents: [],
    existingRoles: [],
    resolved: {
      types: Object.fromEntries(Object.entries(TYPES).map(([name, local]) => [`pg_catalog\0${name}\0-1`, local])),
      missing: [],
    },
    ...overrides,
  };
}

function observed(local: LocalCatalog, tables: RemoteTable[] = [INVOICES]): ObservedDatabase {
  return { alias: 'main', local: { ok: true, catalog: local }, remotes: { billing: { ok: true, tables } } };
}

const MARKER = 'datalinks:{"created_at":"2026-01-01T00:00:00.000Z","remote":"BILLING_URL"}';

function localColumn(name: string, type: string, notNull = false): ObservedColumn {
  return {
    name,
    type,
    notNull,
    collation: type === 'text' ? '"pg_catalog"."default"' : null,
    default: null,
    generated: '',
    columnName: name,
  };
}

const linked = (): LocalCatalog =>
  catalog({
    servers: [
      {
        name: 'billing',
        wrapper: 'postgres_fdw',
        owner: 'app',
        owned: true,
        options: {
          dbname: 'billing',
          host: 'billing.internal',
          port: '5432',
          sslmode: 'require',
          truncatable: 'false',
          updatable: 'false',
        },
        comment: MARKER,
        mappings: [{ role: 'app', options: { user: 'bill', password: 'pw' } }],
      },
    ],
    schemas: [
      { name: 'billing', owner: 'app', owned: true, comment: MARKER, grants: [] },
      { name: 'public', owner: 'app', owned: true, comment: null, grants: [] },
    ],
    foreignTables: [
      {
        schema: 'billing',
        name: 'invoices',
        server: 'billing',
        owner: 'app',
        options: { schema_name: 'public', table_name: 'invoices' },
        columns: [localColumn('id', 'integer', true), localColumn('note', 'text')],
        grants: [],
      },
    ],
  });

function dependent(description: string, table: string | null, column: string | null = null): Dependent {
  return { link: 'billing', table, column, inLinkSchema: false, description };
}

const sql = (plan: ReturnType<typeof planDatabase>) =>
  renderDatabaseSql(plan, { passwordFor: () => 'pw', now: '2026-11-25T00:00:00.000Z' }).map((s) => s.sql);

describe('planDatabase', () => {
  it('creates a new link: server, comment, mapping, marked schema, foreign tables in IMPORT shape', () => {
    const plan = planDatabase(database([link()]), observed(catalog()));
    expect(plan.errors).toStrictEqual([]);
    expect(plan.changes.map((c) => c.action)).toStrictEqual(['create']);
    expect(sql(plan)).toStrictEqual([
      `CREATE SERVER "billing" FOREIGN DATA WRAPPER postgres_fdw OPTIONS ("dbname" 'billing', "host" 'billing.internal', "port" '5432', "sslmode" 'require', "truncatable" 'false', "updatable" 'false')`,
      `COMMENT ON SERVER "billing" IS 'datalinks:{"created_at":"2026-11-25T00:00:00.000Z","remote":"BILLING_URL"}'`,
      `CREATE USER MAPPING FOR "app" SERVER "billing" OPTIONS ("user" 'bill', "password" 'pw')`,
      `CREATE SCHEMA "billing"`,
      `COMMENT ON SCHEMA "billing" IS 'datalinks:{"created_at":"2026-11-25T00:00:00.000Z","remote":"BILLING_URL"}'`,
      `CREATE FOREIGN TABLE "billing"."invoices" (\n  "id" integer OPTIONS (column_name 'id') NOT NULL,\n  "note" pg_catalog.text OPTIONS (column_name 'note') COLLATE "pg_catalog"."default"\n) SERVER "billing" OPTIONS (schema_name 'public', table_name 'invoices')`,
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
    const customers = remoteTable('customers', [col('id', 'int8')], { kind: 'v' });
    const plan = planDatabase(database([link()]), observed(linked(), [customers, INVOICES]));
    expect(sql(plan)).toStrictEqual([
      `CREATE FOREIGN TABLE "billing"."customers" (\n  "id" bigint OPTIONS (column_name 'id')\n) SERVER "billing" OPTIONS (schema_name 'public', table_name 'customers')`,
    ]);
  });

  it("skips, with a warning, a new remote table whose name an object made by hand in the link's schema holds", () => {
    const report = remoteTable('report', [col('id', 'int4')]);
    const customers = remoteTable('customers', [col('id', 'int8')]);
    const local = linked();
    const [billing, ...others] = local.schemas;
    const schemas = [{ ...billing!, taken: [{ name: 'report', kind: 'view' as const }] }, ...others];
    const plan = planDatabase(database([link()]), observed({ ...local, schemas }, [customers, INVOICES, report]));
    expect(plan.errors).toStrictEqual([]);
    expect(plan.notes).toStrictEqual([{ code: 'table_name_taken', link: 'billing', table: 'report', kind: 'view', filter: 'exclude' }]);
    expect(sql(plan)).toStrictEqual([
      `CREATE FOREIGN TABLE "billing"."customers" (\n  "id" bigint OPTIONS (column_name 'id')\n) SERVER "billing" OPTIONS (schema_name 'public', table_name 'customers')`,
    ]);
    // Listed by name, the fix names the list.
    const listed = planDatabase(database([link({ tables: ['invoices', 'report'] })]), observed({ ...local, schemas }, [INVOICES, report]));
    expect(listed.changes).toStrictEqual([]);
    expect(noteText(listed.notes[0]!)).toContain('remove "report" from `tables` of link "billing"');
    // The link's own foreign table of that name is no collision.
    const own = planDatabase(database([link()]), observed({ ...local, schemas: [{ ...billing!, taken: [] }, ...others] }, [INVOICES]));
    expect(own.notes).toStrictEqual([]);
  });

  it('explains a change of remote.schema as one, in text and in the operations, not as an import option', () => {
    const moved = link({ remote: { ...link().remote, schema: 'finance' } });
    const customers = remoteTable('customers', [col('id', 'int8')]);
    const local = linked();
    local.foreignTables.push({ ...local.foreignTables[0]!, name: 'old_only', options: { schema_name: 'public', table_name: 'old_only' } });
    const plan = planDatabase(database([moved]), observed(local, [INVOICES, customers]));
    const ops = plan.changes[0]?.operations ?? [];
    expect(ops.find((op) => op.kind === 'drop_foreign_tables')).toMatchObject({
      tables: ['old_only'],
      reason: 'remote_schema_changed',
      schemas: { before: 'public', after: 'finance' },
    });
    expect(ops.find((op) => op.kind === 'replace_foreign_table')).toMatchObject({
      reason: { code: 'remote_schema_changed', schemas: { before: 'public', after: 'finance' } },
    });
    const text = renderPlanText(buildPlanView({ databases: [plan], summary: summarize([plan]) }));
    expect(text).toContain('- foreign table billing.old_only (remote.schema changed from "public" to "finance")');
    expect(text).toContain('-/+ foreign table billing.invoices (remote.schema changed from "public" to "finance": replaced)');
    expect(text).not.toContain('import options changed');
  });

  it('retypes a remote column in place when nothing uses it', () => {
    const changed = remoteTable('invoices', [col('id', 'int8', { notNull: true }), col('note', 'text')]);
    const plan = planDatabase(database([link()]), observed(linked(), [changed]));
    expect(sql(plan)).toStrictEqual(['ALTER FOREIGN TABLE "billing"."invoices" ALTER COLUMN "id" TYPE bigint']);
    expect(plan.changes[0]?.dependents).toStrictEqual([]);
  });

  it('replaces a foreign table whose retyped column a view uses, names the view, and drops RESTRICT', () => {
    const changed = remoteTable('invoices', [col('id', 'int8', { notNull: true }), col('note', 'text')]);
    const view = dependent('view public.totals', 'invoices', 'id');
    const plan = planDatabase(database([link()]), observed({ ...linked(), dependents: [view] }, [changed]));
    const change = plan.changes[0]!;
    expect(change.operations).toMatchObject([
      {
        kind: 'replace_foreign_table',
        reason: { code: 'remote_columns_changed' },
        diff: [{ change: 'changed', column: 'id', before: { type: 'integer', notNull: true }, after: { type: 'bigint', notNull: true } }],
      },
    ]);
    expect(change.dependents).toStrictEqual([view]);
    expect(sql(plan)[0]).toBe('DROP FOREIGN TABLE "billing"."invoices"');
    expect(renderDatabaseSql(plan, { passwordFor: () => 'pw', now: '', cascade: true })[0]?.sql).toBe(
      'DROP FOREIGN TABLE "billing"."invoices" CASCADE',
    );
  });

  it('drops a column dropped on the remote in place, keeping views over the other columns', () => {
    const shrunk = remoteTable('invoices', [col('id', 'int4', { notNull: true })]);
    const other = dependent('view public.ids', 'invoices', 'id');
    const plan = planDatabase(database([link()]), observed({ ...linked(), dependents: [other] }, [shrunk]));
    expect(sql(plan)).toStrictEqual(['ALTER FOREIGN TABLE "billing"."invoices" DROP COLUMN "note"']);
    expect(plan.changes[0]?.dependents).toStrictEqual([]);
  });

  it('drops a generated column before the column its expression reads, so neither RESTRICT nor CASCADE trips on it', () => {
    const shrunk = remoteTable('invoices', [col('id', 'int4', { notNull: true })]);
    const local = linked();
    local.foreignTables[0]!.columns = [
      localColumn('id', 'integer', true),
      localColumn('amount', 'integer'),
      { ...localColumn('doubled', 'integer'), default: '(amount * 2)', generated: 's' },
    ];
    const plan = planDatabase(database([link()]), observed(local, [shrunk]));
    expect(sql(plan)).toStrictEqual(['ALTER FOREIGN TABLE "billing"."invoices" DROP COLUMN "doubled", DROP COLUMN "amount"']);
  });

  it('replaces a table rather than retype a column that a generated column reads, which PostgreSQL refuses', () => {
    const local = linked();
    local.foreignTables[0]!.columns = [
      localColumn('id', 'integer', true),
      { ...localColumn('note', 'text'), collation: '"pg_catalog"."C"' },
      { ...localColumn('shout', 'text'), default: 'upper(note)', generated: 's' },
    ];
    const remote = remoteTable('invoices', [
      col('id', 'int4', { notNull: true }),
      col('note', 'text'),
      col('shout', 'text', { default: 'upper(note)', generated: 's' }),
    ]);
    const plan = planDatabase(database([link()]), observed(local, [remote]));
    expect(plan.changes[0]?.operations.map((op) => op.kind)).toStrictEqual(['replace_foreign_table']);
    // A generated column over another column does not stop the retype.
    local.foreignTables[0]!.columns[2] = { ...localColumn('shout', 'text'), default: 'upper((id)::text)', generated: 's' };
    const overId = remoteTable('invoices', [
      ...remote.columns.slice(0, 2),
      col('shout', 'text', { default: 'upper((id)::text)', generated: 's' }),
    ]);
    const other = planDatabase(database([link()]), observed(local, [overId]));
    expect(sql(other)).toStrictEqual([
      'ALTER FOREIGN TABLE "billing"."invoices" ALTER COLUMN "note" TYPE pg_catalog.text COLLATE "pg_catalog"."default"',
    ]);
  });

  it('renames back a local column renamed by hand whose column_name option still names the remote column', () => {
    const local = linked();
    local.foreignTables[0]!.columns![1] = { ...localColumn('memo', 'text'), columnName: 'note' };
    const plan = planDatabase(database([link()]), observed(local));
    expect(sql(plan)).toStrictEqual([
      'ALTER FOREIGN TABLE "billing"."invoices" RENAME COLUMN "memo" TO "note"',
      `ALTER FOREIGN TABLE "billing"."invoices" ALTER COLUMN "note" OPTIONS (SET column_name 'note')`,
    ]);
    // Two names swapped by hand cannot be renamed back one after the other: the table is replaced.
    local.foreignTables[0]!.columns = [
      { ...localColumn('note', 'integer', true), columnName: 'id' },
      { ...localColumn('id', 'text'), columnName: 'note' },
    ];
    const swapped = planDatabase(database([link()]), observed(local));
    expect(swapped.changes[0]?.operations.map((op) => op.kind)).toStrictEqual(['replace_foreign_table']);
  });

  it('names a view over a dropped column as a dependent', () => {
    const shrunk = remoteTable('invoices', [col('id', 'int4', { notNull: true })]);
    const notes = dependent('view public.notes', 'invoices', 'note');
    const plan = planDatabase(database([link()]), observed({ ...linked(), dependents: [notes] }, [shrunk]));
    expect(plan.changes[0]?.dependents).toStrictEqual([notes]);
  });

  it('renames a column renamed on the remote, keeping its column_name option in step', () => {
    const renamed = remoteTable('invoices', [col('invoice_id', 'int4', { notNull: true }), col('note', 'text')]);
    const plan = planDatabase(database([link()]), observed(linked(), [renamed]));
    expect(sql(plan)).toStrictEqual([
      'ALTER FOREIGN TABLE "billing"."invoices" RENAME COLUMN "id" TO "invoice_id"',
      `ALTER FOREIGN TABLE "billing"."invoices" ALTER COLUMN "invoice_id" OPTIONS (SET column_name 'invoice_id')`,
    ]);
  });

  it('takes a new name in the last position for a dropped and an appended column, not a rename', () => {
    const swapped = remoteTable('invoices', [col('id', 'int4', { notNull: true }), col('memo', 'text')]);
    const plan = planDatabase(database([link()]), observed(linked(), [swapped]));
    expect(sql(plan)).toStrictEqual([
      'ALTER FOREIGN TABLE "billing"."invoices" DROP COLUMN "note"',
      `ALTER FOREIGN TABLE "billing"."invoices" ADD COLUMN "memo" pg_catalog.text OPTIONS (column_name 'memo') COLLATE "pg_catalog"."default"`,
    ]);
  });

  it('replaces a table only when its columns were reordered', () => {
    const reordered = remoteTable('invoices', [col('note', 'text'), col('id', 'int4', { notNull: true })]);
    const plan = planDatabase(database([link()]), observed(linked(), [reordered]));
    expect(plan.changes[0]?.operations.map((op) => op.kind)).toStrictEqual(['replace_foreign_table']);
  });

  it('alters a foreign table in place when the remote appended a column', () => {
    const grown = remoteTable('invoices', [...INVOICES.columns, col('paid', 'bool', { notNull: true })]);
    const plan = planDatabase(database([link()]), observed(linked(), [grown]));
    expect(sql(plan)).toStrictEqual([
      `ALTER FOREIGN TABLE "billing"."invoices" ADD COLUMN "paid" boolean OPTIONS (column_name 'paid') NOT NULL`,
    ]);
    expect(plan.changes[0]?.dependents).toStrictEqual([]);
  });

  it('says a change comes from the import options, not the remote, when only they changed', () => {
    const options = { ...DEFAULT_IMPORT_OPTIONS, import_not_null: false };
    const plan = planDatabase(database([link({ importOptions: options })]), observed(linked()));
    expect(plan.changes[0]?.operations).toMatchObject([
      { kind: 'alter_foreign_table', reason: { code: 'import_options_changed', options: ['import_not_null'] } },
    ]);
    expect(sql(plan)).toStrictEqual(['ALTER FOREIGN TABLE "billing"."invoices" ALTER COLUMN "id" DROP NOT NULL']);
  });

  it('gives a column the type default collation again when import_collate is turned off', () => {
    const c = remoteTable('invoices', [
      col('id', 'int4', { notNull: true }),
      col('note', 'text', { collation: { schema: 'pg_catalog', name: 'C' } }),
    ]);
    const local = linked();
    local.foreignTables[0]!.columns![1]!.collation = '"pg_catalog"."C"';
    expect(planDatabase(database([link()]), observed(local, [c])).changes).toStrictEqual([]);
    const off = planDatabase(
      database([link({ importOptions: { ...DEFAULT_IMPORT_OPTIONS, import_collate: false } })]),
      observed(local, [c]),
    );
    expect(sql(off)).toStrictEqual([
      'ALTER FOREIGN TABLE "billing"."invoices" ALTER COLUMN "note" TYPE pg_catalog.text COLLATE "pg_catalog"."default"',
    ]);
  });

  it('does not plan a credentials change it cannot see, and says so', () => {
    const local = linked();
    local.servers[0]!.mappings = [{ role: 'app', options: null }];
    const plan = planDatabase(database([link()]), observed(local));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.notes).toStrictEqual([{ code: 'mapping_credentials_unreadable', link: 'billing', role: 'app', reader: 'app' }]);
    expect(plan.notes.map(noteText)).toStrictEqual([
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
    expect(said(plan.errors)[0]?.message).toBe('a foreign server "billing" already exists and was not made by datalinks');
  });

  it('destroys a managed link without CASCADE: tables, mappings, schema, server; nothing unmanaged', () => {
    const local = linked();
    local.servers.push({ name: 'by_hand', wrapper: 'postgres_fdw', owner: 'app', owned: true, options: {}, comment: null, mappings: [] });
    const plan = planDatabase(database([]), observed(local));
    expect(sql(plan)).toStrictEqual([
      'DROP FOREIGN TABLE "billing"."invoices"',
      'DROP USER MAPPING IF EXISTS FOR "app" SERVER "billing"',
      'DROP SCHEMA "billing"',
      'DROP SERVER "billing"',
    ]);
  });

  it('leaves alone a marked server another role owns: a note, not a destroy, not an error', () => {
    const local = linked();
    local.servers[0]!.owned = false;
    local.servers[0]!.owner = 'mallory';
    const plan = planDatabase(database([]), observed(local));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.errors).toStrictEqual([]);
    expect(plan.notes).toStrictEqual([{ code: 'server_marked_by_other_role', link: null, server: 'billing', owner: 'mallory' }]);
    expect(plan.notes.map(noteText)).toStrictEqual([
      'server "billing" carries a datalinks marker but is owned by role "mallory": left alone',
    ]);
  });

  it('never drops a schema it does not own, even beside its own server', () => {
    const local = linked();
    local.schemas[0] = { name: 'billing', owner: 'victim', owned: false, comment: null, grants: [] };
    local.foreignTables = [];
    local.dependents = [{ ...dependent('type billing.money', null), inLinkSchema: true }];
    const plan = planDatabase(database([]), observed(local));
    expect(sql(plan)).toStrictEqual(['DROP USER MAPPING IF EXISTS FOR "app" SERVER "billing"', 'DROP SERVER "billing"']);
    expect(plan.changes[0]?.dependents).toStrictEqual([]);
  });

  it('recovers a link whose server was dropped by hand, reusing its marked schema', () => {
    const local = catalog({ schemas: [{ name: 'billing', owner: 'app', owned: true, comment: MARKER, grants: [] }] });
    const plan = planDatabase(database([link()]), observed(local));
    expect(plan.errors).toStrictEqual([]);
    expect(plan.changes[0]?.operations.map((op) => op.kind)).toStrictEqual([
      'create_server',
      'create_user_mapping',
      'comment_schema',
      'create_foreign_table',
    ]);
  });

  it('adopts an empty hand-made schema with --adopt, and refuses one that holds other objects', () => {
    const local = catalog({ schemas: [{ name: 'billing', owner: 'app', owned: true, comment: null, grants: [] }] });
    expect(planDatabase(database([link()]), observed(local)).errors[0]?.code).toBe('schema_not_managed');
    expect(planDatabase(database([link()]), observed(local), { adopt: true }).errors).toStrictEqual([]);
    local.dependents = [{ ...dependent('table billing.ledger', null), inLinkSchema: true }];
    expect(said(planDatabase(database([link()]), observed(local), { adopt: true }).errors).map((e) => e.message)).toStrictEqual([
      'cannot adopt schema "billing": it holds objects that are not foreign tables of server "billing" (table billing.ledger)',
    ]);
  });

  it('shows a PUBLIC mapping that adoption removes as access taken away', () => {
    const local = linked();
    local.servers[0]!.comment = null;
    local.schemas[0]!.comment = null;
    local.servers[0]!.mappings.push({ role: 'public', options: { user: 'bill', password: 'pw' } });
    const plan = planDatabase(database([link()]), observed(local), { adopt: true });
    expect(plan.changes[0]?.accessRemoved).toStrictEqual([{ kind: 'user_mapping', role: 'public' }]);
    expect(plan.changes[0]?.accessRemoved?.map(accessRemovedText)).toStrictEqual(['user mapping for PUBLIC']);
    const kept = planDatabase(database([link({ grantTo: ['public'] })]), observed(local), { adopt: true });
    expect(kept.errors).toStrictEqual([]);
    expect(kept.changes[0]?.accessRemoved).toBeUndefined();
  });

  it('removes a table-level updatable option that contradicts a read link', () => {
    const local = linked();
    local.foreignTables[0]!.options.updatable = 'true';
    const plan = planDatabase(database([link()]), observed(local));
    expect(sql(plan)).toStrictEqual(['ALTER FOREIGN TABLE "billing"."invoices" OPTIONS (DROP "updatable")']);
  });

  it('quotes every identifier and literal, whatever the remote calls its tables', () => {
    const odd = remoteTable(`it's "odd"; DROP`, [col('a"b', 'text', { collation: null })]);
    const plan = planDatabase(database([link({ remote: { ...link().remote, schema: "o'brien" } })]), {
      ...observed(catalog(), [odd]),
    });
    expect(sql(plan).at(-1)).toBe(
      `CREATE FOREIGN TABLE "billing"."it's ""odd""; DROP" (\n  "a""b" pg_catalog.text OPTIONS (column_name 'a"b') COLLATE "pg_catalog"."default"\n) SERVER "billing" OPTIONS (schema_name 'o''brien', table_name 'it''s "odd"; DROP')`,
    );
  });

  it('writes types and collations from the local catalog, never the remote text', () => {
    const hostile = remoteTable('t', [col('a', 'text', { collation: { schema: 'pg_catalog', name: 'C"; DROP TABLE users; --' } })]);
    const local = catalog();
    local.resolved.missing = ['"pg_catalog"."C""; DROP TABLE users; --"'];
    const plan = planDatabase(database([link()]), observed(local, [hostile]));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.errors.map((e) => e.code)).toStrictEqual(['collation_missing']);
  });

  it('refuses a remote default that would leave its parentheses, and names the option that brings it in', () => {
    const options = { ...DEFAULT_IMPORT_OPTIONS, import_default: true };
    const hostile = remoteTable('t', [col('a', 'int4', { default: '0) SERVER x OPTIONS (table_name $$y$$' })]);
    const plan = planDatabase(database([link({ importOptions: options, tables: ['t'] })]), observed(catalog(), [hostile]));
    expect(plan.errors).toMatchObject([{ code: 'expression_refused' }]);
    expect(said(plan.errors)[0]?.hint).toBe(
      'set `import_options: { import_default: false }` on link "billing", or remove "t" from `tables` of link "billing"',
    );
  });

  it('says which sequence a default needs when it does not exist locally', () => {
    const local = catalog();
    local.resolved.missing = ['relation:"public"."invoices_id_seq"'];
    const plan = planDatabase(database([link({ importOptions: { ...DEFAULT_IMPORT_OPTIONS, import_default: true } })]), observed(local));
    expect(said(plan.errors).map((e) => e.message)).toStrictEqual([
      'the default of column "id" of remote table "invoices" uses relation public.invoices_id_seq, which does not exist in this database',
    ]);
    expect(planDatabase(database([link()]), observed(local)).errors).toStrictEqual([]);
  });

  it('hints at exclude or tables, whichever the link uses, for a missing type', () => {
    const typed = remoteTable('moods', [col('m', 'mood')]);
    const all = planDatabase(database([link()]), observed(catalog(), [typed]));
    expect(said(all.errors)[0]?.hint).toContain('`exclude: [moods]`');
    const listed = planDatabase(database([link({ tables: ['moods'] })]), observed(catalog(), [typed]));
    expect(said(listed.errors)[0]?.hint).toContain('remove "moods" from `tables`');
    expect(said(listed.errors)[0]?.hint).not.toContain('exclude');
  });

  it('is an error, not a plan, when postgres_fdw is missing and this role cannot create it', () => {
    const local = catalog();
    local.environment.fdwExtension = null;
    local.environment.fdwUsage = null;
    const plan = planDatabase(database([link()]), observed(local));
    expect(plan.preamble).toStrictEqual([]);
    expect(plan.errors.map((e) => e.code)).toStrictEqual(['extension_not_creatable']);
    local.environment.isSuperuser = true;
    expect(planDatabase(database([link()]), observed(local)).preamble).toStrictEqual([
      { kind: 'create_extension_schema', schema: 'datalinks_ext' },
      { kind: 'create_extension', extension: 'postgres_fdw', schema: 'datalinks_ext' },
    ]);
  });

  describe('the schema a new extension goes to', () => {
    const missing = (extensionSchemas: LocalEnvironment['extensionSchemas']) => {
      const local = catalog();
      Object.assign(local.environment, { fdwExtension: null, fdwUsage: null, isSuperuser: true, extensionSchemas });
      return planDatabase(database([link()]), observed(local));
    };

    it('is public when only this role and superusers may create objects in it', () => {
      const plan = missing({ public: { owner: 'postgres', trusted: true } });
      expect(plan.preamble).toStrictEqual([{ kind: 'create_extension', extension: 'postgres_fdw', schema: 'public' }]);
      expect(sql(plan)[0]).toBe('CREATE EXTENSION IF NOT EXISTS postgres_fdw SCHEMA "public"');
    });

    it('is datalinks_ext, made by the plan and usable by all, when another role may create objects in public', () => {
      const plan = missing({ public: { owner: 'pg_database_owner', trusted: false } });
      expect(plan.errors).toStrictEqual([]);
      expect(sql(plan).slice(0, 3)).toStrictEqual([
        'CREATE SCHEMA "datalinks_ext"',
        'GRANT USAGE ON SCHEMA "datalinks_ext" TO PUBLIC',
        'CREATE EXTENSION IF NOT EXISTS postgres_fdw SCHEMA "datalinks_ext"',
      ]);
      expect(renderPlanText(buildPlanView({ databases: [plan], summary: summarize([plan]) }))).toContain(
        '+ schema datalinks_ext for extensions (owned by the applying role; no other role may create objects in it)',
      );
    });

    it('is an existing datalinks_ext that only this role and superusers may create objects in, not made again', () => {
      const plan = missing({ public: { owner: 'app', trusted: false }, datalinks_ext: { owner: 'app', trusted: true } });
      expect(plan.preamble).toStrictEqual([{ kind: 'create_extension', extension: 'postgres_fdw', schema: 'datalinks_ext' }]);
    });

    it('is an error, naming the schema and its owner, when datalinks_ext exists and another role may create objects in it', () => {
      const plan = missing({ public: { owner: 'app', trusted: false }, datalinks_ext: { owner: 'mallory', trusted: false } });
      expect(plan.preamble).toStrictEqual([]);
      expect(plan.errors).toStrictEqual([
        { code: 'extension_schema_untrusted', link: null, extension: 'postgres_fdw', schema: 'datalinks_ext', owner: 'mallory' },
      ]);
    });

    it('notes an installed extension in a schema others may create objects in, and changes nothing for it', () => {
      const local = catalog();
      local.environment.wrappers = { postgres_fdw: { extension: '1.1', available: true, usage: true, schema: 'public' } };
      local.environment.extensionSchemas = { public: { owner: 'mallory', trusted: false } };
      const plan = planDatabase(database([link()]), observed(local));
      expect(plan.preamble).toStrictEqual([]);
      expect(plan.notes).toContainEqual({
        code: 'extension_schema_writable',
        link: null,
        extension: 'postgres_fdw',
        schema: 'public',
        owner: 'mallory',
      });
      local.environment.extensionSchemas = { public: { owner: 'postgres', trusted: true } };
      expect(planDatabase(database([link()]), observed(local)).notes.map((n) => n.code)).not.toContain('extension_schema_writable');
    });
  });

  it('refuses two aliases that reach the same database', () => {
    const main = database([link()]);
    const again = { ...database([link()]), alias: 'again' };
    const plan = planChanges({ configPath: 'x', configHash: 'h', databases: [main, again] }, [
      observed(catalog()),
      { ...observed(catalog()), alias: 'again' },
    ]);
    expect(plan.databases.map((db) => said(db.errors).map((e) => e.message))).toStrictEqual([
      ['databases "main" and "again" in the file are the same database'],
      ['databases "again" and "main" in the file are the same database'],
    ]);
    expect(plan.summary).toStrictEqual({ create: 0, update: 0, destroy: 0 });
  });

  it('refuses a database that an alias not selected with -d reaches: nothing of what that alias declares is destroyed', () => {
    // "other" is selected and declares no links; "main" (not selected) made billing in the same database.
    const other = { ...database([]), alias: 'other' };
    const otherAliases = { identities: new Map([['2026-01-01 5432 16384', ['main']]]), unread: [] };
    const plan = planDatabase(other, { ...observed(linked()), alias: 'other' }, { otherAliases });
    expect(said(plan.errors).map((e) => e.message)).toStrictEqual(['databases "other" and "main" in the file are the same database']);
    expect(plan.changes).toStrictEqual([]);
    // The same database on its own: billing is destroyed (the control).
    expect(planDatabase(other, { ...observed(linked()), alias: 'other' }).changes.map((c) => c.action)).toStrictEqual(['destroy']);
  });

  it('plans a database no unselected alias reaches, with a note for each one that could not be reached', () => {
    const otherAliases = {
      identities: new Map([['2026-01-01 5432 99999', ['tenant_2']]]),
      unread: [{ alias: 'tenant_7', error: 'cannot connect to db7:5432/t7: connection refused' }],
    };
    const plan = planDatabase(database([link()]), observed(catalog()), { otherAliases });
    expect(plan.errors).toStrictEqual([]);
    expect(plan.changes.map((c) => c.action)).toStrictEqual(['create']);
    expect(plan.notes.map(noteText)).toStrictEqual([
      'database "tenant_7" of the file could not be reached to check that it is not this same database under another alias (cannot connect to db7:5432/t7: connection refused); if it is, this plan would destroy the links it declares',
    ]);
  });

  it('refuses a server option the connected PostgreSQL does not know', () => {
    const local = catalog();
    local.environment.versionNum = 140000;
    const plan = planDatabase(database([link({ serverOptions: { parallel_abort: 'true' } })]), observed(local));
    expect(said(plan.errors).map((e) => e.message)).toStrictEqual([
      'server option "parallel_abort" needs PostgreSQL 16 or later; this database runs 14',
    ]);
  });
});

describe('planner rules: grants', () => {
  it('grants grant_to roles USAGE on the schema and SELECT on every new table of a read link', () => {
    const plan = planDatabase(database([link({ grantTo: ['reader'] })]), observed(catalog({ existingRoles: ['reader'] })));
    expect(sql(plan).filter((s) => s.startsWith('GRANT'))).toStrictEqual([
      'GRANT USAGE ON SCHEMA "billing" TO "reader"',
      'GRANT SELECT ON TABLE "billing"."invoices" TO "reader"',
    ]);
  });

  it('grants INSERT, UPDATE and DELETE too for a write link, and never to the owner', () => {
    const plan = planDatabase(
      database([link({ access: 'write', grantTo: ['app', 'writer'] })]),
      observed(catalog({ existingRoles: ['app', 'writer'] })),
    );
    expect(sql(plan).filter((s) => s.startsWith('GRANT'))).toStrictEqual([
      'GRANT USAGE ON SCHEMA "billing" TO "writer"',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "billing"."invoices" TO "writer"',
    ]);
  });

  it('revokes what a role holds beyond the link: write privileges on a read link, and roles no longer in grant_to', () => {
    const local = linked();
    local.existingRoles = ['reader'];
    local.schemas[0]!.grants = [
      { grantee: 'reader', privilege: 'USAGE' },
      { grantee: 'former', privilege: 'USAGE' },
    ];
    local.foreignTables[0]!.grants = [
      { grantee: 'reader', privilege: 'SELECT' },
      { grantee: 'reader', privilege: 'INSERT' },
      { grantee: 'former', privilege: 'SELECT' },
    ];
    const plan = planDatabase(database([link({ grantTo: ['reader'] })]), observed(local));
    expect(sql(plan).filter((s) => s.startsWith('REVOKE'))).toStrictEqual([
      'REVOKE USAGE ON SCHEMA "billing" FROM "former"',
      'REVOKE INSERT ON TABLE "billing"."invoices" FROM "reader"',
      'REVOKE SELECT ON TABLE "billing"."invoices" FROM "former"',
    ]);
    expect(plan.changes[0]?.accessRemoved).toHaveLength(3);
    expect(plan.changes[0]?.accessRemoved?.map(accessRemovedText)).toStrictEqual([
      'USAGE of role "former" on schema billing',
      'INSERT of role "reader" on 1 foreign table(s)',
      'SELECT of role "former" on 1 foreign table(s)',
    ]);
  });

  it('writes PUBLIC as the keyword, for mappings and grants', () => {
    const plan = planDatabase(database([link({ grantTo: ['public'] })]), observed(catalog()));
    expect(plan.errors).toStrictEqual([]);
    expect(sql(plan)).toContain(`CREATE USER MAPPING FOR PUBLIC SERVER "billing" OPTIONS ("user" 'bill', "password" 'pw')`);
    expect(sql(plan)).toContain('GRANT SELECT ON TABLE "billing"."invoices" TO PUBLIC');
  });

  it('leaves out, with a warning and the nearest role, a grant_to role that does not exist, and plans the rest of the link', () => {
    const plan = planDatabase(
      database([link({ grantTo: ['reader', 'raeder'] })]),
      observed(catalog({ existingRoles: ['reader'], roleNames: ['app', 'reader', 'writer'] })),
    );
    expect(plan.errors).toStrictEqual([]);
    expect(plan.notes).toStrictEqual([{ code: 'role_missing', link: 'billing', role: 'raeder', suggestion: 'reader' }]);
    expect(noteText(plan.notes[0]!)).toContain('CREATE ROLE raeder');
    expect(sql(plan)).toContain(`CREATE USER MAPPING FOR "reader" SERVER "billing" OPTIONS ("user" 'bill', "password" 'pw')`);
    expect(sql(plan).join('\n')).not.toContain('raeder');
  });

  it('notes a grant_to role that cannot log in when it writes its user mapping, and not again once it exists', () => {
    const local = catalog({ existingRoles: ['analysts'], nologinRoles: ['analysts'] });
    const plan = planDatabase(database([link({ grantTo: ['analysts'] })]), observed(local));
    expect(plan.notes).toStrictEqual([{ code: 'grant_to_cannot_login', link: 'billing', role: 'analysts' }]);
    expect(noteText(plan.notes[0]!)).toContain('unless they first run SET ROLE analysts');
    const linkedWithIt = linked();
    linkedWithIt.servers[0]!.mappings.push({ role: 'analysts', options: { user: 'bill', password: 'pw' } });
    linkedWithIt.schemas[0]!.grants = [{ grantee: 'analysts', privilege: 'USAGE' }];
    linkedWithIt.foreignTables[0]!.grants = [{ grantee: 'analysts', privilege: 'SELECT' }];
    const again = planDatabase(
      database([link({ grantTo: ['analysts'] })]),
      observed({ ...linkedWithIt, existingRoles: ['analysts'], nologinRoles: ['analysts'] }),
    );
    expect(again.changes).toStrictEqual([]);
    expect(again.notes).toStrictEqual([]);
  });

  it("warns of a `tables` or `exclude` entry that matches no remote table, with the nearest remote table's name", () => {
    const audit = remoteTable('audit_log', [col('id', 'int4')]);
    const excluded = planDatabase(database([link({ exclude: ['audit_lg'] })]), observed(catalog(), [INVOICES, audit]));
    expect(excluded.errors).toStrictEqual([]);
    expect(excluded.notes).toStrictEqual([
      { code: 'filter_entry_unmatched', link: 'billing', list: 'exclude', entry: 'audit_lg', schema: 'public', suggestion: 'audit_log' },
    ]);
    expect(noteText(excluded.notes[0]!)).toBe(
      'link "billing": "audit_lg" in `exclude` matches no table of remote schema "public" (did you mean "audit_log"?): it leaves nothing out, so "audit_log" is linked. Fix the name, or remove it from `exclude`',
    );
    const listed = planDatabase(database([link({ tables: ['invoices', 'zzz'] })]), observed(catalog(), [INVOICES, audit]));
    expect(listed.errors).toStrictEqual([]);
    expect(listed.notes).toMatchObject([{ code: 'filter_entry_unmatched', list: 'tables', entry: 'zzz', suggestion: null }]);
    expect(listed.changes[0]?.operations.filter((op) => op.kind === 'create_foreign_table')).toHaveLength(1);
  });
});

describe('planner rules: user mappings', () => {
  it('maps the connecting role and each grant_to role, and drops mappings of roles no longer listed', () => {
    const local = linked();
    local.existingRoles = ['reader'];
    local.servers[0]!.mappings.push({ role: 'former', options: { user: 'bill', password: 'pw' } });
    const plan = planDatabase(database([link({ grantTo: ['reader'] })]), observed(local));
    expect(sql(plan).filter((s) => s.includes('USER MAPPING'))).toStrictEqual([
      `CREATE USER MAPPING FOR "reader" SERVER "billing" OPTIONS ("user" 'bill', "password" 'pw')`,
      'DROP USER MAPPING IF EXISTS FOR "former" SERVER "billing"',
    ]);
    expect(plan.changes[0]?.accessRemoved?.map(accessRemovedText)).toStrictEqual(['user mapping for role "former"']);
  });

  it('replaces a mapping whose remote user changed, and says so without the password', () => {
    const moved = link({
      remote: { ...link().remote, target: target('postgres://auditor:pw@billing.internal:5432/billing?sslmode=require') },
    });
    const plan = planDatabase(database([moved]), observed(linked()));
    expect(plan.changes[0]?.operations).toMatchObject([
      { kind: 'replace_user_mapping', role: 'app', user: 'auditor', reason: 'remote_user_changed' },
    ]);
  });

  it('compares a hidden mapping through the connecting role’s own, which it can read', () => {
    const local = linked();
    local.existingRoles = ['reader'];
    local.servers[0]!.mappings = [
      { role: 'app', options: { user: 'bill', password: 'old' } },
      { role: 'reader', options: null },
    ];
    const plan = planDatabase(database([link({ grantTo: ['reader'] })]), observed(local));
    expect(
      plan.changes[0]?.operations.filter((op) => op.kind === 'replace_user_mapping').map((op) => (op as { role: string }).role),
    ).toStrictEqual(['app', 'reader']);
  });
});

describe('planner rules: privileges a non-superuser needs', () => {
  it('names the GRANT for USAGE on the wrapper when a server must be created', () => {
    const local = catalog();
    local.environment.fdwUsage = false;
    const plan = planDatabase(database([link()]), observed(local));
    expect(said(plan.errors)).toMatchObject([
      { code: 'wrapper_usage_missing', hint: 'a superuser must run: GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO app;' },
    ]);
  });

  it('names the GRANT for CREATE on the database when a schema must be created', () => {
    const local = catalog();
    local.environment.canCreateSchema = false;
    const plan = planDatabase(database([link()]), observed(local));
    expect(said(plan.errors)).toMatchObject([
      { code: 'create_schema_denied', hint: expect.stringContaining('GRANT CREATE ON DATABASE app TO app;') },
    ]);
  });

  it('asks nothing of a superuser, and nothing when there is nothing to do', () => {
    const local = catalog();
    local.environment.isSuperuser = true;
    local.environment.fdwUsage = false;
    local.environment.canCreateSchema = false;
    expect(planDatabase(database([link()]), observed(local)).errors).toStrictEqual([]);
    const idle = linked();
    idle.environment.canCreateSchema = false;
    expect(planDatabase(database([link()]), observed(idle)).errors).toStrictEqual([]);
  });

  it('requires a password in the remote URL for a role that is not a superuser', () => {
    const noPassword = link({ remote: { ...link().remote, target: target('postgres://bill@billing.internal:5432/billing') } });
    expect(planDatabase(database([noPassword]), observed(catalog())).errors.map((e) => e.code)).toStrictEqual(['password_required']);
  });
});

describe('planner rules: adoption', () => {
  const handMade = () => {
    const local = linked();
    local.servers[0]!.comment = null;
    local.schemas[0]!.comment = null;
    return local;
  };

  it('refuses a hand-made server without --adopt, and marks server and schema as managed with it', () => {
    expect(planDatabase(database([link()]), observed(handMade())).errors.map((e) => e.code)).toStrictEqual([
      'server_not_managed',
      'schema_not_managed',
    ]);
    const adopted = planDatabase(database([link()]), observed(handMade()), { adopt: true });
    expect(adopted.changes[0]).toMatchObject({ action: 'update', adopt: true });
    expect(sql(adopted)).toStrictEqual([
      `COMMENT ON SERVER "billing" IS 'datalinks:{"created_at":"2026-11-25T00:00:00.000Z","remote":"BILLING_URL"}'`,
      `COMMENT ON SCHEMA "billing" IS 'datalinks:{"created_at":"2026-11-25T00:00:00.000Z","remote":"BILLING_URL"}'`,
    ]);
  });

  it('never adopts a server or schema owned by another role', () => {
    const local = handMade();
    local.servers[0]!.owned = false;
    local.servers[0]!.owner = 'mallory';
    expect(planDatabase(database([link()]), observed(local), { adopt: true }).errors.map((e) => e.code)).toStrictEqual([
      'server_owned_by_other_role',
    ]);
    const schemaElsewhere = handMade();
    schemaElsewhere.schemas[0]!.owned = false;
    expect(planDatabase(database([link()]), observed(schemaElsewhere), { adopt: true }).errors.map((e) => e.code)).toStrictEqual([
      'schema_not_managed',
    ]);
  });

  it('refuses a server of another wrapper even with --adopt', () => {
    const local = handMade();
    local.servers[0]!.wrapper = 'file_fdw';
    expect(planDatabase(database([link()]), observed(local), { adopt: true }).errors.map((e) => e.code)).toContain('server_wrong_wrapper');
  });
});

describe('links without a stored password (remote.auth: scram_passthrough, PostgreSQL 18)', () => {
  const PG18 = { versionNum: 180001 };
  const scram = (overrides: Partial<DesiredLink> = {}) => link({ ...overrides, remote: { ...link().remote, auth: 'scram_passthrough' } });
  const at18 = (local: LocalCatalog, env: Partial<LocalEnvironment> = {}) => ({
    ...local,
    environment: localEnvironment({ identity: '2026-01-01 5432 16384', ...PG18, ...env }),
  });
  /** `linked()` as SCRAM pass-through left it: the server's option on, the mapping without a password. */
  const linkedScram = () => {
    const local = at18(linked());
    const server = local.servers[0]!;
    server.options = { ...server.options, use_scram_passthrough: 'true' };
    server.mappings = [{ role: 'app', options: { user: 'bill' } }];
    return local;
  };
  const text = (plan: ReturnType<typeof planDatabase>) => renderPlanText(buildPlanView({ databases: [plan], summary: summarize([plan]) }));

  it('creates the server with use_scram_passthrough and user mappings that carry the remote user but no password', () => {
    const plan = planDatabase(database([scram({ grantTo: ['reader'] })]), observed(at18(catalog({ existingRoles: ['reader'] }))));
    expect(plan.errors).toStrictEqual([]);
    const statements = sql(plan);
    expect(statements[0]).toBe(
      `CREATE SERVER "billing" FOREIGN DATA WRAPPER postgres_fdw OPTIONS ("dbname" 'billing', "host" 'billing.internal', "port" '5432', "sslmode" 'require', "truncatable" 'false', "updatable" 'false', "use_scram_passthrough" 'true')`,
    );
    // The URL has a password (for datalinks' own reading of the remote): it never reaches a mapping.
    expect(statements.filter((s) => s.includes('USER MAPPING'))).toStrictEqual([
      `CREATE USER MAPPING FOR "app" SERVER "billing" OPTIONS ("user" 'bill')`,
      `CREATE USER MAPPING FOR "reader" SERVER "billing" OPTIONS ("user" 'bill')`,
    ]);
    expect(renderDatabaseSql(plan, { passwordFor: () => '********', now: '' }).some((s) => s.sql.includes('password'))).toBe(false);
    expect(text(plan)).toContain('+ user mapping for app (remote user bill, no password: SCRAM pass-through)');
    expect(plan.notes).toStrictEqual([{ code: 'scram_passthrough_secrets', link: 'billing', roles: ['app', 'reader'], user: 'bill' }]);
    const note = noteText(plan.notes[0]!);
    expect(note).toContain('whoever queries it as "app", "reader" must have logged in to this server with SCRAM');
    expect(note).toContain(`identical to remote role "bill"'s: the same salt and iterations`);
    expect(note).toContain(`SELECT rolpassword FROM pg_authid WHERE rolname = 'app'`);
    expect(note).toContain(`ALTER ROLE bill PASSWORD 'SCRAM-SHA-256$...'`);
  });

  it('plans nothing once the link matches, and says nothing about secrets then', () => {
    const plan = planDatabase(database([scram()]), observed(linkedScram()));
    expect(plan.changes).toStrictEqual([]);
    expect(plan.notes).toStrictEqual([]);
  });

  it('is refused on a local server older than PostgreSQL 18, naming both versions', () => {
    const plan = planDatabase(database([scram()]), observed(catalog({ environment: localEnvironment({ versionNum: 170006 }) })));
    expect(said(plan.errors)).toStrictEqual([
      {
        link: 'billing',
        code: 'scram_passthrough_unsupported',
        message:
          "`auth: scram_passthrough` needs PostgreSQL 18 or later on the local server (postgres_fdw's use_scram_passthrough); this database runs PostgreSQL 17",
        hint: 'upgrade the local server, or remove `auth` from the remote of link "billing" so that its user mappings store the remote URL\'s password',
      },
    ]);
    expect(plan.changes).toStrictEqual([]);
  });

  it('is refused for a remote that is not PostgreSQL', () => {
    const parsed = parseMysqlUrl('mysql://shop:pw@mysql.internal:3306/shop');
    if (!parsed.ok) throw new Error(parsed.message);
    const mysql = link({ remote: { ...link().remote, target: parsed.target, schema: 'shop', auth: 'scram_passthrough' } });
    const plan = planDatabase(database([mysql]), observed(at18(catalog()), []));
    expect(said(plan.errors).filter((p) => p.code.startsWith('scram'))).toStrictEqual([
      {
        link: 'billing',
        code: 'scram_passthrough_not_postgres',
        message:
          '`auth: scram_passthrough` needs a PostgreSQL remote; link "billing" reaches a MySQL remote through mysql_fdw, which cannot pass SCRAM keys through',
        hint: 'remove `auth` from the remote of link "billing": its user mappings then store the remote URL\'s password',
      },
    ]);
  });

  it('needs no password in the URL for a role that is not a superuser', () => {
    const noPassword = { ...link().remote, target: target('postgres://bill@billing.internal:5432/billing') };
    expect(planDatabase(database([link({ remote: noPassword })]), observed(at18(catalog()))).errors.map((e) => e.code)).toStrictEqual([
      'password_required',
    ]);
    const plan = planDatabase(database([link({ remote: { ...noPassword, auth: 'scram_passthrough' } })]), observed(at18(catalog())));
    expect(plan.errors).toStrictEqual([]);
  });

  it('switches a password link to SCRAM pass-through in place: the option added, every mapping replaced without its password', () => {
    const local = at18(linked());
    local.existingRoles = ['reader'];
    // Another role's mapping this role may not read: replaced all the same, since the way of logging in changed.
    local.servers[0]!.mappings.push({ role: 'reader', options: null });
    const plan = planDatabase(database([scram({ grantTo: ['reader'] })]), observed(local));
    expect(plan.changes.map((c) => c.action)).toStrictEqual(['update']);
    expect(sql(plan).filter((s) => !s.startsWith('GRANT'))).toStrictEqual([
      `ALTER SERVER "billing" OPTIONS (ADD "use_scram_passthrough" 'true')`,
      `DROP USER MAPPING IF EXISTS FOR "app" SERVER "billing"`,
      `CREATE USER MAPPING FOR "app" SERVER "billing" OPTIONS ("user" 'bill')`,
      `DROP USER MAPPING IF EXISTS FOR "reader" SERVER "billing"`,
      `CREATE USER MAPPING FOR "reader" SERVER "billing" OPTIONS ("user" 'bill')`,
    ]);
    expect(plan.changes[0]?.operations.filter((op) => op.kind === 'replace_user_mapping')).toMatchObject([
      { role: 'app', reason: 'auth_changed', auth: 'scram_passthrough' },
      { role: 'reader', reason: 'auth_changed', auth: 'scram_passthrough' },
    ]);
    expect(text(plan)).toContain(
      '~ user mapping for app: replaced by one without a password (SCRAM pass-through; the stored password is removed)',
    );
  });

  it('switches back to a stored password in place: the option dropped, the mapping given the password again', () => {
    const plan = planDatabase(database([link()]), observed(linkedScram()));
    expect(sql(plan)).toStrictEqual([
      `ALTER SERVER "billing" OPTIONS (DROP "use_scram_passthrough")`,
      `DROP USER MAPPING IF EXISTS FOR "app" SERVER "billing"`,
      `CREATE USER MAPPING FOR "app" SERVER "billing" OPTIONS ("user" 'bill', "password" 'pw')`,
    ]);
    expect(text(plan)).toContain(
      "~ user mapping for app: replaced by one with the remote URL's password (sensitive value; SCRAM pass-through off)",
    );
    expect(plan.notes).toStrictEqual([]);
  });

  it('replaces a pass-through mapping that someone gave a password by hand', () => {
    const local = linkedScram();
    local.servers[0]!.mappings = [{ role: 'app', options: { user: 'bill', password: 'typed-by-hand' } }];
    const plan = planDatabase(database([scram()]), observed(local));
    expect(plan.changes[0]?.operations).toMatchObject([
      { kind: 'replace_user_mapping', reason: 'credentials_changed', auth: 'scram_passthrough' },
    ]);
    expect(sql(plan)[1]).toBe(`CREATE USER MAPPING FOR "app" SERVER "billing" OPTIONS ("user" 'bill')`);
  });

  it("says what a session without SCRAM keys means for apply's proof and check, only when a pass-through link changes", () => {
    const changed = planDatabase(database([scram()]), observed(at18(catalog(), { scramLogin: false })));
    const note = changed.notes.find((n) => n.code === 'scram_login_missing');
    expect(note).toStrictEqual({ code: 'scram_login_missing', link: null, role: 'app', links: ['billing'] });
    expect(noteText(note!)).toBe(
      `datalinks logged in to this database as "app" without SCRAM (trust, peer, a certificate or an MD5-hashed password), so postgres_fdw has no SCRAM keys to pass through "billing": apply's proof of that link cannot connect and rolls the apply back (--no-verify skips the proof), and check reports it as auth failed. Log datalinks in with a password under a scram-sha-256 rule of pg_hba.conf, as the link's users must`,
    );
    const withScram = planDatabase(database([scram()]), observed(at18(catalog(), { scramLogin: true })));
    expect(withScram.notes.map((n) => n.code)).toStrictEqual(['scram_passthrough_secrets']);
    const local = linkedScram();
    local.environment.scramLogin = false;
    expect(planDatabase(database([scram()]), observed(local)).notes).toStrictEqual([]);
    expect(planDatabase(database([link()]), observed(at18(catalog(), { scramLogin: false }))).notes).toStrictEqual([]);
  });
});

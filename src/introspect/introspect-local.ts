import type pg from 'pg';
import { loggedInWithScram } from '../db/scram-login.js';
import {
  DEPENDENTS_QUERY,
  ENVIRONMENT_QUERY,
  EXISTING_ROLES_QUERY,
  FOREIGN_TABLE_COLUMNS_QUERY,
  FOREIGN_TABLES_QUERY,
  FOREIGN_TABLES_WITH_SIGNATURES_QUERY,
  NEEDS_QUERY,
  SCHEMAS_QUERY,
  SERVERS_QUERY,
} from './local-queries.js';
import { columnNameOption, parseOptions, parseTextArray } from './options.js';
import { formatQualified, type Need, needKey, typeKey } from './remote-needs.js';
import type { LocalTableSignature } from './table-signature.js';
import { definitionKey, toTypeDefinition } from './type-definitions.js';
import type {
  Dependent,
  ForeignTableSummary,
  Grant,
  LinkCatalog,
  LocalCatalog,
  LocalEnvironment,
  ObservedColumn,
  ObservedSchema,
  ObservedServer,
  ResolvedNeeds,
  TakenKind,
  TakenName,
  TypeDefinition,
} from './types.js';

type Row = Record<string, unknown>;

/**
 * Reads the servers, schemas and foreign tables (without columns) of one local database: four
 * queries, whatever the number of links or tables. The caller sets search_path = pg_catalog.
 */
export async function introspectLinks(client: pg.Client): Promise<LinkCatalog> {
  const basics = await readBasics(client, []);
  const { rows } = await client.query<ForeignTableRow>({ text: FOREIGN_TABLES_QUERY, rowMode: 'array' });
  return { ...basics, foreignTables: toForeignTables(rows).foreignTables };
}

/** Which foreign tables' columns the planner needs (all of them when not given). */
export type ColumnsNeeded = (table: ForeignTableSummary, signature: LocalTableSignature | undefined, resolved: ResolvedNeeds) => boolean;

/**
 * Reads everything the planner needs from one local database over one connection: a fixed number
 * of queries whatever the number of links or tables. The caller sets search_path = pg_catalog.
 * `remoteNeeds` resolves once the remotes are read, and so does `columnsNeeded`: the columns of a
 * foreign table whose signature is the one its remote table makes are not read. The queries that
 * need neither run while the remotes are still being read; which columns to read is decided once
 * the remotes' types and collations are resolved here (their oids are part of the signatures).
 *
 * Dependents are read only of what a plan may drop or replace (dependentsRoots()), so they are read last.
 */
export async function introspectLocal(
  client: pg.Client,
  input: {
    roles: readonly string[];
    links: readonly string[];
    remoteNeeds: Promise<readonly Need[]>;
    columnsNeeded?: Promise<ColumnsNeeded>;
    /** --adopt: what else the file's link schemas hold is asked (schema_not_empty). */
    adopt?: boolean;
    /** --link: only these links may be destroyed, so only their servers are walked. */
    target?: readonly string[];
  },
): Promise<LocalCatalog> {
  // One connection runs one query at a time (pg deprecates queueing them).
  const basics = await readBasics(client, input.links);
  const tableRows = await client.query<ForeignTableRow>({
    text: FOREIGN_TABLES_WITH_SIGNATURES_QUERY,
    values: [input.links],
    rowMode: 'array',
  });
  const { foreignTables, relids, signatures } = toForeignTables(tableRows.rows);
  const roles = await client.query(EXISTING_ROLES_QUERY, [input.roles]);
  const resolved = await resolveNeeds(client, await input.remoteNeeds);
  const needed = input.columnsNeeded ? await input.columnsNeeded : () => true;
  const read = foreignTables.map((table, i) => needed(table, signatures[i], resolved));
  // Rows as arrays: when many tables differ, pg's per-row objects are a large part of the garbage.
  const columns = await client.query<ColumnRow>({
    text: FOREIGN_TABLE_COLUMNS_QUERY,
    values: [relids.filter((_, i) => read[i])],
    rowMode: 'array',
  });
  // Sent before the columns' rows are turned into objects, so the server walks meanwhile.
  const roots = dependentsRoots(basics.servers, foreignTables, relids, read, input);
  const dependentsRead = handledLater(client.query(DEPENDENTS_QUERY, [roots.links, roots.schemas, roots.tables]));
  const columnsByTable = groupColumns(columns.rows);
  const dependents = await dependentsRead;
  return {
    ...basics,
    // Built field by field, not spread: every table then has one shape, which the planner's loops rely on.
    foreignTables: foreignTables.map(({ schema, name, server, owner, options, grants }, i) => ({
      schema,
      name,
      server,
      owner,
      options,
      columns: read[i] ? (columnsByTable.get(relids[i] as number) ?? []) : null,
      grants,
      signature: signatures[i],
    })),
    dependents: dependents.rows.map(
      (row: Row): Dependent => ({
        link: String(row.link),
        table: row.table_name === null ? null : String(row.table_name),
        column: row.column_name === null ? null : String(row.column_name),
        inLinkSchema: row.in_schema === true,
        description: String(row.description),
      }),
    ),
    existingRoles: roles.rows.filter((row: Row) => row.named === true).map((row: Row) => String(row.name)),
    nologinRoles: roles.rows.filter((row: Row) => row.named === true && row.can_login === false).map((row: Row) => String(row.name)),
    ...(roles.rows.some((row: Row) => row.named !== true) ? { roleNames: roles.rows.map((row: Row) => String(row.name)) } : {}),
    resolved,
  };
}

/**
 * Where the dependents' walk starts: only at what a plan may drop or replace, so that a plan that
 * changes nothing walks nothing. The planner drops or replaces
 * - a whole link only when its server is not in the file (destroy): every server not in the file is
 *   walked whole (server, same-named schema, its foreign tables there), as the planner decides later
 *   which of them are managed;
 * - a link's own foreign table only when its columns were read (a table proven unchanged and kept by
 *   the link's filter is left as it is: planDatabase checks that again and stops if not);
 * - never a server, schema or user mapping of a link in the file; what else such a schema holds
 *   matters only to --adopt.
 */
function dependentsRoots(
  servers: readonly ObservedServer[],
  foreignTables: readonly ForeignTableSummary[],
  relids: readonly number[],
  read: readonly boolean[],
  input: { links: readonly string[]; adopt?: boolean; target?: readonly string[] },
): { links: string[]; schemas: string[]; tables: number[] } {
  const inFile = new Set(input.links);
  const targeted = (name: string) => !input.target || input.target.includes(name);
  return {
    links: servers.filter((server) => !inFile.has(server.name) && targeted(server.name)).map((server) => server.name),
    schemas: input.adopt ? [...input.links] : [],
    tables: relids.filter((_, i) => {
      const table = foreignTables[i] as ForeignTableSummary;
      return read[i] && table.schema === table.server && inFile.has(table.schema);
    }),
  };
}

/** A query awaited after other work: its failure is handled where it is awaited, not reported as unhandled first. */
function handledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** The environment, servers and schemas of the local database (and what takes names in the schemas of `links`). */
async function readBasics(client: pg.Client, links: readonly string[]): Promise<Omit<LinkCatalog, 'foreignTables'>> {
  const environment = await client.query(ENVIRONMENT_QUERY);
  const servers = await client.query(SERVERS_QUERY);
  const schemas = await client.query(SCHEMAS_QUERY, [links]);
  const scramLogin = loggedInWithScram(client);
  return {
    environment: { ...toEnvironment(environment.rows[0] as Row), ...(scramLogin === undefined ? {} : { scramLogin }) },
    servers: servers.rows.map(toServer),
    schemas: schemas.rows.map(
      (row: Row): ObservedSchema => ({
        name: String(row.name),
        owner: String(row.owner),
        owned: row.owned === true,
        comment: row.comment === null ? null : String(row.comment),
        grants: row.grants as Grant[],
        ...(links.includes(String(row.name)) ? { taken: toTaken(row.taken) } : {}),
      }),
    ),
  };
}

const RELATION_KINDS: Record<string, TakenKind> = {
  r: 'table',
  p: 'partitioned_table',
  v: 'view',
  m: 'materialized_view',
  S: 'sequence',
  i: 'index',
  I: 'partitioned_index',
  c: 'composite_type',
  f: 'foreign_table',
};
const TYPE_KINDS: Record<string, TakenKind> = { e: 'enum', d: 'domain', r: 'range', m: 'multirange' };

/** SCHEMAS_QUERY's `taken`: `relation:<relkind>` or `type:<typtype>` per name. */
function toTaken(value: unknown): TakenName[] {
  return ((value ?? []) as { name: string; kind: string }[]).map(({ name, kind }) => {
    const [what, letter = ''] = kind.split(':');
    return { name, kind: what === 'relation' ? (RELATION_KINDS[letter] ?? 'table') : (TYPE_KINDS[letter] ?? 'type') };
  });
}

/**
 * FOREIGN_TABLES_QUERY's columns, in order; FOREIGN_TABLES_WITH_SIGNATURES_QUERY adds the signature and,
 * on the row of a link whose tables are all alike, `tables`.
 */
type ForeignTableRow = [
  relid: number,
  schema: string,
  name: string,
  server: string,
  owner: string,
  options: string,
  grants: Grant[],
  signature?: string,
  tables?: [relid: number, name: string, signature: string][] | null,
];

/**
 * The foreign tables of FOREIGN_TABLES(_WITH_SIGNATURES)_QUERY's rows, read as arrays (at 10,000
 * foreign tables, pg's row objects show), in their order, and each one's oid and signature. A link's
 * row is each of its tables: the row's server, owner and privileges, the table's own oid, name and
 * signature, and the options the query proved it has: the row's `schema_name`, its own `table_name`.
 */
function toForeignTables(rows: ForeignTableRow[]): {
  foreignTables: ForeignTableSummary[];
  relids: number[];
  signatures: (LocalTableSignature | undefined)[];
} {
  const foreignTables: ForeignTableSummary[] = [];
  const relids: number[] = [];
  const signatures: (LocalTableSignature | undefined)[] = [];
  for (const [relid, schema, name, server, owner, options, grants, signature, tables] of rows) {
    const parsed = parseOptions(parseTextArray(options));
    if (!tables) {
      foreignTables.push({ schema, name, server, owner, options: parsed, grants });
      relids.push(relid);
      signatures.push(signature);
      continue;
    }
    for (const [tableRelid, tableName, tableSignature] of tables) {
      const tableOptions = { schema_name: parsed.schema_name as string, table_name: tableName };
      foreignTables.push({ schema, name: tableName, server, owner, options: tableOptions, grants: grants.map((grant) => ({ ...grant })) });
      relids.push(tableRelid);
      signatures.push(tableSignature);
    }
  }
  return { foreignTables, relids, signatures };
}

function toEnvironment(row: Row): LocalEnvironment {
  return {
    database: String(row.database),
    identity: String(row.identity),
    versionNum: Number(row.version_num),
    currentUser: String(row.current_user),
    isSuperuser: Boolean(row.is_superuser),
    fdwExtension: row.fdw_extension === null ? null : String(row.fdw_extension),
    fdwAvailable: Boolean(row.fdw_available),
    fdwUsage: row.fdw_usage === null ? null : Boolean(row.fdw_usage),
    canCreateSchema: Boolean(row.can_create_schema),
    wrappers: toWrappers(row.wrappers),
    extensionSchemas: toExtensionSchemas(row.extension_schemas),
  };
}

function toExtensionSchemas(value: unknown): LocalEnvironment['extensionSchemas'] {
  const schemas: NonNullable<LocalEnvironment['extensionSchemas']> = {};
  for (const [name, raw] of Object.entries((value ?? {}) as Record<string, Row>)) {
    schemas[name] = { owner: String(raw.owner), trusted: raw.trusted === true };
  }
  return schemas;
}

function toWrappers(value: unknown): LocalEnvironment['wrappers'] {
  const wrappers: LocalEnvironment['wrappers'] = {};
  for (const [name, raw] of Object.entries((value ?? {}) as Record<string, Row>)) {
    wrappers[name] = {
      extension: raw.extension === null ? null : String(raw.extension),
      available: raw.available === true,
      usage: raw.usage === null ? null : raw.usage === true,
      schema: typeof raw.schema === 'string' ? raw.schema : null,
    };
  }
  return wrappers;
}

function toServer(row: Row): ObservedServer {
  const mappings = row.mappings as { role: string; options: string[] | null }[];
  return {
    name: String(row.name),
    wrapper: String(row.wrapper),
    owner: String(row.owner),
    owned: row.owned === true,
    options: parseOptions(row.options as string[]),
    comment: row.comment === null ? null : String(row.comment),
    mappings: mappings.map((m) => ({ role: m.role, options: m.options === null ? null : parseOptions(m.options) })),
  };
}

/** FOREIGN_TABLE_COLUMNS_QUERY's columns, in order. */
type ColumnRow = [
  relid: number,
  name: string,
  type: string,
  notNull: boolean,
  collationSchema: string | null,
  collationName: string | null,
  defaultExpr: string | null,
  generated: string,
  options: string | null,
];

function groupColumns(rows: ColumnRow[]): Map<number, ObservedColumn[]> {
  const columnsByTable = new Map<number, ObservedColumn[]>();
  for (const [relid, name, type, notNull, collationSchema, collationName, defaultExpr, generated, options] of rows) {
    let columns = columnsByTable.get(relid);
    if (!columns) {
      columns = [];
      columnsByTable.set(relid, columns);
    }
    const collation =
      collationSchema === null || collationName === null ? null : formatQualified({ schema: collationSchema, name: collationName });
    columns.push({ name, type, notNull, collation, default: defaultExpr, generated, columnName: columnNameOption(options) });
  }
  return columnsByTable;
}

/** One query: the local form of every remote type, and which collations and references are missing. */
async function resolveNeeds(client: pg.Client, needs: readonly Need[]): Promise<ResolvedNeeds> {
  const result = await client.query(NEEDS_QUERY, [
    needs.map((n) => n.kind),
    needs.map((n) => n.schema),
    needs.map((n) => n.name),
    needs.map((n) => n.typmod),
  ]);
  const collationOids: Record<string, number> = {};
  const definitions: Record<string, TypeDefinition> = {};
  const resolved: ResolvedNeeds = { types: {}, missing: [], collationOids, definitions };
  const oid = (value: unknown) => (typeof value === 'number' ? value : undefined);
  for (const row of result.rows as Row[]) {
    const need = { kind: String(row.kind), schema: String(row.schema), name: String(row.name), typmod: Number(row.typmod) } as Need;
    if (need.kind !== 'type') {
      if (!row.found) resolved.missing.push(needKey(need));
      const collationOid = oid(row.collation_oid);
      if (need.kind === 'collation' && collationOid !== undefined) collationOids[needKey(need)] = collationOid;
    } else if (row.found) {
      if (row.definition !== null) definitions[definitionKey(need)] = toTypeDefinition(row.definition);
      resolved.types[typeKey(need)] = {
        text: String(row.type_text),
        collation:
          row.type_collation_schema === null
            ? null
            : formatQualified({ schema: String(row.type_collation_schema), name: String(row.type_collation_name) }),
        oid: oid(row.type_oid),
        collationOid: oid(row.type_collation_oid),
      };
    }
  }
  return resolved;
}

// plan/: pure (DesiredState, ObservedState) -> Plan, its fingerprints, and Plan -> statements.
import type { DesiredDatabase, DesiredLink } from '../config/types.js';
import { BugError } from '../errors.js';
import type {
  Dependent,
  LocalCatalog,
  LocalEnvironment,
  ObservedDatabase,
  ObservedForeignTable,
  ObservedSchema,
  ObservedServer,
  OtherAliases,
  RemoteSchema,
  RemoteTable,
  ResolvedNeeds,
  TakenName,
} from '../introspect/types.js';
import { wrapperEnvironment } from '../introspect/wrapper-environment.js';
import { suggestNearest } from '../suggest.js';
import { EXTENSION_SCHEMA, WRAPPERS, type Wrapper, wrapperNamed, wrapperOf } from '../wrappers/index.js';
import {
  type ColumnProblem,
  desiredForeignTables,
  type NameProblem,
  planForeignTable,
  type TablePlan,
  tableChangeReason,
} from './foreign-tables.js';
import { parseManagedComment } from './managed-comment.js';
import { compareLinkTypes } from './type-drift.js';
import type {
  AccessRemoved,
  DatabasePlan,
  ForeignTableSpec,
  LinkChange,
  ManagedMeta,
  Operation,
  OptionChange,
  PlanNote,
  PlanProblem,
  TableChangeReason,
} from './types.js';
import { foreignTableUnchanged } from './unchanged-tables.js';

export interface PlanOptions {
  /** Take over hand-made servers and schemas whose names match links in the file. */
  adopt?: boolean;
  /** The file's databases this run does not plan (-d): a database that is one of them is refused. */
  otherAliases?: OtherAliases;
  /**
   * --link: the only links the plan may read or change (the desired database then holds only these).
   * A managed link outside it is left as it is, never destroyed. Absent: every managed link.
   */
  target?: readonly string[];
}

const READ_PRIVILEGES = ['SELECT'];
const WRITE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/**
 * Who owns a server or schema that has a link's name. A marker (`datalinks:` comment) counts only
 * on an object owned by the connecting role or a role it was granted: anyone with USAGE on the
 * wrapper can create a server and comment it, and datalinks must never act on their say-so.
 */
type Ownership = 'managed' | 'foreign_marked' | 'unmanaged';

function ownership(object: { comment: string | null; owned: boolean }): Ownership {
  if (!parseManagedComment(object.comment)) return 'unmanaged';
  return object.owned ? 'managed' : 'foreign_marked';
}

/** The pure heart of datalinks: what must change in one database for it to match the config. */
export function planDatabase(desired: DesiredDatabase, observed: ObservedDatabase, options: PlanOptions = {}): DatabasePlan {
  const plan: DatabasePlan = { alias: desired.alias, preamble: [], changes: [], errors: [], notes: [], fingerprint: '' };
  if (!observed.local.ok) {
    plan.errors.push({ code: 'local_unreadable', link: null, error: observed.local.error, advice: observed.local.hint ?? null });
    return plan;
  }
  const catalog = observed.local.catalog;
  const env = catalog.environment;
  // Another alias of the file reaches this database: planning it alone would destroy what that one declares.
  const aliased = options.otherAliases?.identities.get(env.identity);
  if (aliased) {
    plan.errors.push({ code: 'database_aliased', link: null, database: desired.alias, others: [...aliased] });
    return plan;
  }
  for (const other of options.otherAliases?.unread ?? []) {
    plan.notes.push({ code: 'alias_unverified', link: null, alias: other.alias, error: other.error });
  }
  const servers = new Map(catalog.servers.map((server) => [server.name, server]));
  const schemas = new Map(catalog.schemas.map((schema) => [schema.name, schema]));
  const wanted = new Set(desired.links.map((link) => link.name));
  const targeted = (name: string) => !options.target || options.target.includes(name);

  for (const server of catalog.servers) {
    if (!targeted(server.name)) continue;
    const owner = ownership(server);
    if (owner === 'foreign_marked' && !wanted.has(server.name)) {
      plan.notes.push({ code: 'server_marked_by_other_role', link: null, server: server.name, owner: server.owner });
    }
    if (owner === 'managed' && !wanted.has(server.name)) plan.changes.push(destroyLink(server, schemas.get(server.name), catalog));
  }

  for (const inFile of desired.links) {
    // A grant_to role that does not exist is left out (a warning): the rest of the link is applied.
    const { link, notes: roleNotes } = withExistingRoles(inFile, catalog);
    plan.notes.push(...roleNotes);
    const problems: PlanProblem[] = [];
    const remote = observed.remotes[link.name];
    const server = servers.get(link.name);
    const schema = schemas.get(link.name);
    const serverOwner = server ? ownership(server) : null;
    const adopting = Boolean(server && serverOwner === 'unmanaged' && options.adopt);
    if (server && serverOwner === 'foreign_marked') {
      problems.push({ code: 'server_owned_by_other_role', link: link.name, owner: server.owner, role: env.currentUser, marked: true });
    } else if (server && serverOwner === 'unmanaged' && !options.adopt) {
      problems.push({ code: 'server_not_managed', link: link.name });
    } else if (server && server.wrapper !== wrapperOf(link).fdw) {
      problems.push({ code: 'server_wrong_wrapper', link: link.name, wrapper: server.wrapper, expected: wrapperOf(link).fdw });
    } else if (server && !server.owned) {
      problems.push({ code: 'server_owned_by_other_role', link: link.name, owner: server.owner, role: env.currentUser, marked: false });
    }
    const takeSchema = schema ? schemaProblem(link.name, schema, Boolean(server && serverOwner === 'managed'), options, catalog) : null;
    if (takeSchema) problems.push(takeSchema);
    if (!remote?.ok) {
      problems.push(remoteProblem(link.name, remote ?? { ok: false, code: 'not_read' }));
      plan.errors.push(...problems);
      continue;
    }
    const selected = desiredForeignTables(link, remote.tables, catalog.resolved);
    // A remote table whose name an object made by hand in the link's schema holds is not linked (a
    // warning): creating it would fail the whole database's apply on every run, other links included.
    const taken = takenNames(link.name, selected.tables, schema, catalog);
    const tables = selected.tables.filter((table) => !taken.has(table.name));
    for (const [table, { kind }] of taken) {
      plan.notes.push({ code: 'table_name_taken', link: link.name, table, kind, filter: link.tables ? 'tables' : 'exclude' });
    }
    for (const note of unmatchedEntries(link, remote.tables)) plan.notes.push(note);
    for (const column of selected.problems) if (!taken.has(column.table)) problems.push(columnProblem(link, column));
    for (const { table, column, limit } of selected.limited) {
      if (!taken.has(table)) plan.notes.push({ code: 'remote_values_limited', link: link.name, table, column, limit });
    }
    problems.push(...checkLink(link, catalog));
    for (const table of remote.tables) {
      if (!table.readable && tables.some((t) => t.remoteTable === table.name)) {
        plan.notes.push({
          code: 'remote_table_unreadable',
          link: link.name,
          wrapper: wrapperOf(link).fdw,
          user: link.remote.target.user,
          schema: link.remote.schema,
          table: table.name,
        });
      }
    }
    if (problems.length > 0) {
      plan.errors.push(...problems);
      continue;
    }
    const change =
      server && (serverOwner === 'managed' || adopting)
        ? updateLink({ link, tables, remote, server, schema, adopting, catalog })
        : { change: createLink(link, tables, schema, catalog), notes: [] };
    plan.notes.push(...change.notes);
    // Local copies of the remote's types that the linked columns use: a missing enum label fails reads.
    const linkedNames = new Set(tables.map((table) => table.remoteTable));
    const types = compareLinkTypes(
      link.name,
      remote.tables.filter((table) => linkedNames.has(table.name)),
      remote.types,
      catalog.resolved,
    );
    plan.errors.push(...types.problems);
    plan.notes.push(...types.notes);
    if (change.change) {
      plan.changes.push(change.change);
      plan.notes.push(...groupRoleNotes(link, change.change, catalog));
      const secrets = scramSecretsNote(link, change.change);
      if (secrets) plan.notes.push(secrets);
    }
  }
  const loginNote = scramLoginNote(plan, desired, env);
  if (loginNote) plan.notes.push(loginNote);

  // Each wrapper the file's links use must be installed here, or installable by this role, into a
  // schema no weaker role may create objects in.
  const used = [...new Set(desired.links.map((link) => wrapperOf(link)))];
  for (const wrapper of used) plan.errors.push(...checkExtension(plan, catalog, wrapper));
  for (const wrapper of used) {
    const note = extensionSchemaNote(env, wrapper);
    if (note) plan.notes.push(note);
  }
  if (plan.errors.length === 0) {
    const home = extensionHome(env);
    for (const wrapper of used) {
      const needed = plan.changes.some((change) => change.action !== 'destroy' && change.wrapper === wrapper.fdw);
      if (!needed || wrapperEnvironment(env, wrapper).extension !== null) continue;
      if ('untrusted' in home) {
        plan.errors.push({
          code: 'extension_schema_untrusted',
          link: null,
          extension: wrapper.fdw,
          schema: home.schema,
          owner: home.owner,
        });
        continue;
      }
      if (home.create && !plan.preamble.some((op) => op.kind === 'create_extension_schema'))
        plan.preamble.push({ kind: 'create_extension_schema', schema: home.schema });
      plan.preamble.push({ kind: 'create_extension', extension: wrapper.fdw, schema: home.schema });
    }
  }
  plan.errors.push(...checkPrivileges(plan, catalog));
  plan.changes.sort((a, b) => actionOrder(a) - actionOrder(b) || a.link.localeCompare(b.link));
  return plan;
}

function actionOrder(change: LinkChange): number {
  return change.action === 'destroy' ? 0 : change.action === 'create' ? 1 : 2;
}

/**
 * Whether a link may use the schema that has its name: one datalinks made (marked and owned), or,
 * with --adopt, one owned by this role that holds nothing but the link's own foreign tables. A
 * legacy schema (made by datalinks before schemas were marked) beside a managed server is ours too.
 */
function schemaProblem(
  name: string,
  schema: ObservedSchema,
  serverManaged: boolean,
  options: PlanOptions,
  catalog: LocalCatalog,
): PlanProblem | null {
  const owner = ownership(schema);
  const strangers = catalog.dependents.filter((d) => d.link === name && d.inLinkSchema).map((d) => d.description);
  if (owner === 'managed' || (serverManaged && schema.owned && schema.comment === null)) return null;
  if (!options.adopt || !schema.owned) return { code: 'schema_not_managed', link: name, owner: schema.owner, owned: schema.owned };
  if (strangers.length > 0) return { code: 'schema_not_empty', link: name, objects: strangers };
  return null;
}

/**
 * The desired tables of a link whose names are held in its schema by something that is not one of the
 * link's foreign tables (a view, table, sequence, index or type made by hand there): CREATE FOREIGN
 * TABLE would fail with "already exists". The object is never touched.
 */
function takenNames(
  link: string,
  tables: readonly ForeignTableSpec[],
  schema: ObservedSchema | undefined,
  catalog: LocalCatalog,
): Map<string, TakenName> {
  const taken = new Map<string, TakenName>();
  if (!schema?.taken?.length) return taken;
  const byName = new Map(schema.taken.map((entry) => [entry.name, entry]));
  const own = new Set(linkTables(catalog, link).map((table) => table.name));
  for (const table of tables) {
    const holder = byName.get(table.name);
    if (holder && !own.has(table.name)) taken.set(table.name, holder);
  }
  return taken;
}

/**
 * The entries of a link's `tables` or `exclude` that name no table of the remote schema, with the
 * nearest remote table name: a typo in `exclude` would link the very table meant to be hidden.
 */
function unmatchedEntries(link: DesiredLink, remoteTables: readonly RemoteTable[]): PlanNote[] {
  const list = link.tables ? 'tables' : 'exclude';
  const entries = link.tables ?? link.exclude;
  if (entries.length === 0) return [];
  const names = new Set(remoteTables.map((table) => table.name));
  const unmatched = entries.filter((entry) => !names.has(entry));
  if (unmatched.length === 0) return [];
  const candidates = [...names];
  return unmatched.map((entry) => ({
    code: 'filter_entry_unmatched',
    link: link.name,
    list,
    entry,
    schema: link.remote.schema,
    suggestion: suggestNearest(entry, candidates) ?? null,
  }));
}

/**
 * A link whose grant_to names roles that do not exist here: planned without them (a warning each,
 * with the nearest role), so that the rest of the link, and of the database, is applied.
 */
function withExistingRoles(link: DesiredLink, catalog: LocalCatalog): { link: DesiredLink; notes: PlanNote[] } {
  const existing = new Set(catalog.existingRoles);
  const missing = link.grantTo.filter((role) => role !== 'public' && !existing.has(role));
  if (missing.length === 0) return { link, notes: [] };
  const candidates = catalog.roleNames ?? [];
  return {
    link: { ...link, grantTo: link.grantTo.filter((role) => !missing.includes(role)) },
    notes: missing.map((role) => ({ code: 'role_missing', link: link.name, role, suggestion: suggestNearest(role, candidates) ?? null })),
  };
}

/** A link's remote that could not be read, as the plan's problem. */
function remoteProblem(link: string, remote: RemoteSchema & { ok: false }): PlanProblem {
  switch (remote.code) {
    case 'schema_missing':
      return {
        code: 'remote_schema_missing',
        link,
        schema: remote.schema,
        suggestion: suggestNearest(remote.schema, remote.existing ?? []) ?? null,
      };
    case 'not_read':
      return { code: 'remote_not_read', link };
    case 'read_failed':
      return { code: 'remote_unreadable', link, error: remote.error, advice: remote.hint ?? null };
  }
}

function columnProblem(link: DesiredLink, p: ColumnProblem | NameProblem): PlanProblem {
  const filter = link.tables ? 'tables' : 'exclude';
  if (p.code === 'name_too_long') return { ...p, link: link.name, filter };
  // One problem of the column's code: the spread keeps `code` and its values together.
  return { ...p, link: link.name, filter, wrapper: wrapperOf(link).fdw } as PlanProblem;
}

function checkLink(link: DesiredLink, catalog: LocalCatalog): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const env = catalog.environment;
  const wrapper = wrapperOf(link);
  for (const option of Object.keys(link.serverOptions)) {
    const since = wrapper.serverOptionTable[option]?.since ?? 0;
    if (since > env.versionNum) problems.push({ code: 'option_unsupported', link: link.name, option, since, running: env.versionNum });
  }
  const passthrough = link.remote.auth === 'scram_passthrough';
  if (passthrough && !wrapper.scramPassthrough) {
    problems.push({ code: 'scram_passthrough_not_postgres', link: link.name, wrapper: wrapper.fdw });
  } else if (passthrough && wrapper.scramPassthrough && env.versionNum < wrapper.scramPassthrough.since) {
    problems.push({
      code: 'scram_passthrough_unsupported',
      link: link.name,
      since: wrapper.scramPassthrough.since,
      running: env.versionNum,
    });
  }
  // With SCRAM pass-through postgres_fdw needs no password from a non-superuser: the session's SCRAM keys stand in for it.
  if (!env.isSuperuser && !passthrough && !link.remote.target.password && wrapper.passwordRequiredForNonSuperuser) {
    problems.push({ code: 'password_required', link: link.name });
  }
  return problems;
}

/** The roles whose user mappings a change of a SCRAM pass-through link writes: each must log in with SCRAM and share the remote role's secret. */
function scramSecretsNote(link: DesiredLink, change: LinkChange): PlanNote | null {
  if (link.remote.auth !== 'scram_passthrough') return null;
  const roles = change.operations.flatMap((op) =>
    op.kind === 'create_user_mapping' || op.kind === 'replace_user_mapping' ? [op.role] : [],
  );
  if (roles.length === 0) return null;
  return { code: 'scram_passthrough_secrets', link: link.name, roles, user: link.remote.target.user };
}

/**
 * The grant_to roles that cannot log in whose user mappings this change writes: postgres_fdw looks up
 * the mapping of current_user, so a member of such a group role finds none unless it SETs ROLE first.
 */
function groupRoleNotes(link: DesiredLink, change: LinkChange, catalog: LocalCatalog): PlanNote[] {
  const nologin = new Set(catalog.nologinRoles ?? []);
  if (nologin.size === 0) return [];
  const written = change.operations.flatMap((op) =>
    (op.kind === 'create_user_mapping' || op.kind === 'replace_user_mapping') && nologin.has(op.role) ? [op.role] : [],
  );
  return written.map((role) => ({ code: 'grant_to_cannot_login', link: link.name, role }));
}

/** A session without SCRAM keys cannot prove (apply) or check the SCRAM pass-through links this plan creates or changes. */
function scramLoginNote(plan: DatabasePlan, desired: DesiredDatabase, env: LocalEnvironment): PlanNote | null {
  if (env.scramLogin !== false) return null;
  const passthrough = new Set(desired.links.filter((link) => link.remote.auth === 'scram_passthrough').map((link) => link.name));
  const links = plan.changes.filter((change) => change.action !== 'destroy' && passthrough.has(change.link)).map((change) => change.link);
  if (links.length === 0) return null;
  return { code: 'scram_login_missing', link: null, role: env.currentUser, links };
}

/** A link's wrapper must be installed, or installable by this role (neither is a trusted extension). */
function checkExtension(plan: DatabasePlan, catalog: LocalCatalog, wrapper: Wrapper): PlanProblem[] {
  const env = catalog.environment;
  const state = wrapperEnvironment(env, wrapper);
  const fdw = wrapper.fdw;
  if (!plan.changes.some((change) => change.wrapper === fdw) || state.extension !== null) return [];
  if (!state.available) return [{ code: 'extension_unavailable', link: null, extension: fdw, running: env.versionNum }];
  if (env.isSuperuser) return [];
  return [{ code: 'extension_not_creatable', link: null, extension: fdw, database: env.database, role: env.currentUser }];
}

/**
 * The schema a new extension goes to: `public` when only this role and superusers may create objects
 * in it, else EXTENSION_SCHEMA (made, owned by this role, when missing), unless that exists and
 * others may create objects in it too.
 */
function extensionHome(env: LocalEnvironment): { schema: string; create: boolean } | { schema: string; owner: string; untrusted: true } {
  const schemas = env.extensionSchemas ?? {};
  if (schemas.public?.trusted) return { schema: 'public', create: false };
  const own = schemas[EXTENSION_SCHEMA];
  if (!own) return { schema: EXTENSION_SCHEMA, create: true };
  if (own.trusted) return { schema: EXTENSION_SCHEMA, create: false };
  return { schema: EXTENSION_SCHEMA, owner: own.owner, untrusted: true };
}

/** A wrapper's extension already installed in a schema that others may create objects in: said, not refused. */
function extensionSchemaNote(env: LocalEnvironment, wrapper: Wrapper): PlanNote | null {
  const schema = wrapperEnvironment(env, wrapper).schema;
  const home = schema ? env.extensionSchemas?.[schema] : undefined;
  if (!schema || !home || home.trusted) return null;
  return { code: 'extension_schema_writable', link: null, extension: wrapper.fdw, schema, owner: home.owner };
}

function checkPrivileges(plan: DatabasePlan, catalog: LocalCatalog): PlanProblem[] {
  const env = catalog.environment;
  if (env.isSuperuser || plan.changes.length === 0) return [];
  const problems: PlanProblem[] = [];
  for (const wrapper of WRAPPERS) {
    const creates = plan.changes.some(
      (change) => change.wrapper === wrapper.fdw && change.operations.some((op) => op.kind === 'create_server'),
    );
    if (creates && wrapperEnvironment(env, wrapper).usage === false) {
      problems.push({ code: 'wrapper_usage_missing', link: null, wrapper: wrapper.fdw, role: env.currentUser });
    }
  }
  if (plan.changes.some((change) => change.operations.some((op) => op.kind === 'create_schema')) && !env.canCreateSchema) {
    problems.push({ code: 'create_schema_denied', link: null, database: env.database, role: env.currentUser });
  }
  return problems;
}

/** The server's options, as the link's wrapper writes them (connection, server_options, access). */
export function desiredServerOptions(link: DesiredLink, versionNum: number): Record<string, string> {
  return sortKeys(wrapperOf(link).serverOptions(link, versionNum));
}

// A cache in the pure planner is safe: keyed weakly by a catalog that nothing changes after
// introspection, it answers the same for the same catalog and goes away with it.
const tablesBySchema = new WeakMap<LocalCatalog, Map<string, ObservedForeignTable[]>>();

/** A link's own foreign tables (in its schema, on its server), indexed once per catalog, not scanned per link. */
function linkTables(catalog: LocalCatalog, link: string): ObservedForeignTable[] {
  let index = tablesBySchema.get(catalog);
  if (!index) {
    index = new Map();
    for (const table of catalog.foreignTables) {
      if (table.schema !== table.server) continue;
      const tables = index.get(table.schema) ?? [];
      tables.push(table);
      index.set(table.schema, tables);
    }
    tablesBySchema.set(catalog, index);
  }
  return index.get(link) ?? [];
}

/** The roles that get a user mapping: the one datalinks connects as, and grant_to. */
function mappedRoles(link: DesiredLink, currentUser: string): string[] {
  return [currentUser, ...link.grantTo.filter((role) => role !== currentUser)];
}

function createLink(link: DesiredLink, tables: ForeignTableSpec[], schema: ObservedSchema | undefined, catalog: LocalCatalog): LinkChange {
  const currentUser = catalog.environment.currentUser;
  const roles = mappedRoles(link, currentUser);
  const meta: ManagedMeta = { created_at: null, remote: link.remote.variable };
  const operations: Operation[] = [
    { kind: 'create_server', server: link.name, options: desiredServerOptions(link, catalog.environment.versionNum), meta },
    ...roles.map(
      (role): Operation => ({ kind: 'create_user_mapping', server: link.name, role, user: link.remote.target.user, ...mappingAuth(link) }),
    ),
    // A schema left behind by a hand-dropped server is ours (marked) or was adopted: reuse it.
    schema ? { kind: 'comment_schema', schema: link.name, meta } : { kind: 'create_schema', schema: link.name, meta },
    ...tables.map((table): Operation => ({ kind: 'create_foreign_table', schema: link.name, server: link.name, table })),
    ...grantsFor(
      link,
      tables.map((t) => t.name),
      [],
      schema?.grants ?? [],
      currentUser,
    ),
  ];
  return { action: 'create', link: link.name, wrapper: wrapperOf(link).fdw, operations, dependents: [] };
}

/**
 * Drops a managed link without CASCADE: its foreign tables, user mappings, schema (only if ours)
 * and server. Whatever else depends on them is listed; PostgreSQL refuses what the list missed.
 */
function destroyLink(server: ObservedServer, schema: ObservedSchema | undefined, catalog: LocalCatalog): LinkChange {
  const operations: Operation[] = [];
  const own = linkTables(catalog, server.name).map((table) => table.name);
  const schemaIsOurs = schema?.owned === true && (ownership(schema) === 'managed' || schema.comment === null);
  if (own.length > 0) operations.push({ kind: 'drop_foreign_tables', schema: server.name, tables: own, reason: 'link_destroyed' });
  for (const mapping of server.mappings) operations.push({ kind: 'drop_user_mapping', server: server.name, role: mapping.role });
  if (schemaIsOurs) operations.push({ kind: 'drop_schema', schema: server.name });
  operations.push({ kind: 'drop_server', server: server.name });
  const dependents = new Map<string, Dependent>();
  for (const dependent of catalog.dependents) {
    if (dependent.link !== server.name) continue;
    // A schema that is not ours stays: what lives in it is not dropped.
    if (!schemaIsOurs && dependent.inLinkSchema) continue;
    const seen = dependents.get(dependent.description);
    if (!seen || (seen.table === null && dependent.table !== null)) dependents.set(dependent.description, dependent);
  }
  const wrapper = wrapperNamed(server.wrapper);
  return {
    action: 'destroy',
    link: server.name,
    ...(wrapper ? { wrapper: wrapper.fdw } : {}),
    operations,
    dependents: [...dependents.values()],
  };
}

/** What an existing link (managed, or being adopted) needs to match the file. */
interface ExistingLink {
  link: DesiredLink;
  /** The foreign tables the link should have. */
  tables: ForeignTableSpec[];
  remote: RemoteSchema & { ok: true };
  server: ObservedServer;
  schema: ObservedSchema | undefined;
  adopting: boolean;
  catalog: LocalCatalog;
}

function updateLink({ link, tables, remote: remoteSchema, server, schema, adopting, catalog }: ExistingLink): {
  change: LinkChange | undefined;
  notes: PlanNote[];
} {
  const operations: Operation[] = [];
  const meta = parseManagedComment(server.comment) ?? { created_at: null, remote: null };
  const wantedMeta: ManagedMeta = { created_at: meta.created_at, remote: link.remote.variable };
  const optionChanges = diffOptions(server.options, desiredServerOptions(link, catalog.environment.versionNum));
  if (optionChanges.length > 0) operations.push({ kind: 'alter_server_options', server: link.name, changes: optionChanges });
  if (adopting || meta.remote !== link.remote.variable) operations.push({ kind: 'comment_server', server: link.name, meta: wantedMeta });
  const mappings = planMappings(link, server, catalog.environment.currentUser);
  operations.push(...mappings.operations);
  const notes = mappings.notes;

  if (!schema) operations.push({ kind: 'create_schema', schema: link.name, meta: wantedMeta });
  else if (ownership(schema) !== 'managed' || adopting || meta.remote !== link.remote.variable) {
    operations.push({ kind: 'comment_schema', schema: link.name, meta: wantedMeta });
  }
  const existing = new Map(linkTables(catalog, link.name).map((t) => [t.name, t] as const));
  const desiredNames = new Set(tables.map((t) => t.name));
  const onRemote = new Map(remoteSchema.tables.map((t) => [t.name, t]));
  const tableDependents = (name: string) => catalog.dependents.filter((d) => d.link === link.name && d.table === name);
  const dependents: Dependent[] = [];
  const fresh: string[] = [];
  const gone = [...existing.keys()].filter((name) => !desiredNames.has(name));
  // The remote schema each existing table reads: another than the file's means `remote.schema` changed.
  const wrapper = wrapperOf(link);
  const readsSchema = (name: string) => wrapper.remoteTableOf(existing.get(name) as ObservedForeignTable).schema;
  const movedFrom = (name: string) => {
    const before = readsSchema(name);
    return before !== link.remote.schema ? before : null;
  };
  for (const reason of ['remote_schema_changed', 'excluded_by_filter', 'removed_on_remote'] as const) {
    const names = gone.filter((name) =>
      reason === 'remote_schema_changed'
        ? movedFrom(name) !== null
        : movedFrom(name) === null && onRemote.has(name) === (reason === 'excluded_by_filter'),
    );
    if (names.length === 0) continue;
    // Tables that read several other schemas (edited by hand) are worded by the first.
    const schemas =
      reason === 'remote_schema_changed' ? { schemas: { before: movedFrom(names[0] as string) as string, after: link.remote.schema } } : {};
    operations.push({ kind: 'drop_foreign_tables', schema: link.name, tables: names, reason, ...schemas });
    for (const name of names) dependents.push(...tableDependents(name));
  }
  for (const table of tables) {
    const current = existing.get(table.name);
    if (!current) {
      operations.push({ kind: 'create_foreign_table', schema: link.name, server: link.name, table });
      fresh.push(table.name);
      continue;
    }
    const remote = onRemote.get(table.remoteTable);
    // Columns not read: the signatures proved them equal to the remote's; prove it again here.
    const tablePlan: TablePlan =
      current.columns === null
        ? unreadTable(link, remoteSchema, current, catalog.resolved)
        : planForeignTable(table, current, tableDependents(table.name), wrapperOf(link));
    const before = movedFrom(table.name);
    const reason = (): TableChangeReason =>
      before !== null
        ? { code: 'remote_schema_changed', options: [], schemas: { before, after: link.remote.schema } }
        : remote
          ? tableChangeReason(link, remote, current, catalog.resolved)
          : { code: 'remote_columns_changed', options: [] };
    if (tablePlan.kind === 'alter') {
      operations.push({ kind: 'alter_foreign_table', schema: link.name, table: table.name, steps: tablePlan.steps, reason: reason() });
    } else if (tablePlan.kind === 'replace') {
      operations.push({
        kind: 'replace_foreign_table',
        schema: link.name,
        server: link.name,
        table,
        diff: tablePlan.diff,
        reason: reason(),
      });
      fresh.push(table.name);
    }
    if (tablePlan.kind !== 'same') dependents.push(...tablePlan.dependents);
    if (tablePlan.kind !== 'replace') {
      const contradicting = Object.keys(current.options).filter((name) => contradictsAccess(name, current.options[name], link.access));
      if (contradicting.length > 0) {
        operations.push({
          kind: 'alter_foreign_table_options',
          schema: link.name,
          table: table.name,
          changes: contradicting.map((name) => ({ action: 'drop', name, old: current.options[name] as string })),
        });
      }
    }
  }
  const kept = [...existing.values()].filter((t) => desiredNames.has(t.name) && !fresh.includes(t.name));
  operations.push(...grantsFor(link, fresh, kept, schema ? schema.grants : [], catalog.environment.currentUser));
  if (operations.length === 0) return { change: undefined, notes };
  const accessRemoved = operations.flatMap((op): AccessRemoved[] =>
    op.kind === 'drop_user_mapping'
      ? [{ kind: 'user_mapping', role: op.role }]
      : op.kind === 'revoke'
        ? [{ kind: 'privileges', role: op.role, privileges: op.privileges, schema: op.schema, tables: op.tables?.length ?? null }]
        : [],
  );
  const change: LinkChange = {
    action: 'update',
    link: link.name,
    wrapper: wrapperOf(link).fdw,
    ...(adopting ? { adopt: true } : {}),
    operations,
    dependents: uniqueDependents(dependents),
    ...(accessRemoved.length > 0 ? { accessRemoved } : {}),
  };
  return { change, notes };
}

/**
 * A table-level option that lets writes reach the remote where the link's access says otherwise (or
 * refuses them where it allows them): drift, removed so that the server's options, set from `access`,
 * rule every table.
 */
function contradictsAccess(name: string, value: string | undefined, access: DesiredLink['access']): boolean {
  if (name === 'updatable') return value !== (access === 'write' ? 'true' : 'false');
  if (name === 'truncatable') return access === 'read' && value !== 'false';
  return false;
}

/** A foreign table whose columns introspection did not read: only ever one proven unchanged. */
function unreadTable(link: DesiredLink, remote: RemoteSchema, table: ObservedForeignTable, resolved: ResolvedNeeds): TablePlan {
  if (!foreignTableUnchanged(link, remote, table, table.signature, resolved)) {
    throw new BugError(`the columns of foreign table "${table.schema}"."${table.name}" were not read, but they may differ from the remote`);
  }
  return { kind: 'same' };
}

function uniqueDependents(dependents: Dependent[]): Dependent[] {
  const seen = new Map<string, Dependent>();
  for (const dependent of dependents) if (!seen.has(dependent.description)) seen.set(dependent.description, dependent);
  return [...seen.values()];
}

/** The `auth` of a link's user mapping operations: present only for SCRAM pass-through, whose mappings hold no password. */
function mappingAuth(link: DesiredLink): { auth?: 'scram_passthrough' } {
  return link.remote.auth === 'scram_passthrough' ? { auth: 'scram_passthrough' } : {};
}

function planMappings(link: DesiredLink, server: ObservedServer, currentUser: string): { operations: Operation[]; notes: PlanNote[] } {
  const operations: Operation[] = [];
  const notes: PlanNote[] = [];
  const roles = mappedRoles(link, currentUser);
  const target = link.remote.target;
  const wrapper = wrapperOf(link);
  const userOption = wrapper.userOption;
  const passthrough = link.remote.auth === 'scram_passthrough';
  // A SCRAM pass-through mapping holds no password: the URL's is only for datalinks' own reading of the remote.
  const password = passthrough ? null : target.password;
  const differs = (options: Record<string, string>) =>
    (options[userOption] ?? null) !== target.user || (options.password ?? null) !== password;
  // Switching between a stored password and SCRAM pass-through (the server's option says which it is
  // now) replaces every mapping, even one whose options this role may not read.
  const scram = wrapper.scramPassthrough;
  const authSwitched = scram !== null && (server.options[scram.serverOption] === 'true') !== passthrough;
  const own = server.mappings.find((m) => m.role === currentUser);
  const ownChanged = own?.options ? differs(own.options) : null;
  for (const role of roles) {
    const mapping = server.mappings.find((m) => m.role === role);
    if (!mapping) {
      operations.push({ kind: 'create_user_mapping', server: link.name, role, user: target.user, ...mappingAuth(link) });
      continue;
    }
    const changed = authSwitched || (mapping.options ? differs(mapping.options) : ownChanged);
    if (changed === null) {
      notes.push({ code: 'mapping_credentials_unreadable', link: link.name, role, reader: currentUser });
    } else if (changed) {
      const userChanged = mapping.options ? (mapping.options[userOption] ?? null) !== target.user : false;
      operations.push({
        kind: 'replace_user_mapping',
        server: link.name,
        role,
        user: target.user,
        reason: authSwitched ? 'auth_changed' : userChanged ? 'remote_user_changed' : 'credentials_changed',
        ...mappingAuth(link),
      });
    }
  }
  for (const mapping of server.mappings) {
    if (!roles.includes(mapping.role)) operations.push({ kind: 'drop_user_mapping', server: link.name, role: mapping.role });
  }
  return { operations, notes };
}

/**
 * GRANT/REVOKE so that exactly the roles in grant_to have USAGE on the schema and the access's
 * privileges on every foreign table. `fresh` tables are created by this plan and have no grants yet.
 */
function grantsFor(
  link: DesiredLink,
  fresh: string[],
  kept: ObservedForeignTable[],
  schemaGrants: { grantee: string; privilege: string }[],
  owner: string,
): Operation[] {
  const operations: Operation[] = [];
  const wanted = link.access === 'write' ? WRITE_PRIVILEGES : READ_PRIVILEGES;
  const roles = link.grantTo.filter((role) => role !== owner);
  const schemaGrantees = new Set(schemaGrants.filter((g) => g.privilege === 'USAGE').map((g) => g.grantee));
  for (const role of roles) {
    if (!schemaGrantees.has(role)) operations.push({ kind: 'grant', schema: link.name, role, privileges: ['USAGE'], tables: null });
  }
  for (const grantee of schemaGrantees) {
    if (grantee !== owner && !roles.includes(grantee))
      operations.push({ kind: 'revoke', schema: link.name, role: grantee, privileges: ['USAGE'], tables: null });
  }
  const toGrant = new Map<string, { role: string; privileges: string[]; tables: string[] }>();
  const toRevoke = new Map<string, { role: string; privileges: string[]; tables: string[] }>();
  const add = (into: typeof toGrant, role: string, privileges: string[], table: string) => {
    if (privileges.length === 0) return;
    const key = `${role}\0${privileges.join(',')}`;
    const entry = into.get(key) ?? { role, privileges, tables: [] };
    entry.tables.push(table);
    into.set(key, entry);
  };
  for (const role of roles) for (const table of fresh) add(toGrant, role, wanted, table);
  for (const table of kept) {
    // (Nothing to grant or revoke: the common case of a link without grant_to, at every one of its tables.)
    if (roles.length === 0 && table.grants.length === 0) continue;
    const held = new Map<string, Set<string>>();
    for (const grant of table.grants) {
      if (grant.grantee === table.owner) continue;
      const set = held.get(grant.grantee) ?? new Set<string>();
      set.add(grant.privilege);
      held.set(grant.grantee, set);
    }
    for (const role of roles)
      add(
        toGrant,
        role,
        wanted.filter((p) => !held.get(role)?.has(p)),
        table.name,
      );
    for (const [grantee, privileges] of held) {
      const extra = [...privileges].filter((p) => !roles.includes(grantee) || !wanted.includes(p)).sort();
      add(toRevoke, grantee, extra, table.name);
    }
  }
  for (const entry of toRevoke.values()) operations.push({ kind: 'revoke', schema: link.name, ...entry });
  for (const entry of toGrant.values()) operations.push({ kind: 'grant', schema: link.name, ...entry });
  return operations;
}

export function diffOptions(current: Record<string, string>, desired: Record<string, string>): OptionChange[] {
  const changes: OptionChange[] = [];
  for (const [name, value] of Object.entries(desired)) {
    const old = current[name];
    if (old === undefined) changes.push({ action: 'add', name, value });
    else if (old !== value) changes.push({ action: 'set', name, value, old });
  }
  for (const [name, old] of Object.entries(current)) if (!(name in desired)) changes.push({ action: 'drop', name, old });
  return changes;
}

/** Option names in code unit order: they are ASCII, and localeCompare's first call costs ICU's set-up (~8 ms a plan). */
function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

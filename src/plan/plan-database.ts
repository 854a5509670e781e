import { formatVersion, SERVER_OPTION_SINCE } from '../config/fdw-options.js';
import type { DesiredDatabase, DesiredLink } from '../config/types.js';
import type { Dependent, LocalCatalog, ObservedDatabase, ObservedForeignTable, ObservedServer, RemoteTable } from '../introspect/types.js';
import { appendedColumns, desiredForeignTables, diffForeignTable } from './foreign-tables.js';
import { parseManagedComment } from './managed-comment.js';
import type { DatabasePlan, ForeignTableSpec, LinkChange, Operation, OptionChange, PlanProblem } from './types.js';

export interface PlanOptions {
  /** Take over hand-made servers and schemas whose names match links in the file. */
  adopt?: boolean;
}

const READ_PRIVILEGES = ['SELECT'];
const WRITE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/** The pure heart of datalinks: what must change in one database for it to match the config. */
export function planDatabase(desired: DesiredDatabase, observed: ObservedDatabase, options: PlanOptions = {}): DatabasePlan {
  const plan: DatabasePlan = { alias: desired.alias, preamble: [], changes: [], errors: [], notes: [], fingerprint: '' };
  if (!observed.local.ok) {
    plan.errors.push({ link: null, message: observed.local.error, hint: observed.local.hint });
    return plan;
  }
  const catalog = observed.local.catalog;
  const env = catalog.environment;
  const servers = new Map(catalog.servers.map((server) => [server.name, server]));
  const schemas = new Set(catalog.schemas.map((schema) => schema.name));
  const wanted = new Set(desired.links.map((link) => link.name));

  for (const server of catalog.servers) {
    const meta = parseManagedComment(server.comment);
    if (meta && !wanted.has(server.name)) plan.changes.push(destroyLink(server, schemas.has(server.name), catalog));
  }

  for (const link of desired.links) {
    const problems: PlanProblem[] = [];
    const problem = (message: string, hint?: string) => problems.push({ link: link.name, message, hint });
    const remote = observed.remotes[link.name];
    const server = servers.get(link.name);
    const managed = server ? parseManagedComment(server.comment) : null;
    const adopting = Boolean(server && !managed && options.adopt);
    if (server && !managed && !options.adopt) {
      problem(
        `a foreign server "${link.name}" already exists and was not made by datalinks`,
        'datalinks never changes objects it does not manage: rename the link, drop the server by hand, or pass --adopt to take it over (datalinks export shows its settings)',
      );
    } else if (server && server.wrapper !== 'postgres_fdw') {
      problem(
        `the foreign server "${link.name}" uses the wrapper ${server.wrapper}, not postgres_fdw`,
        'rename the link or drop that server by hand',
      );
    } else if (!server && schemas.has(link.name)) {
      problem(
        `a schema "${link.name}" already exists and does not belong to a datalinks link`,
        'rename the link, or drop or rename the schema by hand; datalinks will not put foreign tables into a schema it does not manage',
      );
    }
    if (!remote?.ok) {
      problem(remote?.error ?? 'the remote was not read', remote?.hint);
      plan.errors.push(...problems);
      continue;
    }
    const { tables, notFound } = desiredForeignTables(link, remote.tables);
    for (const name of notFound) {
      problem(
        `table "${name}" listed in \`tables\` does not exist in the remote schema "${link.remote.schema}"`,
        'fix the name, or create the table on the remote first',
      );
    }
    problems.push(...checkLink(link, tables, catalog));
    if (problems.length > 0) {
      plan.errors.push(...problems);
      continue;
    }
    const change =
      server && (managed || adopting)
        ? updateLink(link, tables, remote.tables, server, managed ?? { created_at: null, remote: null }, adopting, catalog, plan.notes)
        : createLink(link, tables, env.currentUser);
    if (change) plan.changes.push(change);
  }

  if (plan.changes.length > 0 && env.fdwExtension === null) {
    if (env.fdwAvailable) plan.preamble.push({ kind: 'create_extension' });
    else
      plan.errors.push({
        link: null,
        message: 'the postgres_fdw extension is not available on this PostgreSQL server',
        hint: "install PostgreSQL's contrib package on the server (postgres_fdw ships with it)",
      });
  }
  plan.errors.push(...checkPrivileges(plan, catalog));
  plan.changes.sort((a, b) => actionOrder(a) - actionOrder(b) || a.link.localeCompare(b.link));
  return plan;
}

function actionOrder(change: LinkChange): number {
  return change.action === 'destroy' ? 0 : change.action === 'create' ? 1 : 2;
}

function checkLink(link: DesiredLink, tables: ForeignTableSpec[], catalog: LocalCatalog): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const env = catalog.environment;
  for (const option of Object.keys(link.serverOptions)) {
    const since = SERVER_OPTION_SINCE[option] ?? 0;
    if (since > env.versionNum) {
      problems.push({
        link: link.name,
        message: `server option "${option}" needs PostgreSQL ${formatVersion(since)} or later; this database runs ${formatVersion(env.versionNum)}`,
        hint: `remove "${option}" from server_options of link "${link.name}"`,
      });
    }
  }
  const missingTypes = new Set(catalog.missingTypes);
  for (const table of tables) {
    for (const column of table.columns) {
      if (missingTypes.has(column.type)) {
        problems.push({
          link: link.name,
          message: `column "${column.name}" of remote table "${table.remoteTable}" has type ${column.type}, which does not exist in this database`,
          hint: `create the type locally (same name and schema, e.g. the same CREATE TYPE or CREATE EXTENSION), or leave the table out with \`exclude: [${table.name}]\``,
        });
      }
    }
  }
  const existingRoles = new Set(catalog.existingRoles);
  for (const role of link.grantTo) {
    if (!existingRoles.has(role)) {
      problems.push({
        link: link.name,
        message: `role "${role}" in grant_to does not exist in this database`,
        hint: `create it (CREATE ROLE ${quoteForHint(role)}) or remove it from grant_to`,
      });
    }
  }
  if (!env.isSuperuser && !link.remote.target.password) {
    problems.push({
      link: link.name,
      message: 'the remote URL has no password, and postgres_fdw requires one for a role that is not a superuser',
      hint: 'put the password in the remote URL (through its environment variable)',
    });
  }
  return problems;
}

function checkPrivileges(plan: DatabasePlan, catalog: LocalCatalog): PlanProblem[] {
  const env = catalog.environment;
  if (env.isSuperuser || plan.changes.length === 0) return [];
  const problems: PlanProblem[] = [];
  const creates = plan.changes.some((change) => change.operations.some((op) => op.kind === 'create_server'));
  if (creates && env.fdwUsage === false) {
    problems.push({
      link: null,
      message: `role "${env.currentUser}" may not use the postgres_fdw foreign-data wrapper`,
      hint: `a superuser must run: GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${quoteForHint(env.currentUser)};`,
    });
  }
  if (plan.changes.some((change) => change.operations.some((op) => op.kind === 'create_schema')) && !env.canCreateSchema) {
    problems.push({
      link: null,
      message: `role "${env.currentUser}" may not create schemas in database "${env.database}"`,
      hint: `a superuser or the database owner must run: GRANT CREATE ON DATABASE ${quoteForHint(env.database)} TO ${quoteForHint(env.currentUser)};`,
    });
  }
  for (const change of plan.changes) {
    const server = catalog.servers.find((s) => s.name === change.link);
    if (server && change.action !== 'create' && server.owner !== env.currentUser) {
      problems.push({
        link: change.link,
        message: `the foreign server "${server.name}" is owned by role "${server.owner}", not "${env.currentUser}"`,
        hint: `run datalinks as ${server.owner}, or have a superuser run: ALTER SERVER ${quoteForHint(server.name)} OWNER TO ${quoteForHint(env.currentUser)};`,
      });
    }
  }
  return problems;
}

function quoteForHint(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

export function desiredServerOptions(link: DesiredLink): Record<string, string> {
  const target = link.remote.target;
  const options: Record<string, string> = { host: target.host };
  if (target.port) options.port = target.port;
  if (target.dbname) options.dbname = target.dbname;
  Object.assign(options, target.params, link.serverOptions);
  options.updatable = link.access === 'write' ? 'true' : 'false';
  return sortKeys(options);
}

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

function createLink(link: DesiredLink, tables: ForeignTableSpec[], currentUser: string): LinkChange {
  const roles = mappedRoles(link, currentUser);
  const operations: Operation[] = [
    {
      kind: 'create_server',
      server: link.name,
      options: desiredServerOptions(link),
      meta: { created_at: null, remote: link.remote.variable },
    },
    ...roles.map((role): Operation => ({ kind: 'create_user_mapping', server: link.name, role, user: link.remote.target.user })),
    { kind: 'create_schema', schema: link.name },
    ...tables.map((table): Operation => ({ kind: 'create_foreign_table', schema: link.name, server: link.name, table })),
    ...grantsFor(
      link,
      tables.map((t) => t.name),
      [],
      [],
      currentUser,
    ),
  ];
  return { action: 'create', link: link.name, operations, dependents: [] };
}

function destroyLink(server: ObservedServer, schemaExists: boolean, catalog: LocalCatalog): LinkChange {
  const operations: Operation[] = [];
  if (schemaExists) operations.push({ kind: 'drop_schema', schema: server.name });
  operations.push({ kind: 'drop_server', server: server.name });
  const dependents = new Map<string, Dependent>();
  for (const dependent of catalog.dependents) {
    if (dependent.link !== server.name) continue;
    const seen = dependents.get(dependent.description);
    if (!seen || (seen.table === null && dependent.table !== null)) dependents.set(dependent.description, dependent);
  }
  return { action: 'destroy', link: server.name, operations, dependents: [...dependents.values()] };
}

function updateLink(
  link: DesiredLink,
  tables: ForeignTableSpec[],
  remoteTables: readonly RemoteTable[],
  server: ObservedServer,
  meta: { created_at: string | null; remote: string | null },
  adopting: boolean,
  catalog: LocalCatalog,
  notes: string[],
): LinkChange | undefined {
  const operations: Operation[] = [];
  const optionChanges = diffOptions(server.options, desiredServerOptions(link));
  if (optionChanges.length > 0) operations.push({ kind: 'alter_server_options', server: link.name, changes: optionChanges });
  if (adopting || meta.remote !== link.remote.variable) {
    operations.push({ kind: 'comment_server', server: link.name, meta: { created_at: meta.created_at, remote: link.remote.variable } });
  }
  operations.push(...planMappings(link, server, catalog.environment.currentUser, notes));

  const schema = catalog.schemas.find((s) => s.name === link.name);
  if (!schema) operations.push({ kind: 'create_schema', schema: link.name });
  const existing = new Map(linkTables(catalog, link.name).map((t) => [t.name, t] as const));
  const desiredNames = new Set(tables.map((t) => t.name));
  const onRemote = new Set(remoteTables.map((t) => t.name));
  const dropped: string[] = [];
  const fresh: string[] = [];
  for (const [name] of existing) {
    if (!desiredNames.has(name)) {
      const reason = onRemote.has(name) ? 'excluded by the table filter' : 'no longer on the remote';
      operations.push({ kind: 'drop_foreign_table', schema: link.name, table: name, reason });
      dropped.push(name);
    }
  }
  for (const table of tables) {
    const current = existing.get(table.name);
    if (!current) {
      operations.push({ kind: 'create_foreign_table', schema: link.name, server: link.name, table });
      fresh.push(table.name);
      continue;
    }
    const diff = diffForeignTable(table, current);
    const added = appendedColumns(diff, table, current);
    if (added) {
      operations.push({ kind: 'add_foreign_table_columns', schema: link.name, table: table.name, columns: added });
    } else if (diff.length > 0) {
      operations.push({ kind: 'replace_foreign_table', schema: link.name, server: link.name, table, diff });
      dropped.push(table.name);
      fresh.push(table.name);
    }
  }
  const kept = [...existing.values()].filter((t) => desiredNames.has(t.name) && !fresh.includes(t.name));
  operations.push(...grantsFor(link, fresh, kept, schema ? schema.grants : [], catalog.environment.currentUser));
  if (operations.length === 0) return undefined;
  const dependents = catalog.dependents.filter((d) => d.link === link.name && d.table !== null && dropped.includes(d.table));
  return { action: 'update', link: link.name, ...(adopting ? { adopt: true } : {}), operations, dependents };
}

function planMappings(link: DesiredLink, server: ObservedServer, currentUser: string, notes: string[]): Operation[] {
  const operations: Operation[] = [];
  const roles = mappedRoles(link, currentUser);
  const target = link.remote.target;
  const differs = (options: Record<string, string>) =>
    (options.user ?? null) !== target.user || (options.password ?? null) !== target.password;
  const own = server.mappings.find((m) => m.role === currentUser);
  const ownChanged = own?.options ? differs(own.options) : null;
  for (const role of roles) {
    const mapping = server.mappings.find((m) => m.role === role);
    if (!mapping) {
      operations.push({ kind: 'create_user_mapping', server: link.name, role, user: target.user });
      continue;
    }
    const changed = mapping.options ? differs(mapping.options) : ownChanged;
    if (changed === null) {
      notes.push(
        `link "${link.name}": the credentials of the user mapping for role "${role}" cannot be read by "${currentUser}", so they were not compared`,
      );
    } else if (changed) {
      const userChanged = mapping.options ? (mapping.options.user ?? null) !== target.user : false;
      operations.push({
        kind: 'replace_user_mapping',
        server: link.name,
        role,
        user: target.user,
        reason: userChanged ? 'remote user changed' : 'credentials changed',
      });
    }
  }
  for (const mapping of server.mappings) {
    if (!roles.includes(mapping.role)) operations.push({ kind: 'drop_user_mapping', server: link.name, role: mapping.role });
  }
  return operations;
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

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

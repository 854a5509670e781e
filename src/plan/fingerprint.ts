import { createHash } from 'node:crypto';
import type { DesiredDatabase } from '../config/types.js';
import type { LocalCatalog, ObservedDatabase } from '../introspect/types.js';
import { wrapperNamed } from '../wrappers/index.js';
import { desiredForeignTables } from './foreign-tables.js';
import { parseManagedComment } from './managed-comment.js';
import type { DatabasePlan } from './types.js';

/**
 * A hash of exactly the observed state a plan of `desired` depends on, so that a saved plan goes stale
 * when something it relies on changes and only then:
 * - the environment the planner checks (version, role, privileges, the extension);
 * - every server, schema and foreign table that bears a link's name (the links in the file, and the
 *   managed ones, which a plan destroys when they left the file), with their options, owners, grants
 *   and columns;
 * - the objects outside the links that the plan's changes would drop (its dependents): a view over a
 *   linked table that the plan keeps does not count;
 * - of each link's remote, the tables the link selects (after `tables`/`exclude`) as the foreign tables
 *   they would become, the listed tables it misses, and which of the link's foreign tables are still
 *   on the remote (that decides how a drop is worded);
 * - which roles of grant_to exist, and how the linked columns' types, collations and expressions
 *   resolve locally (in the desired tables and their problems).
 * An unrelated schema, a hand-made server of another name, or a remote table outside `tables:` does
 * not count. User mappings count by role and remote user only: their options hold passwords, and a
 * hash of a password in a saved plan is a secret too.
 */
export function fingerprintObserved(
  desired: DesiredDatabase,
  observed: ObservedDatabase,
  plan: Pick<DatabasePlan, 'changes'>,
  target?: readonly string[],
): string {
  return fingerprintParts(desired, observed, plan, target).fingerprint;
}

/**
 * The fingerprint, and beside it a hash of the remotes' part alone (what each link's remote tables
 * make, as resolved here): a plan's changes are made from the file, the remotes and the local
 * catalog, so a database whose plan is now empty while this part is unchanged already is what the
 * saved plan would make. `target` (--link): managed links outside it are not part of the state.
 */
export function fingerprintParts(
  desired: DesiredDatabase,
  observed: ObservedDatabase,
  plan: Pick<DatabasePlan, 'changes'>,
  target?: readonly string[],
): { fingerprint: string; remote: string } {
  const links = [...desired.links].sort((a, b) => a.name.localeCompare(b.name));
  const catalog = observed.local.ok ? observed.local.catalog : null;
  const remotes = links.map((link) => {
    const remote = observed.remotes[link.name];
    if (!remote?.ok) return { link: link.name, unread: remote ?? null };
    if (!catalog) return { link: link.name, tables: remote.tables.map((table) => table.name) };
    const { tables, notFound, problems } = desiredForeignTables(link, remote.tables, catalog.resolved);
    const onRemote = new Set(remote.tables.map((table) => table.name));
    const existing = (catalog?.foreignTables ?? []).filter((t) => t.schema === link.name && t.server === link.name);
    return {
      link: link.name,
      tables,
      notFound,
      problems,
      stillOnRemote: existing.map((t) => [t.name, onRemote.has(t.name)]),
    };
  });
  const local = catalog ? scopeCatalog(catalog, new Set(links.map((link) => link.name)), target) : { error: observed.local };
  const dependents = plan.changes.filter((change) => change.dependents.length > 0).map((change) => [change.link, change.dependents]);
  const json = JSON.stringify({ local, remotes, dependents });
  const remoteOnly = JSON.stringify(remotes.map(({ stillOnRemote: _local, ...remote }: { stillOnRemote?: unknown }) => remote));
  return { fingerprint: sha256(json), remote: sha256(remoteOnly) };
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

function scopeCatalog(catalog: LocalCatalog, wanted: ReadonlySet<string>, target: readonly string[] | undefined) {
  // A managed server not in the file is one the plan destroys, unless the plan is targeted elsewhere.
  const destroyable = (name: string) => !target || target.includes(name);
  const servers = catalog.servers.filter(
    (server) => wanted.has(server.name) || (parseManagedComment(server.comment) !== null && destroyable(server.name)),
  );
  const names = new Set([...wanted, ...servers.map((server) => server.name)]);
  // Spread first: a catalog field added later counts until it is scoped here (a plan then goes stale
  // too often, never too rarely).
  return {
    ...catalog,
    // How this session logged in is not the database's state (it only words a note): a plan saved in
    // one session stays valid in another.
    environment: { ...catalog.environment, scramLogin: undefined },
    servers: servers.map((server) => ({
      ...server,
      mappings: server.mappings.map((m) => ({
        role: m.role,
        readable: m.options !== null,
        // The remote user's option is the server's wrapper's: user (postgres_fdw) or username (mysql_fdw).
        user: m.options?.[wrapperNamed(server.wrapper)?.userOption ?? 'user'] ?? null,
      })),
    })),
    schemas: catalog.schemas.filter((schema) => names.has(schema.name)),
    foreignTables: catalog.foreignTables.filter((table) => names.has(table.server) || names.has(table.schema)),
    dependents: undefined,
    // How the remotes' types resolved here is in the desired tables above, for the linked tables only.
    resolved: undefined,
  };
}

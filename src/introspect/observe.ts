// introspect/: catalog queries -> ObservedState: the local catalog, and each link's remote read by its wrapper's client.
import type pg from 'pg';
import type { DesiredDatabase, DesiredLink, DesiredState } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions, NoAnswer, withConnection } from '../db/connect.js';
import { messageOf } from '../errors.js';
import { wrapperForUrl } from '../wrappers/index.js';
import type { ConnectionTarget } from '../wrappers/types.js';
import { describeTarget } from '../wrappers/url.js';
import { type ColumnsNeeded, introspectLinks, introspectLocal } from './introspect-local.js';
import { IDENTITY_QUERY } from './local-queries.js';
import { readRemoteSchemas } from './remote/index.js';
import { collectNeeds } from './remote-needs.js';
import type { LocalTableSignature } from './table-signature.js';
import type { ForeignTableSummary, LinkCatalog, LocalResult, ObservedDatabase, RemoteSchema, ResolvedNeeds } from './types.js';

/**
 * Whether a link's foreign table is proven to be what the link makes of its remote table (its
 * signature is the one expected), so that its columns need not be read. The planner knows what a link
 * makes of a remote table (plan/unchanged-tables.ts): the caller passes its rule down.
 */
export type ProvenUnchanged = (
  link: DesiredLink,
  remote: RemoteSchema | undefined,
  table: ForeignTableSummary,
  signature: LocalTableSignature | undefined,
  resolved: ResolvedNeeds,
) => boolean;

/** What the planner tells introspection: its proof rule, and whether it adopts (--adopt). */
export interface PlannerRules {
  provenUnchanged: ProvenUnchanged;
  adopt?: boolean;
  /** --link: the planner changes no link outside these, so nothing else is walked for dependents. */
  target?: readonly string[];
}

/**
 * Reads each remote once per run, however many links or local databases point at it: every schema
 * linked from one remote URL is read in the same query.
 */
export class RemoteReader {
  private readonly results = new Map<string, Promise<Record<string, RemoteSchema>>>();
  private readonly remotes = new Map<string, { target: ConnectionTarget; schemas: Set<string> }>();

  constructor(
    desired: DesiredState,
    private readonly options: ConnectOptions,
  ) {
    for (const link of desired.databases.flatMap((database) => database.links)) {
      const { target, schema } = link.remote;
      const remote = this.remotes.get(target.url) ?? { target, schemas: new Set<string>() };
      remote.schemas.add(schema);
      this.remotes.set(target.url, remote);
    }
  }

  /** The linked remote schema of each link of `database`, by link name. */
  async schemasFor(database: DesiredDatabase): Promise<Record<string, RemoteSchema>> {
    const entries = await Promise.all(
      database.links.map(async (link) => {
        const all = await this.read(link.remote.target.url);
        return [link.name, all[link.remote.schema] ?? { ok: false, code: 'not_read' }] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  private read(url: string): Promise<Record<string, RemoteSchema>> {
    let result = this.results.get(url);
    const remote = this.remotes.get(url);
    if (!result && remote) {
      result = readRemote(remote.target, [...remote.schemas], this.options);
      this.results.set(url, result);
    }
    return result ?? Promise.resolve({});
  }
}

async function readRemote(target: ConnectionTarget, schemas: string[], options: ConnectOptions): Promise<Record<string, RemoteSchema>> {
  try {
    // The link's wrapper decides how its remote is read: PostgreSQL's catalogs, or MySQL's information_schema.
    return await readRemoteSchemas(target, schemas, options);
  } catch (error) {
    const failure: RemoteSchema =
      error instanceof ConnectionFailed
        ? { ok: false, code: 'read_failed', error: `cannot connect to the remote ${error.where}: ${error.reason}`, hint: error.hint }
        : error instanceof NoAnswer
          ? { ok: false, code: 'read_failed', error: `reading the remote failed: ${error.message}`, hint: error.hint }
          : {
              ok: false,
              code: 'read_failed',
              error: `reading the remote ${wrapperForUrl(target.url).describe(target)} failed: ${messageOf(error)}`,
            };
    return Object.fromEntries(schemas.map((schema) => [schema, failure]));
  }
}

/**
 * Introspects one local database over `client` (which the caller owns and connect() pinned to
 * search_path = pg_catalog), given its links' remote schemas. The local queries that do not need
 * the remotes run while they are still being read.
 */
export async function observeDatabase(
  database: DesiredDatabase,
  client: pg.Client,
  remoteSchemas: Promise<Record<string, RemoteSchema>>,
  { provenUnchanged, adopt, target }: PlannerRules,
): Promise<ObservedDatabase> {
  // Links of one remote schema share one read: walk each schema's columns once, not once per link.
  const remoteNeeds = remoteSchemas.then((schemas) => collectNeeds([...new Set(Object.values(schemas))]));
  const roles = [...new Set(database.links.flatMap((link) => link.grantTo))];
  const links = database.links.map((link) => link.name);
  // The planner compares the columns of a link's own foreign tables (schema and server named for the
  // link); of those, the ones whose signature is what the link makes of their remote table need not be read.
  const columnsNeeded = remoteSchemas.then((schemas) => {
    const byName = new Map(database.links.map((link) => [link.name, link]));
    const needed: ColumnsNeeded = (table, signature, resolved) => {
      const link = byName.get(table.schema);
      return link !== undefined && table.server === table.schema && !provenUnchanged(link, schemas[link.name], table, signature, resolved);
    };
    return needed;
  });
  const [catalog, schemas] = await Promise.all([
    introspectLocal(client, { roles, links, remoteNeeds, columnsNeeded, adopt, target }),
    remoteSchemas,
  ]);
  return { alias: database.alias, local: { ok: true, catalog }, remotes: schemas };
}

/** Connects to a local database and observes it; a connection failure is data, not an exception. */
export async function observeDatabaseStandalone(
  database: DesiredDatabase,
  remotes: RemoteReader,
  options: ConnectOptions,
  rules: PlannerRules,
): Promise<ObservedDatabase> {
  const remoteSchemas = remotes.schemasFor(database);
  try {
    return await withConnection(database.target, options, (client) => observeDatabase(database, client, remoteSchemas, rules));
  } catch (error) {
    return { alias: database.alias, local: localFailure(database, error), remotes: await remoteSchemas };
  }
}

/** A local database that could not be connected to or read: what its plan reports. */
export function localFailure(database: DesiredDatabase, error: unknown): LocalResult {
  return error instanceof ConnectionFailed
    ? { ok: false, error: `cannot connect to database "${database.alias}" (${error.where}): ${error.reason}`, hint: error.hint }
    : error instanceof NoAnswer
      ? { ok: false, error: `reading database "${database.alias}" failed: ${error.message}`, hint: error.hint }
      : { ok: false, error: `reading database "${database.alias}" (${describeTarget(database.target)}) failed: ${messageOf(error)}` };
}

/** A database's identity (see OtherAliases): one query, on a connection of its own. */
export function readIdentity(database: DesiredDatabase, options: ConnectOptions): Promise<string> {
  return withConnection(database.target, options, async (client) => String((await client.query(IDENTITY_QUERY)).rows[0]?.identity));
}

/** The servers, schemas and foreign tables of a local database (no columns, no remotes): `list`, `export`. */
export function readLinkCatalog(database: DesiredDatabase, options: ConnectOptions): Promise<LinkCatalog> {
  return withConnection(database.target, options, introspectLinks);
}

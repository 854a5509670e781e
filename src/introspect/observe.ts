import type pg from 'pg';
import type { DesiredDatabase, DesiredState } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions, closeQuietly, connect } from '../db/connect.js';
import { messageOf } from '../errors.js';
import { introspectLocal } from './introspect-local.js';
import { introspectRemote } from './introspect-remote.js';
import type { LocalCatalog, LocalResult, ObservedDatabase, RemoteSchema } from './types.js';

/**
 * Reads each remote once per run, however many links or local databases point at it: every schema
 * linked from one remote URL is read in the same query.
 */
export class RemoteReader {
  private readonly results = new Map<string, Promise<Record<string, RemoteSchema>>>();
  private readonly schemasByUrl = new Map<string, Set<string>>();

  constructor(
    desired: DesiredState,
    private readonly options: ConnectOptions,
  ) {
    for (const database of desired.databases) {
      for (const link of database.links) {
        const schemas = this.schemasByUrl.get(link.remote.target.url) ?? new Set<string>();
        schemas.add(link.remote.schema);
        this.schemasByUrl.set(link.remote.target.url, schemas);
      }
    }
  }

  async schemasFor(database: DesiredDatabase): Promise<Record<string, RemoteSchema>> {
    const entries = await Promise.all(
      database.links.map(async (link) => {
        const all = await this.read(link.remote.target.url, database);
        const schema: RemoteSchema = all[link.remote.schema] ?? { ok: false, error: 'remote schema was not read' };
        return [link.name, schema] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /** Forgets what was read, so that apply reads the remotes again under its lock. */
  reset(): void {
    this.results.clear();
  }

  private read(url: string, database: DesiredDatabase): Promise<Record<string, RemoteSchema>> {
    let result = this.results.get(url);
    if (!result) {
      const link = database.links.find((l) => l.remote.target.url === url);
      const schemas = [...(this.schemasByUrl.get(url) ?? [])];
      result = link ? readRemote(link.remote.target, schemas, this.options) : Promise.resolve({});
      this.results.set(url, result);
    }
    return result;
  }
}

async function readRemote(
  target: DesiredDatabase['target'],
  schemas: string[],
  options: ConnectOptions,
): Promise<Record<string, RemoteSchema>> {
  let client: pg.Client | undefined;
  try {
    client = await connect(target, options);
    return await introspectRemote(client, schemas);
  } catch (error) {
    const failure: RemoteSchema =
      error instanceof ConnectionFailed
        ? { ok: false, error: `cannot connect to the remote ${error.where}: ${error.reason}`, hint: error.hint }
        : { ok: false, error: `reading the remote failed: ${messageOf(error)}` };
    return Object.fromEntries(schemas.map((schema) => [schema, failure]));
  } finally {
    await closeQuietly(client);
  }
}

/** Introspects one local database (over `client`, which the caller owns) and its remotes. */
export async function observeDatabase(database: DesiredDatabase, client: pg.Client, remotes: RemoteReader): Promise<ObservedDatabase> {
  const remoteSchemas = remotes.schemasFor(database);
  const remoteTypes = remoteSchemas.then((schemas) => typesUsedBy(Object.values(schemas)));
  const roles = [...new Set(database.links.flatMap((link) => link.grantTo))];
  await client.query('SET search_path = pg_catalog');
  const [catalog, schemas] = await Promise.all([introspectLocal(client, { roles, remoteTypes }), remoteSchemas]);
  return { alias: database.alias, local: { ok: true, catalog }, remotes: schemas };
}

/** Connects to a local database and observes it; a connection failure is data, not an exception. */
export async function observeDatabaseStandalone(
  database: DesiredDatabase,
  remotes: RemoteReader,
  options: ConnectOptions,
): Promise<ObservedDatabase> {
  let client: pg.Client | undefined;
  try {
    client = await connect(database.target, options);
    return await observeDatabase(database, client, remotes);
  } catch (error) {
    const local: LocalResult =
      error instanceof ConnectionFailed
        ? { ok: false, error: `cannot connect to database "${database.alias}" (${error.where}): ${error.reason}`, hint: error.hint }
        : { ok: false, error: `reading database "${database.alias}" failed: ${messageOf(error)}` };
    return { alias: database.alias, local, remotes: await remotes.schemasFor(database) };
  } finally {
    await closeQuietly(client);
  }
}

function typesUsedBy(schemas: RemoteSchema[]): string[] {
  const types = new Set<string>();
  for (const schema of schemas) {
    if (schema.ok) for (const table of schema.tables) for (const column of table.columns) types.add(column.type);
  }
  return [...types].sort();
}

/** The local catalogs alone (no remotes), for `list` and `export`. */
export async function readLocalCatalog(database: DesiredDatabase, options: ConnectOptions): Promise<LocalCatalog> {
  let client: pg.Client | undefined;
  try {
    client = await connect(database.target, options);
    await client.query('SET search_path = pg_catalog');
    return await introspectLocal(client, { roles: [], remoteTypes: Promise.resolve([]) });
  } finally {
    await closeQuietly(client);
  }
}

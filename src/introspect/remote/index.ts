// introspect/remote: one client per wrapper reads a link's remote from this machine, chosen by the link's wrapper.
import type { ConnectOptions } from '../../db/connect.js';
import { wrapperForUrl } from '../../wrappers/index.js';
import type { ConnectionTarget, FdwName, LongValueQuestion } from '../../wrappers/types.js';
import { postgresRemote } from './postgres.js';
import type { RemoteClient } from './types.js';

/**
 * Each wrapper's remote client: one connection and a fixed number of queries per remote. MySQL's
 * client (and its client library, a large part of the bundle) loads only for a MySQL remote.
 */
const CLIENTS = {
  postgres_fdw: async () => postgresRemote,
  mysql_fdw: async () => (await import('./mysql.js')).mysqlRemote,
} satisfies Record<FdwName, () => Promise<RemoteClient>>;

/** The client of a remote's wrapper (the URL's scheme decides). */
function clientFor(target: ConnectionTarget): Promise<RemoteClient> {
  return CLIENTS[wrapperForUrl(target.url).fdw]();
}

/** Reads the linked schemas of one remote with its wrapper's client (the URL's scheme decides). */
export async function readRemoteSchemas(target: ConnectionTarget, schemas: readonly string[], options: ConnectOptions) {
  return (await clientFor(target)).readSchemas(target, schemas, options);
}

/** For each question, how many rows of the remote table hold a longer value in the column (the remote counts). */
export async function countLongValues(target: ConnectionTarget, questions: readonly LongValueQuestion[], options: ConnectOptions) {
  return (await clientFor(target)).countLongValues(target, questions, options);
}

/**
 * Connects to the remote from this machine and closes again; throws ConnectionFailed when it cannot
 * within `options.connectTimeoutMs`. Run before the local server is asked to connect through a wrapper
 * whose connection attempt it cannot interrupt (ServerConnection), so a remote that does not answer
 * never leaves the server's session stuck.
 */
export async function reachRemote(target: ConnectionTarget, options: ConnectOptions): Promise<void> {
  return (await clientFor(target)).reach(target, options);
}

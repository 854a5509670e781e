import { type ConnectOptions, withConnection } from '../db/connect.js';
import { introspectRemote } from '../introspect/introspect-remote.js';
import type { RemoteSchema } from '../introspect/types.js';
import { wrapperForUrl } from './index.js';
import type { ConnectionTarget, FdwName, LongValueQuestion } from './types.js';

type RemoteReader = (
  target: ConnectionTarget,
  schemas: readonly string[],
  options: ConnectOptions,
) => Promise<Record<string, RemoteSchema>>;

/**
 * How each wrapper's remote is read: one connection and a fixed number of queries per remote.
 * MySQL's reader (and its client library, a large part of the bundle) loads only for a MySQL remote.
 */
const READERS = {
  postgres_fdw: (target, schemas, options) => withConnection(target, options, (client) => introspectRemote(client, schemas)),
  mysql_fdw: async (target, schemas, options) => (await import('./mysql/read-remote.js')).readMysqlRemote(target, schemas, options),
} satisfies Record<FdwName, RemoteReader>;

/** Reads the linked schemas of one remote with its wrapper's reader (the URL's scheme decides). */
export function readRemoteSchemas(target: ConnectionTarget, schemas: readonly string[], options: ConnectOptions) {
  return READERS[wrapperForUrl(target.url).fdw](target, schemas, options);
}

type LongValueCounter = (target: ConnectionTarget, questions: readonly LongValueQuestion[], options: ConnectOptions) => Promise<number[]>;

/** How each wrapper counts values longer than it reads: postgres_fdw reads every value whole, so it is never asked. */
const LONG_VALUE_COUNTERS = {
  postgres_fdw: async (_target, questions) => questions.map(() => 0),
  mysql_fdw: async (target, questions, options) =>
    (await import('./mysql/count-long-values.js')).countMysqlLongValues(target, questions, options),
} satisfies Record<FdwName, LongValueCounter>;

/** For each question, how many rows of the remote table hold a longer value in the column (the remote counts). */
export function countLongValues(target: ConnectionTarget, questions: readonly LongValueQuestion[], options: ConnectOptions) {
  return LONG_VALUE_COUNTERS[wrapperForUrl(target.url).fdw](target, questions, options);
}

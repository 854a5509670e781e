import { type ConnectOptions, withConnection } from '../db/connect.js';
import { wrapperForUrl } from './index.js';
import type { ConnectionTarget, FdwName } from './types.js';

type Reacher = (target: ConnectionTarget, options: ConnectOptions) => Promise<void>;

/**
 * How datalinks itself proves that a remote answers: a connection with its handshake and
 * authentication, within the connect timeout, closed at once. MySQL's client loads only for a MySQL remote.
 */
const REACHERS = {
  postgres_fdw: (target, options) => withConnection(target, options, async () => undefined),
  mysql_fdw: async (target, options) => {
    const { openMysql } = await import('./mysql/connection.js');
    await (await openMysql(target, options)).close();
  },
} satisfies Record<FdwName, Reacher>;

/**
 * Connects to the remote from this machine and closes again; throws ConnectionFailed when it cannot
 * within `options.connectTimeoutMs`. Run before the local server is asked to connect through a wrapper
 * whose connection attempt it cannot interrupt (ServerConnection), so a remote that does not answer
 * never leaves the server's session stuck.
 */
export function reachRemote(target: ConnectionTarget, options: ConnectOptions): Promise<void> {
  return REACHERS[wrapperForUrl(target.url).fdw](target, options);
}

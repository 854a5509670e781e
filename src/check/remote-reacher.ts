import type { DesiredDatabase } from '../config/types.js';
import { ConnectionFailed, type ConnectOptions } from '../db/connect.js';
import { messageOf } from '../errors.js';
import { reachRemote } from '../introspect/remote/index.js';

/**
 * probeLinks' `reach` for the links of `database`: datalinks connects to a link's remote itself
 * (once per remote URL) and resolves null when it answers, or the reason it did not.
 */
export function remoteReacher(database: DesiredDatabase, options: ConnectOptions): (link: string) => Promise<string | null> {
  const reached = new Map<string, Promise<string | null>>();
  return (name) => {
    const link = database.links.find((l) => l.name === name);
    if (!link) return Promise.resolve(null);
    const target = link.remote.target;
    let result = reached.get(target.url);
    if (!result) {
      // A remote that answers and refuses the file's credentials is reachable: the probe says what the link's own do.
      result = reachRemote(target, { connectTimeoutMs: options.connectTimeoutMs, signal: options.signal }).then(
        () => null,
        (error) =>
          error instanceof ConnectionFailed
            ? error.answered
              ? null
              : `datalinks could not reach the remote ${error.where} itself: ${error.reason}`
            : `datalinks could not reach the remote itself: ${messageOf(error)}`,
      );
      reached.set(target.url, result);
    }
    return result;
  };
}

import type { DesiredDatabase } from '../config/types.js';
import type { ConnectOptions } from '../db/connect.js';
import { messageOf } from '../errors.js';
import { readIdentity } from '../introspect/observe.js';
import type { OtherAliases } from '../introspect/types.js';
import { mapLimited } from './limit.js';

/** Identity reads are one short query each: more of them at once than the databases planned. */
const MIN_PARALLELISM = 8;

/**
 * Who the file's unselected databases are (-d leaves them out of the run, not out of the server): each
 * is connected to just to read its identity, so that a selected database that is one of them is refused
 * instead of destroying what that alias declares. Nothing is read otherwise, and nothing changed.
 *
 * One that cannot be reached does not stop the run; each selected database's plan says so in a note.
 * An alias of a database that answers almost always answers too (the same server behind it); blocking
 * every shard of a fleet on one tenant that is down would stop the fleet for nothing.
 */
export async function readOtherAliases(
  unselected: readonly DesiredDatabase[],
  options: ConnectOptions & { parallelism: number },
): Promise<OtherAliases | undefined> {
  if (unselected.length === 0) return undefined;
  type Read = { alias: string; identity: string } | { alias: string; error: string };
  const read = await mapLimited(unselected, Math.max(options.parallelism, MIN_PARALLELISM), async (database): Promise<Read> => {
    try {
      return { alias: database.alias, identity: await readIdentity(database, options) };
    } catch (error) {
      return { alias: database.alias, error: messageOf(error) };
    }
  });
  const identities = new Map<string, string[]>();
  const unread: { alias: string; error: string }[] = [];
  for (const result of read) {
    if ('identity' in result) identities.set(result.identity, [...(identities.get(result.identity) ?? []), result.alias]);
    else unread.push(result);
  }
  return { identities, unread };
}

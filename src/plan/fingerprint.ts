import { createHash } from 'node:crypto';
import type { ObservedDatabase } from '../introspect/types.js';

/**
 * A hash of everything the plan was computed from. User mapping options are left out (they hold
 * passwords, and a hash of a password in a saved plan is a secret too); only whether each mapping
 * exists and its user name count.
 */
export function fingerprintObserved(observed: ObservedDatabase): string {
  const local = observed.local.ok
    ? {
        ...observed.local.catalog,
        servers: observed.local.catalog.servers.map((server) => ({
          ...server,
          mappings: server.mappings.map((m) => ({ role: m.role, readable: m.options !== null, user: m.options?.user ?? null })),
        })),
      }
    : { error: observed.local.error };
  const json = JSON.stringify({ local, remotes: observed.remotes });
  return `sha256:${createHash('sha256').update(json).digest('hex')}`;
}

/**
 * Many links of a file read one remote schema with the same filter and import options (fleets, the
 * bench's 100 links of one remote): what the planner derives from a remote read is computed once per
 * local catalog (its resolved types), remote object and options, not once per link. Safe in the pure
 * planner: the weak keys are never changed after introspection and free their entries with them.
 */
import type { ResolvedNeeds } from '../introspect/types.js';

export type CatalogCache<K extends object, V> = WeakMap<ResolvedNeeds, WeakMap<K, Map<string, V>>>;

/** `compute()` once per local catalog, remote object (`of`) and `key` (null and undefined results kept too). */
export function cachedFor<K extends object, V>(
  cache: CatalogCache<K, V>,
  resolved: ResolvedNeeds,
  of: K,
  key: string,
  compute: () => V,
): V {
  let byObject = cache.get(resolved);
  if (!byObject) {
    byObject = new WeakMap();
    cache.set(resolved, byObject);
  }
  let byKey = byObject.get(of);
  if (!byKey) {
    byKey = new Map();
    byObject.set(of, byKey);
  }
  if (byKey.has(key)) return byKey.get(key) as V;
  const value = compute();
  byKey.set(key, value);
  return value;
}

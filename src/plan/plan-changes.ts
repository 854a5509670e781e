import type { DesiredState } from '../config/types.js';
import type { ObservedDatabase } from '../introspect/types.js';
import { digestDatabase } from './config-digest.js';
import { fingerprintParts } from './fingerprint.js';
import { type PlanOptions, planDatabase } from './plan-database.js';
import type { DatabasePlan, Plan, PlanSummary } from './types.js';

/** (desired, observed) → plan for every database in the config. Pure. */
export function planChanges(
  desired: DesiredState,
  observed: readonly ObservedDatabase[],
  options: PlanOptions & {
    /** Record each database's fingerprint (saved plans, --json); it costs time at scale. */
    fingerprints?: boolean;
  } = {},
): Plan {
  const databases = desired.databases.map((database): DatabasePlan => {
    const seen = observed.find((o) => o.alias === database.alias);
    if (!seen)
      return {
        alias: database.alias,
        preamble: [],
        changes: [],
        errors: [{ code: 'not_introspected', link: null }],
        notes: [],
        fingerprint: '',
      };
    const plan = planDatabase(database, seen, options);
    if (options.fingerprints && seen.local.ok) {
      const parts = fingerprintParts(database, seen, plan, options.target);
      plan.fingerprint = parts.fingerprint;
      plan.remoteFingerprint = parts.remote;
      plan.config = digestDatabase(database);
    }
    return plan;
  });
  refuseSharedDatabases(databases, observed);
  return { databases, summary: summarize(databases) };
}

/**
 * Two aliases that reach one database would each undo the other's links on every apply: both are
 * refused, naming each other. Identity is read from the server (start time, port, database oid),
 * so different URLs for one database (a host name and its IP, a pooler) are caught too.
 */
function refuseSharedDatabases(databases: DatabasePlan[], observed: readonly ObservedDatabase[]): void {
  const byIdentity = new Map<string, string[]>();
  for (const seen of observed) {
    if (!seen.local.ok) continue;
    const aliases = byIdentity.get(seen.local.catalog.environment.identity) ?? [];
    aliases.push(seen.alias);
    byIdentity.set(seen.local.catalog.environment.identity, aliases);
  }
  for (const aliases of byIdentity.values()) {
    if (aliases.length < 2) continue;
    for (const database of databases) {
      if (!aliases.includes(database.alias)) continue;
      database.changes = [];
      database.preamble = [];
      const others = aliases.filter((alias) => alias !== database.alias);
      database.errors.push({ code: 'database_aliased', link: null, database: database.alias, others });
    }
  }
}

export function summarize(databases: Plan['databases']): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, destroy: 0 };
  for (const database of databases) for (const change of database.changes) summary[change.action]++;
  return summary;
}

/** Whether applying this database's plan would run anything. */
export function hasChanges(database: DatabasePlan): boolean {
  return database.changes.length > 0 || database.preamble.length > 0;
}

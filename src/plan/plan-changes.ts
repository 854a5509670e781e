import type { DesiredState } from '../config/types.js';
import type { ObservedDatabase } from '../introspect/types.js';
import { fingerprintObserved } from './fingerprint.js';
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
        errors: [{ link: null, code: 'not_introspected', message: 'not introspected' }],
        notes: [],
        fingerprint: '',
      };
    const plan = planDatabase(database, seen, options);
    if (options.fingerprints && seen.local.ok) plan.fingerprint = fingerprintObserved(database, seen, plan);
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
      const others = aliases.filter((alias) => alias !== database.alias).map((alias) => `"${alias}"`);
      database.changes = [];
      database.preamble = [];
      database.errors.push({
        link: null,
        code: 'database_aliased',
        message: `databases "${database.alias}" and ${others.join(', ')} in the file are the same database`,
        hint: 'keep one alias per database and put all its links under it; two aliases would undo each other on every apply',
      });
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

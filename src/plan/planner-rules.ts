import type { PlannerRules } from '../introspect/observe.js';
import type { PlanOptions } from './plan-database.js';
import { foreignTableUnchanged } from './unchanged-tables.js';

/**
 * What introspection must know of the planner to read no more than the plan needs: which foreign
 * tables it keeps as they are (their columns and dependents are not read), and whether it adopts.
 */
export function plannerRules(options: PlanOptions): PlannerRules {
  return { provenUnchanged: foreignTableUnchanged, adopt: Boolean(options.adopt), ...(options.target ? { target: options.target } : {}) };
}

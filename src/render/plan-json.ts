import type { DesiredState } from '../config/types.js';
import { toPlanDocument } from '../plan/plan-document.js';
import type { Plan } from '../plan/types.js';
import { escapeJson } from './escape.js';
import { noteText } from './plan-notes.js';

/** `plan --json` and `plan --out`: the plan document, each note with its words beside its code. */
export function renderPlanJson(plan: Plan, desired: DesiredState, now: string): string {
  return `${escapeJson(JSON.stringify(toPlanDocument(plan, desired, now, noteText), null, 2))}\n`;
}

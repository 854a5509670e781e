import type { DesiredState } from '../config/types.js';
import { escapeJson } from '../escape.js';
import { toPlanDocument } from '../plan/plan-document.js';
import type { Plan } from '../plan/types.js';
import { noteText, problemWords } from './plan-words.js';

/** `plan --json` and `plan --out`: the plan document, each problem and note with its words beside its code and values. */
export function renderPlanJson(plan: Plan, desired: DesiredState, now: string): string {
  return `${escapeJson(JSON.stringify(toPlanDocument(plan, desired, now, { problem: problemWords, note: noteText }), null, 2))}\n`;
}

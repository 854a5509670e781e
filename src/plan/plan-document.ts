import type { DesiredState } from '../config/types.js';
import type { DatabasePlan, Plan, PlanNote, PlanSummary } from './types.js';

export const PLAN_FORMAT_VERSION = 1;

/** The JSON form of a plan: `plan --json` prints it and `plan --out` saves it. It holds no secret. */
export interface PlanDocument {
  format_version: number;
  created_at: string;
  config: { path: string; hash: string };
  databases: {
    name: string;
    fingerprint: string;
    errors: DatabasePlan['errors'];
    notes: DocumentNote[];
    preamble: DatabasePlan['preamble'];
    changes: DatabasePlan['changes'];
  }[];
  summary: PlanSummary;
}

/** A note as the document holds it: code and values, and the words render/ gives it for people (reading a plan ignores them). */
export type DocumentNote = PlanNote & { message: string };

export function toPlanDocument(plan: Plan, desired: DesiredState, now: string, wordNote: (note: PlanNote) => string): PlanDocument {
  return {
    format_version: PLAN_FORMAT_VERSION,
    created_at: now,
    config: { path: desired.configPath, hash: desired.configHash },
    databases: plan.databases.map((db) => ({
      name: db.alias,
      fingerprint: db.fingerprint,
      errors: db.errors,
      notes: db.notes.map((note) => ({ ...note, message: wordNote(note) })),
      preamble: db.preamble,
      changes: db.changes,
    })),
    summary: plan.summary,
  };
}

export function fromPlanDocument(document: PlanDocument): Plan {
  return {
    databases: document.databases.map((db) => ({
      alias: db.name,
      fingerprint: db.fingerprint,
      errors: db.errors,
      notes: db.notes.map(({ message: _words, ...note }) => note as PlanNote),
      preamble: db.preamble,
      changes: db.changes,
    })),
    summary: document.summary,
  };
}

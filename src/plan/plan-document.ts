import type { DesiredState } from '../config/types.js';
import {
  type ConfigDigest,
  type DatabasePlan,
  NOTE_SEVERITY,
  type NoteSeverity,
  type Plan,
  type PlanNote,
  type PlanProblem,
  type PlanSelection,
  type PlanSummary,
} from './types.js';

/**
 * 3: the selection (--link, --shard), and per database the configuration it depends on and the
 * remotes' fingerprint. 2: notes, problems and removed access became codes and values (1 held
 * planner-written English).
 */
export const PLAN_FORMAT_VERSION = 3;

/** The JSON form of a plan: `plan --json` prints it and `plan --out` saves it. It holds no secret. */
export interface PlanDocument {
  format_version: number;
  created_at: string;
  /** The file the plan was made from: its path and the hash of all of it (apply compares each database's `config`). */
  config: { path: string; hash: string };
  selection: PlanSelection;
  databases: {
    name: string;
    fingerprint: string;
    remote_fingerprint: string;
    /** Absent when the database could not be read. */
    config?: ConfigDigest;
    errors: DocumentProblem[];
    notes: DocumentNote[];
    preamble: DatabasePlan['preamble'];
    changes: DatabasePlan['changes'];
  }[];
  summary: PlanSummary;
}

/**
 * Problems and notes as the document holds them: code and values, and beside them the words render/
 * gives them for people. Reading a plan ignores the words and words the codes again.
 */
export type DocumentProblem = PlanProblem & { message: string; hint?: string };
export type DocumentNote = PlanNote & { severity?: NoteSeverity; message: string };

/** How render/ words problems and notes (passed in: the plan writes no English). */
export interface PlanWording {
  problem(problem: PlanProblem): { message: string; hint?: string };
  note(note: PlanNote): string;
}

export function toPlanDocument(plan: Plan, desired: DesiredState, now: string, words: PlanWording): PlanDocument {
  return {
    format_version: PLAN_FORMAT_VERSION,
    created_at: now,
    config: { path: desired.configPath, hash: desired.configHash },
    selection: plan.selection ?? { links: null, shard: null },
    databases: plan.databases.map((db) => ({
      name: db.alias,
      fingerprint: db.fingerprint,
      remote_fingerprint: db.remoteFingerprint ?? '',
      ...(db.config ? { config: db.config } : {}),
      errors: db.errors.map((problem) => ({ ...problem, ...words.problem(problem) })),
      notes: db.notes.map((note) => ({ ...note, severity: NOTE_SEVERITY[note.code], message: words.note(note) })),
      preamble: db.preamble,
      changes: db.changes,
    })),
    summary: plan.summary,
  };
}

export function fromPlanDocument(document: PlanDocument): Plan {
  return {
    selection: document.selection,
    databases: document.databases.map((db) => ({
      alias: db.name,
      fingerprint: db.fingerprint,
      ...(db.remote_fingerprint ? { remoteFingerprint: db.remote_fingerprint } : {}),
      ...(db.config ? { config: db.config } : {}),
      errors: db.errors.map(({ message: _message, hint: _hint, ...problem }) => problem as PlanProblem),
      notes: db.notes.map(({ message: _message, severity: _severity, ...note }) => note as PlanNote),
      preamble: db.preamble,
      changes: db.changes,
    })),
    summary: document.summary,
  };
}

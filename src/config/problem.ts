import type { SourcePosition } from './types.js';

/** A problem in the config file (line 0 when it concerns the whole file) the user can fix: where it is, what is wrong, how to fix it. */
export interface ConfigProblem {
  position: SourcePosition;
  message: string;
  hint?: string;
}

export type ConfigResult<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

/** `file:line:col: message` and the hint below it. */
export function formatProblem(problem: ConfigProblem): string {
  return format(problem, '');
}

/** A note (nothing wrong, something not checked): `file:line:col: note: message`. */
export function formatNote(note: ConfigProblem): string {
  return format(note, 'note: ');
}

function format(problem: ConfigProblem, label: string): string {
  const { file, line, column } = problem.position;
  const where = line > 0 ? `${file}:${line}:${column}` : file;
  const head = `${where}: ${label}${problem.message}`;
  return problem.hint ? `${head}\n  hint: ${problem.hint}` : head;
}

export function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return a.position.line - b.position.line || a.position.column - b.position.column;
}

import type { SourcePosition } from './types.js';

/** A problem in the config file (line 0 when it concerns the whole file) the user can fix: where it is, what is wrong, how to fix it. */
export interface ConfigProblem {
  position: SourcePosition;
  message: string;
  hint?: string;
}

export type ConfigResult<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

export function formatProblem(problem: ConfigProblem): string {
  const { file, line, column } = problem.position;
  const where = line > 0 ? `${file}:${line}:${column}` : file;
  const head = `${where}: ${problem.message}`;
  return problem.hint ? `${head}\n  hint: ${problem.hint}` : head;
}

export function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return a.position.line - b.position.line || a.position.column - b.position.column;
}

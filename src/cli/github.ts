import { appendFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { ConfigProblem } from '../config/problem.js';
import type { SourcePosition } from '../config/types.js';
import { messageOf } from '../errors.js';
import { scrubSecrets } from '../secrets.js';
import type { Output } from './output.js';

/**
 * GitHub Actions surfaces: workflow commands (`::error file=...,line=...::message`) that GitHub turns
 * into annotations on the lines of the pull request, and the job summary (GITHUB_STEP_SUMMARY).
 * Workflow commands go to stderr, so `plan --json` and `plan --markdown` keep stdout clean; the
 * runner reads commands from both streams.
 */

export interface Annotation {
  level: 'error' | 'warning';
  message: string;
  hint?: string;
  title?: string;
  position?: SourcePosition;
}

export function inGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** A workflow command's message: `%`, CR and LF percent-encoded (GitHub's rules), so it stays one command. */
export function escapeCommandData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A workflow command's property value: as data, and `:` and `,` too, which would end it. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** Control characters (escape sequences, newlines in a name) shown as `\x1b` text, as in the terminal. */
function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * One `::error`/`::warning` line. Secrets are scrubbed before escaping (an escaped secret would no
 * longer match the scrubber); the hint goes on a second line of the annotation.
 */
export function formatWorkflowCommand(annotation: Annotation, env: NodeJS.ProcessEnv): string {
  const props: string[] = [];
  if (annotation.title) props.push(`title=${escapeCommandProperty(visible(scrubSecrets(annotation.title)))}`);
  if (annotation.position) {
    const { file, line, column } = annotation.position;
    props.push(`file=${escapeCommandProperty(visible(scrubSecrets(workspacePath(file, env))))}`);
    if (line > 0) props.push(`line=${line}`, `col=${column}`);
  }
  const text = visible(scrubSecrets(annotation.message)) + (annotation.hint ? `\nhint: ${visible(scrubSecrets(annotation.hint))}` : '');
  return `::${annotation.level}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeCommandData(text)}\n`;
}

/** GitHub matches annotation files against the repository: a path relative to the workspace. */
function workspacePath(file: string, env: NodeJS.ProcessEnv): string {
  const root = env.GITHUB_WORKSPACE || process.cwd();
  const path = relative(root, resolve(file));
  return path.startsWith('..') || isAbsolute(path) ? file : path;
}

export function annotate(output: Output, annotations: Annotation[]): void {
  if (!inGitHubActions(output.env)) return;
  for (const annotation of annotations) output.err(formatWorkflowCommand(annotation, output.env));
}

export function configProblemAnnotations(problems: readonly ConfigProblem[]): Annotation[] {
  return problems.map((problem) => ({
    level: 'error' as const,
    title: 'datalinks: invalid configuration',
    message: problem.message,
    hint: problem.hint,
    position: problem.position,
  }));
}

/** Appends markdown to the job summary when GitHub gives one; a summary that cannot be written is a warning, not a failure. */
export async function appendStepSummary(output: Output, markdown: () => string): Promise<void> {
  const path = output.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  try {
    await appendFile(path, scrubSecrets(markdown()));
  } catch (error) {
    output.err(`Warning: cannot write the job summary (GITHUB_STEP_SUMMARY): ${messageOf(error)}\n`);
  }
}

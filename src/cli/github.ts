import { appendFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { ConfigProblem } from '../config/problem.js';
import type { SourcePosition } from '../config/types.js';
import { messageOf } from '../errors.js';
import { commentLength, type MarkdownLimit, utf8Length } from '../render/markdown-fit.js';
import { escapeWorkflowCommands } from '../render/workflow-command-escape.js';
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

/**
 * Control characters (escape sequences, newlines in a name) shown as `\x1b` text, as in the terminal.
 * And no `##[` or leading `::` inside: the runner reads one command per line, this one, but the text
 * of an annotation holds nothing that would read as another were it ever read again.
 */
function visible(text: string): string {
  const shown = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return escapeWorkflowCommands(shown, 'text');
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
  for (const annotation of annotations) output.err(formatWorkflowCommand(annotation, output.env), 'workflow-command');
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

/**
 * What a pull-request comment holds: "Body is too long (maximum is 65536 characters)". Counted in
 * UTF-16 units, never fewer than the code points GitHub may count, with each line break counted twice
 * in case it is stored as CRLF (markdown-fit.ts's commentLength); a body within that is also within the
 * 262,144 UTF-8 bytes measured on comments (three bytes at most per UTF-16 unit).
 */
export function pullRequestCommentLimit(whereAll: string): MarkdownLimit {
  return { limit: 65_536, measure: commentLength, why: 'a pull-request comment holds at most 65,536 characters', whereAll };
}

/**
 * A step's summary file may hold 1 MiB: over that, the runner uploads none of it (actions/runner,
 * src/Runner.Worker/FileCommandManager.cs, CreateStepSummaryCommand.AttachmentSizeLimit, in bytes).
 */
const STEP_SUMMARY_BYTES = 1024 * 1024;

/** The run's page, whose summary tab shows the job summary: only when GitHub's variables look like theirs. */
export function runUrl(env: NodeJS.ProcessEnv): string | null {
  const server = env.GITHUB_SERVER_URL ?? '';
  const repository = env.GITHUB_REPOSITORY ?? '';
  const run = env.GITHUB_RUN_ID ?? '';
  if (!/^https:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?$/.test(server)) return null;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository) || !/^[0-9]{1,20}$/.test(run)) return null;
  return `${server}/${repository}/actions/runs/${run}`;
}

/**
 * Appends markdown to the job summary when GitHub gives one, cut to what is left of the step's 1 MiB
 * (the file is the step's: what ran before in the step counts). A summary that cannot be written, or
 * has no room left, is a warning, not a failure: nothing is appended that would push the file over,
 * since the runner would then drop all of it.
 */
export async function appendStepSummary(
  output: Output,
  markdown: (fit: MarkdownLimit) => string | undefined,
  whereAll: string,
): Promise<void> {
  const path = output.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  try {
    const used = await stat(path).then(
      (file) => file.size,
      () => 0,
    );
    const room = STEP_SUMMARY_BYTES - used;
    let limit = room;
    // The renderer scrubs each name before it measures; scrubbing the whole again could lengthen it.
    for (let attempt = 0; attempt < 3 && limit > 0; attempt++) {
      const rendered = markdown({ limit, measure: utf8Length, why: 'a job summary holds at most 1 MiB per step', whereAll });
      if (rendered === undefined) break;
      const text = scrubSecrets(rendered);
      const over = utf8Length(text) - room;
      if (over <= 0) {
        await appendFile(path, text);
        return;
      }
      limit -= over;
    }
    output.err(
      `Warning: the job summary (GITHUB_STEP_SUMMARY) has ${Math.max(room, 0)} of its 1 MiB left, too little for this summary; nothing was added to it\n`,
    );
  } catch (error) {
    output.err(`Warning: cannot write the job summary (GITHUB_STEP_SUMMARY): ${messageOf(error)}\n`);
  }
}

import type { CheckReport } from '../check/check-report.js';
import type { DesiredState } from '../config/types.js';
import { UserError } from '../errors.js';
import { escapeJson, escapeMarkdown } from '../escape.js';
import { renderCheckMarkdown } from '../render/check-markdown.js';
import { renderCheckOpenMetrics } from '../render/check-openmetrics.js';
import { renderCheckText, summaryLine, toCheckDocument } from '../render/check-view.js';
import { ansiPaint, plainPaint } from '../render/style.js';
import { scrubSecrets } from '../secrets.js';
import { checkAnnotations } from './check-annotations.js';
import type { CheckFormat } from './check-formats.js';
import { annotate, appendStepSummary } from './github.js';
import type { Medium, Output } from './output.js';
import { checkWritablePath, writeFileAtomically } from './write-file-atomically.js';

/**
 * Where `datalinks check` says what it found: stdout or `--out FILE` in the format asked for (text,
 * JSON, OpenMetrics), and in GitHub Actions also annotations and the job summary.
 */

export interface CheckOutputFlags {
  config: string;
  json?: boolean;
  format?: CheckFormat;
  out?: string;
  /** Text only: print only what is not ok (and the summary). */
  quiet?: boolean;
}

const MEDIUM: Record<CheckFormat, Medium> = { text: 'text', json: 'json', openmetrics: 'openmetrics' };

/** `--json` is `--format json`; with another --format it is a contradiction. */
export function checkFormatOf(flags: CheckOutputFlags): CheckFormat {
  const format = flags.format ?? 'text';
  if (flags.json && format !== 'text' && format !== 'json') {
    throw new UserError('conflicting_flags', `--json and --format ${format} cannot be used together`, [
      '--json is --format json: pass one',
    ]);
  }
  return flags.json ? 'json' : format;
}

/** Refuses, before the check runs, an --out that could not be written (a symbolic link, a directory). */
export async function checkOutPath(flags: CheckOutputFlags): Promise<void> {
  if (flags.out) await checkWritablePath(flags.out, { what: 'the check' });
}

export interface CheckRun {
  desired: DesiredState;
  /** When the check started (Date.now()), for the metrics' duration. */
  startedAt: number;
  /** The run's signal: an interrupted check prints no metrics, and writes no file over the last complete one. */
  signal?: AbortSignal;
}

export async function emitCheckReport(report: CheckReport, flags: CheckOutputFlags, run: CheckRun, output: Output): Promise<void> {
  const format = checkFormatOf(flags);
  const interrupted = run.signal?.aborted === true;
  const text = (): string => {
    switch (format) {
      // JSON.stringify writes C1 controls and bidi overrides raw: escapeJson writes them as \u escapes, the same JSON.
      case 'json':
        return `${escapeJson(JSON.stringify(toCheckDocument(report), null, 2))}\n`;
      case 'openmetrics':
        return renderCheckOpenMetrics(report, { at: new Date(), durationMs: Date.now() - run.startedAt });
      case 'text':
        return renderCheckText(report, output.color && !flags.out ? ansiPaint : plainPaint, {
          columns: flags.out ? undefined : output.columns,
          quiet: flags.quiet,
        });
    }
  };
  if (interrupted && format === 'openmetrics') {
    // Half a check would page for links nobody checked: no metrics (a last complete file stays, and goes
    // stale); what was found so far, sessions left running included, goes to stderr as text.
    const where = flags.out ? `${flags.out} was not written, so the last complete check's file stays` : 'no metrics were printed';
    output.err(`The check was interrupted: ${where}. What it found so far:\n${renderCheckText(report, plainPaint)}`);
  } else if (flags.out) {
    // A file is read by no CI runner: written as it is, scrubbed. Others may read it (node_exporter runs as its own user).
    await writeFileAtomically(flags.out, scrubSecrets(text()), { what: 'the check', mode: 0o644 });
    output.out(`${summaryLine(report)} Written to ${flags.out} (${format}).\n`);
  } else {
    output.out(text(), MEDIUM[format]);
  }
  annotate(output, checkAnnotations(report, run.desired));
  await appendStepSummary(
    output,
    (fit) => renderCheckMarkdown(report, { configPath: flags.config, fit }),
    flags.out ? `in ${escapeMarkdown(scrubSecrets(flags.out))} or with \`datalinks check\`` : 'in the job log',
  );
}

import type { CheckReport } from '../check/check-report.js';
import { escapeMarkdown } from '../escape.js';
import { scrubSecrets } from '../secrets.js';
import { type CheckRow, checkRows, type RowSeverity } from './check-rows.js';
import { summaryLine } from './check-view.js';
import { fitMarkdown, type MarkdownLimit, type Piece } from './markdown-fit.js';

/**
 * `datalinks check` as GitHub-flavoured markdown, for the job summary (GITHUB_STEP_SUMMARY): the summary
 * line, then per database a table of its links with state, latency, what was found and the fix. Pure.
 * Every text that can hold a name or a server's message goes through `markdownText`; only this file's
 * constants are markup. Cut to `fit` like the plan's markdown: the broken links first, then the
 * drifted, then the working ones, and a count of what was left out.
 */

const MARK: Record<RowSeverity, string> = { broken: '❌', warning: '⚠️', ok: '✅' };

/** Ranks: lower is kept first when the markdown must be cut. */
const RANK: Record<RowSeverity | 'problem', number> = { problem: 1, broken: 2, warning: 3, ok: 4 };

/** Scrubbed first (an escaped secret would no longer match the scrubber), then escaped. */
function markdownText(text: string): string {
  return escapeMarkdown(scrubSecrets(text));
}

export interface CheckMarkdownOptions {
  configPath: string;
  fit?: MarkdownLimit;
}

export function renderCheckMarkdown(report: CheckReport, options: CheckMarkdownOptions): string | undefined {
  const { rows, problems } = checkRows(report);
  const pieces: Piece[] = [];
  pieces.push({
    lines: [`### datalinks check: ${markdownText(options.configPath)}`, '', `**${markdownText(summaryLine(report))}**`, ''],
    rank: 0,
  });
  const broken = rows.filter((row) => row.severity === 'broken');
  if (broken.length > 0 || problems.length > 0) {
    const what = [
      broken.length > 0 ? `${broken.length === 1 ? 'one link is' : `${broken.length} links are`} broken` : null,
      problems.length > 0 ? `${problems.length === 1 ? 'one database has' : `${problems.length} databases have`} a problem` : null,
    ].filter(Boolean);
    pieces.push({ lines: ['> [!CAUTION]', `> ${what.join(', and ')}: the fix is in each row.`, ''], rank: 0 });
  }
  for (const [index, database] of report.databases.entries()) {
    const group = `database:${index}`;
    const table = `table:${index}`;
    pieces.push({
      lines: [`#### Database ${markdownText(database.alias)} (${markdownText(database.target)})`, ''],
      rank: 0,
      scaffoldOf: group,
    });
    for (const problem of problems.filter((p) => p.database === database.alias)) {
      const lines = [`- ❌ ${markdownText(problem.message)}`];
      if (problem.hint) lines.push(`  <br>fix: ${markdownText(problem.hint)}`);
      lines.push('');
      pieces.push({ lines, rank: RANK.problem, groups: [group], kind: 'error' });
    }
    const ofDatabase = rows.filter((row) => row.database === database.alias);
    if (ofDatabase.length === 0) {
      if (!database.error) pieces.push({ lines: ['No links in the file for this database.', ''], rank: RANK.ok, groups: [group] });
      continue;
    }
    pieces.push({
      lines: ['| | link | state | latency | found | fix |', '|:-:|---|---|---|---|---|'],
      rank: 0,
      scaffoldOf: table,
    });
    for (const row of ofDatabase) pieces.push({ lines: [tableRow(row)], rank: RANK[row.severity], groups: [group, table], kind: 'link' });
    pieces.push({ lines: [''], rank: 0, scaffoldOf: table });
  }
  return fitMarkdown(pieces, options.fit);
}

function tableRow(row: CheckRow): string {
  const cells = [
    MARK[row.severity],
    markdownText(row.link),
    markdownText(row.stateWords),
    row.latency ? markdownText(row.latency) : '',
    row.details.map(markdownText).join('<br>'),
    row.fix ? markdownText(row.fix) : '',
  ];
  return `| ${cells.join(' | ')} |`;
}

import type { CheckReport } from '../check/check-report.js';
import type { DesiredState, SourcePosition } from '../config/types.js';
import { checkRows } from '../render/check-rows.js';
import type { Annotation } from './github.js';

/**
 * `check` in GitHub Actions: a broken link, a database that could not be checked and a session the
 * check could not end are `::error`s, a drifted link (or one that could not be compared) a `::warning`,
 * each on the link's line of the file (the database's when the link is not in it), with the fix as its
 * hint. The words are the job summary's (render/check-rows.ts); github.ts escapes them.
 */
export function checkAnnotations(report: CheckReport, desired: DesiredState): Annotation[] {
  const positionOf = (alias: string, link: string | null): SourcePosition | undefined => {
    const database = desired.databases.find((db) => db.alias === alias);
    return (link === null ? undefined : database?.links.find((l) => l.name === link)?.position) ?? database?.position;
  };
  const { rows, problems } = checkRows(report);
  const annotations: Annotation[] = problems.map((problem) => ({
    level: 'error',
    title: `datalinks check: database ${problem.database}`,
    message: problem.message,
    hint: problem.hint ?? undefined,
    position: positionOf(problem.database, null),
  }));
  for (const row of rows) {
    if (row.severity === 'ok') continue;
    annotations.push({
      level: row.severity === 'broken' ? 'error' : 'warning',
      title: `datalinks check: link ${row.link} of database ${row.database}: ${row.stateWords}`,
      message: row.details.join('; '),
      hint: row.fix ?? undefined,
      position: positionOf(row.database, row.link),
    });
  }
  return annotations;
}

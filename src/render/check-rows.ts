import { type CheckReport, isBroken, type LinkCheck } from '../check/check-report.js';
import type { LinkChange } from '../plan/types.js';
import { plural } from '../plural.js';
import { STATE_WORDS, toCheckDocument } from './check-view.js';
import { leftSessionWords } from './left-session-words.js';
import { buildPlanView } from './plan-view.js';

/**
 * One row per link of a check, with what is wrong and the fix in a sentence each: what the job summary's
 * table and the annotations of `check` in GitHub Actions say. Pure. The words come from check's own
 * JSON document (toCheckDocument: the server's messages and the hints the text shows), so these
 * surfaces say what `--json` says. Raw text: each medium escapes it.
 */

export type RowSeverity = 'broken' | 'warning' | 'ok';

export interface CheckRow {
  database: string;
  link: string;
  /** The state's code (`auth_failed`) and how it reads (`auth failed`). */
  state: string;
  stateWords: string;
  severity: RowSeverity;
  /** `connect 9.1 ms, round trip 0.7 ms`, or null when the link did not connect. */
  latency: string | null;
  /** What the check found, one item per problem (a failure, an unreadable table, a change apply would make). */
  details: string[];
  /** What to do, or null when there is nothing to do. */
  fix: string | null;
}

export interface DatabaseProblem {
  database: string;
  message: string;
  hint: string | null;
}

export interface CheckRows {
  rows: CheckRow[];
  /** Databases that could not be checked, and sessions a check could not end: each is a failure of its own. */
  problems: DatabaseProblem[];
}

/** Per link: items listed in a row; --json and the text have them all. */
const ITEMS_SHOWN = 5;

const DRIFT_FIX = 'datalinks plan shows the changes; datalinks apply makes them';

export function checkRows(report: CheckReport): CheckRows {
  const document = toCheckDocument(report);
  const rows: CheckRow[] = [];
  const problems: DatabaseProblem[] = [];
  for (const [d, database] of report.databases.entries()) {
    const json = document.databases[d];
    if (database.error) {
      problems.push({
        database: database.alias,
        message: `could not be checked: ${database.error.message}`,
        hint: database.error.hint ?? null,
      });
    }
    if (database.left) {
      const words = leftSessionWords(database.left);
      problems.push({ database: database.alias, message: `left running: ${words.message}`, hint: words.hint });
    }
    for (const [l, link] of database.links.entries()) {
      const linkJson = json?.links[l];
      if (!linkJson) continue;
      rows.push(rowOf(database.alias, link, linkJson));
    }
  }
  return { rows, problems };
}

type LinkJson = ReturnType<typeof toCheckDocument>['databases'][number]['links'][number];

function rowOf(database: string, link: LinkCheck, json: LinkJson): CheckRow {
  const severity: RowSeverity = isBroken(link.state) ? 'broken' : link.state === 'ok' ? 'ok' : 'warning';
  const details: string[] = [];
  const fixes: string[] = [];
  const health = link.health;
  if (json.failure) {
    details.push(json.failure.detail ? `${json.failure.message}: ${json.failure.detail.replace(/\s*\n\s*/g, ' ')}` : json.failure.message);
    if (json.failure.hint) fixes.push(json.failure.hint);
  } else if (health) {
    const version = json.remote_version ? `PostgreSQL ${json.remote_version}` : 'connected';
    const unreadable = new Set([...json.unreadable_tables, ...json.rows_not_read].map((t) => `${t.schema}.${t.table}`)).size;
    details.push(
      `${version}, ${unreadable > 0 ? `${unreadable} of ${plural(json.tables_checked, 'table')} unreadable` : `${plural(json.tables_checked, 'table')} readable`}`,
    );
  } else {
    details.push('a managed link that is not in the file');
  }
  const tables = [
    ...json.unreadable_tables.map((t) => ({ text: `${t.schema}.${t.table}: ${t.message}`, hint: t.hint })),
    ...json.rows_not_read.map((t) => ({ text: `${t.schema}.${t.table}: ${t.message}`, hint: t.hint })),
  ];
  for (const table of tables.slice(0, ITEMS_SHOWN)) details.push(table.text);
  if (tables.length > ITEMS_SHOWN)
    details.push(`... and ${plural(tables.length - ITEMS_SHOWN, 'more table')} (check --json lists them all)`);
  // One fix per kind of problem: the hint of the first table that has it (the GRANT for the others is the same form).
  for (const hint of new Set(tables.map((t) => t.hint).filter((h): h is string => Boolean(h)))) {
    if (fixes.length < ITEMS_SHOWN) fixes.push(hint);
  }
  if (json.rows_not_read_unknown)
    details.push(`could not count the rows a read through the link would miss: ${json.rows_not_read_unknown}`);
  if (link.drift && (link.state === 'drift' || link.state === 'unreadable_tables')) {
    details.push(`differs from the file; apply would change: ${driftLines(link.drift).join('; ')}`);
    fixes.push(DRIFT_FIX);
  }
  if (json.drift_unknown && (link.state === 'ok' || link.state === 'drift')) {
    details.push(`could not compare with the file: ${json.drift_unknown.message}`);
    if (json.drift_unknown.hint) fixes.push(json.drift_unknown.hint);
  }
  const latency = [
    json.connect_ms !== null ? `connect ${json.connect_ms} ms` : null,
    json.rtt_ms !== null ? `round trip ${json.rtt_ms} ms` : null,
  ].filter((part): part is string => part !== null);
  return {
    database,
    link: link.link,
    state: link.state,
    stateWords: (STATE_WORDS as Record<string, string>)[link.state] ?? link.state,
    severity,
    latency: latency.length > 0 ? latency.join(', ') : null,
    details,
    fix: fixes.length > 0 ? joinFixes(fixes) : null,
  };
}

/** The changes apply would make to the link, a line each, as the plan shows them (escaped text). */
function driftLines(change: LinkChange): string[] {
  const view = buildPlanView({
    databases: [{ alias: '', preamble: [], changes: [change], errors: [], notes: [], fingerprint: '' }],
    summary: { create: 0, update: 0, destroy: 0 },
  });
  const lines = view.databases[0]?.links[0]?.lines ?? [];
  // The first line is the link's own headline; for a destroy it is the whole change.
  const shown = lines.length > 1 ? lines.slice(1) : lines;
  return shown.map((line) => `${line.symbol} ${line.text}`);
}

/** Fixes in one sentence: `; ` between them, or a space after one that ends with its own `;` (SQL). */
function joinFixes(fixes: readonly string[]): string {
  return fixes.reduce((joined, fix) => (joined === '' ? fix : `${joined}${joined.endsWith(';') ? ' ' : '; '}${fix}`), '');
}

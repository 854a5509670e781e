import { escapeMarkdown } from '../escape.js';
import type { Plan } from '../plan/types.js';
import { scrubSecrets } from '../secrets.js';
import { fitMarkdown, type MarkdownLimit, type Piece } from './markdown-fit.js';
import { changeReason, dropReason, type PlanView, type ViewLine } from './plan-view.js';
import { accessRemovedText } from './plan-words.js';

/**
 * GitHub-flavoured markdown of a plan and of an apply: for `plan --markdown` (a PR comment), and the
 * job summary (GITHUB_STEP_SUMMARY). Pure. Every piece of text that can hold a name (a link, a remote
 * table, a role, a Postgres message) goes through `markdownText`; only this file's own constants are
 * written as markup.
 */

/** The one markdown escaping function lives with the others in src/escape.ts. */
export { escapeMarkdown };

/** What the CLI may show: secrets scrubbed first (an escaped secret would no longer match), then escaped. */
function markdownText(text: string): string {
  return escapeMarkdown(scrubSecrets(text));
}

/**
 * The hidden first line a workflow looks for to update its PR comment in place. The path is the
 * user's, but it still cannot close the comment (`>`) or break the line.
 */
export function planMarker(configPath: string): string {
  return `<!-- datalinks plan: ${scrubSecrets(configPath).replace(/[<>\p{Cc}]/gu, '_')} -->`;
}

export type DestructiveKind =
  | 'destroy_link'
  | 'drop_foreign_table'
  | 'drop_column'
  | 'replace_foreign_table'
  | 'drop_dependent'
  | 'remove_access';

/** A change that loses something: what `::warning` annotations and the markdown's caution call out. */
export interface DestructiveChange {
  database: string;
  link: string;
  kind: DestructiveKind;
  text: string;
}

/** Every destructive change of a plan, in plan order. */
export function destructiveChanges(plan: Plan): DestructiveChange[] {
  return plan.databases.flatMap((database) =>
    database.changes.flatMap((change) => {
      const at = { database: database.alias, link: change.link };
      const found: DestructiveChange[] = [];
      if (change.action === 'destroy') found.push({ ...at, kind: 'destroy_link', text: `link ${change.link} will be destroyed` });
      else {
        for (const op of change.operations) {
          if (op.kind === 'drop_foreign_tables') {
            for (const table of op.tables) {
              found.push({
                ...at,
                kind: 'drop_foreign_table',
                text: `foreign table ${op.schema}.${table} will be dropped (${dropReason(op)})`,
              });
            }
          } else if (op.kind === 'alter_foreign_table') {
            for (const step of op.steps) {
              if (step.action !== 'drop') continue;
              found.push({
                ...at,
                kind: 'drop_column',
                text: `column ${step.column} of foreign table ${op.schema}.${op.table} will be dropped`,
              });
            }
          } else if (op.kind === 'replace_foreign_table') {
            found.push({
              ...at,
              kind: 'replace_foreign_table',
              text: `foreign table ${op.schema}.${op.table.name} will be replaced (${changeReason(op.reason)})`,
            });
          }
        }
      }
      for (const access of change.accessRemoved ?? []) {
        found.push({ ...at, kind: 'remove_access', text: `removes access: ${accessRemovedText(access)}` });
      }
      for (const dependent of change.dependents) {
        found.push({
          ...at,
          kind: 'drop_dependent',
          text: `also drops ${dependent.description}, outside the link${dependent.table ? ` (depends on ${change.link}.${dependent.table})` : ''}`,
        });
      }
      return found;
    }),
  );
}

const TONE_MARK: Partial<Record<ViewLine['tone'], string>> = { destroy: '🟥', replace: '🟧', warning: '⚠️', create: '🟩', update: '🟨' };

export interface MarkdownOptions {
  configPath: string;
  /** The heading: `datalinks plan` or `datalinks apply`. */
  title: string;
  /** Write the hidden marker first (plan). */
  marker?: boolean;
  /** Where the markdown goes and how much it holds: cut to fit it (see markdown-fit.ts). */
  fit?: MarkdownLimit;
}

/**
 * The plan as GFM: summary, destructive changes called out, then one table of changes per database.
 * Cut to `options.fit` when it is longer: the marker, title and summary always stay; then the
 * destructive changes, the errors, each link's headline and destructive lines, the other lines, the
 * notes, in that order, while there is room; and a count of what was left out. Undefined when not
 * even the summary fits.
 */
export function renderPlanMarkdown(plan: Plan, view: PlanView, options: MarkdownOptions): string | undefined {
  return fitMarkdown(planPieces(plan, view, options), options.fit);
}

/** Databases named in the warning that some have errors; each one's errors follow under its heading. */
const NAMED_FAILURES = 10;

/** Databases named where a line stands for many (a grouped section, a change made in each): the rest are counted. */
const NAMED_DATABASES = 10;

/** The first few names, and how many more: `a, b, c and 597 more`. */
function named(names: readonly string[]): string {
  return names.length > NAMED_DATABASES
    ? `${names.slice(0, NAMED_DATABASES).join(', ')} and ${names.length - NAMED_DATABASES} more`
    : names.join(', ');
}

/** Ranks: lower is kept first when the markdown must be cut. */
const RANK = { fixed: 0, outcome: 1, destructive: 2, error: 3, headline: 4, detail: 5, note: 6 } as const;

function planPieces(plan: Plan, view: PlanView, options: MarkdownOptions): Piece[] {
  const pieces: Piece[] = [];
  const fixed = (...lines: string[]) => pieces.push({ lines, rank: RANK.fixed });
  if (options.marker) fixed(planMarker(options.configPath));
  fixed(`### ${options.title}: ${markdownText(options.configPath)}`, '', `**${markdownText(view.summary)}**`, '');
  if (view.shard) fixed(markdownText(view.shard), '');
  if (view.targeted) fixed('> [!WARNING]', `> ${markdownText(view.targeted)}`, '');
  const destructive = destructiveChanges(plan);
  if (destructive.length > 0) {
    pieces.push({
      lines: [
        '> [!CAUTION]',
        `> This plan destroys or replaces ${destructive.length === 1 ? 'one thing' : `${destructive.length} things`}:`,
      ],
      rank: RANK.fixed,
      scaffoldOf: 'caution',
    });
    // One line per change, however many databases it is made in (a fleet's shared link changes everywhere).
    const byText = new Map<string, string[]>();
    for (const d of destructive) byText.set(d.text, [...(byText.get(d.text) ?? []), d.database]);
    for (const [text, databases] of byText) {
      const where =
        databases.length === 1
          ? `**${markdownText(databases[0] as string)}**`
          : `**${databases.length} databases** (${named(databases.map(markdownText))})`;
      pieces.push({ lines: [`> - ${where}: ${markdownText(text)}`], rank: RANK.destructive, groups: ['caution'], kind: 'destructive' });
    }
    const after = view.hasDependents
      ? ['>', '> It drops objects outside the links: `datalinks apply` refuses it unless given `--allow-dependent-drops`.', '']
      : [''];
    pieces.push({ lines: after, rank: RANK.fixed, scaffoldOf: 'caution' });
  }
  if (view.hasErrors) {
    const failed = view.databases.filter((db) => db.errors.length > 0).map((db) => markdownText(db.alias));
    // Always written, so bounded: a fleet whose every database failed names the first few.
    const named =
      failed.length > NAMED_FAILURES
        ? `${failed.slice(0, NAMED_FAILURES).join(', ')} and ${failed.length - NAMED_FAILURES} more`
        : failed.join(', ');
    fixed('> [!WARNING]', `> Errors in ${named}: ${failed.length === 1 ? 'it' : 'they'} cannot be applied until fixed.`, '');
  }
  // Databases whose sections would read the same (a fleet's tenants with the same change, or none) are
  // one section, headed by their count and first names: 600 tenants fit a pull-request comment.
  const sections = new Map<string, { aliases: string[]; database: PlanView['databases'][number] }>();
  for (const database of view.databases) {
    const key = JSON.stringify([database.preamble, database.links.map((l) => l.lines), database.errors, database.notes]);
    const section = sections.get(key);
    if (section) section.aliases.push(database.alias);
    else sections.set(key, { aliases: [database.alias], database });
  }
  let index = 0;
  for (const { aliases, database } of sections.values()) {
    const db = `database:${index}`;
    const table = `table:${index}`;
    const list = `list:${index}`;
    index++;
    const lines = [...database.preamble, ...database.links.flatMap((link) => link.lines)];
    const names = aliases.map(markdownText);
    const quiet = lines.length === 0 && database.errors.length === 0;
    if (quiet && database.notes.length === 0 && aliases.length > 1) {
      pieces.push({ lines: [`#### No changes in ${aliases.length} databases: ${named(names)}`, ''], rank: RANK.fixed });
      continue;
    }
    const heading = aliases.length === 1 ? `#### Database ${names[0]}` : `#### ${aliases.length} databases, each: ${named(names)}`;
    pieces.push({ lines: [heading, ''], rank: RANK.fixed, scaffoldOf: db });
    if (quiet) pieces.push({ lines: ['No changes.', ''], rank: RANK.headline, groups: [db] });
    if (lines.length > 0) {
      pieces.push({ lines: ['| | change |', '|:-:|---|'], rank: RANK.fixed, scaffoldOf: table });
      for (const line of lines) {
        // Link headlines and destructive lines before the details.
        const headline = line.depth === 0 || line.tone === 'destroy' || line.tone === 'replace' || line.tone === 'warning';
        const indent = '&emsp;'.repeat(line.depth);
        pieces.push({
          lines: [`| ${TONE_MARK[line.tone] ?? ''}\`${line.symbol}\` | ${indent}${markdownText(line.text)} |`],
          rank: headline ? RANK.headline : RANK.detail,
          groups: [db, table],
          kind: 'row',
        });
      }
      pieces.push({ lines: [''], rank: RANK.fixed, scaffoldOf: table });
    }
    for (const error of database.errors) {
      const lines = [`- ❌ ${markdownText(error.text)}`];
      if (error.hint) lines.push(`  <br>hint: ${markdownText(error.hint)}`);
      pieces.push({ lines, rank: RANK.error, groups: [db, list], kind: 'error' });
    }
    for (const note of database.notes) {
      const label = note.severity === 'warning' ? '⚠️ warning' : 'note';
      pieces.push({ lines: [`- ${label}: ${markdownText(note.text)}`], rank: RANK.note, groups: [db, list], kind: 'note' });
    }
    pieces.push({ lines: [''], rank: RANK.fixed, scaffoldOf: list });
  }
  return pieces;
}

export interface OutcomeRow {
  alias: string;
  failed: boolean;
  /** The outcome as the text view says it (`Database main: applied 7 statements in 0.2s.`). */
  text: string;
}

/** What apply did, per database, after the plan it applied; cut to `fit` like the plan, outcomes kept first. */
export function renderApplyMarkdown(
  plan: Plan,
  view: PlanView,
  outcomes: OutcomeRow[],
  closing: string,
  configPath: string,
  fit?: MarkdownLimit,
): string | undefined {
  const pieces = planPieces(plan, view, { configPath, title: 'datalinks apply' });
  if (outcomes.length > 0) {
    pieces.push({ lines: ['| database | outcome |', '|---|---|'], rank: RANK.fixed, scaffoldOf: 'outcomes' });
    for (const o of outcomes) {
      pieces.push({
        lines: [`| ${o.failed ? '❌' : '✅'} ${markdownText(o.alias)} | ${markdownText(o.text)} |`],
        rank: RANK.outcome,
        groups: ['outcomes'],
        kind: 'outcome',
      });
    }
    pieces.push({ lines: [''], rank: RANK.fixed, scaffoldOf: 'outcomes' });
  }
  pieces.push({ lines: [`**${markdownText(closing)}**`, ''], rank: RANK.fixed });
  return fitMarkdown(pieces, fit);
}

/**
 * Where all of a cut plan can be seen, as the end of a sentence: the job summary (linked when the run
 * is known), the saved plan, the job log, `datalinks plan`. The path is the user's, escaped; the link
 * is made only of a run URL that looks like one.
 */
export function whereToSeeAll(places: { jobSummary?: { runUrl: string | null }; savedPlan?: string; jobLog?: boolean }): string {
  const where: string[] = [];
  if (places.jobSummary) {
    where.push(
      places.jobSummary.runUrl ? `in the [job summary](${places.jobSummary.runUrl}) of this run` : 'in the job summary of this run',
    );
  }
  if (places.savedPlan) where.push(`in the saved plan ${markdownText(places.savedPlan)}`);
  where.push(places.jobLog ? 'in the job log' : 'with `datalinks plan`');
  return where.length > 1 ? `${where.slice(0, -1).join(', ')} or ${where.at(-1)}` : (where[0] as string);
}

import type { Plan } from '../plan/types.js';
import { scrubSecrets } from '../secrets.js';
import { escapeMarkdown } from './escape.js';
import { changeReason, DROP_REASON, type PlanView, type ViewLine } from './plan-view.js';
import { accessRemovedText } from './plan-words.js';

/**
 * GitHub-flavoured markdown of a plan and of an apply: for `plan --markdown` (a PR comment), and the
 * job summary (GITHUB_STEP_SUMMARY). Pure. Every piece of text that can hold a name (a link, a remote
 * table, a role, a Postgres message) goes through `markdownText`; only this file's own constants are
 * written as markup.
 */

/** The one markdown escaping function lives with the others in render/escape.ts. */
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
                text: `foreign table ${op.schema}.${table} will be dropped (${DROP_REASON[op.reason]})`,
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

/** Lines of the plan table beyond this many are left out (a PR comment holds at most 65,536 characters). */
const MAX_ROWS = 300;

const TONE_MARK: Partial<Record<ViewLine['tone'], string>> = { destroy: '🟥', replace: '🟧', warning: '⚠️', create: '🟩', update: '🟨' };

export interface MarkdownOptions {
  configPath: string;
  /** The heading: `datalinks plan` or `datalinks apply`. */
  title: string;
  /** Write the hidden marker first (plan). */
  marker?: boolean;
}

/** The plan as GFM: summary, destructive changes called out, then one table of changes per database. */
export function renderPlanMarkdown(plan: Plan, view: PlanView, options: MarkdownOptions): string {
  const out: string[] = [];
  if (options.marker) out.push(planMarker(options.configPath));
  out.push(`### ${options.title}: ${markdownText(options.configPath)}`, '', `**${markdownText(view.summary)}**`, '');
  const destructive = destructiveChanges(plan);
  if (destructive.length > 0) {
    out.push(
      '> [!CAUTION]',
      `> This plan destroys or replaces ${destructive.length === 1 ? 'one thing' : `${destructive.length} things`}:`,
    );
    for (const d of destructive) out.push(`> - **${markdownText(d.database)}**: ${markdownText(d.text)}`);
    if (view.hasDependents) {
      out.push('>', '> It drops objects outside the links: `datalinks apply` refuses it unless given `--allow-dependent-drops`.');
    }
    out.push('');
  }
  if (view.hasErrors) {
    const failed = view.databases.filter((db) => db.errors.length > 0).map((db) => markdownText(db.alias));
    out.push('> [!WARNING]', `> Errors in ${failed.join(', ')}: ${failed.length === 1 ? 'it' : 'they'} cannot be applied until fixed.`, '');
  }
  let rows = 0;
  let hidden = 0;
  for (const database of view.databases) {
    out.push(`#### Database ${markdownText(database.alias)}`, '');
    const lines = [...database.preamble, ...database.links.flatMap((link) => link.lines)];
    if (lines.length === 0 && database.errors.length === 0) out.push('No changes.', '');
    if (lines.length > 0) {
      out.push('| | change |', '|:-:|---|');
      for (const line of lines) {
        // Link headlines and destructive lines are always shown; details only while there is room.
        const always = line.depth === 0 || line.tone === 'destroy' || line.tone === 'replace' || line.tone === 'warning';
        if (!always && rows >= MAX_ROWS) {
          hidden++;
          continue;
        }
        rows++;
        const indent = '&emsp;'.repeat(line.depth);
        out.push(`| ${TONE_MARK[line.tone] ?? ''}\`${line.symbol}\` | ${indent}${markdownText(line.text)} |`);
      }
      out.push('');
    }
    for (const error of database.errors) {
      out.push(`- ❌ ${markdownText(error.text)}`);
      if (error.hint) out.push(`  <br>hint: ${markdownText(error.hint)}`);
    }
    for (const note of database.notes) out.push(`- note: ${markdownText(note)}`);
    if (database.errors.length > 0 || database.notes.length > 0) out.push('');
  }
  if (hidden > 0) out.push(`_${hidden} more detail lines are not shown here; the job log has the whole plan (\`datalinks plan\`)._`, '');
  return `${out.join('\n')}\n`;
}

export interface OutcomeRow {
  alias: string;
  failed: boolean;
  /** The outcome as the text view says it (`Database main: applied 7 statements in 0.2s.`). */
  text: string;
}

/** What apply did, per database, after the plan it applied. */
export function renderApplyMarkdown(plan: Plan, view: PlanView, outcomes: OutcomeRow[], closing: string, configPath: string): string {
  const out = [renderPlanMarkdown(plan, view, { configPath, title: 'datalinks apply' })];
  if (outcomes.length > 0) {
    out.push('| database | outcome |', '|---|---|');
    for (const o of outcomes) out.push(`| ${o.failed ? '❌' : '✅'} ${markdownText(o.alias)} | ${markdownText(o.text)} |`);
    out.push('');
  }
  out.push(`**${markdownText(closing)}**`, '');
  return `${out.join('\n')}\n`;
}

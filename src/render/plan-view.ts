import { diffArrays } from 'diff';
import { escapeText, joinSafe, type SafeText, safe } from '../escape.js';
import {
  type ColumnDiff,
  type ColumnSpec,
  type ColumnStep,
  type DatabasePlan,
  type DropReason,
  type LinkChange,
  NOTE_SEVERITY,
  type NoteSeverity,
  type Operation,
  type Plan,
  type PlanProblem,
  type SchemaChange,
  type TableChangeReason,
} from '../plan/types.js';
import { plural } from '../plural.js';
import { wrapperNamed } from '../wrappers/index.js';
import { accessRemovedText, noteText, problemLine, problemWords } from './plan-words.js';

/** What a line means, which decides its symbol's colour in both the text and the Ink view. */
export type Tone = 'create' | 'update' | 'replace' | 'destroy' | 'warning' | 'error' | 'muted' | 'plain';

/**
 * Every string of the view model is SafeText: names from catalogs and files are escaped here, once,
 * so that the text view, the Ink view and any later view print them as visible text and can never
 * send a control character or escape sequence of theirs to a terminal.
 */
export interface ViewLine {
  symbol: string;
  text: SafeText;
  tone: Tone;
  depth: number;
}

export interface LinkView {
  link: SafeText;
  action: LinkChange['action'];
  lines: ViewLine[];
}

export interface ProblemView {
  /** `link L: message`, or the message alone for a problem of the whole database. */
  text: SafeText;
  hint: SafeText | null;
}

export interface DatabaseView {
  alias: SafeText;
  links: LinkView[];
  preamble: ViewLine[];
  errors: ProblemView[];
  notes: NoteView[];
  dependents: SafeText[];
}

/** A note of the plan, and how loud it is: `warning` for what the plan leaves undone that the user most likely wants fixed. */
export interface NoteView {
  severity: NoteSeverity;
  text: SafeText;
}

/** A line under the summary: the warnings and errors that the whole plan carries. */
export interface FooterLine {
  tone: Tone;
  text: SafeText;
}

export interface PlanView {
  databases: DatabaseView[];
  /** The last line of the plan: `Plan: ...`, `No changes.`, or what could not be planned. */
  summary: SafeText;
  footer: FooterLine[];
  hasErrors: boolean;
  hasDestroy: boolean;
  hasDependents: boolean;
  /** --link: the warning that the plan is targeted (also in `footer`); null when it is not. */
  targeted: SafeText | null;
  /** --shard: which shard this plan is (also in `footer`); null without --shard. */
  shard: SafeText | null;
}

export interface PlanViewOptions {
  /**
   * What will happen to objects outside the links that the plan drops: `plan` can only say that
   * apply refuses them unless --allow-dependent-drops is passed; `apply` knows whether it was.
   */
  dependentDrops?: 'refused-without-flag' | 'refused' | 'allowed';
}

const ACTION_SYMBOL = { create: '+', update: '~', destroy: '-' } as const;
const ACTION_TONE = { create: 'create', update: 'update', destroy: 'destroy' } as const;

/** The one view model behind the text renderer and the Ink components. Pure. */
export function buildPlanView(plan: Plan, options: PlanViewOptions = {}): PlanView {
  const databases = plan.databases.map(databaseView);
  const failed = databases.filter((db) => db.errors.length > 0);
  const hasDependents = databases.some((db) => db.dependents.length > 0);
  const targeted = plan.selection?.links ? targetedWarning(plan.selection.links) : null;
  const shard = plan.selection?.shard ? shardLine(plan.selection.shard, plan.databases.length) : null;
  return {
    databases,
    summary: summaryLine(plan, failed.length),
    footer: [
      ...(targeted ? [{ tone: 'warning' as const, text: targeted }] : []),
      ...(shard ? [{ tone: 'muted' as const, text: shard }] : []),
      ...(hasDependents ? [{ tone: 'warning' as const, text: dependentsWarning(options.dependentDrops ?? 'refused-without-flag') }] : []),
      ...(failed.length > 0 ? [{ tone: 'error' as const, text: errorsLine(failed.map((db) => db.alias)) }] : []),
    ],
    hasErrors: failed.length > 0,
    hasDestroy: plan.summary.destroy > 0,
    hasDependents,
    targeted,
    shard,
  };
}

/** As Terraform says of -target: a targeted plan is for getting past a problem, not for every day. */
function targetedWarning(links: readonly string[]): SafeText {
  const named = joinSafe(
    links.map((link) => safe`${link}`),
    ', ',
  );
  return safe`Warning: this plan is targeted (--link ${named}): it reads and changes only ${links.length === 1 ? 'that link' : 'those links'}. The other links of these databases were not read and may differ from the file; plan without --link once you can.`;
}

function shardLine(shard: { index: number; count: number }, databases: number): SafeText {
  return safe`Shard ${shard.index}/${shard.count} of the file's databases (--shard): ${plural(databases, 'database')} in this plan.`;
}

/**
 * `No changes.` only when every database was planned and none has a change: a database that could not
 * be planned may well have changes, so the summary says so instead.
 */
function summaryLine(plan: Plan, failed: number): SafeText {
  const { create, update, destroy } = plan.summary;
  if (create + update + destroy > 0) return safe`Plan: ${create} to create, ${update} to update, ${destroy} to destroy.`;
  const total = plan.databases.length;
  if (failed === 0) return safe`No changes.`;
  if (failed === total) {
    return total === 1
      ? safe`Nothing could be planned: the database has errors.`
      : safe`Nothing could be planned: all ${total} databases have errors.`;
  }
  return safe`No changes in the databases that could be planned; ${plural(failed, 'database')} ${failed === 1 ? 'has' : 'have'} errors.`;
}

function dependentsWarning(drops: NonNullable<PlanViewOptions['dependentDrops']>): SafeText {
  const head = 'Warning: this plan drops objects outside the links (marked !).';
  if (drops === 'allowed') return safe`${head} They WILL be dropped with the links: --allow-dependent-drops was passed.`;
  if (drops === 'refused') return safe`${head} apply refuses it: pass --allow-dependent-drops to drop them with the links.`;
  return safe`${head} apply refuses it unless you pass --allow-dependent-drops.`;
}

function errorsLine(aliases: SafeText[]): SafeText {
  const one = aliases.length === 1;
  return safe`Errors in ${one ? 'database' : 'databases'} ${joinSafe(aliases, ', ')}: ${one ? 'it' : 'they'} cannot be applied until fixed.`;
}

function databaseView(plan: DatabasePlan): DatabaseView {
  return {
    alias: escapeText(plan.alias),
    preamble: plan.preamble.flatMap((op) => operationLines(op)),
    links: plan.changes.map((change) => ({
      link: escapeText(change.link),
      action: change.action,
      lines: [
        {
          symbol: ACTION_SYMBOL[change.action],
          text: linkHeadline(change),
          tone: ACTION_TONE[change.action],
          depth: 0,
        },
        ...change.operations.flatMap((op) => operationLines(op)),
        ...(change.accessRemoved ?? []).map(accessRemovedText).map((what) => ({
          symbol: '!',
          text: safe`removes access: ${what}`,
          tone: 'warning' as const,
          depth: 1,
        })),
        ...change.dependents.map((d) => ({
          symbol: '!',
          text: d.table ? safe`also drops ${d.description} (depends on ${change.link}.${d.table})` : safe`also drops ${d.description}`,
          tone: 'warning' as const,
          depth: 1,
        })),
      ],
    })),
    errors: plan.errors.map(problemView),
    notes: plan.notes.map((note) => ({ severity: NOTE_SEVERITY[note.code], text: escapeText(noteText(note)) })),
    dependents: plan.changes.flatMap((change) => change.dependents.map((d) => escapeText(d.description))),
  };
}

function problemView(problem: PlanProblem): ProblemView {
  const words = problemWords(problem);
  return {
    text: escapeText(problemLine(problem)),
    hint: words.hint ? escapeText(words.hint) : null,
  };
}

function linkHeadline(change: LinkChange): SafeText {
  if (change.adopt) return safe`link ${change.link} (made by hand) will be adopted: marked as managed and reconciled in place`;
  return safe`link ${change.link} will be ${change.action === 'create' ? 'created' : change.action === 'update' ? 'updated in place' : 'destroyed'}`;
}

function line(symbol: string, text: SafeText, tone: Tone, depth = 1): ViewLine {
  return { symbol, text, tone, depth };
}

function operationLines(op: Operation): ViewLine[] {
  switch (op.kind) {
    case 'create_extension_schema':
      return [
        line(
          '+',
          safe`schema ${op.schema} for extensions (owned by the applying role; no other role may create objects in it)`,
          'create',
          0,
        ),
      ];
    case 'create_extension': {
      const fdw = wrapperNamed(op.extension)?.fdw ?? 'postgres_fdw';
      // (a plan saved before extensions were given a schema has none)
      return [line('+', op.schema ? safe`extension ${fdw} in schema ${op.schema}` : safe`extension ${fdw}`, 'create', 0)];
    }
    case 'create_server':
      return [line('+', safe`server ${op.server} (${describeOptions(op.options)})`, 'create')];
    case 'alter_server_options': {
      const before = op.changes.filter((c) => c.action !== 'add').map((c) => safe`${c.name} = ${'old' in c ? c.old : ''}`);
      const after = op.changes.filter((c) => c.action !== 'drop').map((c) => safe`${c.name} = ${'value' in c ? c.value : ''}`);
      return [line('~', safe`server ${op.server} options`, 'update'), ...diffLines(before, after)];
    }
    case 'comment_server':
      return [line('~', safe`server ${op.server} marked as managed by datalinks (remote variable: ${op.meta.remote ?? 'none'})`, 'update')];
    case 'create_user_mapping':
      return op.auth === 'scram_passthrough'
        ? [line('+', safe`user mapping for ${op.role} (remote user ${op.user ?? '(default)'}, no password: SCRAM pass-through)`, 'create')]
        : [line('+', safe`user mapping for ${op.role} (remote user ${op.user ?? '(default)'}, password (sensitive value))`, 'create')];
    case 'replace_user_mapping':
      if (op.reason === 'auth_changed') {
        return [
          line(
            '~',
            op.auth === 'scram_passthrough'
              ? safe`user mapping for ${op.role}: replaced by one without a password (SCRAM pass-through; the stored password is removed)`
              : safe`user mapping for ${op.role}: replaced by one with the remote URL's password (sensitive value; SCRAM pass-through off)`,
            'update',
          ),
        ];
      }
      return [line('~', safe`user mapping for ${op.role}: ${MAPPING_REASON[op.reason]} (sensitive value changed)`, 'update')];
    case 'drop_user_mapping':
      return [line('-', safe`user mapping for ${op.role}`, 'destroy')];
    case 'create_schema':
      return [line('+', safe`schema ${op.schema}`, 'create')];
    case 'comment_schema':
      return [line('~', safe`schema ${op.schema} marked as managed by datalinks`, 'update')];
    case 'create_foreign_table':
      return [line('+', safe`foreign table ${op.schema}.${op.table.name} (${plural(op.table.columns.length, 'column')})`, 'create')];
    case 'drop_foreign_tables':
      if (op.reason === 'link_destroyed') return [line('-', safe`${plural(op.tables.length, 'foreign table')} in ${op.schema}`, 'destroy')];
      return op.tables.map((table) => line('-', safe`foreign table ${op.schema}.${table} (${dropReason(op)})`, 'destroy'));
    case 'alter_foreign_table':
      return [
        line('~', safe`foreign table ${op.schema}.${op.table} (${alterReason(op.reason, op.steps)}: altered in place)`, 'update'),
        ...op.steps.map(stepLine),
      ];
    case 'alter_foreign_table_options':
      return [
        line('~', safe`foreign table ${op.schema}.${op.table} options (they contradict the link's access)`, 'update'),
        ...op.changes.map((c) => line('-', safe`${c.name} = ${'old' in c ? c.old : ''}`, 'destroy', 2)),
      ];
    case 'replace_foreign_table':
      return [
        line('-/+', safe`foreign table ${op.schema}.${op.table.name} (${changeReason(op.reason)}: replaced)`, 'replace'),
        ...op.diff.flatMap(diffLinesOf),
      ];
    case 'grant':
      return [line('+', safe`grant ${op.privileges.join(', ')} on ${grantTarget(op)} to ${op.role}`, 'create')];
    case 'revoke':
      return [line('-', safe`revoke ${op.privileges.join(', ')} on ${grantTarget(op)} from ${op.role}`, 'destroy')];
    case 'drop_schema':
      return [line('-', safe`schema ${op.schema}`, 'destroy')];
    case 'drop_server':
      return [line('-', safe`server ${op.server}`, 'destroy')];
  }
}

const MAPPING_REASON = { remote_user_changed: 'remote user changed', credentials_changed: 'credentials changed' } as const;

const DROP_REASON: Record<DropReason, string> = {
  excluded_by_filter: 'excluded by the table filter',
  removed_on_remote: 'no longer on the remote',
  link_destroyed: 'link destroyed',
  remote_schema_changed: 'remote.schema changed',
};

/** Why tables are dropped, in words: a change of `remote.schema` names both schemas. */
export function dropReason(op: { reason: DropReason; schemas?: SchemaChange }): string {
  if (op.reason === 'remote_schema_changed' && op.schemas) return schemaChangeText(op.schemas);
  return DROP_REASON[op.reason];
}

function schemaChangeText(schemas: SchemaChange): string {
  return `remote.schema changed from ${JSON.stringify(schemas.before)} to ${JSON.stringify(schemas.after)}`;
}

export function changeReason(reason: TableChangeReason): string {
  if (reason.code === 'remote_schema_changed') return reason.schemas ? schemaChangeText(reason.schemas) : 'remote.schema changed';
  return reason.code === 'import_options_changed' ? `import options changed: ${reason.options.join(', ')}` : 'remote columns changed';
}

function alterReason(reason: TableChangeReason, steps: ColumnStep[]): string {
  if (reason.code === 'remote_columns_changed' && steps.every((step) => step.action === 'add')) return 'remote columns added';
  return changeReason(reason);
}

/** A replaced table's differences as before (-) and after (+) lines. */
function diffLinesOf(d: ColumnDiff): ViewLine[] {
  const pair = (label: string, before: string | null, after: string | null): ViewLine[] => [
    ...(before !== null ? [line('-', safe`${label} ${before}`, 'destroy', 2)] : []),
    ...(after !== null ? [line('+', safe`${label} ${after}`, 'create', 2)] : []),
  ];
  switch (d.change) {
    case 'added':
      return pair(d.column, null, describeColumn(d.after));
    case 'removed':
      return pair(d.column, describeColumn(d.before), null);
    case 'changed':
      return pair(d.column, describeColumn(d.before), describeColumn(d.after));
    case 'remote_table':
      return pair('(remote table)', d.before, d.after);
    case 'column_order':
      return pair('(column order)', d.before.join(', '), d.after.join(', '));
    case 'local_names':
      return pair('(local column names)', d.before.join(', '), d.after.join(', '));
    case 'server':
      return pair('(server)', d.before, d.after);
  }
}

const DEFAULT_COLLATION = '"pg_catalog"."default"';

/** A column as a person reads it: type, collation unless the default, generation, default, NOT NULL. */
export function describeColumn(column: ColumnSpec): string {
  const parts = [column.type];
  if (column.collation && column.collation !== DEFAULT_COLLATION) parts.push(`COLLATE ${column.collation}`);
  if (column.generated) parts.push(`GENERATED ALWAYS AS (${column.generated}) STORED`);
  if (column.default) parts.push(`DEFAULT ${column.default}`);
  if (column.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

function stepLine(step: ColumnStep): ViewLine {
  switch (step.action) {
    case 'rename':
      if (step.from === step.to) return line('~', safe`${step.to}: column_name option set back to ${step.to}`, 'update', 2);
      return line('~', safe`${step.from} renamed to ${step.to}`, 'update', 2);
    case 'drop':
      return line('-', safe`${step.column}`, 'destroy', 2);
    case 'alter':
      return line('~', safe`${step.column} ${describeColumn(step.before)} → ${describeColumn(step.after)}`, 'update', 2);
    case 'add':
      return line('+', safe`${step.column.name} ${describeColumn(step.column)}`, 'create', 2);
  }
}

function diffLines(before: SafeText[], after: SafeText[]): ViewLine[] {
  return diffArrays(before, after).flatMap((part) =>
    part.added || part.removed ? part.value.map((value) => line(part.added ? '+' : '-', value, part.added ? 'create' : 'destroy', 2)) : [],
  );
}

function grantTarget(op: { schema: string; tables: string[] | null }): SafeText {
  if (op.tables === null) return safe`schema ${op.schema}`;
  if (op.tables.length <= 3)
    return joinSafe(
      op.tables.map((t) => safe`${op.schema}.${t}`),
      ', ',
    );
  return safe`${op.tables.length} foreign tables in ${op.schema}`;
}

function describeOptions(options: Record<string, string>): SafeText {
  return joinSafe(
    Object.entries(options).map(([name, value]) => safe`${name}=${value}`),
    ', ',
  );
}

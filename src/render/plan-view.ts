import { diffArrays } from 'diff';
import { describeColumn } from '../plan/foreign-tables.js';
import type { ColumnStep, DatabasePlan, DropReason, LinkChange, Operation, Plan, PlanProblem, TableChangeReason } from '../plan/types.js';
import { plural } from '../plural.js';

/** What a line means, which decides its symbol's colour in both the text and the Ink view. */
export type Tone = 'create' | 'update' | 'replace' | 'destroy' | 'warning' | 'error' | 'muted' | 'plain';

export interface ViewLine {
  symbol: string;
  text: string;
  tone: Tone;
  depth: number;
}

export interface LinkView {
  link: string;
  action: LinkChange['action'];
  lines: ViewLine[];
}

export interface DatabaseView {
  alias: string;
  links: LinkView[];
  preamble: ViewLine[];
  errors: PlanProblem[];
  notes: string[];
  dependents: string[];
}

export interface PlanView {
  databases: DatabaseView[];
  summary: string;
  hasErrors: boolean;
  hasDestroy: boolean;
  hasDependents: boolean;
}

const ACTION_SYMBOL = { create: '+', update: '~', destroy: '-' } as const;
const ACTION_TONE = { create: 'create', update: 'update', destroy: 'destroy' } as const;

/** The one view model behind the text renderer and the Ink components. Pure. */
export function buildPlanView(plan: Plan): PlanView {
  const databases = plan.databases.map(databaseView);
  const { create, update, destroy } = plan.summary;
  return {
    databases,
    summary: create + update + destroy === 0 ? 'No changes.' : `Plan: ${create} to create, ${update} to update, ${destroy} to destroy.`,
    hasErrors: databases.some((db) => db.errors.length > 0),
    hasDestroy: destroy > 0,
    hasDependents: databases.some((db) => db.dependents.length > 0),
  };
}

function databaseView(plan: DatabasePlan): DatabaseView {
  return {
    alias: plan.alias,
    preamble: plan.preamble.flatMap((op) => operationLines(op)),
    links: plan.changes.map((change) => ({
      link: change.link,
      action: change.action,
      lines: [
        {
          symbol: ACTION_SYMBOL[change.action],
          text: linkHeadline(change),
          tone: ACTION_TONE[change.action],
          depth: 0,
        },
        ...change.operations.flatMap((op) => operationLines(op)),
        ...(change.accessRemoved ?? []).map((what) => ({
          symbol: '!',
          text: `removes access: ${what}`,
          tone: 'warning' as const,
          depth: 1,
        })),
        ...change.dependents.map((d) => ({
          symbol: '!',
          text: `also drops ${d.description}${d.table ? ` (depends on ${change.link}.${d.table})` : ''}`,
          tone: 'warning' as const,
          depth: 1,
        })),
      ],
    })),
    errors: plan.errors,
    notes: plan.notes,
    dependents: plan.changes.flatMap((change) => change.dependents.map((d) => d.description)),
  };
}

function linkHeadline(change: LinkChange): string {
  if (change.adopt) return `link ${change.link} (made by hand) will be adopted: marked as managed and reconciled in place`;
  return `link ${change.link} will be ${change.action === 'create' ? 'created' : change.action === 'update' ? 'updated in place' : 'destroyed'}`;
}

function line(symbol: string, text: string, tone: Tone, depth = 1): ViewLine {
  return { symbol, text, tone, depth };
}

function operationLines(op: Operation): ViewLine[] {
  switch (op.kind) {
    case 'create_extension':
      return [line('+', 'extension postgres_fdw', 'create', 0)];
    case 'create_server':
      return [line('+', `server ${op.server} (${describeOptions(op.options)})`, 'create')];
    case 'alter_server_options': {
      const before = op.changes.filter((c) => c.action !== 'add').map((c) => `${c.name} = ${'old' in c ? c.old : ''}`);
      const after = op.changes.filter((c) => c.action !== 'drop').map((c) => `${c.name} = ${'value' in c ? c.value : ''}`);
      return [line('~', `server ${op.server} options`, 'update'), ...diffLines(before, after)];
    }
    case 'comment_server':
      return [line('~', `server ${op.server} marked as managed by datalinks (remote variable: ${op.meta.remote ?? 'none'})`, 'update')];
    case 'create_user_mapping':
      return [line('+', `user mapping for ${op.role} (remote user ${op.user ?? '(default)'}, password (sensitive value))`, 'create')];
    case 'replace_user_mapping':
      return [line('~', `user mapping for ${op.role}: ${op.reason} (sensitive value changed)`, 'update')];
    case 'drop_user_mapping':
      return [line('-', `user mapping for ${op.role}`, 'destroy')];
    case 'create_schema':
      return [line('+', `schema ${op.schema}`, 'create')];
    case 'comment_schema':
      return [line('~', `schema ${op.schema} marked as managed by datalinks`, 'update')];
    case 'create_foreign_table':
      return [line('+', `foreign table ${op.schema}.${op.table.name} (${plural(op.table.columns.length, 'column')})`, 'create')];
    case 'drop_foreign_tables':
      if (op.reason === 'link_destroyed') return [line('-', `${plural(op.tables.length, 'foreign table')} in ${op.schema}`, 'destroy')];
      return op.tables.map((table) => line('-', `foreign table ${op.schema}.${table} (${DROP_REASON[op.reason]})`, 'destroy'));
    case 'alter_foreign_table':
      return [
        line('~', `foreign table ${op.schema}.${op.table} (${alterReason(op.reason, op.steps)}: altered in place)`, 'update'),
        ...op.steps.map(stepLine),
      ];
    case 'alter_foreign_table_options':
      return [
        line('~', `foreign table ${op.schema}.${op.table} options (they contradict the link's access)`, 'update'),
        ...op.changes.map((c) => line('-', `${c.name} = ${'old' in c ? c.old : ''}`, 'destroy', 2)),
      ];
    case 'replace_foreign_table':
      return [
        line('-/+', `foreign table ${op.schema}.${op.table.name} (${changeReason(op.reason)}: replaced)`, 'replace'),
        ...op.diff.flatMap((d) => [
          ...(d.before !== undefined ? [line('-', `${d.column} ${d.before}`, 'destroy', 2)] : []),
          ...(d.after !== undefined ? [line('+', `${d.column} ${d.after}`, 'create', 2)] : []),
        ]),
      ];
    case 'grant':
      return [line('+', `grant ${op.privileges.join(', ')} on ${grantTarget(op)} to ${op.role}`, 'create')];
    case 'revoke':
      return [line('-', `revoke ${op.privileges.join(', ')} on ${grantTarget(op)} from ${op.role}`, 'destroy')];
    case 'drop_schema':
      return [line('-', `schema ${op.schema}`, 'destroy')];
    case 'drop_server':
      return [line('-', `server ${op.server}`, 'destroy')];
  }
}

export const DROP_REASON: Record<DropReason, string> = {
  excluded_by_filter: 'excluded by the table filter',
  removed_on_remote: 'no longer on the remote',
  link_destroyed: 'link destroyed',
};

export function changeReason(reason: TableChangeReason): string {
  return reason.code === 'import_options_changed' ? `import options changed: ${reason.options.join(', ')}` : 'remote columns changed';
}

function alterReason(reason: TableChangeReason, steps: ColumnStep[]): string {
  if (reason.code === 'remote_columns_changed' && steps.every((step) => step.action === 'add')) return 'remote columns added';
  return changeReason(reason);
}

function stepLine(step: ColumnStep): ViewLine {
  switch (step.action) {
    case 'rename':
      return line('~', `${step.from} renamed to ${step.to}`, 'update', 2);
    case 'drop':
      return line('-', step.column, 'destroy', 2);
    case 'alter':
      return line('~', `${step.column} ${describeColumn(step.before)} → ${describeColumn(step.after)}`, 'update', 2);
    case 'add':
      return line('+', `${step.column.name} ${describeColumn(step.column)}`, 'create', 2);
  }
}

function diffLines(before: string[], after: string[]): ViewLine[] {
  return diffArrays(before, after).flatMap((part) =>
    part.added || part.removed ? part.value.map((value) => line(part.added ? '+' : '-', value, part.added ? 'create' : 'destroy', 2)) : [],
  );
}

function grantTarget(op: { schema: string; tables: string[] | null }): string {
  if (op.tables === null) return `schema ${op.schema}`;
  if (op.tables.length <= 3) return op.tables.map((t) => `${op.schema}.${t}`).join(', ');
  return `${op.tables.length} foreign tables in ${op.schema}`;
}

function describeOptions(options: Record<string, string>): string {
  return Object.entries(options)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}

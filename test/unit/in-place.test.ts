import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Dependent, ObservedForeignTable } from '../../src/introspect/types.js';
import { planForeignTable } from '../../src/plan/foreign-tables.js';
import type { ColumnSpec, ColumnStep } from '../../src/plan/types.js';

/**
 * The rule of issue 25 §2: changes that can each be made in place are made in place together. A table
 * is replaced only for what ALTER cannot do (columns reordered, a generation expression changed, a
 * column a view reads retyped), never because several in-place changes arrived between two plans.
 */

const spec = (name: string, type = 'integer', more: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  type,
  notNull: false,
  collation: null,
  default: null,
  generated: null,
  ...more,
});

function observed(columns: ColumnSpec[]): ObservedForeignTable {
  return {
    schema: 'alpha',
    name: 't',
    server: 'alpha',
    owner: 'app',
    options: { schema_name: 'public', table_name: 't' },
    columns: columns.map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.notNull,
      collation: c.collation,
      default: c.generated ?? c.default,
      generated: c.generated === null ? '' : 's',
      columnName: c.name,
    })),
    grants: [],
  };
}

const desired = (columns: ColumnSpec[]) => ({ name: 't', remoteSchema: 'public', remoteTable: 't', columns });
const viewOver = (column: string): Dependent => ({ link: 'alpha', table: 't', column, inLinkSchema: false, description: 'view public.v' });

/** What the steps make of the table: the columns ALTER FOREIGN TABLE would leave. */
function applySteps(before: ColumnSpec[], steps: ColumnStep[]): ColumnSpec[] {
  let columns = before.map((c) => ({ ...c }));
  for (const step of steps) {
    if (step.action === 'rename') columns = columns.map((c) => (c.name === step.from ? { ...c, name: step.to } : c));
    if (step.action === 'drop') columns = columns.filter((c) => c.name !== step.column);
    if (step.action === 'alter') columns = columns.map((c) => (c.name === step.column ? { ...step.after } : c));
    if (step.action === 'add') columns.push({ ...step.column });
  }
  return columns;
}

describe('changes that can each be made in place are made in place together', () => {
  it('retypes c2 and sets the defaults an import_default flip brings, keeping a view over c1', () => {
    const before = [spec('c1'), spec('c2')];
    const after = [spec('c1', 'integer', { default: '1' }), spec('c2', 'bigint', { default: '2' })];
    const plan = planForeignTable(desired(after), observed(before), [viewOver('c1')]);
    expect(plan).toMatchObject({ kind: 'alter', dependents: [] });
  });

  it('renames a column in the middle while an option flip changes every column, and while it is retyped', () => {
    const before = [spec('c1'), spec('c2'), spec('c3')];
    const after = [
      spec('c1', 'integer', { notNull: true }),
      spec('c2x', 'bigint', { notNull: true }),
      spec('c3', 'integer', { notNull: true }),
    ];
    const plan = planForeignTable(desired(after), observed(before), [viewOver('c1')]);
    expect(plan.kind).toBe('alter');
    if (plan.kind === 'alter') expect(applySteps(before, plan.steps)).toStrictEqual(after);
  });

  it('renames, drops elsewhere and appends in one plan', () => {
    const before = [spec('a'), spec('b'), spec('c'), spec('d'), spec('e')];
    const after = [spec('a'), spec('bee', 'text'), spec('c'), spec('e'), spec('f'), spec('g')];
    const plan = planForeignTable(desired(after), observed(before), [viewOver('a'), viewOver('e')]);
    expect(plan.kind).toBe('alter');
    if (plan.kind === 'alter') expect(applySteps(before, plan.steps)).toStrictEqual(after);
  });

  it('still replaces what ALTER cannot do: reordered columns, a retyped column a view reads, a changed generation', () => {
    expect(planForeignTable(desired([spec('b'), spec('a')]), observed([spec('a'), spec('b')]), []).kind).toBe('replace');
    expect(planForeignTable(desired([spec('a', 'bigint')]), observed([spec('a')]), [viewOver('a')]).kind).toBe('replace');
    const generated = (expression: string) => spec('g', 'integer', { generated: expression });
    expect(planForeignTable(desired([spec('a'), generated('(a * 3)')]), observed([spec('a'), generated('(a * 2)')]), []).kind).toBe(
      'replace',
    );
    // Two new names where one old one was, between the same columns: no telling which is the rename.
    const plan = planForeignTable(desired([spec('a'), spec('x'), spec('y'), spec('z')]), observed([spec('a'), spec('b'), spec('z')]), []);
    expect(plan.kind).toBe('replace');
  });

  it('never takes a new name in the last position for a rename: a view over the old column is dropped, not re-pointed', () => {
    const plan = planForeignTable(desired([spec('a'), spec('c')]), observed([spec('a'), spec('b')]), [viewOver('b')]);
    expect(plan).toMatchObject({ kind: 'alter', steps: [{ action: 'drop', column: 'b' }, { action: 'add' }], dependents: [viewOver('b')] });
  });

  it('property: any unambiguous mix of in-place changes (retypes, defaults, NOT NULL, collations, middle renames, drops, appends) is altered, never replaced, and the steps make the desired columns', () => {
    const types = ['integer', 'bigint', 'text', 'date'];
    const column = fc.record({ type: fc.constantFrom(...types), notNull: fc.boolean(), withDefault: fc.boolean() });
    const change = fc.record({
      retype: fc.boolean(),
      type: fc.constantFrom(...types),
      notNull: fc.boolean(),
      flipDefault: fc.boolean(),
      collate: fc.boolean(),
      rename: fc.boolean(),
      drop: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(column, change), { minLength: 2, maxLength: 8 }), fc.nat(3), (columns, appended) => {
        const before = columns.map(([c], i) => spec(`c${i}`, c.type, { notNull: c.notNull, default: c.withDefault ? `${i}` : null }));
        // What happens to each column: the first is read by a view and kept; the last the two sides share is
        // neither renamed nor dropped. A column dropped beside a renamed one would be ambiguous (which of the two
        // was renamed?), so the remote keeps it instead.
        const last = columns.length - 1;
        const action = columns.map(([, ch], i) => (i === 0 || i === last ? 'keep' : ch.rename ? 'rename' : ch.drop ? 'drop' : 'keep'));
        action.forEach((a, i) => {
          if (a === 'drop' && (action[i - 1] === 'rename' || action[i + 1] === 'rename')) action[i] = 'keep';
        });
        const after: ColumnSpec[] = [];
        columns.forEach(([, ch], i) => {
          const old = before[i] as ColumnSpec;
          if (action[i] === 'drop') return;
          if (i === 0) {
            after.push(old);
            return;
          }
          after.push({
            name: action[i] === 'rename' ? `r${i}` : old.name,
            type: ch.retype ? ch.type : old.type,
            notNull: ch.notNull,
            default: ch.flipDefault ? (old.default === null ? `${i}` : null) : old.default,
            collation: ch.collate ? '"pg_catalog"."C"' : null,
            generated: null,
          });
        });
        for (let j = 0; j < appended; j++) after.push(spec(`new${j}`, 'text'));
        const plan = planForeignTable(desired(after), observed(before), [viewOver('c0')]);
        expect(plan.kind, JSON.stringify({ before, after })).not.toBe('replace');
        if (plan.kind === 'alter') expect(applySteps(before, plan.steps)).toStrictEqual(after);
      }),
      { numRuns: 300 },
    );
  });
});

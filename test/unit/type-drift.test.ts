import { describe, expect, it } from 'vitest';
import type { RemoteTable, TypeDefinition } from '../../src/introspect/types.js';
import { compareDefinitions, compareLinkTypes } from '../../src/plan/type-drift.js';
import { noteText, problemWords } from '../../src/render/plan-words.js';

const mood = (labels: string[]): TypeDefinition => ({ kind: 'enum', labels });
const table = (name: string, types: [string, string][]): RemoteTable => ({
  name,
  kind: 'r',
  isPartition: false,
  readable: true,
  columns: types.map(([schema, type], i) => ({
    name: `c${i}`,
    type: { schema, name: type, typmod: -1 },
    notNull: false,
    collation: null,
    default: null,
    generated: '',
  })),
});
const key = (name: string) => `public\0${name}`;

describe('local copies of remote types', () => {
  it('finds a remote enum label missing here, with the ALTER TYPE that adds it where the remote has it', () => {
    const { missing, differences } = compareDefinitions(mood(['new', 'paid']), mood(['new', 'paid', 'refunded']));
    expect(missing).toStrictEqual([{ label: 'refunded', after: 'paid', before: null }]);
    expect(differences).toStrictEqual([]);
    // A label first on the remote goes before the first label here; the others follow the one before them there.
    expect(compareDefinitions(mood(['b']), mood(['a', 'b', 'c', 'd'])).missing).toStrictEqual([
      { label: 'a', after: null, before: 'b' },
      { label: 'c', after: 'b', before: null },
      { label: 'd', after: 'c', before: null },
    ]);
  });

  it('notes labels only here and labels in another order, which do not fail reads', () => {
    expect(compareDefinitions(mood(['b', 'a', 'x']), mood(['a', 'b'])).differences).toStrictEqual([
      { what: 'labels_extra', labels: ['x'] },
      { what: 'labels_order', local: ['b', 'a'], remote: ['a', 'b'] },
    ]);
  });

  it("notes a domain's base, NOT NULL, default and CHECKs, and a composite's attributes", () => {
    const domain = (base: string, notNull: boolean, dflt: string | null, checks: string[]): TypeDefinition => ({
      kind: 'domain',
      base,
      baseType: { schema: 'pg_catalog', name: base === 'integer' ? 'int4' : 'int8' },
      notNull,
      default: dflt,
      checks,
    });
    expect(
      compareDefinitions(domain('integer', false, null, ['CHECK ((VALUE > 0))']), domain('bigint', true, '1', [])).differences,
    ).toStrictEqual([
      { what: 'base', local: 'integer', remote: 'bigint' },
      { what: 'not_null', local: false, remote: true },
      { what: 'default', local: null, remote: '1' },
      { what: 'checks', local: ['CHECK ((VALUE > 0))'], remote: [] },
    ]);
    const pair = (...types: string[]): TypeDefinition => ({
      kind: 'composite',
      attributes: types.map((type, i) => ({ name: `a${i}`, type, typeRef: { schema: 'pg_catalog', name: type } })),
    });
    expect(compareDefinitions(pair('integer'), pair('integer', 'text')).differences).toStrictEqual([
      { what: 'attributes', local: ['a0 integer'], remote: ['a0 integer', 'a1 text'] },
    ]);
    expect(compareDefinitions(mood(['a']), pair('integer')).differences).toStrictEqual([
      { what: 'kind', local: 'enum', remote: 'composite' },
    ]);
  });

  it("follows the linked columns' types through arrays, domains and composites, and compares only those", () => {
    const remote: Record<string, TypeDefinition> = {
      [key('_mood')]: { kind: 'array', element: { schema: 'public', name: 'mood' } },
      [key('mood')]: mood(['ok', 'sad', 'refunded']),
      [key('pair')]: { kind: 'composite', attributes: [{ name: 'm', type: 'public.level', typeRef: { schema: 'public', name: 'level' } }] },
      [key('level')]: mood(['low', 'high']),
      [key('unlinked')]: mood(['x', 'y']),
    };
    const local: Record<string, TypeDefinition> = {
      [key('_mood')]: { kind: 'array', element: { schema: 'public', name: 'mood' } },
      [key('mood')]: mood(['ok', 'sad']),
      [key('pair')]: remote[key('pair')] as TypeDefinition,
      [key('level')]: mood(['low']),
      [key('unlinked')]: mood(['x']),
    };
    const tables = [
      table('people', [
        ['public', '_mood'],
        ['public', 'pair'],
        ['pg_catalog', 'int4'],
      ]),
    ];
    const drift = compareLinkTypes('shop', tables, remote, { types: {}, missing: [], definitions: local });
    expect(drift.problems).toStrictEqual([
      {
        code: 'enum_labels_missing',
        link: 'shop',
        schema: 'public',
        type: 'mood',
        labels: [{ label: 'refunded', after: 'sad', before: null }],
      },
      {
        code: 'enum_labels_missing',
        link: 'shop',
        schema: 'public',
        type: 'level',
        labels: [{ label: 'high', after: 'low', before: null }],
      },
    ]);
    expect(drift.notes).toStrictEqual([]);
    expect(problemWords(drift.problems[0]!)).toStrictEqual({
      message:
        "the local enum type public.mood, which the link's foreign tables use for the remote's public.mood, lacks the remote's label 'refunded': reading a row that holds it through the link fails with \"invalid input value for enum\"",
      hint: "add it here, in the remote's order: ALTER TYPE public.mood ADD VALUE 'refunded' AFTER 'sad';",
    });
  });

  it('quotes names and labels in the statements it suggests', () => {
    const drift = compareLinkTypes(
      'shop',
      [table('t', [['Odd Schema', 'Mood']])],
      { 'Odd Schema\0Mood': mood(["it's", 'b']) },
      {
        types: {},
        missing: [],
        definitions: { 'Odd Schema\0Mood': mood(['b']) },
      },
    );
    expect(problemWords(drift.problems[0]!).hint).toBe(
      `add it here, in the remote's order: ALTER TYPE "Odd Schema"."Mood" ADD VALUE 'it''s' BEFORE 'b';`,
    );
    const note = compareLinkTypes(
      'shop',
      [table('t', [['public', 'mood']])],
      { [key('mood')]: mood(['a']) },
      {
        types: {},
        missing: [],
        definitions: { [key('mood')]: mood(['a', 'z']) },
      },
    ).notes[0]!;
    expect(noteText(note)).toBe(
      `link "shop": the local type public.mood, which its foreign tables use for the remote's public.mood, differs from it: label 'z' only here (writing it through the link fails on the remote). Reads still work; change one side if values should mean the same on both`,
    );
  });
});

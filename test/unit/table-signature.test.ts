import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DesiredLink, ImportOptions } from '../../src/config/types.js';
import { formatQualified, typeKey } from '../../src/introspect/remote-needs.js';
import type { ObservedForeignTable, QualifiedName, RemoteColumn, RemoteTable, ResolvedNeeds } from '../../src/introspect/types.js';
import { desiredForeignTables, planForeignTable } from '../../src/plan/foreign-tables.js';
import { expectedSignature } from '../../src/plan/unchanged-tables.js';
import { type LocalCatalogColumn, localSignature } from '../support/signature-model.js';

const DEFAULT: QualifiedName = { schema: 'pg_catalog', name: 'default' };
const C: QualifiedName = { schema: 'pg_catalog', name: 'C' };
const POSIX: QualifiedName = { schema: 'pg_catalog', name: 'POSIX' };
const ODD: QualifiedName = { schema: 'odd "schema"', name: 'x:1~' };

/** Types that exist here, with their oid and own collation (pg_type.typcollation). */
const TYPES: { type: QualifiedName; oid: number; collation: QualifiedName | null }[] = [
  { type: { schema: 'pg_catalog', name: 'int4' }, oid: 23, collation: null },
  { type: { schema: 'pg_catalog', name: 'text' }, oid: 25, collation: DEFAULT },
  { type: { schema: 'pg_catalog', name: 'varchar' }, oid: 1043, collation: DEFAULT },
  { type: { schema: 'kinds', name: 'mood' }, oid: 16_385, collation: null },
  { type: { schema: 'kinds', name: 'code' }, oid: 16_390, collation: C },
  { type: { schema: 'kinds', name: '1:a' }, oid: 16_395, collation: C },
  { type: { schema: 'kinds:1', name: 'a' }, oid: 16_400, collation: C },
];
/** Collations that exist here, with their oid. */
const COLLATION_OIDS = new Map([
  [formatQualified(DEFAULT), 100],
  [formatQualified(C), 950],
  [formatQualified(POSIX), 951],
  [formatQualified(ODD), 16_405],
]);
const NAMES = ['a', 'b', 'id', 'Ä', 'x y', '1:a', 'a;'];
const TYPMODS = [-1, 44, 104];
const COLLATIONS = [null, DEFAULT, C, POSIX, ODD];
const EXPRESSIONS = [null, '1', "'x'::text", "nextval('public.s'::regclass)", "'1:a'::text", '(price * 2)'];
const GENERATED = ['', 's', 'v'];

const typeCollation = (type: QualifiedName) =>
  TYPES.find((t) => t.type.schema === type.schema && t.type.name === type.name)?.collation ?? null;
/** format_type() here: a function of the parts, as PostgreSQL's is. */
const formatType = (type: QualifiedName & { typmod: number }) => `${formatQualified(type)}${type.typmod >= 0 ? `(${type.typmod})` : ''}`;

const collationOid = (collation: QualifiedName | null) => (collation ? (COLLATION_OIDS.get(formatQualified(collation)) as number) : 0);
const typeOid = (type: QualifiedName) => TYPES.find((t) => t.type.schema === type.schema && t.type.name === type.name)?.oid as number;

const resolved: ResolvedNeeds = {
  types: Object.fromEntries(
    TYPES.flatMap(({ type, oid, collation }) =>
      TYPMODS.map((typmod) => [
        typeKey({ ...type, typmod }),
        {
          text: formatType({ ...type, typmod }),
          collation: collation ? formatQualified(collation) : null,
          oid,
          collationOid: collationOid(collation),
        },
      ]),
    ),
  ),
  missing: [],
  collationOids: Object.fromEntries(COLLATION_OIDS),
};

const remoteColumn = fc.record({
  name: fc.constantFrom(...NAMES),
  type: fc.record({ t: fc.constantFrom(...TYPES), typmod: fc.constantFrom(...TYPMODS) }).map(({ t, typmod }) => ({ ...t.type, typmod })),
  notNull: fc.boolean(),
  collation: fc.constantFrom(...COLLATIONS),
  default: fc.constantFrom(...EXPRESSIONS),
  generated: fc.constantFrom(...GENERATED),
}) satisfies fc.Arbitrary<RemoteColumn>;

const remoteColumns = fc.uniqueArray(remoteColumn, { selector: (c) => c.name, maxLength: 5 });
/** As a real catalog has them: a column has a collation exactly when its type is collatable. */
const realColumns = fc.uniqueArray(
  remoteColumn.chain(
    (column): fc.Arbitrary<RemoteColumn> =>
      typeCollation(column.type)
        ? fc.constantFrom(DEFAULT, C, POSIX, ODD).map((collation) => ({ ...column, collation }))
        : fc.constant({ ...column, collation: null }),
  ),
  { selector: (c) => c.name, maxLength: 5 },
);
const importOptions = fc.record({
  import_collate: fc.boolean(),
  import_default: fc.boolean(),
  import_generated: fc.boolean(),
  import_not_null: fc.boolean(),
}) satisfies fc.Arbitrary<ImportOptions>;
/** Every combination of import options: links with any of them may read one remote table. */
const ALL_OPTION_SETS: ImportOptions[] = Array.from({ length: 16 }, (_, bits) => ({
  import_collate: (bits & 1) !== 0,
  import_default: (bits & 2) !== 0,
  import_generated: (bits & 4) !== 0,
  import_not_null: (bits & 8) !== 0,
}));

/** A local foreign table column as raw parts, by name (the catalog holds oids: catalogColumns()). */
interface LocalRawColumn {
  name: string;
  /** The column_name option. */
  columnName: string | null;
  type: QualifiedName & { typmod: number };
  notNull: boolean;
  collation: QualifiedName | null;
  /** The collation of its type (pg_type.typcollation). */
  typeCollation: QualifiedName | null;
  default: string | null;
  generated: string;
}

/** The columns as pg_attribute holds them. */
function catalogColumns(columns: readonly LocalRawColumn[]): LocalCatalogColumn[] {
  return columns.map((c) => ({
    name: c.name,
    options: c.columnName === null ? null : [`column_name=${c.columnName}`],
    typeOid: typeOid(c.type),
    typmod: c.type.typmod,
    notNull: c.notNull,
    collationOid: collationOid(c.collation),
    generated: c.generated,
    default: c.default,
  }));
}

/** Whether the local database's signature of `local` is the one the planner expects of `remote` with `options`. */
function signaturesMatch(options: ImportOptions, remote: RemoteColumn[], local: LocalRawColumn[]): boolean {
  const table: RemoteTable = { name: 't', kind: 'r', isPartition: false, readable: true, columns: remote };
  return expectedSignature(table, options, resolved) === localSignature(catalogColumns(local));
}

/** The foreign table column datalinks creates for `column` with `options` (see toColumnSpec). */
function created(column: RemoteColumn, options: ImportOptions): LocalRawColumn {
  const ownCollation = typeCollation(column.type);
  const generated = options.import_generated && column.generated === 's';
  const defaulted = options.import_default && column.generated === '';
  return {
    name: column.name,
    columnName: column.name,
    type: column.type,
    notNull: options.import_not_null && column.notNull,
    collation: options.import_collate && column.collation ? column.collation : ownCollation,
    typeCollation: ownCollation,
    default: generated || defaulted ? column.default : null,
    generated: generated && column.default !== null ? 's' : '',
  };
}

/** One edit of a foreign table's columns, by hand or by a remote change made locally. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('name' as const), at: fc.nat(), name: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant('local name only' as const), at: fc.nat(), name: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant('column_name' as const), at: fc.nat(), name: fc.option(fc.constantFrom(...NAMES)) }),
  fc.record({ kind: fc.constant('type' as const), at: fc.nat(), t: fc.constantFrom(...TYPES), typmod: fc.constantFrom(...TYPMODS) }),
  fc.record({ kind: fc.constant('not null' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('collation' as const), at: fc.nat(), collation: fc.constantFrom(...COLLATIONS) }),
  fc.record({ kind: fc.constant('default' as const), at: fc.nat(), text: fc.constantFrom(...EXPRESSIONS) }),
  fc.record({ kind: fc.constant('generated' as const), at: fc.nat(), value: fc.constantFrom('', 's') }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), column: remoteColumn }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(columns: LocalRawColumn[], m: Mutation, options: ImportOptions): LocalRawColumn[] {
  const next = columns.map((c) => ({ ...c }));
  if (m.kind === 'add')
    return [...next.slice(0, m.at % (next.length + 1)), created(m.column, options), ...next.slice(m.at % (next.length + 1))];
  if (next.length === 0) return next;
  const i = m.at % next.length;
  const column = next[i] as LocalRawColumn;
  switch (m.kind) {
    case 'name':
      Object.assign(column, { name: m.name, columnName: m.name });
      break;
    case 'local name only':
      column.name = m.name;
      break;
    case 'column_name':
      column.columnName = m.name;
      break;
    case 'type':
      column.type = { ...m.t.type, typmod: m.typmod };
      column.typeCollation = m.t.collation;
      break;
    case 'not null':
      column.notNull = !column.notNull;
      break;
    case 'collation':
      column.collation = m.collation;
      break;
    case 'default':
      column.default = m.text;
      if (m.text === null) column.generated = '';
      break;
    case 'generated':
      column.generated = column.default === null ? '' : m.value;
      break;
    case 'drop':
      next.splice(i, 1);
      break;
    case 'swap': {
      const j = m.with % next.length;
      [next[i], next[j]] = [next[j] as LocalRawColumn, column];
      break;
    }
  }
  return next;
}

function observedTable(columns: LocalRawColumn[]): ObservedForeignTable {
  return {
    schema: 'billing',
    name: 't',
    server: 'billing',
    owner: 'me',
    options: { schema_name: 'public', table_name: 't' },
    columns: columns.map((c) => ({
      name: c.name,
      columnName: c.columnName,
      type: formatType(c.type),
      notNull: c.notNull,
      collation: c.collation ? formatQualified(c.collation) : null,
      default: c.default,
      generated: c.generated,
    })),
    grants: [],
  };
}

function link(options: ImportOptions): DesiredLink {
  return { name: 'billing', remote: { schema: 'public' }, tables: null, exclude: [], importOptions: options } as unknown as DesiredLink;
}

/** Whether the planner, reading every column, sees no column change. */
function plannerSeesNoChange(remote: RemoteColumn[], local: LocalRawColumn[], options: ImportOptions): boolean {
  const table: RemoteTable = { name: 't', kind: 'r', isPartition: false, readable: true, columns: remote };
  const desired = desiredForeignTables(link(options), [table], resolved);
  expect(desired.problems).toEqual([]);
  return planForeignTable(desired.tables[0] as never, observedTable(local), []).kind === 'same';
}

/**
 * Runs per property in `npm test`; `npm run fuzz -- --properties` runs them ten times longer
 * (DATALINKS_PROPERTY_SCALE=10). Each `npm test` draws new columns, so the short runs add up.
 */
const SCALE = Number(process.env.DATALINKS_PROPERTY_SCALE ?? 1);
const RUNS = { matching: 400 * SCALE, changes: 1000 * SCALE };

describe('column signatures', () => {
  it('match for the foreign table datalinks creates, whatever the columns and import options', () => {
    fc.assert(
      fc.property(realColumns, importOptions, (remote, options) => {
        const local = remote.map((column) => created(column, options));
        expect(plannerSeesNoChange(remote, local, options)).toBe(true);
        expect(signaturesMatch(options, remote, local)).toBe(true);
      }),
      { numRuns: RUNS.matching },
    );
  });

  it('never match when the planner sees a column change: equal signatures mean no change', () => {
    let changes = 0;
    fc.assert(
      fc.property(remoteColumns, importOptions, fc.array(mutation, { minLength: 1, maxLength: 3 }), (remote, options, mutations) => {
        const local = mutations.reduce(
          (columns, m) => mutate(columns, m, options),
          remote.map((column) => created(column, options)),
        );
        const same = plannerSeesNoChange(remote, local, options);
        if (!same) changes++;
        // (Signatures that differ while the columns do not only cost reading that table's columns.)
        if (signaturesMatch(options, remote, local)) expect(same).toBe(true);
        // The same for a link with any other import options reading this remote table.
        for (const other of ALL_OPTION_SETS) {
          if (signaturesMatch(other, remote, local))
            expect({ other, same: plannerSeesNoChange(remote, local, other) }).toEqual({ other, same: true });
        }
      }),
      { numRuns: RUNS.changes },
    );
    expect(changes).toBeGreaterThan(RUNS.changes / 5);
  });

  it('change when the remote changes a column, for every import option that shows it', () => {
    fc.assert(
      fc.property(remoteColumns, importOptions, fc.array(mutation, { minLength: 1, maxLength: 3 }), (remote, options, mutations) => {
        // The same edits made on the remote side instead: the foreign table is as it was created.
        const local = remote.map((column) => created(column, options));
        const changed = remoteFrom(
          mutations.reduce((columns, m) => mutate(columns, m, options), remote.map(asRaw)),
          remote,
        );
        if (signaturesMatch(options, changed, local)) {
          expect(plannerSeesNoChange(changed, local, options)).toBe(true);
        }
        for (const other of ALL_OPTION_SETS) {
          if (signaturesMatch(other, changed, local))
            expect({ other, same: plannerSeesNoChange(changed, local, other) }).toEqual({ other, same: true });
        }
      }),
      { numRuns: RUNS.changes },
    );
  });
});

/** A remote column as raw parts, to edit with the same mutations. */
function asRaw(column: RemoteColumn): LocalRawColumn {
  return {
    name: column.name,
    columnName: null,
    type: column.type,
    notNull: column.notNull,
    collation: column.collation,
    typeCollation: typeCollation(column.type),
    default: column.default,
    generated: column.generated,
  };
}

/** Back to remote columns (names unique, as a table's are). */
function remoteFrom(columns: LocalRawColumn[], _before: RemoteColumn[]): RemoteColumn[] {
  const seen = new Set<string>();
  return columns.flatMap((c) => {
    const name = c.columnName ?? c.name;
    if (seen.has(name)) return [];
    seen.add(name);
    return [{ name, type: c.type, notNull: c.notNull, collation: c.collation, default: c.default, generated: c.generated }];
  });
}

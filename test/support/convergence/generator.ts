import pg from 'pg';
import type { Rng } from './rng.js';

/**
 * Seeded generators of remote schemas and of the DDL and config changes a random walk makes. They
 * decide from what the remote's catalog says now (a `RemoteRelation` snapshot), never from a model
 * of it, so a statement PostgreSQL refuses only costs a step and can never leave the walk confused.
 */

const id = pg.escapeIdentifier;
const lit = pg.escapeLiteral;

/** Objects created the same way on both sides, so that links can use them. */
export const SHARED_OBJECTS_SQL = [
  `CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy')`,
  'CREATE DOMAIN public.positive AS integer CHECK (VALUE > 0)',
  `CREATE TYPE public."Odd ""Type""" AS ENUM ('a b', 'c''d')`,
  'CREATE SEQUENCE public.shared_seq',
  `CREATE SEQUENCE public."odd seq"`,
  `CREATE COLLATION public.shared_coll (provider = libc, locale = 'C')`,
  'CREATE FUNCTION public.twice(integer) RETURNS integer IMMUTABLE LANGUAGE sql AS $$ SELECT $1 * 2 $$',
];

/**
 * Types, a sequence and a function with odd names in the linked schema itself, made on both sides
 * (so locally in a schema of the same name), and a table that uses each in a column or a default:
 * their names travel through format_type, pg_get_expr and the plan's reference checks.
 */
export function linkedSchemaObjectsSql(schema: string): { both: string[]; remote: string[] } {
  const q = (name: string) => `${id(schema)}.${id(name)}`;
  const both = [
    `CREATE TYPE ${q('Odd "Enum"')} AS ENUM ('x', 'y y')`,
    `CREATE DOMAIN ${q('odd dom')} AS text CHECK (VALUE <> '')`,
    `CREATE SEQUENCE ${q('Odd "Seq"')}`,
    `CREATE FUNCTION ${q('Odd "Fn"')}() RETURNS integer IMMUTABLE LANGUAGE sql AS 'SELECT 7'`,
  ];
  const remote = [
    `CREATE TABLE ${q('typed')} (
       e ${q('Odd "Enum"')} DEFAULT 'y y'::${q('Odd "Enum"')},
       arr ${q('Odd "Enum"')}[] DEFAULT '{x}',
       d ${q('odd dom')} DEFAULT 'z'::text,
       n bigint DEFAULT nextval(${lit(q('Odd "Seq"'))}::regclass),
       f integer DEFAULT ${q('Odd "Fn"')}(),
       g integer GENERATED ALWAYS AS (${q('Odd "Fn"')}() + 1) STORED)`,
    `INSERT INTO ${q('typed')} DEFAULT VALUES`,
  ];
  return { both, remote };
}

export interface ColumnType {
  sql: string;
  /** SQL constant expressions of this type. */
  values: string[];
  /** Other default expressions (functions, sequences, expressions). */
  defaults: string[];
  collatable: boolean;
}

function typeOf(rng: Rng): ColumnType {
  return rng.pick(TYPE_FACTORIES)(rng);
}

const INTEGER_DEFAULTS = [
  `nextval('public.shared_seq')`,
  `nextval('public."odd seq"'::regclass)`,
  '(1 + 2)',
  `length('abc')`,
  'public.twice(21)',
];

const TYPE_FACTORIES: ((rng: Rng) => ColumnType)[] = [
  () => ({ sql: 'smallint', values: ['7', '-3'], defaults: ['(2 * 3)'], collatable: false }),
  () => ({ sql: 'integer', values: ['42', '-1'], defaults: INTEGER_DEFAULTS, collatable: false }),
  () => ({ sql: 'bigint', values: ['9000000000'], defaults: INTEGER_DEFAULTS, collatable: false }),
  (rng) => {
    const p = rng.int(1, 14);
    const s = rng.int(0, Math.min(p, 4));
    const whole = p - s > 0 ? '7' : '0';
    return { sql: `numeric(${p},${s})`, values: [s > 0 ? `${whole}.${'5'.repeat(s)}` : whole], defaults: ['(1.5 * 2)'], collatable: false };
  },
  () => ({ sql: 'numeric', values: ['12.50', `'NaN'::numeric`], defaults: [], collatable: false }),
  () => ({ sql: 'real', values: ['1.5', `'Infinity'::real`], defaults: [], collatable: false }),
  () => ({ sql: 'double precision', values: ['2.25'], defaults: ['pi()'], collatable: false }),
  () => ({ sql: 'text', values: [`'it''s'`, `''`, `'ünï'`], defaults: [`lower('ABC')`, `('a'::text || 'b'::text)`], collatable: true }),
  (rng) => {
    const n = rng.int(1, 40);
    return { sql: `varchar(${n})`, values: [`'v'`], defaults: [`upper('v')`], collatable: true };
  },
  () => ({ sql: 'character varying', values: [`'free'`], defaults: [], collatable: true }),
  (rng) => {
    const n = rng.int(1, 10);
    return { sql: `char(${n})`, values: [`'c'`], defaults: [], collatable: true };
  },
  () => ({ sql: 'boolean', values: ['true', 'false'], defaults: ['(1 < 2)'], collatable: false }),
  () => ({
    sql: 'date',
    values: [`'2026-01-02'::date`, `'1999-12-31'::date`, `'infinity'::date`],
    defaults: ['CURRENT_DATE', `('2026-03-04'::date + 1)`],
    collatable: false,
  }),
  (rng) => ({
    sql: rng.pick(['timestamp', 'timestamp(3)', 'timestamp without time zone']),
    values: [`'2026-01-02 03:04:05'::timestamp`, `'2026-07-08 09:10:11.123'::timestamp`],
    defaults: ['LOCALTIMESTAMP', 'now()'],
    collatable: false,
  }),
  (rng) => ({
    sql: rng.pick(['timestamptz', 'timestamp(0) with time zone']),
    values: [`'2026-01-02 03:04:05+02'::timestamptz`, `'2026-07-08 09:10:11'::timestamptz`],
    defaults: ['now()', 'CURRENT_TIMESTAMP', `(now() + '1 day'::interval)`, 'statement_timestamp()'],
    collatable: false,
  }),
  (rng) => ({
    sql: rng.pick(['interval', 'interval(2)', 'interval day to second']),
    values: [`'1 day 02:03:04'::interval`, `'P1Y2M3DT4H5M6S'::interval`, `'-3 hours'::interval`],
    defaults: [`('1 hour'::interval * 2)`],
    collatable: false,
  }),
  () => ({ sql: 'time', values: [`'12:34:56'::time`], defaults: ['LOCALTIME'], collatable: false }),
  () => ({ sql: 'timetz', values: [`'12:34:56+05:30'::timetz`], defaults: ['CURRENT_TIME'], collatable: false }),
  () => ({ sql: 'bytea', values: [`'\\xdeadbeef'::bytea`, `'abc'::bytea`], defaults: [`decode('00ff', 'hex')`], collatable: false }),
  () => ({ sql: 'uuid', values: [`'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`], defaults: ['gen_random_uuid()'], collatable: false }),
  () => ({ sql: 'json', values: [`'{"a": [1, 2]}'::json`], defaults: [`json_build_object('k', 1)`], collatable: false }),
  () => ({ sql: 'jsonb', values: [`'{"a": 1, "b": "x"}'::jsonb`], defaults: [`jsonb_build_object('k', now())`], collatable: false }),
  () => ({ sql: 'integer[]', values: [`'{1,2,3}'::integer[]`], defaults: ['ARRAY[1, 2]'], collatable: false }),
  () => ({ sql: 'text[]', values: [`'{a,"b c"}'::text[]`], defaults: [`ARRAY['x'::text]`], collatable: true }),
  () => ({ sql: 'varchar(8)[]', values: [`'{v}'::varchar(8)[]`], defaults: [], collatable: true }),
  () => ({ sql: 'numeric(6,2)[]', values: [`'{1.25}'::numeric(6,2)[]`], defaults: [], collatable: false }),
  (rng) => ({ sql: rng.pick(['bit(4)', 'varbit(8)']), values: [`B'1010'`], defaults: [], collatable: false }),
  (rng) => ({
    sql: rng.pick(['interval year to month', 'interval minute', 'time(3)', 'timetz(0)']),
    values: ['NULL'],
    defaults: [],
    collatable: false,
  }),
  () => ({ sql: 'money', values: ['12.34::money'], defaults: [], collatable: false }),
  () => ({ sql: 'inet', values: [`'192.168.0.1/24'::inet`], defaults: [`'::1'::inet`], collatable: false }),
  () => ({ sql: 'int4range', values: [`'[1,5)'::int4range`], defaults: ['int4range(1, 10)'], collatable: false }),
  () => ({ sql: 'tsvector', values: [`'a fat cat'::tsvector`], defaults: [`to_tsvector('simple', 'x y')`], collatable: false }),
  () => ({ sql: '"char"', values: [`'x'::"char"`], defaults: [], collatable: false }),
  () => ({ sql: 'name', values: [`'n'::name`], defaults: [], collatable: true }),
  () => ({ sql: 'integer[][]', values: [`'{{1,2},{3,4}}'::integer[]`], defaults: [], collatable: false }),
  () => ({ sql: 'public.positive[]', values: [`'{1,2}'::public.positive[]`], defaults: [], collatable: false }),
  () => ({ sql: 'public.mood', values: [`'ok'::public.mood`], defaults: [], collatable: false }),
  () => ({ sql: 'public.mood[]', values: [`'{sad,happy}'::public.mood[]`], defaults: [], collatable: false }),
  () => ({ sql: 'public.positive', values: ['1', '5'], defaults: [], collatable: false }),
  () => ({ sql: `public."Odd ""Type"""`, values: [`'c''d'::public."Odd ""Type"""`], defaults: [], collatable: false }),
];

const COLLATIONS = ['"C"', '"POSIX"', '"ucs_basic"', 'public.shared_coll', '"default"'];

const NAME_POOL = [
  'orders',
  'customers',
  'id',
  'amount',
  'note',
  'select',
  'user',
  'order',
  'table',
  'MixedCase',
  'with space',
  'Odd "Name"',
  "it's",
  'semi;colon',
  'dot.ted',
  'ünïcødé',
  '日本語',
  'emoji 🎉',
  'x'.repeat(63),
  `${'é'.repeat(31)}z`,
  'trailing ',
  ' leading',
  'back\\slash',
  '$dollar',
  'percent%s',
  '-- not a comment',
];

/** A name not in `taken`, drawn from odd names and plain ones, at most 63 bytes. */
export function freshName(rng: Rng, taken: ReadonlySet<string>, prefix = 't'): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = rng.chance(0.45) ? rng.pick(NAME_POOL) : `${prefix}${rng.int(1, 999)}`;
    let name = base;
    if (taken.has(name)) {
      const suffix = `_${rng.int(1, 99)}`;
      name = `${truncateBytes(base, 63 - Buffer.byteLength(suffix))}${suffix}`;
    }
    if (!taken.has(name)) return name;
  }
  return `${prefix}_${rng.int(1000, 999999)}`;
}

function truncateBytes(text: string, bytes: number): string {
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}

export interface RemoteColumnInfo {
  name: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  generated: boolean;
  identity: boolean;
}

export interface RemoteRelation {
  name: string;
  /** pg_class.relkind */
  kind: string;
  isPartition: boolean;
  /** An inheritance child or a partition: its inherited columns cannot be dropped or renamed alone. */
  inherits: boolean;
  /** The parent (partitioned table or inheritance parent), if any. */
  parent: string | null;
  columns: RemoteColumnInfo[];
}

export type ImportOption = 'import_collate' | 'import_default' | 'import_not_null' | 'import_generated';
export const IMPORT_DEFAULTS: Record<ImportOption, boolean> = {
  import_collate: true,
  import_default: false,
  import_not_null: true,
  import_generated: true,
};

export interface LinkConfig {
  name: string;
  options: Partial<Record<ImportOption, boolean>>;
  filter: { kind: 'all' } | { kind: 'tables'; names: string[] } | { kind: 'exclude'; names: string[] };
}

export interface ColumnRename {
  table: string;
  from: string;
  to: string;
}

export type Step =
  /** `renames`: columns this DDL renames (the walk's oracle of avoidable replacements reads them). */
  | { kind: 'remote'; description: string; sql: string[]; localFix?: string[]; renames?: ColumnRename[] }
  | { kind: 'config'; description: string; apply: (links: LinkConfig[]) => void }
  | { kind: 'local'; description: string; sql: string }
  /** Several of the above between two plans: local views first, then the remote's DDL, then the config. */
  | { kind: 'combined'; description: string; parts: Step[] };

interface ColumnDraft {
  sql: string;
  name: string;
  type: ColumnType;
}

/** One column definition: a type, and perhaps a collation, a default, NOT NULL, identity or generation. */
function columnDefinition(rng: Rng, name: string, siblings: readonly { name: string; type: string }[]): ColumnDraft {
  const intSibling = siblings.find((s) => /^(integer|smallint|bigint)$/.test(s.type));
  const textSibling = siblings.find((s) => s.type === 'text');
  const special = rng.next();
  if (special < 0.06) {
    const type = rng.pick(['integer', 'bigint', 'smallint']);
    const sql = `${id(name)} ${type} GENERATED ${rng.pick(['ALWAYS', 'BY DEFAULT'])} AS IDENTITY`;
    return { sql, name, type: { sql: type, values: ['1'], defaults: [], collatable: false } };
  }
  if (special < 0.14 && (intSibling || textSibling)) {
    const expression = intSibling
      ? rng.pick([`(${id(intSibling.name)} * 2)`, `public.twice(${id(intSibling.name)}::integer)`, `(${id(intSibling.name)}::numeric / 3)`])
      : rng.pick([`upper(${id((textSibling as { name: string }).name)})`, `(${id((textSibling as { name: string }).name)} || '!'::text)`]);
    const type = intSibling ? (expression.includes('numeric') ? 'numeric' : 'bigint') : 'text';
    return {
      sql: `${id(name)} ${type} GENERATED ALWAYS AS (${expression}) STORED`,
      name,
      type: { sql: type, values: [], defaults: [], collatable: false },
    };
  }
  const type = typeOf(rng);
  let sql = `${id(name)} ${type.sql}`;
  if (type.collatable && rng.chance(0.3)) sql += ` COLLATE ${rng.pick(COLLATIONS)}`;
  if (rng.chance(0.45)) sql += ` DEFAULT ${pickDefault(rng, type)}`;
  if (rng.chance(0.3)) sql += ' NOT NULL';
  return { sql, name, type };
}

function pickDefault(rng: Rng, type: ColumnType): string {
  const options = [...type.values, ...type.defaults];
  return options.length > 0 ? rng.pick(options) : 'NULL';
}

/** The columns of a new table, sometimes with a dropped-column hole. */
function tableBody(rng: Rng): { columns: ColumnDraft[]; holes: string[] } {
  const count = rng.weighted([
    [1, 0],
    [6, 1],
    [10, 3],
    [6, 5],
    [2, 9],
  ] as const);
  const taken = new Set<string>();
  const columns: ColumnDraft[] = [];
  for (let i = 0; i < count; i++) {
    const name = freshName(rng, taken, 'c');
    taken.add(name);
    columns.push(
      columnDefinition(
        rng,
        name,
        columns.map((c) => ({ name: c.name, type: c.type.sql })),
      ),
    );
  }
  const holes = rng.chance(0.25) ? [freshName(rng, taken, 'hole')] : [];
  return { columns, holes };
}

function createTableSql(rng: Rng, schema: string, name: string): string[] {
  const { columns, holes } = tableBody(rng);
  const table = qualify(schema, name);
  // Holes go first, so the remote's attnums and the foreign table's differ; a table may have no column at all.
  const definitions = [...holes.map((h) => `${id(h)} integer`), ...columns.map((c) => c.sql)];
  return [`CREATE TABLE ${table} (${definitions.join(', ')})`, ...holes.map((hole) => `ALTER TABLE ${table} DROP COLUMN ${id(hole)}`)];
}

/** The first remote schema of a walk: a handful of every kind of relation. */
export function initialSchema(rng: Rng, schema: string): string[] {
  const sql: string[] = [];
  const taken = new Set<string>();
  const count = rng.int(3, 6);
  for (let i = 0; i < count; i++) {
    const name = freshName(rng, taken);
    taken.add(name);
    sql.push(...createTableSql(rng, schema, name));
  }
  return sql;
}

const qualify = (schema: string, name: string) => `${id(schema)}.${id(name)}`;

/** One random step of the walk, decided from the remote as it is now and the current config. */
export function nextStep(
  rng: Rng,
  schema: string,
  remote: readonly RemoteRelation[],
  links: readonly LinkConfig[],
  counter: number,
  /** Mostly combined steps (a walk of `npm test` that must meet them). */
  combined = false,
): Step {
  const rel = (name: string) => qualify(schema, name);
  const names = new Set(remote.map((r) => r.name));
  const tables = remote.filter((r) => r.kind === 'r' || r.kind === 'p');
  const kind =
    combined && rng.chance(0.75)
      ? 'combined'
      : rng.weighted([
          [6, 'create_table'],
          [3, 'create_special'],
          [3, 'drop_table'],
          [2, 'recreate_table'],
          [1, 'rename_table'],
          [3, 'reparent'],
          [8, 'add_column'],
          [5, 'drop_column'],
          [4, 'rename_column'],
          [5, 'retype_column'],
          [5, 'change_default'],
          [3, 'change_not_null'],
          [2, 'change_generation'],
          [5, 'compound'],
          [5, 'combined'],
          [2, 'remote_only_object'],
          [3, 'flip_option'],
          [3, 'change_filter'],
          [4, 'local_view'],
          [3, 'local_drift'],
        ] as const);
  const table = tables.length > 0 ? rng.pick(tables) : null;
  switch (kind) {
    case 'create_table': {
      const name = freshName(rng, names);
      return { kind: 'remote', description: `create table ${JSON.stringify(name)}`, sql: createTableSql(rng, schema, name) };
    }
    case 'create_special':
      return createSpecial(rng, schema, names, tables);
    case 'drop_table': {
      const victim = remote.length > 0 ? rng.pick(remote) : null;
      if (!victim) break;
      const what = { r: 'TABLE', p: 'TABLE', v: 'VIEW', m: 'MATERIALIZED VIEW', f: 'FOREIGN TABLE' }[victim.kind] ?? 'TABLE';
      return { kind: 'remote', description: `drop ${JSON.stringify(victim.name)}`, sql: [`DROP ${what} ${rel(victim.name)} CASCADE`] };
    }
    case 'recreate_table': {
      if (!table || table.isPartition) break;
      return {
        kind: 'remote',
        description: `drop and recreate table ${JSON.stringify(table.name)} with other columns`,
        sql: [`DROP TABLE ${rel(table.name)} CASCADE`, ...createTableSql(rng, schema, table.name)],
      };
    }
    case 'reparent': {
      // A partition detached becomes a table of its own (imported without being named); a table
      // attached becomes a partition (no longer imported unless named); an inheritance child is cut loose.
      const partition = remote.find((r) => r.isPartition);
      const partitioned = remote.filter((r) => r.kind === 'p');
      const child = remote.find((r) => r.inherits && !r.isPartition);
      const choice = rng.pick(['detach', 'attach', 'no_inherit'] as const);
      if (choice === 'detach' && partition?.parent) {
        return {
          kind: 'remote',
          description: `detach partition ${JSON.stringify(partition.name)}`,
          sql: [`ALTER TABLE ${rel(partition.parent)} DETACH PARTITION ${rel(partition.name)}`],
        };
      }
      if (choice === 'attach' && partitioned.length > 0) {
        const parent = rng.pick(partitioned);
        const part = freshName(rng, names, 'attached');
        const value = rng.int(100, 100000);
        return {
          kind: 'remote',
          description: `create table ${JSON.stringify(part)} like ${JSON.stringify(parent.name)} and attach it as a partition`,
          sql: [
            `CREATE TABLE ${rel(part)} (LIKE ${rel(parent.name)} INCLUDING DEFAULTS INCLUDING GENERATED)`,
            `ALTER TABLE ${rel(parent.name)} ATTACH PARTITION ${rel(part)} FOR VALUES IN (${value})`,
          ],
        };
      }
      if (child?.parent) {
        return {
          kind: 'remote',
          description: `cut ${JSON.stringify(child.name)} loose from its parent`,
          sql: [`ALTER TABLE ${rel(child.name)} NO INHERIT ${rel(child.parent)}`],
        };
      }
      break;
    }
    case 'rename_table': {
      if (!table) break;
      const to = freshName(rng, names);
      return {
        kind: 'remote',
        description: `rename table ${JSON.stringify(table.name)} to ${JSON.stringify(to)}`,
        sql: [`ALTER TABLE ${rel(table.name)} RENAME TO ${id(to)}`],
      };
    }
    case 'add_column':
    case 'drop_column':
    case 'rename_column':
    case 'retype_column':
    case 'change_default':
    case 'change_not_null':
    case 'change_generation': {
      if (!table) break;
      const action = columnAction(rng, kind, schema, table.name, [...table.columns]);
      if (!action) break;
      return { kind: 'remote', description: action.description, sql: action.sql };
    }
    case 'compound': {
      // Several column changes to one table between two plans: the in-place planner must untangle them.
      if (!table) break;
      const columns = [...table.columns];
      const actions = [];
      for (let i = rng.int(2, 4); i > 0; i--) {
        const sub = rng.pick(['add_column', 'drop_column', 'rename_column', 'retype_column', 'change_default', 'change_not_null'] as const);
        const action = columnAction(rng, sub, schema, table.name, columns);
        if (action) actions.push(action);
      }
      if (actions.length === 0) break;
      return {
        kind: 'remote',
        description: `on ${JSON.stringify(table.name)} at once: ${actions.map((a) => a.description.replace(/ (of|to|on) .*$/, '')).join('; ')}`,
        sql: actions.flatMap((a) => a.sql),
      };
    }
    case 'combined': {
      // Several remote column changes and import option flips between two plans, with a local view over
      // a column that none of them touches: whatever each can do in place, all together must too (issue 25 §2).
      if (!table || table.columns.length === 0) break;
      const columns = [...table.columns];
      const kept = rng.pick(columns);
      const link = rng.pick(links);
      const view = `lv_${counter}`;
      const parts: Step[] = [
        {
          kind: 'local',
          description: `local view public.${view} over ${link.name}.${JSON.stringify(table.name)}.${JSON.stringify(kept.name)}`,
          sql: `CREATE VIEW public.${id(view)} AS SELECT ${id(kept.name)} FROM ${id(link.name)}.${id(table.name)}`,
        },
      ];
      const actions = [];
      // A rename and a drop in one step can be told apart only by the remote's history, not its catalog: one or the other.
      const renaming = rng.chance(0.4);
      const kinds = [
        'add_column',
        renaming ? 'rename_column' : 'drop_column',
        'retype_column',
        'retype_column',
        'change_default',
        'change_not_null',
      ] as const;
      for (let i = rng.int(1, 3); i > 0; i--) {
        const action = columnAction(rng, rng.pick(kinds), schema, table.name, columns, new Set([kept.name]));
        if (action) actions.push(action);
      }
      if (actions.length > 0) {
        parts.push({
          kind: 'remote',
          description: actions.map((a) => a.description).join('; '),
          sql: actions.flatMap((a) => a.sql),
          renames: actions.flatMap((a) => (a.rename ? [{ table: table.name, ...a.rename }] : [])),
        });
      }
      const flips = rng.subset(Object.keys(IMPORT_DEFAULTS) as ImportOption[], 0.35);
      for (const option of flips.length > 0 ? flips : [rng.pick(['import_default', 'import_not_null'] as const)]) {
        const flipped = rng.chance(0.7) ? link : rng.pick(links);
        const now = flipped.options[option] ?? IMPORT_DEFAULTS[option];
        parts.push({
          kind: 'config',
          description: `link ${flipped.name}: ${option} ${now} → ${!now}`,
          apply: (all) => {
            const target = all.find((l) => l.name === flipped.name) as LinkConfig;
            target.options[option] = !(target.options[option] ?? IMPORT_DEFAULTS[option]);
          },
        });
      }
      return { kind: 'combined', description: `combined on ${JSON.stringify(table.name)}`, parts };
    }
    case 'remote_only_object': {
      if (!table) break;
      return remoteOnlyObject(rng, schema, table, counter);
    }
    case 'flip_option': {
      const link = rng.pick(links);
      const option = rng.pick(Object.keys(IMPORT_DEFAULTS) as ImportOption[]);
      const now = link.options[option] ?? IMPORT_DEFAULTS[option];
      return {
        kind: 'config',
        description: `link ${link.name}: ${option} ${now} → ${!now}`,
        apply: (all) => {
          const target = all.find((l) => l.name === link.name) as LinkConfig;
          target.options[option] = !now;
        },
      };
    }
    case 'change_filter': {
      const link = rng.pick(links);
      const filter = randomFilter(rng, remote);
      return {
        kind: 'config',
        description: `link ${link.name}: filter ${JSON.stringify(filter)}`,
        apply: (all) => {
          (all.find((l) => l.name === link.name) as LinkConfig).filter = filter;
        },
      };
    }
    case 'local_drift': {
      // Someone changed a foreign table by hand: the next plan must put it back as IMPORT makes it.
      const link = rng.pick(links);
      const source = remote.length > 0 ? rng.pick(remote) : null;
      if (!source) break;
      const ft = `${id(link.name)}.${id(source.name)}`;
      const col = source.columns.length > 0 ? id(rng.pick(source.columns).name) : null;
      const other = source.columns.length > 0 ? rng.pick(source.columns).name : 'nothing';
      const drifts = [
        `DROP FOREIGN TABLE ${ft}`,
        `ALTER FOREIGN TABLE ${ft} ADD COLUMN ${id(freshName(rng, new Set(source.columns.map((c) => c.name)), 'local'))} text`,
        `ALTER FOREIGN TABLE ${ft} OPTIONS (SET table_name 'elsewhere')`,
        `ALTER FOREIGN TABLE ${ft} OPTIONS (ADD updatable 'true')`,
        ...(col
          ? [
              `ALTER FOREIGN TABLE ${ft} DROP COLUMN ${col}`,
              `ALTER FOREIGN TABLE ${ft} ALTER COLUMN ${col} TYPE text`,
              `ALTER FOREIGN TABLE ${ft} ALTER COLUMN ${col} SET DEFAULT NULL`,
              `ALTER FOREIGN TABLE ${ft} ALTER COLUMN ${col} SET NOT NULL`,
              `ALTER FOREIGN TABLE ${ft} ALTER COLUMN ${col} DROP NOT NULL`,
              `ALTER FOREIGN TABLE ${ft} ALTER COLUMN ${col} OPTIONS (SET column_name ${lit(other)})`,
              `ALTER FOREIGN TABLE ${ft} RENAME COLUMN ${col} TO ${id(`${other.slice(0, 40)}_renamed`)}`,
            ]
          : []),
      ];
      const sql = rng.pick(drifts);
      return { kind: 'local', description: `local drift: ${sql}`, sql };
    }
    case 'local_view': {
      // A view over one column (kept by in-place fixes of the others), over the whole row, a
      // materialized view, or a view over an earlier local view (dropped only along with it).
      const link = rng.pick(links);
      const over = remote.filter((r) => r.columns.length > 0);
      if (over.length === 0) break;
      const source = rng.pick(over);
      const col = rng.pick(source.columns);
      const view = `lv_${counter}`;
      const from = `${id(link.name)}.${id(source.name)}`;
      const shape = rng.pick(['column', 'column', 'row', 'matview', 'chain'] as const);
      const sql =
        shape === 'column'
          ? `CREATE VIEW public.${id(view)} AS SELECT ${id(col.name)} FROM ${from}`
          : shape === 'row'
            ? `CREATE VIEW public.${id(view)} AS SELECT * FROM ${from}`
            : shape === 'matview'
              ? `CREATE MATERIALIZED VIEW public.${id(view)} AS SELECT ${id(col.name)} FROM ${from} WITH NO DATA`
              : `CREATE VIEW public.${id(view)} AS SELECT * FROM public.${id(`lv_${rng.int(1, Math.max(1, counter - 1))}`)}`;
      return { kind: 'local', description: `local ${shape} view public.${view}: ${sql}`, sql };
    }
  }
  const name = freshName(rng, names);
  return { kind: 'remote', description: `create table ${JSON.stringify(name)}`, sql: createTableSql(rng, schema, name) };
}

type ColumnActionKind =
  | 'add_column'
  | 'drop_column'
  | 'rename_column'
  | 'retype_column'
  | 'change_default'
  | 'change_not_null'
  | 'change_generation';

/**
 * One change to one column of `table`; `columns` (the table's, as the remote has them) is updated to
 * match, so that several changes can be chained in one step. Null when the table offers no column for
 * it. Columns named in `untouched` are left as they are (a local view reads them).
 */
function columnAction(
  rng: Rng,
  kind: ColumnActionKind,
  schema: string,
  table: string,
  columns: RemoteColumnInfo[],
  untouched: ReadonlySet<string> = new Set(),
): { description: string; sql: string[]; rename?: { from: string; to: string } } | null {
  const t = qualify(schema, table);
  const alter = (action: string) => `ALTER TABLE ${t} ${action}`;
  const touchable = columns.filter((c) => !untouched.has(c.name));
  const plain = touchable.filter((c) => !c.generated && !c.identity);
  const picked = touchable.length > 0 ? rng.pick(touchable) : undefined;
  const index = picked ? columns.indexOf(picked) : -1;
  const column = picked;
  const where = column ? `${JSON.stringify(table)}.${JSON.stringify(column.name)}` : '';
  switch (kind) {
    case 'add_column': {
      const name = freshName(rng, new Set(columns.map((c) => c.name)), 'c');
      const draft = columnDefinition(rng, name, columns);
      columns.push({ name, type: draft.type.sql, notNull: false, hasDefault: false, generated: false, identity: false });
      return { description: `add column ${draft.sql} to ${JSON.stringify(table)}`, sql: [alter(`ADD COLUMN ${draft.sql}`)] };
    }
    case 'drop_column':
      if (!column) return null;
      columns.splice(index, 1);
      return { description: `drop column ${where}`, sql: [alter(`DROP COLUMN ${id(column.name)} CASCADE`)] };
    case 'rename_column': {
      if (!column) return null;
      const to = freshName(rng, new Set(columns.map((c) => c.name)), 'c');
      columns[index] = { ...column, name: to };
      return {
        description: `rename column ${where} to ${JSON.stringify(to)}`,
        sql: [alter(`RENAME COLUMN ${id(column.name)} TO ${id(to)}`)],
        rename: { from: column.name, to },
      };
    }
    case 'retype_column': {
      const target = plain.length > 0 ? rng.pick(plain) : null;
      if (!target) return null;
      const type = typeOf(rng);
      const collate = type.collatable && rng.chance(0.3) ? ` COLLATE ${rng.pick(COLLATIONS)}` : '';
      const using = type.values.length > 0 && target.notNull ? rng.pick(type.values) : `NULL::${type.sql}`;
      const c = id(target.name);
      const sql = [alter(`ALTER COLUMN ${c} DROP DEFAULT`), alter(`ALTER COLUMN ${c} TYPE ${type.sql}${collate} USING ${using}`)];
      if (rng.chance(0.4)) sql.push(alter(`ALTER COLUMN ${c} SET DEFAULT ${pickDefault(rng, type)}`));
      target.type = type.sql;
      return { description: `retype column ${JSON.stringify(table)}.${JSON.stringify(target.name)} to ${type.sql}${collate}`, sql };
    }
    case 'change_default': {
      const target = plain.length > 0 ? rng.pick(plain) : null;
      if (!target) return null;
      const type = TYPE_BY_NAME.get(target.type);
      const drop = (target.hasDefault && rng.chance(0.4)) || !type;
      const action = drop ? 'DROP DEFAULT' : `SET DEFAULT ${pickDefault(rng, type)}`;
      target.hasDefault = !drop;
      return {
        description: `${action} on ${JSON.stringify(table)}.${JSON.stringify(target.name)}`,
        sql: [alter(`ALTER COLUMN ${id(target.name)} ${action}`)],
      };
    }
    case 'change_not_null': {
      if (!column || column.identity) return null;
      const action = column.notNull ? 'DROP NOT NULL' : 'SET NOT NULL';
      columns[index] = { ...column, notNull: !column.notNull };
      return { description: `${action} on ${where}`, sql: [alter(`ALTER COLUMN ${id(column.name)} ${action}`)] };
    }
    case 'change_generation': {
      // PostgreSQL 17: a generated column gets another expression, or becomes a plain column;
      // an integer column becomes an identity column, or stops being one.
      const generated = columns.filter((c) => c.generated);
      const ints = columns.filter((c) => !c.generated && /^(integer|smallint|bigint)$/.test(c.type));
      if (generated.length > 0 && rng.chance(0.6)) {
        const target = rng.pick(generated);
        const other = ints.find((c) => c !== target);
        const c = id(target.name);
        if (rng.chance(0.5) || !other) {
          target.generated = false;
          return {
            description: `DROP EXPRESSION of ${JSON.stringify(table)}.${JSON.stringify(target.name)}`,
            sql: [alter(`ALTER COLUMN ${c} DROP EXPRESSION`)],
          };
        }
        return {
          description: `SET EXPRESSION of ${JSON.stringify(table)}.${JSON.stringify(target.name)} over ${JSON.stringify(other.name)}`,
          sql: [alter(`ALTER COLUMN ${c} SET EXPRESSION AS (${id(other.name)} + 1)`)],
        };
      }
      const target = ints.length > 0 ? rng.pick(ints) : null;
      if (!target) return null;
      const c = id(target.name);
      if (target.identity) {
        target.identity = false;
        return {
          description: `DROP IDENTITY of ${JSON.stringify(table)}.${JSON.stringify(target.name)}`,
          sql: [alter(`ALTER COLUMN ${c} DROP IDENTITY`)],
        };
      }
      target.identity = true;
      return {
        description: `ADD IDENTITY to ${JSON.stringify(table)}.${JSON.stringify(target.name)}`,
        sql: [
          alter(`ALTER COLUMN ${c} DROP DEFAULT`),
          alter(`ALTER COLUMN ${c} SET NOT NULL`),
          alter(`ALTER COLUMN ${c} ADD GENERATED BY DEFAULT AS IDENTITY`),
        ],
      };
    }
  }
}

/** Column types by the name format_type gives them, for defaults of existing columns. */
const TYPE_BY_NAME = new Map<string, ColumnType>([
  ['integer', { sql: 'integer', values: ['5'], defaults: INTEGER_DEFAULTS, collatable: false }],
  ['bigint', { sql: 'bigint', values: ['5'], defaults: INTEGER_DEFAULTS, collatable: false }],
  ['text', { sql: 'text', values: [`'t'`, `'o''k'`], defaults: [`lower('ABC')`], collatable: true }],
  ['boolean', { sql: 'boolean', values: ['true'], defaults: [], collatable: false }],
  ['date', { sql: 'date', values: [`'2030-05-06'::date`], defaults: ['CURRENT_DATE'], collatable: false }],
  [
    'timestamp with time zone',
    { sql: 'timestamptz', values: [`'2026-01-02 03:04:05-07'::timestamptz`], defaults: ['now()'], collatable: false },
  ],
  ['timestamp without time zone', { sql: 'timestamp', values: [`'2026-01-02 03:04:05'::timestamp`], defaults: [], collatable: false }],
  ['interval', { sql: 'interval', values: [`'2 days 1 hour'::interval`], defaults: [], collatable: false }],
  ['bytea', { sql: 'bytea', values: [`'\\x00ff'::bytea`], defaults: [], collatable: false }],
  ['jsonb', { sql: 'jsonb', values: [`'[1, "two"]'::jsonb`], defaults: [], collatable: false }],
  ['uuid', { sql: 'uuid', values: [], defaults: ['gen_random_uuid()'], collatable: false }],
]);

function randomFilter(rng: Rng, remote: readonly RemoteRelation[]): LinkConfig['filter'] {
  const kind = rng.weighted([
    [2, 'all'],
    [3, 'tables'],
    [2, 'exclude'],
  ] as const);
  if (kind === 'all' || remote.length === 0) return { kind: 'all' };
  // `tables` may name partitions (IMPORT imports those only when named); `exclude` never needs to.
  const names = rng.subset(
    remote.filter((r) => kind === 'tables' || !r.isPartition).map((r) => r.name),
    0.5,
  );
  if (names.length === 0) return kind === 'tables' ? { kind: 'tables', names: [(remote[0] as RemoteRelation).name] } : { kind: 'all' };
  return { kind, names };
}

/** A view, a materialized view, a partitioned table with partitions, or an inheritance child. */
function createSpecial(rng: Rng, schema: string, names: Set<string>, tables: readonly RemoteRelation[]): Step {
  const rel = (name: string) => qualify(schema, name);
  const name = freshName(rng, names);
  names.add(name);
  const what = rng.pick(['view', 'matview', 'partitioned', 'inherits'] as const);
  const source = tables.filter((t) => !t.isPartition);
  if ((what === 'view' || what === 'matview') && source.length > 0) {
    const from = rng.pick(source);
    const cols = rng.subset(from.columns, 0.6);
    const select = [...cols.map((c) => id(c.name)), `'x'::text AS ${id(freshName(rng, new Set(cols.map((c) => c.name)), 'label'))}`];
    return {
      kind: 'remote',
      description: `create ${what === 'view' ? 'view' : 'materialized view'} ${JSON.stringify(name)} over ${JSON.stringify(from.name)}`,
      sql: [`CREATE ${what === 'view' ? 'VIEW' : 'MATERIALIZED VIEW'} ${rel(name)} AS SELECT ${select.join(', ')} FROM ${rel(from.name)}`],
    };
  }
  if (what === 'inherits' && source.some((t) => t.kind === 'r')) {
    const parent = rng.pick(source.filter((t) => t.kind === 'r'));
    const extra = columnDefinition(rng, freshName(rng, new Set(parent.columns.map((c) => c.name)), 'c'), []);
    return {
      kind: 'remote',
      description: `create ${JSON.stringify(name)} inheriting from ${JSON.stringify(parent.name)}`,
      sql: [`CREATE TABLE ${rel(name)} (${extra.sql}) INHERITS (${rel(parent.name)})`],
    };
  }
  const { columns } = tableBody(rng);
  const key = freshName(rng, new Set(columns.map((c) => c.name)), 'k');
  const sql = [
    `CREATE TABLE ${rel(name)} (${[`${id(key)} integer NOT NULL`, ...columns.map((c) => c.sql)].join(', ')}) PARTITION BY LIST (${id(key)})`,
  ];
  const parts = rng.int(1, 2);
  for (let i = 0; i < parts; i++) {
    const part = freshName(rng, names, `${name.slice(0, 20)}_p`);
    names.add(part);
    sql.push(`CREATE TABLE ${rel(part)} PARTITION OF ${rel(name)} FOR VALUES IN (${i + 1})`);
  }
  return { kind: 'remote', description: `create partitioned table ${JSON.stringify(name)} with ${parts} partition(s)`, sql };
}

/**
 * A type, sequence, collation or function that exists only on the remote, used by a new column:
 * IMPORT FOREIGN SCHEMA cannot make that column locally (when the import options bring it in), so
 * the plan must say so. `localFix` is what a user does about it: create the object locally too.
 */
function remoteOnlyObject(rng: Rng, schema: string, table: RemoteRelation, counter: number): Step {
  const column = id(freshName(rng, new Set(table.columns.map((c) => c.name)), 'c'));
  const t = qualify(schema, table.name);
  const what = rng.pick(['enum', 'domain', 'sequence', 'collation', 'function', 'serial'] as const);
  const objectName = `only_remote_${what}_${counter}`;
  const object = `public.${id(objectName)}`;
  let create: string;
  let use: string;
  switch (what) {
    case 'enum':
      create = `CREATE TYPE ${object} AS ENUM ('x', 'y')`;
      use = `ALTER TABLE ${t} ADD COLUMN ${column} ${object}`;
      break;
    case 'domain':
      create = `CREATE DOMAIN ${object} AS text CHECK (VALUE <> '')`;
      use = `ALTER TABLE ${t} ADD COLUMN ${column} ${object}`;
      break;
    case 'sequence':
      create = `CREATE SEQUENCE ${object}`;
      use = `ALTER TABLE ${t} ADD COLUMN ${column} bigint DEFAULT nextval(${lit(object)})`;
      break;
    case 'collation':
      create = `CREATE COLLATION ${object} (provider = libc, locale = 'POSIX')`;
      use = `ALTER TABLE ${t} ADD COLUMN ${column} text COLLATE ${object}`;
      break;
    case 'function':
      create = `CREATE FUNCTION ${object}() RETURNS integer IMMUTABLE LANGUAGE sql AS 'SELECT 7'`;
      use = `ALTER TABLE ${t} ADD COLUMN ${column} integer ${rng.chance(0.5) ? `DEFAULT ${object}()` : `GENERATED ALWAYS AS (${object}()) STORED`}`;
      break;
    case 'serial': {
      // serial makes its own sequence, named after the table: create one locally under that name too.
      return {
        kind: 'remote',
        description: `add serial column ${column} to ${JSON.stringify(table.name)} (its sequence exists only on the remote)`,
        sql: [`ALTER TABLE ${t} ADD COLUMN ${column} serial`],
        localFix: [`SERIAL:${table.name}`],
      };
    }
  }
  return {
    kind: 'remote',
    description: `add column ${column} to ${JSON.stringify(table.name)} using ${what} ${objectName}, which exists only on the remote`,
    sql: [create, use],
    localFix: [create],
  };
}

import type { Rng } from '../convergence/rng.js';
import { CHARSETS, type Charset, randomText } from './charsets.js';

/**
 * The value walk's model of MariaDB columns: for each type at a random width, its declaration, edge
 * and random values as MariaDB literals, what `plan` must make of it, and how each side writes a
 * value as exact text (so that a lost digit, byte or character shows).
 */

/** mysql_fdw 2.8's bytea buffer with MariaDB Connector/C: a longer value ends a read through the link. */
export const BYTEA_LIMIT = 8192;

/** How a value is compared: the expression each side writes it with, and the step that makes the two texts comparable. */
export type Comparison =
  | 'integer'
  | 'decimal'
  | 'double'
  | 'bit1'
  | { bits: number }
  | 'date'
  | 'datetime'
  | 'time'
  | 'text'
  | 'bytes'
  | 'uuid'
  | 'inet4'
  | 'inet6';

export interface ColumnModel {
  name: string;
  /** The type family, for the walk's statistics. */
  family: string;
  declaration: string;
  /** Bytes toward MariaDB's 65,535-byte row (0: stored apart, as blobs and texts are). */
  rowBytes: number;
  /** What plan must say of it: refused (and why), or linked, with the read limit it must warn about. */
  expect: { refused: 'rounded' } | { refused: null; limit: number | null };
  comparison: Comparison;
  /** Edge values first (NULL is added by the walk), as MariaDB SQL literals. */
  edges: string[];
  random(rng: Rng, long: boolean): string;
}

export interface TableModel {
  name: string;
  columns: ColumnModel[];
  /** Rows, each a literal per column (after `id`). */
  rows: string[][];
}

const hexText = (text: string) => `_utf8mb4 X'${Buffer.from(text, 'utf8').toString('hex')}'`;
const hexBytes = (bytes: Buffer) => `X'${bytes.toString('hex')}'`;
const quote = (text: string) => `'${text}'`;

function randomBigInt(rng: Rng, below: bigint): bigint {
  let value = 0n;
  for (let i = 0; i < 3; i++) value = (value << 32n) | BigInt(rng.int(0, 0xffffffff));
  return value % below;
}

function randomBytes(rng: Rng, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  const mode = rng.int(0, 2);
  for (let i = 0; i < length; i++) bytes[i] = mode === 0 ? rng.int(0, 255) : mode === 1 ? (i * 7) & 255 : rng.pick([0, 255, 0x27, 0x5c]);
  return bytes;
}

function digits(rng: Rng, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += String(rng.int(0, 9));
  return text;
}

/** A decimal literal with at most `whole` digits before the point and exactly `scale` after. */
function decimalLiteral(rng: Rng, whole: number, scale: number, signed: boolean): string {
  const int = whole === 0 ? '0' : digits(rng, rng.int(1, whole)).replace(/^0+(?=\d)/, '');
  const sign = signed && rng.chance(0.4) ? '-' : '';
  return `${sign}${int}${scale > 0 ? `.${digits(rng, scale)}` : ''}`;
}

function randomDouble(rng: Rng): string {
  const view = new DataView(new ArrayBuffer(8));
  for (;;) {
    view.setUint32(0, rng.int(0, 0xffffffff));
    view.setUint32(4, rng.int(0, 0xffffffff));
    const value = view.getFloat64(0);
    if (Number.isFinite(value)) return Object.is(value, -0) ? '-0e0' : value.toString().replace(/e\+?/, 'e');
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function randomDate(rng: Rng, from: number, to: number): string {
  const year = rng.int(from, to);
  const month = rng.int(1, 12);
  const day = rng.int(1, month === 2 && !leap(year) ? 28 : (DAYS[month - 1] as number));
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** The first `length` characters. */
const cut = (text: string, length: number) => [...text].slice(0, length).join('');
const fraction = (rng: Rng, precision: number) => (precision > 0 ? `.${digits(rng, precision)}` : '');
const randomClock = (rng: Rng) => `${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}`;

function integerColumn(rng: Rng): Omit<ColumnModel, 'name'> {
  const [type, bits, bytes] = rng.pick([
    ['tinyint', 8, 1],
    ['smallint', 16, 2],
    ['mediumint', 24, 3],
    ['int', 32, 4],
    ['bigint', 64, 8],
  ] as const);
  const zerofill = rng.chance(0.15);
  // ZEROFILL makes the column unsigned too.
  const unsigned = zerofill || rng.chance(0.4);
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const width = type === 'tinyint' && rng.chance(0.3) ? '(1)' : zerofill ? `(${rng.int(1, 20)})` : '';
  return {
    family: type,
    declaration: `${type}${width}${unsigned ? ' unsigned' : ''}${zerofill ? ' zerofill' : ''}`,
    rowBytes: bytes,
    expect: { refused: null, limit: null },
    comparison: 'integer',
    edges: [min, max, 0n, unsigned ? 1n : -1n, max - 1n].map(String),
    random: (r) => String(min + randomBigInt(r, max - min + 1n)),
  };
}

function decimalColumn(rng: Rng): Omit<ColumnModel, 'name'> {
  const precision = rng.weighted([
    [3, rng.int(1, 20)],
    [2, rng.int(21, 65)],
    [1, 65],
  ]);
  const scale = rng.chance(0.2) ? 0 : rng.int(0, Math.min(precision, 30));
  const unsigned = rng.chance(0.2);
  const whole = precision - scale;
  const nines = `${whole > 0 ? '9'.repeat(whole) : '0'}${scale > 0 ? `.${'9'.repeat(scale)}` : ''}`;
  const smallest = scale > 0 ? `0.${'0'.repeat(scale - 1)}1` : '1';
  return {
    family: 'decimal',
    declaration: `decimal(${precision},${scale})${unsigned ? ' unsigned' : ''}`,
    rowBytes: 30,
    expect: { refused: null, limit: null },
    comparison: 'decimal',
    edges: [nines, unsigned ? '0' : `-${nines}`, '0', smallest, unsigned ? smallest : `-${smallest}`],
    random: (r) => decimalLiteral(r, whole, scale, !unsigned),
  };
}

function floatColumn(rng: Rng): Omit<ColumnModel, 'name'> {
  const fixed = rng.chance(0.3) ? { m: rng.int(2, 20), d: 0 } : null;
  if (fixed) fixed.d = rng.int(0, Math.min(fixed.m - 1, 10));
  return {
    family: 'float',
    declaration: fixed ? `float(${fixed.m},${fixed.d})` : 'float',
    rowBytes: 4,
    expect: { refused: 'rounded' },
    comparison: 'double',
    edges: fixed
      ? ['0', `${'9'.repeat(Math.min(fixed.m - fixed.d, 7))}`, `-1${fixed.d > 0 ? `.${'5'.padEnd(fixed.d, '0')}` : ''}`]
      : ['123456.789', '16777216', '3.4028234e38', '-3.4028234e38', '1.17549435e-38', '0.1', '0'],
    random: (r) =>
      fixed
        ? decimalLiteral(r, Math.min(fixed.m - fixed.d, 7), fixed.d, true)
        : String(Math.fround(randomDoubleNumber(r, 38))).replace(/e\+?/, 'e'),
  };
}

function randomDoubleNumber(rng: Rng, maxExponent: number): number {
  const mantissa = rng.next() * (rng.chance(0.5) ? 1 : -1);
  return mantissa * 10 ** rng.int(-maxExponent, maxExponent);
}

function doubleColumn(rng: Rng): Omit<ColumnModel, 'name'> {
  const fixed = rng.chance(0.25) ? { m: rng.int(1, 40), d: 0 } : null;
  if (fixed) fixed.d = rng.int(0, Math.min(fixed.m - 1, 30));
  const whole = fixed ? Math.min(fixed.m - fixed.d, 15) : 0;
  return {
    family: 'double',
    declaration: fixed ? `double(${fixed.m},${fixed.d})` : rng.pick(['double', 'real', 'double precision']),
    rowBytes: 8,
    expect: { refused: null, limit: null },
    comparison: 'double',
    edges: fixed
      ? ['0', whole > 0 ? '9'.repeat(whole) : '0', fixed.d > 0 ? `-0.${'0'.repeat(fixed.d - 1)}1` : '-1']
      : [
          '0',
          '-0e0',
          '5e-324',
          '-5e-324',
          '2.2250738585072014e-308',
          '1.7976931348623157e308',
          '-1.7976931348623157e308',
          '0.1',
          '0.3333333333333333',
          '123456789012345680',
          '9007199254740993',
        ],
    random: (r) =>
      fixed
        ? decimalLiteral(r, whole, fixed.d, true)
        : r.chance(0.5)
          ? randomDouble(r)
          : String(randomDoubleNumber(r, 300)).replace(/e\+?/, 'e'),
  };
}

function bitColumn(rng: Rng): Omit<ColumnModel, 'name'> {
  const bits = rng.chance(0.2) ? 1 : rng.int(1, 64);
  const bin = (value: bigint) => `b'${value.toString(2)}'`;
  const max = (1n << BigInt(bits)) - 1n;
  return {
    family: 'bit',
    declaration: `bit(${bits})`,
    rowBytes: Math.ceil(bits / 8),
    expect: { refused: null, limit: null },
    comparison: bits === 1 ? 'bit1' : { bits },
    edges: [0n, 1n, max, 1n << BigInt(bits - 1), bits > 1 ? 2n : 0n].map(bin),
    random: (r) => bin(randomBigInt(r, max + 1n)),
  };
}

function temporalColumn(rng: Rng): Omit<ColumnModel, 'name'> {
  const kind = rng.pick(['year', 'date', 'datetime', 'timestamp', 'time'] as const);
  const precision = rng.chance(0.4) ? 0 : rng.int(1, 6);
  const frac = (text: string) => (precision > 0 ? `.${text.padEnd(precision, text.slice(-1)).slice(0, precision)}` : '');
  const base = { expect: { refused: null, limit: null } as const };
  switch (kind) {
    case 'year':
      return {
        ...base,
        family: 'year',
        declaration: 'year',
        rowBytes: 1,
        comparison: 'integer',
        edges: ['0', '1901', '2155'],
        random: (r) => String(r.int(1901, 2155)),
      };
    case 'date':
      return {
        ...base,
        family: 'date',
        declaration: 'date',
        rowBytes: 3,
        comparison: 'date',
        edges: ['0001-01-01', '9999-12-31', '2024-02-29', '1970-01-01'].map(quote),
        random: (r) => quote(randomDate(r, 1, 9999)),
      };
    case 'datetime':
      return {
        ...base,
        family: 'datetime',
        declaration: `datetime(${precision})`,
        rowBytes: 8,
        comparison: 'datetime',
        edges: [`0001-01-01 00:00:00${frac('0')}`, `9999-12-31 23:59:59${frac('9')}`, `2000-02-29 12:00:00${frac('5')}`].map(quote),
        random: (r) => quote(`${randomDate(r, 1, 9999)} ${randomClock(r)}${fraction(r, precision)}`),
      };
    case 'timestamp':
      return {
        ...base,
        family: 'timestamp',
        // NULL DEFAULT NULL: MariaDB would otherwise make the first timestamp NOT NULL and set it on update.
        declaration: `timestamp(${precision}) NULL DEFAULT NULL`,
        rowBytes: 7,
        comparison: 'datetime',
        edges: [`1970-01-01 00:00:01${frac('0')}`, `2038-01-19 03:14:07${frac('9')}`].map(quote),
        random: (r) => quote(`${randomDate(r, 1971, 2037)} ${randomClock(r)}${fraction(r, precision)}`),
      };
    case 'time':
      return {
        ...base,
        family: 'time',
        declaration: `time(${precision})`,
        rowBytes: 6,
        comparison: 'time',
        edges: [
          '-838:59:59',
          '838:59:59',
          '00:00:00',
          precision > 0 ? `-00:00:00.${'0'.repeat(precision - 1)}1` : '-00:00:01',
          `-12:34:56${frac('5')}`,
        ].map(quote),
        random: (r) =>
          quote(`${r.chance(0.3) ? '-' : ''}${r.int(0, 837)}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}${fraction(r, precision)}`),
      };
  }
}

/** A string column; `budget` is what the row has left, for varchar and char. */
function stringColumn(rng: Rng, budget: number): Omit<ColumnModel, 'name'> | null {
  const charset = rng.pick(CHARSETS);
  const kind = rng.weighted([
    [3, 'varchar'],
    [2, 'char'],
    [2, 'text'],
    [1, 'enum'],
    [1, 'set'],
    [1, 'json'],
  ] as const);
  const base = { expect: { refused: null, limit: null } as const, comparison: 'text' as const };
  const collation = ` CHARACTER SET ${charset.name}`;
  switch (kind) {
    case 'char': {
      const length = rng.weighted([
        [3, rng.int(1, 20)],
        [1, 255],
        [1, rng.int(1, 255)],
      ]);
      if (length * charset.maxBytes > budget) return null;
      return {
        ...base,
        family: 'char',
        declaration: `char(${length})${collation}`,
        rowBytes: length * charset.maxBytes,
        edges: ['', charset.widest.repeat(length), ` ${randomText(rng, charset, length - 1)}`, `${charset.widest} `].map((text) =>
          hexText(cut(text, length)),
        ),
        random: (r) => hexText(randomText(r, charset, r.int(0, length))),
      };
    }
    case 'varchar': {
      const most = Math.floor((budget - 2) / charset.maxBytes);
      if (most < 1) return null;
      const length = Math.min(
        most,
        rng.weighted([
          [3, rng.int(1, 300)],
          [2, most],
          [2, rng.int(1, most)],
          [1, 16383],
          [1, 16384],
        ]),
      );
      return {
        ...base,
        family: length > 16383 ? 'varchar (text)' : 'varchar',
        declaration: `varchar(${length})${collation}`,
        rowBytes: length * charset.maxBytes + 2,
        edges: ['', charset.widest.repeat(length), randomText(rng, charset, length), ` ${charset.widest}  `].map((text) =>
          hexText(cut(text, length)),
        ),
        random: (r) => hexText(randomText(r, charset, r.chance(0.2) ? length : r.int(0, Math.min(length, 400)))),
      };
    }
    case 'text': {
      const [type, maxBytes] = rng.pick([
        ['tinytext', 255],
        ['text', 65_535],
        ['mediumtext', 16_777_215],
        ['longtext', 4_294_967_295],
      ] as const);
      // The longest value the walk writes: past mysql_fdw's 64 KiB string buffer when the type allows it.
      const longest = Math.min(maxBytes, 100_000);
      const withinBytes = (text: string) => {
        let out = text;
        while (charset.bytes(out) > longest) out = [...out].slice(0, -Math.max(1, Math.floor([...out].length / 10))).join('');
        return out;
      };
      return {
        ...base,
        family: type,
        declaration: `${type}${collation}`,
        rowBytes: 12,
        edges: ['', withinBytes(charset.widest.repeat(longest)), withinBytes(randomText(rng, charset, 300))].map(hexText),
        random: (r, long) => hexText(withinBytes(randomText(r, charset, long ? r.int(16_000, 70_000) : r.int(0, 200)))),
      };
    }
    case 'enum':
    case 'set': {
      const count = rng.int(1, kind === 'set' ? 8 : 12);
      // A number and a colon first keep members apart under any collation; no comma (it separates a set's members), no trailing space (dropped).
      const members = Array.from(
        { length: count },
        (_, i) => `${i}:${randomText(rng, charset, rng.int(0, 6)).replaceAll(',', ';').replace(/ +$/, '')}`,
      );
      const declared = members.map((m) => `'${m.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`).join(', ');
      const pick = (r: Rng) => (kind === 'enum' ? r.pick(members) : r.subset(members).join(','));
      return {
        ...base,
        family: kind,
        declaration: `${kind}(${declared})${collation}`,
        rowBytes: 8,
        edges: [members[0] as string, members[count - 1] as string, kind === 'set' ? members.join(',') : (members[0] as string)].map(
          hexText,
        ),
        random: (r) => hexText(pick(r)),
      };
    }
    case 'json': {
      const doc = (r: Rng, size: number): unknown =>
        size <= 0 || r.chance(0.3)
          ? r.pick([null, true, r.int(-1e9, 1e9), r.next(), randomText(r, CHARSETS[4] as Charset, r.int(0, 12))])
          : r.chance(0.5)
            ? Array.from({ length: r.int(0, 4) }, () => doc(r, size - 1))
            : Object.fromEntries(
                Array.from({ length: r.int(0, 4) }, (_, i) => [`k${i}${randomText(r, CHARSETS[4] as Charset, 2)}`, doc(r, size - 1)]),
              );
      return {
        ...base,
        family: 'json',
        declaration: 'json',
        rowBytes: 12,
        edges: ['{}', '[]', JSON.stringify({ long: 'x'.repeat(70_000) }), JSON.stringify(doc(rng, 3))].map(hexText),
        random: (r, long) => hexText(long ? JSON.stringify([doc(r, 2), 'é'.repeat(r.int(33_000, 40_000))]) : JSON.stringify(doc(r, 3))),
      };
    }
  }
}

function binaryColumn(rng: Rng, budget: number): Omit<ColumnModel, 'name'> | null {
  const kind = rng.weighted([
    [2, 'binary'],
    [3, 'varbinary'],
    [1, 'tinyblob'],
    [2, 'blob'],
    [1, 'mediumblob'],
    [2, 'longblob'],
  ] as const);
  const base = { comparison: 'bytes' as const };
  const short = (r: Rng, most: number) => hexBytes(randomBytes(r, r.chance(0.2) ? most : r.int(0, Math.min(most, 64))));
  if (kind === 'binary') {
    const length = rng.int(1, 255);
    if (length > budget) return null;
    return {
      ...base,
      family: 'binary',
      declaration: `binary(${length})`,
      rowBytes: length,
      expect: { refused: null, limit: null },
      edges: [hexBytes(Buffer.alloc(0)), hexBytes(Buffer.alloc(length, 0xff)), hexBytes(Buffer.alloc(length, 0))],
      random: (r) => short(r, length),
    };
  }
  const length =
    kind === 'varbinary'
      ? Math.min(
          budget - 2,
          rng.weighted([
            [2, rng.int(1, 300)],
            [1, BYTEA_LIMIT],
            [1, rng.int(BYTEA_LIMIT + 1, 65_532)],
          ]),
        )
      : null;
  if (length !== null && length < 1) return null;
  const most = length ?? { tinyblob: 255, blob: 65_535, mediumblob: 16_777_215, longblob: 4_294_967_295 }[kind as 'blob'];
  const limited = most > BYTEA_LIMIT;
  return {
    ...base,
    family: kind,
    declaration: length === null ? kind : `varbinary(${length})`,
    rowBytes: length === null ? 12 : length + 2,
    expect: { refused: null, limit: limited ? BYTEA_LIMIT : null },
    edges: [
      hexBytes(Buffer.alloc(0)),
      hexBytes(randomBytes(rng, Math.min(most, BYTEA_LIMIT))),
      hexBytes(Buffer.from([0, 0x27, 0x5c, 0xff])),
    ],
    // A value past the limit only where the walk asks for one (long): a read stops there.
    random: (r, long) =>
      long && limited
        ? hexBytes(randomBytes(r, r.int(BYTEA_LIMIT + 1, Math.min(most, 3 * BYTEA_LIMIT))))
        : short(r, Math.min(most, BYTEA_LIMIT)),
  };
}

function addressColumn(rng: Rng): Omit<ColumnModel, 'name'> {
  const kind = rng.pick(['uuid', 'inet4', 'inet6'] as const);
  const base = { expect: { refused: null, limit: null } as const, rowBytes: 16 };
  const hex = (r: Rng, n: number) => randomBytes(r, n).toString('hex');
  switch (kind) {
    case 'uuid':
      return {
        ...base,
        family: 'uuid',
        declaration: 'uuid',
        comparison: 'uuid',
        edges: ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'].map(quote),
        // MariaDB refuses some version and variant bits: a random UUID is a version 4 one.
        random: (r) => {
          const h = hex(r, 16);
          const variant = r.pick(['8', '9', 'a', 'b']);
          return quote(`${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`);
        },
      };
    case 'inet4':
      return {
        ...base,
        family: 'inet4',
        declaration: 'inet4',
        comparison: 'inet4',
        edges: ['0.0.0.0', '255.255.255.255', '10.0.0.1'].map(quote),
        random: (r) => quote(Array.from({ length: 4 }, () => r.int(0, 255)).join('.')),
      };
    case 'inet6':
      return {
        ...base,
        family: 'inet6',
        declaration: 'inet6',
        comparison: 'inet6',
        edges: ['::', '::1', '::ffff:1.2.3.4', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::ff00:42:8329', '1:0:0:2::3'].map(
          quote,
        ),
        random: (r) => quote(Array.from({ length: 8 }, () => (r.chance(0.3) ? '0' : r.int(0, 0xffff).toString(16))).join(':')),
      };
  }
}

/** MariaDB identifiers: no NUL, no trailing space, at most 64 characters of the Basic Multilingual Plane. */
const NAME_PARTS = ['c', 'Cé', 'back`tick', 'quo"te\'', 'new\nline', 'spa ce', 'ü', 'Δ', '中文', '-dash', 'tab\t'];

/** A column or table name: mostly short, sometimes exactly 63 bytes (fits), sometimes longer than PostgreSQL keeps. */
export function randomName(rng: Rng, index: number, prefix: string): string {
  return rng.weighted([
    [60, `${prefix}${index}`],
    [25, `${rng.pick(NAME_PARTS)}${index}`],
    [5, `${prefix}${index}_`.padEnd(63, 'n')],
    [2, `${prefix}${index}_${'é'.repeat(31)}`],
    [2, `${prefix}${index}`.padEnd(64, 'x')],
    [1, `${prefix}${index}${'ü'.repeat(40)}`.slice(0, 45)],
  ]);
}

/** MariaDB's limit on a row's columns other than blobs and texts, less room for lengths and NULL flags. */
const ROW_BUDGET = 65_535 - 200;

/** One random column that fits the row's remaining budget (`name` is set by the caller). */
export function randomColumn(rng: Rng, budget: number): Omit<ColumnModel, 'name'> {
  for (;;) {
    const family = rng.weighted([
      [3, 'integer'],
      [2, 'decimal'],
      [1, 'float'],
      [2, 'double'],
      [2, 'bit'],
      [3, 'temporal'],
      [5, 'string'],
      [3, 'binary'],
      [1, 'address'],
    ] as const);
    const column =
      family === 'integer'
        ? integerColumn(rng)
        : family === 'decimal'
          ? decimalColumn(rng)
          : family === 'float'
            ? floatColumn(rng)
            : family === 'double'
              ? doubleColumn(rng)
              : family === 'bit'
                ? bitColumn(rng)
                : family === 'temporal'
                  ? temporalColumn(rng)
                  : family === 'string'
                    ? stringColumn(rng, budget)
                    : family === 'binary'
                      ? binaryColumn(rng, budget)
                      : addressColumn(rng);
    if (column && column.rowBytes <= budget) return column;
  }
}

export interface TableShape {
  columns: number;
  randomRows: number;
}

/** A table of random columns (after `id int PRIMARY KEY`), with its edge rows, a NULL row and random rows. */
export function randomTable(rng: Rng, index: number, shape: TableShape): TableModel {
  const names = new Set(['id']);
  const columns: ColumnModel[] = [];
  let budget = ROW_BUDGET - 4;
  for (let i = 0; i < shape.columns; i++) {
    let name = randomName(rng, i, 'c');
    while (names.has(name.toLowerCase())) name = `${name.slice(0, 60)}${i}`;
    names.add(name.toLowerCase());
    // Room for this column that leaves every later one 32 bytes: a wide varchar never starves the row.
    const column = randomColumn(rng, budget - 32 * (shape.columns - i - 1));
    budget -= column.rowBytes;
    columns.push({ name, ...column });
  }
  const edgeRows = Math.max(...columns.map((c) => c.edges.length), 1);
  // Values past a read limit go in some tables only, and late in them: the rows before still read.
  const long = rng.chance(0.3);
  const rows: string[][] = [];
  for (let r = 0; r < edgeRows; r++) rows.push(columns.map((c) => c.edges[r % c.edges.length] as string));
  rows.push(columns.map(() => 'NULL'));
  for (let r = 0; r < shape.randomRows; r++) {
    const lastRows = r >= shape.randomRows - 2;
    rows.push(columns.map((c) => (rng.chance(0.1) ? 'NULL' : c.random(rng, long && lastRows && rng.chance(0.7)))));
  }
  return { name: randomName(rng, index, 't'), columns, rows };
}

import type { Rng } from '../convergence/rng.js';

/** A MariaDB character set a column may use: the characters it holds, and the bytes each takes in it. */
export interface Charset {
  name: string;
  /** MariaDB's mbmaxlen: the row-size limit counts this many bytes a character. */
  maxBytes: number;
  /** One random character the set holds (never NUL: PostgreSQL text cannot hold it, README says so). */
  char(rng: Rng): string;
  /** The widest character, for values at the maximum length in bytes. */
  widest: string;
  /** A string's length in bytes in this set (MySQL's TEXT lengths are bytes). */
  bytes(text: string): number;
}

/** MariaDB's latin1 is cp1252, with 0x81, 0x8D, 0x8F, 0x90 and 0x9D as the C1 controls of the same number. */
const CP1252_HIGH = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ\u0081\u008d\u008f\u0090\u009d';
const CYRILLIC = 'ЁёАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя';

const ascii = (rng: Rng) => String.fromCodePoint(rng.weighted([[3, rng.int(0x20, 0x7e)] as const, [1, rng.int(1, 0x7f)] as const]));

function codePoint(rng: Rng, max: number): string {
  const ranges: [number, number, number][] = [
    [4, 0x20, 0x7e],
    [2, 0x80, 0x7ff],
    [2, 0x800, 0xd7ff],
    [1, 0xe000, 0xffff],
    [max > 0xffff ? 2 : 0, 0x10000, 0x10ffff],
    [1, 1, 0x1f],
  ];
  const [lo, hi] = rng.weighted(ranges.filter(([w]) => w > 0).map(([w, a, b]) => [w, [a, b]] as const));
  return String.fromCodePoint(rng.int(lo, hi));
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const chars = (text: string) => [...text].length;

export const CHARSETS: readonly Charset[] = [
  {
    name: 'latin1',
    maxBytes: 1,
    widest: '€',
    bytes: chars,
    char: (rng) => (rng.chance(0.6) ? ascii(rng) : rng.pick([...`${CP1252_HIGH}ÿéüßÆ×÷\u00a0`])),
  },
  { name: 'ascii', maxBytes: 1, widest: '~', bytes: chars, char: ascii },
  { name: 'cp1251', maxBytes: 1, widest: 'Я', bytes: chars, char: (rng) => (rng.chance(0.5) ? ascii(rng) : rng.pick([...CYRILLIC])) },
  { name: 'utf8mb3', maxBytes: 3, widest: '€', bytes: utf8Bytes, char: (rng) => codePoint(rng, 0xffff) },
  { name: 'utf8mb4', maxBytes: 4, widest: '😀', bytes: utf8Bytes, char: (rng) => codePoint(rng, 0x10ffff) },
  { name: 'ucs2', maxBytes: 2, widest: '€', bytes: (t) => chars(t) * 2, char: (rng) => codePoint(rng, 0xffff) },
  {
    name: 'utf16',
    maxBytes: 4,
    widest: '😀',
    bytes: (t) => [...t].reduce((n, c) => n + ((c.codePointAt(0) ?? 0) > 0xffff ? 4 : 2), 0),
    char: (rng) => codePoint(rng, 0x10ffff),
  },
  { name: 'utf32', maxBytes: 4, widest: '😀', bytes: (t) => chars(t) * 4, char: (rng) => codePoint(rng, 0x10ffff) },
];

/** A random string of `length` characters of `charset`. */
export function randomText(rng: Rng, charset: Charset, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += charset.char(rng);
  return text;
}

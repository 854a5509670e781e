/**
 * One digest for all the foreign tables of a link, so that a no-op plan reads one row a link instead
 * of one a table: at 10,000 unchanged foreign tables, decoding and building their rows was most of
 * what datalinks did besides waiting on the server.
 *
 * The digest is sha256 (hex) over the link's tables in name order (bytewise, COLLATE "C"), one record
 * a table, ROW(name, signature)::text (table-signature.ts: the record output decodes one way). The local
 * database computes it over the tables it has (FOREIGN_TABLES_OR_LINK_DIGESTS_QUERY), the planner over
 * the tables the link makes of its remote (plan/unchanged-tables.ts). Equal digests prove the link has
 * exactly those tables with exactly those signatures; the query proves the rest of each row (server,
 * owner, privileges, options) is the same for every table, so one row stands for all. Unequal ones only
 * mean the link's tables are read one by one, as before.
 */
import { createHash } from 'node:crypto';
import { recordText } from './table-signature.js';

/** A link's digest in SQL, over the name and signature columns given (an aggregate: use with GROUP BY). */
export const LINK_DIGEST = (name: string, signature: string) =>
  `pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
           pg_catalog.string_agg(ROW(${name}, ${signature})::text, '' ORDER BY ${name} COLLATE "C"), 'UTF8')), 'hex')`;

export interface SignedTable {
  name: string;
  signature: string;
}

/** What a link's foreign tables are when nothing needs changing: names and signatures in name order, and their digest. */
export interface ExpectedLinkTables {
  tables: readonly SignedTable[];
  digest: string;
}

/** UTF-8 byte order (COLLATE "C"): code point order, which UTF-16 code unit order is not past U+FFFF. */
export function compareBytewise(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** A surrogate (U+D800–DFFF, the start of a code point past U+FFFF) ranks above every other code unit. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
}

/** The digest of `tables`, which must be in compareBytewise() order of their names. */
export function linkDigestOf(tables: readonly SignedTable[]): string {
  const hash = createHash('sha256');
  for (const table of tables) hash.update(recordText([table.name, table.signature]), 'utf8');
  return hash.digest('hex');
}

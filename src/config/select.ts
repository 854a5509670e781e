import { createRequire } from 'node:module';
import { suggestNearest } from '../suggest.js';
import { showValue } from './show-value.js';
import type { DesiredDatabase, DesiredState } from './types.js';

/**
 * What a run is limited to, from its flags: -d (aliases), --shard I/N (a stable part of the file's
 * aliases) and --link (the links it reads and changes). Pure: the file's databases in, the selected
 * ones (each with only its targeted links) out, or what is wrong with the flags.
 */

/** `--shard I/N`: shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** More shards than any CI matrix runs (GitHub's holds 256 jobs): a bigger N is a typo. */
export const MAX_SHARDS = 10_000;

const SHARD = /^(\d{1,6})\/(\d{1,6})$/;

/** Parses `I/N`; a string says what is wrong with it. */
export function parseShard(text: string): Shard | string {
  const match = SHARD.exec(text.trim());
  const shown = showValue(text, 20);
  if (!match) return `${shown} is not a shard: write it as I/N, for example 2/4 (shard 2 of 4)`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) return `${shown}: the number of shards must be between 1 and ${MAX_SHARDS}`;
  if (index < 1 || index > count) return `${shown}: the shard must be between 1 and ${count} (shards are numbered from 1)`;
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

let createHash: typeof import('node:crypto').createHash | undefined;

/**
 * The shard (1..count) an alias belongs to: sha256 of the alias, read as a number, modulo `count`.
 * Each alias is hashed on its own, so an alias's shard depends on nothing but its name and `count`:
 * every alias is in exactly one shard, and adding or removing an alias moves no other. Changing
 * `count` moves about (count-1)/count of them; each is still in exactly one shard of the new count.
 */
export function shardOf(alias: string, count: number): number {
  // Required when first needed, not imported: `validate` loads this module and needs no hash.
  createHash ??= (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash;
  // 48 bits of the hash: exactly representable, and their remainder modulo count is as even as makes no difference.
  const value = createHash('sha256').update(alias, 'utf8').digest().readUIntBE(0, 6);
  return (value % count) + 1;
}

export interface SelectionFlags {
  /** -d, repeatable: empty for every database of the file. */
  databases: readonly string[];
  /** --link, repeatable: empty for every link. */
  links?: readonly string[];
  shard?: Shard | null;
}

export interface SelectedState extends DesiredState {
  /** The file's databases this run does not plan: their identity is still read (an alias of a selected one?). */
  unselected: DesiredDatabase[];
  /** --link: the link names the run is limited to, sorted; null when it is not targeted. */
  links: string[] | null;
  shard: Shard | null;
}

export interface SelectionError {
  code: 'unknown_database' | 'database_not_in_shard' | 'unknown_link';
  message: string;
  hints: string[];
}

/**
 * Applies the flags to the file's databases: the shard first, then -d within it (an alias given with
 * -d outside the shard is an error naming its shard), then --link. A link name applies in every
 * selected database that has it; a database that has none of the named links is not in the run. A
 * name that no selected database has is an error, with the nearest name.
 */
export function selectDatabases(state: DesiredState, flags: SelectionFlags, path: string): SelectedState | SelectionError {
  const all = state.databases;
  const known = all.map((db) => db.alias);
  const unknown = flags.databases.filter((alias) => !known.includes(alias));
  if (unknown.length > 0) {
    const near = unknown.length === 1 ? suggestNearest(unknown[0] as string, known) : undefined;
    return {
      code: 'unknown_database',
      message: `no database ${unknown.map((a) => showValue(a)).join(', ')} in ${path}`,
      hints: [...(near ? [`did you mean ${showValue(near)}?`] : []), `databases in the file: ${listed(known)}`],
    };
  }
  const shard = flags.shard ?? null;
  let selected = shard ? all.filter((db) => shardOf(db.alias, shard.count) === shard.index) : all;
  if (flags.databases.length > 0) {
    if (shard) {
      const outside = flags.databases.filter((alias) => shardOf(alias, shard.count) !== shard.index);
      if (outside.length > 0) {
        return {
          code: 'database_not_in_shard',
          message: `${outside.map((a) => `${showValue(a)} is in shard ${shardOf(a, shard.count)}/${shard.count}`).join(', ')}, not in ${formatShard(shard)}`,
          hints: ['with --shard, -d picks databases of that shard only: drop -d, or give the shard the database is in'],
        };
      }
    }
    selected = selected.filter((db) => flags.databases.includes(db.alias));
  }
  const names = [...new Set(flags.links ?? [])].sort();
  let links: string[] | null = null;
  if (names.length > 0) {
    const have = [...new Set(selected.flatMap((db) => db.links.map((link) => link.name)))].sort();
    const missing = names.filter((name) => !have.includes(name));
    if (missing.length > 0) {
      const near = missing.length === 1 ? suggestNearest(missing[0] as string, have) : undefined;
      const where = selected.length === 1 ? `database ${showValue((selected[0] as DesiredDatabase).alias)}` : 'the selected databases';
      return {
        code: 'unknown_link',
        message: `no link ${missing.map((n) => showValue(n)).join(', ')} in ${where} of ${path}`,
        hints: [...(near ? [`did you mean ${showValue(near)}?`] : []), `links there: ${listed(have)}`],
      };
    }
    links = names;
    selected = selected
      .map((db) => ({ ...db, links: db.links.filter((link) => names.includes(link.name)) }))
      .filter((db) => db.links.length > 0);
  }
  const chosen = new Set(selected.map((db) => db.alias));
  return { ...state, databases: selected, unselected: all.filter((db) => !chosen.has(db.alias)), links, shard };
}

function listed(names: readonly string[]): string {
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, 20).map((n) => showValue(n));
  return names.length > 20 ? `${shown.join(', ')} and ${names.length - 20} more` : shown.join(', ');
}

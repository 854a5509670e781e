import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShard, type SelectionError, selectDatabases, shardOf } from '../../src/config/select.js';
import type { DesiredDatabase, DesiredState } from '../../src/config/types.js';

/** A file's databases, each with the named links (only what selection reads). */
function file(databases: Record<string, string[]>): DesiredState {
  return {
    configPath: 'datalinks.yaml',
    configHash: '',
    databases: Object.entries(databases).map(
      ([alias, links]) => ({ alias, links: links.map((name) => ({ name })) }) as unknown as DesiredDatabase,
    ),
  };
}

const tenants = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`tenant_${String(i + 1).padStart(3, '0')}`, ['billing']]));

const aliasesOf = (selected: ReturnType<typeof selectDatabases>) => {
  if ('code' in selected) throw new Error(selected.message);
  return selected.databases.map((db) => db.alias);
};

const aliasSet = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 0, maxLength: 40 });

describe('--shard I/N', () => {
  it('puts every alias in exactly one shard, for every N from 1 to 50', () => {
    fc.assert(
      fc.property(aliasSet, (aliases) => {
        const state = file(Object.fromEntries(aliases.map((alias) => [alias, []])));
        for (let count = 1; count <= 50; count++) {
          const seen = Array.from({ length: count }, (_, i) =>
            aliasesOf(selectDatabases(state, { databases: [], shard: { index: i + 1, count } }, 'f')),
          );
          expect(seen.flat().sort()).toStrictEqual([...aliases].sort());
        }
      }),
      { numRuns: 10 },
    );
  });

  it('moves no other alias when one is added or removed', () => {
    fc.assert(
      fc.property(aliasSet, fc.string({ minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 50 }), (aliases, added, count) => {
        fc.pre(!aliases.includes(added));
        const before = file(Object.fromEntries(aliases.map((alias) => [alias, []])));
        const after = file(Object.fromEntries([...aliases, added].map((alias) => [alias, []])));
        for (let index = 1; index <= count; index++) {
          const was = aliasesOf(selectDatabases(before, { databases: [], shard: { index, count } }, 'f'));
          const now = aliasesOf(selectDatabases(after, { databases: [], shard: { index, count } }, 'f')).filter((a) => a !== added);
          expect(now).toStrictEqual(was);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('spreads 600 tenants evenly enough over 4 shards', () => {
    const sizes = [1, 2, 3, 4].map(
      (index) => aliasesOf(selectDatabases(file(tenants(600)), { databases: [], shard: { index, count: 4 } }, 'f')).length,
    );
    expect(sizes.reduce((a, b) => a + b)).toBe(600);
    for (const size of sizes) expect(Math.abs(size - 150)).toBeLessThan(40);
  });

  it('gives an alias the same shard in every version: the first 48 bits of sha256(alias), modulo N, plus 1', () => {
    // Pinned on purpose (computed with Python's hashlib): a change of hash would move every tenant to another job.
    const aliases = ['eu_1', 'eu_2', 'us_1', 'tenant_001', 'tenant_002', 'tenant_003'];
    expect(aliases.map((alias) => shardOf(alias, 4))).toStrictEqual([1, 4, 3, 4, 2, 2]);
    expect(aliases.map((alias) => shardOf(alias, 7))).toStrictEqual([7, 1, 4, 7, 1, 4]);
    expect(shardOf('tenant_001', 1)).toBe(1);
  });

  it('refuses what is not I/N with 1 <= I <= N, saying why', () => {
    expect(parseShard('2/4')).toStrictEqual({ index: 2, count: 4 });
    expect(parseShard(' 1/1 ')).toStrictEqual({ index: 1, count: 1 });
    expect(parseShard('2')).toBe('"2" is not a shard: write it as I/N, for example 2/4 (shard 2 of 4)');
    expect(parseShard('0/4')).toBe('"0/4": the shard must be between 1 and 4 (shards are numbered from 1)');
    expect(parseShard('5/4')).toBe('"5/4": the shard must be between 1 and 4 (shards are numbered from 1)');
    expect(parseShard('1/0')).toBe('"1/0": the number of shards must be between 1 and 10000');
    expect(parseShard('-1/4')).toContain('is not a shard');
    expect(parseShard('1/4/2')).toContain('is not a shard');
  });

  it('with -d, keeps the aliases of the shard and names the shard of one outside it', () => {
    const state = file(tenants(20));
    const shard1 = aliasesOf(selectDatabases(state, { databases: [], shard: { index: 1, count: 4 } }, 'f'));
    const inside = shard1[0] as string;
    expect(aliasesOf(selectDatabases(state, { databases: [inside], shard: { index: 1, count: 4 } }, 'f'))).toStrictEqual([inside]);
    const outside = Object.keys(tenants(20)).find((alias) => !shard1.includes(alias)) as string;
    const refused = selectDatabases(state, { databases: [outside], shard: { index: 1, count: 4 } }, 'f') as SelectionError;
    expect(refused.code).toBe('database_not_in_shard');
    expect(refused.message).toBe(`"${outside}" is in shard ${shardOf(outside, 4)}/4, not in 1/4`);
  });
});

describe('--link NAME', () => {
  const state = file({ main: ['billing', 'crew'], analytics: ['billing'], empty: [] });

  it('keeps the named links in every selected database that has them, and leaves out the databases that have none', () => {
    const selected = selectDatabases(state, { databases: [], links: ['crew'] }, 'f');
    if ('code' in selected) throw new Error(selected.message);
    expect(selected.databases.map((db) => [db.alias, db.links.map((l) => l.name)])).toStrictEqual([['main', ['crew']]]);
    expect(selected.unselected.map((db) => db.alias)).toStrictEqual(['analytics', 'empty']);
    expect(selected.links).toStrictEqual(['crew']);
    const both = selectDatabases(state, { databases: [], links: ['billing', 'billing'] }, 'f');
    if ('code' in both) throw new Error(both.message);
    expect(both.databases.map((db) => [db.alias, db.links.map((l) => l.name)])).toStrictEqual([
      ['main', ['billing']],
      ['analytics', ['billing']],
    ]);
    expect(both.links).toStrictEqual(['billing']);
  });

  it('refuses a name no selected database has, with the nearest one', () => {
    expect(selectDatabases(state, { databases: ['main'], links: ['biling'] }, 'datalinks.yaml')).toStrictEqual({
      code: 'unknown_link',
      message: 'no link "biling" in database "main" of datalinks.yaml',
      hints: ['did you mean "billing"?', 'links there: "billing", "crew"'],
    });
    // crew is main's: with -d analytics it is in none of the selected databases.
    const refused = selectDatabases(state, { databases: ['analytics'], links: ['crew'] }, 'datalinks.yaml') as SelectionError;
    expect(refused.code).toBe('unknown_link');
    expect(refused.hints).toStrictEqual(['links there: "billing"']);
  });

  it('without --link selects every link, and an unknown -d still suggests the near alias', () => {
    const all = selectDatabases(state, { databases: [] }, 'f');
    if ('code' in all) throw new Error(all.message);
    expect(all.links).toBeNull();
    expect(all.databases.map((db) => db.links.length)).toStrictEqual([2, 1, 0]);
    expect(selectDatabases(state, { databases: ['mian'] }, 'f')).toStrictEqual({
      code: 'unknown_database',
      message: 'no database "mian" in f',
      hints: ['did you mean "main"?', 'databases in the file: "main", "analytics", "empty"'],
    });
  });
});

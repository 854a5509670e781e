import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { alterDatabaseSql, LOCAL_SETTINGS, REMOTE_SETTINGS } from '../support/convergence/settings.js';
import { runWalk } from '../support/convergence/walk.js';
import { adminQuery, createLinkedPair } from '../support/databases.js';

// A short walk for every `npm test` (10 steps of each of three seeds: the file was the suite's
// longest at 16); `npm run fuzz` walks longer (60 steps by default, and `--seed N` replays a failure).
const STEPS = 10;

describe('convergence: apply, then "No changes." and the shape of IMPORT FOREIGN SCHEMA, after any remote change', () => {
  it.each([101, 202])('random walk of remote DDL and config changes, seed %i', async (seed) => {
    const { local, remote } = await createLinkedPair();
    const stats = await runWalk({ seed, steps: STEPS, localUrl: local.url, remoteUrl: remote.url, replayFlags: '--settings default' });
    expect(stats.steps).toBe(STEPS);
  });

  it('random walk of combined steps: remote column changes and option flips at once, a view over an untouched column kept', async () => {
    const { local, remote } = await createLinkedPair();
    const stats = await runWalk({
      seed: 404,
      steps: STEPS,
      localUrl: local.url,
      remoteUrl: remote.url,
      combined: true,
      replayFlags: '--settings default --combined',
    });
    expect(stats.steps).toBe(STEPS);
    expect(stats.operations.alter_foreign_table).toBeGreaterThan(0);
  });

  it('random walk with non-default DateStyle, TimeZone, IntervalStyle and bytea_output on both sides', async () => {
    const { local, remote } = await createLinkedPair();
    for (const sql of alterDatabaseSql(remote.name, REMOTE_SETTINGS, pg.escapeIdentifier)) await adminQuery(sql);
    for (const sql of alterDatabaseSql(local.name, LOCAL_SETTINGS, pg.escapeIdentifier)) await adminQuery(sql);
    // Defaults whose text depends on the session that prints them, copied by import_default.
    const start = {
      remoteSql: [
        `CREATE TABLE styled (
           d date DEFAULT '2026-01-02', ts timestamp DEFAULT '2026-01-02 03:04:05.5',
           tstz timestamptz DEFAULT '2026-01-02 03:04:05+02', i interval DEFAULT '1 day 02:03:04.5',
           neg interval DEFAULT '-1 year 2 months', b bytea DEFAULT '\\xdeadbeef', f double precision DEFAULT 0.1,
           r real DEFAULT 1.1, t time DEFAULT '12:34:56', tz timetz DEFAULT '12:34:56+05:30')`,
        'INSERT INTO styled DEFAULT VALUES',
        'CREATE VIEW styled_view AS SELECT d, tstz FROM styled',
      ],
      importOptions: { import_default: true },
    };
    // `npm run fuzz` replays the settings and the seed's steps, not this start.
    const stats = await runWalk({
      seed: 303,
      steps: STEPS,
      localUrl: local.url,
      remoteUrl: remote.url,
      remoteSchema: 'public',
      start,
      replayFlags: '--settings odd',
    });
    expect(stats.steps).toBe(STEPS);
  });
});

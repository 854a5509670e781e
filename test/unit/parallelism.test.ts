import { describe, expect, it } from 'vitest';
import { createFanout, openFanout, plainFanout } from '../../src/cli/parallelism.js';
import { crowdedFailure } from '../../src/db/connection-load.js';
import type { ConnectionTarget } from '../../src/wrappers/types.js';

const on = (host: string): ConnectionTarget => ({ url: '', host, port: null, dbname: 'd', user: null, password: null, params: {} });
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Runs `count` jobs on `host` through `map`, and reports the most that ran at once on it. */
function watch() {
  const running = new Map<string, number>();
  const most = new Map<string, number>();
  let total = 0;
  let mostTotal = 0;
  const job = async (target: ConnectionTarget) => {
    running.set(target.host, (running.get(target.host) ?? 0) + 1);
    total++;
    most.set(target.host, Math.max(most.get(target.host) ?? 0, running.get(target.host) ?? 0));
    mostTotal = Math.max(mostTotal, total);
    await tick();
    running.set(target.host, (running.get(target.host) ?? 0) - 1);
    total--;
    return target.host;
  };
  return { job, most, mostTotal: () => mostTotal };
}

describe('the fan-out of a run', () => {
  it('keeps the order of its items and runs at most --parallelism at once', async () => {
    const { job, mostTotal } = watch();
    const targets = Array.from({ length: 20 }, (_, i) => on(`h${i}`));
    expect(await plainFanout(3).map(targets, (t) => t, job)).toEqual(targets.map((t) => t.host));
    expect(mostTotal()).toBe(3);
  });

  it("never runs more than a server's share at once, across every map of the run", async () => {
    const { job, most } = watch();
    const fanout = createFanout(100, new Map([['small:5432', 2]]));
    const small = Array.from({ length: 10 }, () => on('small'));
    const big = Array.from({ length: 10 }, () => on('big'));
    // The plan and the probes of check, at once: together they keep within the small server's share.
    await Promise.all([fanout.map([...small, ...big], (t) => t, job), fanout.map(small, (t) => t, job)]);
    expect(most.get('small')).toBe(2);
    expect(most.get('big')).toBe(10);
  });

  it('caps --parallelism by the CPUs of this machine, and says so', async () => {
    const { job, mostTotal } = watch();
    const targets = Array.from({ length: 100 }, (_, i) => on(`h${i}`));
    const fanout = await openFanout(targets, 400, { connectTimeoutMs: 1000 }, 2);
    expect(fanout.notes).toEqual([
      '--parallelism 400 is more than this machine can use: at most 32 databases at once (16 per CPU, 2 CPUs)',
    ]);
    await fanout.map(targets, (t) => t, job);
    expect(mostTotal()).toBe(32);
    // Asked for less than the cap: nothing to say.
    expect((await openFanout(targets, 8, { connectTimeoutMs: 1000 }, 2)).notes).toEqual([]);
  });

  it('a job that fails fails the map, and the others still end', async () => {
    const fanout = plainFanout(2);
    let ended = 0;
    const result = fanout.map(
      [1, 2, 3, 4],
      () => on('h'),
      async (n) => {
        await tick();
        ended++;
        if (n === 2) throw new Error('two');
        return n;
      },
    );
    await expect(result).rejects.toThrow('two');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended).toBe(4);
  });
});

describe('a connect failure while datalinks crowds the server', () => {
  const crowd = { opening: 212, open: 24, succeeded: 37 };
  it('words a connect timeout as its own load, with how many connections, not as a firewall', () => {
    expect(crowdedFailure(new Error('timeout expired'), true, crowd, 'db.internal:5432', 10_000)).toEqual({
      reason:
        'no answer within 10s (connect timeout), while datalinks itself had 236 other connections to db.internal:5432 open or opening (212 still opening); 37 connections to it succeeded in this run, so it is reachable',
      hint: "the server (or this machine) was too busy accepting datalinks' own connections to answer in time: lower --parallelism: it bounds how many databases are read or changed at once, or raise --connect-timeout",
    });
  });

  it('leaves a failure alone when datalinks had only a few connections there, or when it is not about load', () => {
    expect(crowdedFailure(new Error('timeout expired'), true, { opening: 3, open: 0, succeeded: 0 }, 'db:5432', 10_000)).toBeUndefined();
    expect(crowdedFailure(new Error('getaddrinfo ENOTFOUND db'), false, crowd, 'db:5432', 10_000)).toBeUndefined();
  });
});

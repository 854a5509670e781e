import { availableParallelism } from 'node:os';
import type { ConnectOptions } from '../db/connect.js';
import { serverOf } from '../db/connection-load.js';
import { readFreeSlots } from '../db/free-slots.js';
import { plural } from '../plural.js';
import type { ConnectionTarget } from '../wrappers/types.js';
import { connectionBounds } from './durations.js';

/**
 * Databases handled at once per CPU of this machine, at most. Each opens sessions (TLS, SCRAM) and reads
 * catalogs with this machine's CPU; measured on 2 cores, a plan of 100 databases took 6.4 s at 4 at
 * once, 5.1 s at 8, 5.0 s at 32 and 4.8 s at 100: past a few per CPU nothing is gained, and at 400 the
 * connections queue until their connect timeout. 16 per CPU leaves room to hide network latency.
 */
export const DATABASES_PER_CPU = 16;

/** More connections than this at once to one server: its free slots are read first (the default --parallelism never reads them). */
const READ_SLOTS_ABOVE = 4;

/**
 * How many databases a run handles at once: --parallelism, bounded by what this machine and the servers
 * can take. Every fan-out of a run (plans, identity reads, probes, applies) goes through one Fanout, so
 * that together they never open more connections to one server than its share of free slots.
 */
export interface Fanout {
  /**
   * Maps `items` through `fn`, keeping the order: at most `limit` (the run's parallelism, by default)
   * at once, and at most each server's share at once across every map of the run.
   */
  map<T, R>(items: readonly T[], targetOf: (item: T) => ConnectionTarget, fn: (item: T) => Promise<R>, limit?: number): Promise<R[]>;
  /** What was bounded, and why, for the user: one line each, to print as notes. */
  readonly notes: readonly string[];
}

/**
 * The Fanout of a run over `targets` (every database it will connect to): the parallelism is capped by
 * this machine's CPUs, and each server that more than a few of them share is asked for its free
 * connection slots, of which the run takes at most half (a link may open a second session there, and
 * applications need the rest). A server that cannot be asked is not capped: its databases then report
 * their own connection errors.
 */
export async function openFanout(
  targets: readonly ConnectionTarget[],
  requested: number,
  bounds: ConnectOptions,
  cpus: number = availableParallelism(),
): Promise<Fanout> {
  const notes: string[] = [];
  const cpuCap = Math.max(1, cpus) * DATABASES_PER_CPU;
  const parallelism = Math.min(requested, cpuCap);
  if (parallelism < requested && targets.length > parallelism) {
    notes.push(
      `--parallelism ${requested} is more than this machine can use: at most ${parallelism} databases at once (${DATABASES_PER_CPU} per CPU, ${plural(cpus, 'CPU')})`,
    );
  }
  const byServer = new Map<string, ConnectionTarget[]>();
  for (const target of targets) byServer.set(serverOf(target), [...(byServer.get(serverOf(target)) ?? []), target]);
  const shares = new Map<string, number>();
  await Promise.all(
    [...byServer].map(async ([server, group]) => {
      const atOnce = Math.min(parallelism, group.length);
      const first = group[0];
      if (atOnce <= READ_SLOTS_ABOVE || !first) return;
      let free: number;
      try {
        free = await readFreeSlots(first, bounds);
      } catch {
        return;
      }
      const share = Math.max(1, Math.floor(free / 2));
      shares.set(server, share);
      if (share < atOnce) {
        notes.push(
          `${server} takes ${plural(free, 'more connection')} from this role now: datalinks uses at most ${share} of them at once there (half: a link may open a second session on it, and its other clients need the rest)`,
        );
      }
    }),
  );
  return createFanout(parallelism, shares, notes);
}

/** A Fanout with no server shares: --parallelism as given (tests and callers that read no server first). */
export function plainFanout(parallelism: number): Fanout {
  return createFanout(parallelism, new Map(), []);
}

/** A Fanout with the given share of each server (host:port) and notes. */
export function createFanout(parallelism: number, shares: ReadonlyMap<string, number>, notes: string[] = []): Fanout {
  const running = new Map<string, number>();
  const waiting: { server: string; start: () => boolean }[] = [];
  const hasRoom = (server: string) => (running.get(server) ?? 0) < (shares.get(server) ?? Number.POSITIVE_INFINITY);
  const wake = () => {
    for (let i = 0; i < waiting.length; ) {
      const next = waiting[i] as (typeof waiting)[number];
      if (hasRoom(next.server) && next.start()) waiting.splice(i, 1);
      else i++;
    }
  };
  return {
    notes,
    async map(items, targetOf, fn, limit = parallelism) {
      const results = new Array(items.length);
      let active = 0;
      await Promise.all(
        items.map(
          (item, index) =>
            new Promise<void>((resolve, reject) => {
              const server = serverOf(targetOf(item));
              const start = () => {
                if (active >= Math.max(1, limit)) return false;
                active++;
                running.set(server, (running.get(server) ?? 0) + 1);
                fn(item)
                  .then((result) => {
                    results[index] = result;
                    resolve();
                  }, reject)
                  .finally(() => {
                    active--;
                    running.set(server, (running.get(server) ?? 1) - 1);
                    wake();
                  });
                return true;
              };
              if (!(hasRoom(server) && start())) waiting.push({ server, start });
            }),
        ),
      );
      return results;
    },
  };
}

/**
 * A command's Fanout over every database it connects to (the selected ones and, for their identity,
 * the file's others), with its notes printed: what a user who asked for more should know.
 */
export async function runFanout(
  databases: readonly { target: ConnectionTarget }[],
  flags: { parallelism: number; connectTimeout: string; statementTimeout: string },
  output: { err: (text: string) => void },
): Promise<Fanout> {
  const fanout = await openFanout(
    databases.map((db) => db.target),
    flags.parallelism,
    connectionBounds(flags),
  );
  for (const note of fanout.notes) output.err(`note: ${note}\n`);
  return fanout;
}

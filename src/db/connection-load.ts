import type { ConnectionTarget } from '../wrappers/types.js';
import { SQLSTATE, sqlstateOf } from './sqlstate.js';

/**
 * The connections this process has open or is opening, per server (host:port), so that a failure to
 * connect can tell datalinks' own load from the network's fault: at --parallelism 400 a server that
 * answers slowly because datalinks opened 400 sessions at once must not be blamed on a firewall.
 */
interface Load {
  opening: number;
  open: number;
  /** Connections to this server that succeeded in this run: it is reachable. */
  succeeded: number;
}

const loads = new Map<string, Load>();

/** The server a target reaches, as host:port (PostgreSQL's default port when none is given). */
export function serverOf(target: Pick<ConnectionTarget, 'host' | 'port'>): string {
  return `${target.host}:${target.port ?? '5432'}`;
}

/** One connection attempt, counted until it fails or its session ends. */
export interface Attempt {
  connected(): void;
  /** The attempt failed: the load of the other connections at that moment. */
  failed(): Load;
  closed(): void;
}

export function startConnecting(server: string): Attempt {
  const load = loads.get(server) ?? { opening: 0, open: 0, succeeded: 0 };
  loads.set(server, load);
  load.opening++;
  let state: 'opening' | 'open' | 'done' = 'opening';
  const leave = () => {
    if (state === 'opening') load.opening--;
    else if (state === 'open') load.open--;
    state = 'done';
  };
  return {
    connected() {
      if (state !== 'opening') return;
      load.opening--;
      load.open++;
      load.succeeded++;
      state = 'open';
    },
    failed() {
      leave();
      return { ...load };
    },
    closed: leave,
  };
}

/** More connections than this to one server at once are datalinks' own crowd (the default --parallelism is 4). */
const CROWD = 8;

/**
 * The reason and hint for a failed connection that datalinks' own connections to the same server may
 * have caused: a connect timeout, or "too many clients", while it had a crowd of others open or
 * opening there. undefined when the failure is not one of those, or datalinks was not crowding it.
 */
export function crowdedFailure(
  error: unknown,
  timedOut: boolean,
  others: Load,
  server: string,
  timeoutMs: number,
): { reason: string; hint: string } | undefined {
  const tooMany = sqlstateOf(error) === SQLSTATE.tooManyConnections;
  if (!tooMany && !timedOut) return undefined;
  const own = others.opening + others.open;
  if (own < CROWD) return undefined;
  const crowd = `datalinks itself had ${own} other connections to ${server} open or opening (${others.opening} still opening)`;
  const lower = 'lower --parallelism: it bounds how many databases are read or changed at once';
  if (tooMany) {
    return {
      reason: `the server has no connection slot left (too many clients), and ${crowd}`,
      hint: `${lower}; the server's max_connections (or the role's connection limit) is shared with every other client`,
    };
  }
  const reachable = others.succeeded > 0 ? `; ${others.succeeded} connections to it succeeded in this run, so it is reachable` : '';
  return {
    reason: `no answer within ${seconds(timeoutMs)} (connect timeout), while ${crowd}${reachable}`,
    hint: `the server (or this machine) was too busy accepting datalinks' own connections to answer in time: ${lower}, or raise --connect-timeout`,
  };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

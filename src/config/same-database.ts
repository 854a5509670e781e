import { POSTGRES_DEFAULT_PORT } from '../wrappers/postgres/options.js';
import type { ConnectionTarget } from '../wrappers/types.js';
import { describeTarget } from '../wrappers/url.js';
import type { ConfigProblem } from './problem.js';
import { showValue } from './show-value.js';
import type { SourcePosition } from './types.js';

/** One alias's `url`: as written, and what it resolved to (null: a variable is unset, as in validate). */
export interface AliasUrl {
  alias: string;
  raw: string;
  target: ConnectionTarget | null;
  position: SourcePosition;
}

/**
 * Two aliases of one database would each destroy the other's links on every apply, even when only
 * one is selected with -d. What can be told without connecting is refused here, at both aliases:
 * - the same `url` text (`${DATABASE_URL}` twice): the same value, whatever it is, even unset;
 * - the same endpoint: host (a DNS name ignoring case and a final dot; an IPv6 address in its
 *   canonical form; a socket directory as written), port (none: PGPORT or 5432, as node-postgres
 *   connects) and database name (none: PGDATABASE, else the user name, as node-postgres connects).
 * Different spellings that may or may not reach one server (`localhost`, `127.0.0.1`, `::1`, a socket
 * directory, a host name and its address, a pooler) are not called the same: a name can resolve to
 * another server (localhost to ::1 where another one listens), and refusing a file that is right would
 * leave no way out. plan and apply tell those apart by the server's identity (plan-changes.ts).
 */
export function sameDatabaseProblems(urls: readonly AliasUrl[], env: NodeJS.ProcessEnv): ConfigProblem[] {
  // Union-find over the aliases, joined by equal url text and by equal endpoint.
  const parent = urls.map((_, i) => i);
  const root = (i: number): number => {
    let at = i;
    while (parent[at] !== at) at = parent[at] as number;
    return at;
  };
  const why = new Map<number, string>();
  const join = (key: string, seen: Map<string, number>, i: number, reason: string) => {
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    parent[root(i)] = root(first);
    for (const member of [i, first]) if (!why.has(member)) why.set(member, reason);
  };
  const byText = new Map<string, number>();
  const byEndpoint = new Map<string, number>();
  for (const [i, url] of urls.entries()) {
    join(url.raw.trim(), byText, i, `both read the url ${showValue(url.raw.trim())}`);
    const endpoint = url.target ? endpointOf(url.target, env) : null;
    if (endpoint) join(JSON.stringify(endpoint), byEndpoint, i, `both reach ${describeTarget(endpoint)}`);
  }
  const groups = new Map<number, number[]>();
  for (const i of urls.keys()) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  const problems: ConfigProblem[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    for (const i of members) {
      const url = urls[i] as AliasUrl;
      const others = members.filter((j) => j !== i).map((j) => urls[j] as AliasUrl);
      problems.push({
        position: url.position,
        message: `databases "${url.alias}" and ${others.map((o) => `"${o.alias}" (${where(o.position)})`).join(', ')} are the same database: ${why.get(i) ?? ''}`,
        hint: 'keep one alias per database and put all its links under it: two aliases of one database would each destroy the links of the other, with -d or without',
      });
    }
  }
  return problems;
}

/** Where node-postgres connects for `target`, or null when it cannot be told without the user's own account. */
function endpointOf(target: ConnectionTarget, env: NodeJS.ProcessEnv): { host: string; port: string; dbname: string } | null {
  const dbname = target.dbname ?? env.PGDATABASE ?? target.user ?? env.PGUSER ?? null;
  if (!dbname) return null;
  return { host: normalHost(target.host), port: target.port ?? env.PGPORT ?? POSTGRES_DEFAULT_PORT, dbname };
}

function normalHost(host: string): string {
  if (host.startsWith('/')) return host.replace(/(.)\/+$/, '$1');
  if (host.includes(':')) {
    try {
      return new URL(`http://[${host}]`).hostname;
    } catch {
      return host.toLowerCase();
    }
  }
  return host.toLowerCase().replace(/\.$/, '');
}

function where(position: SourcePosition): string {
  return position.line > 0 ? `${position.file}:${position.line}:${position.column}` : position.file;
}

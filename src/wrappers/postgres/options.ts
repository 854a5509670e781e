import type { ServerOptionFact } from '../types.js';

/** PostgreSQL's port when a URL names none. */
export const POSTGRES_DEFAULT_PORT = '5432';

const boolean = { type: 'boolean' } as const;
const positiveInteger = { type: 'integer', minimum: 1 } as const;
const cost = { type: 'number', minimum: 0 } as const;

/**
 * postgres_fdw's server options that server_options may set, and the PostgreSQL version that
 * introduced each. Connection options come from the remote URL; `updatable` (and, for a read link,
 * `truncatable`) is set from `access`.
 */
export const POSTGRES_SERVER_OPTIONS = {
  use_remote_estimate: { value: boolean, since: 90300 },
  fdw_startup_cost: { value: cost, since: 90300 },
  fdw_tuple_cost: { value: cost, since: 90300 },
  extensions: { value: { type: 'array', items: { type: 'string', minLength: 1 } }, since: 90600 },
  fetch_size: { value: positiveInteger, since: 90600 },
  updatable: { value: boolean, since: 90300, fromAccess: true },
  async_capable: { value: boolean, since: 140000 },
  batch_size: { value: positiveInteger, since: 140000 },
  keep_connections: { value: boolean, since: 140000 },
  truncatable: { value: boolean, since: 140000 },
  parallel_commit: { value: boolean, since: 150000 },
  parallel_abort: { value: boolean, since: 160000 },
  analyze_sampling: { value: { enum: ['off', 'auto', 'random', 'system', 'bernoulli'] }, since: 160000 },
} as const satisfies Record<string, ServerOptionFact>;

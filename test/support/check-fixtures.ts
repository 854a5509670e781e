/** What the unit tests of check's report and its surfaces build reports from: a database, its links' health, a plan. */
import type { LinkHealth } from '../../src/check/types.js';
import type { DesiredDatabase, DesiredState } from '../../src/config/types.js';
import type { Plan } from '../../src/plan/types.js';

export const target = {
  url: 'postgres://u:secret@db:5432/app',
  host: 'db',
  port: '5432',
  dbname: 'app',
  user: 'u',
  password: 'secret',
  params: {},
};

/** A file of one database `alias` with `links`, each at its own line of datalinks.yaml (for annotations). */
export function desired(alias: string, links: string[]): DesiredState {
  const database = {
    alias,
    target,
    urlSource: '${DB}',
    links: links.map((name, i) => ({ name, position: { file: 'datalinks.yaml', line: 6 + 4 * i, column: 7 } })),
    position: { file: 'datalinks.yaml', line: 3, column: 3 },
  } as unknown as DesiredDatabase;
  return { configPath: 'datalinks.yaml', configHash: '', databases: [database] };
}

/** A link that works (a PostgreSQL 17 remote, two tables read), with `overrides`. */
export function health(link: string, overrides: Partial<LinkHealth> = {}): LinkHealth {
  return {
    link,
    fdw: 'postgres_fdw',
    state: 'ok',
    target: { host: 'billing.internal', port: '5432', dbname: 'billing', user: 'billing_ro' },
    remoteVersion: '17.2',
    remoteVersionNum: 170002,
    connectMs: 12.5,
    rttMs: 0.8,
    tablesChecked: 2,
    unreadable: [],
    failure: null,
    mappings: [],
    ...overrides,
  };
}

/** The read-only plan of one database `alias`. */
export function planOf(
  alias: string,
  changes: Plan['databases'][number]['changes'] = [],
  errors: Plan['databases'][number]['errors'] = [],
): Plan {
  return {
    databases: [{ alias, preamble: [], changes, errors, notes: [], fingerprint: '' }],
    summary: { create: 0, update: 0, destroy: 0 },
  };
}

import type { LocalEnvironment } from '../../src/introspect/types.js';

/** A local database as the planner's unit tests start from: PostgreSQL 17, role app, not a superuser, postgres_fdw installed and usable. */
export function localEnvironment(overrides: Partial<LocalEnvironment> = {}): LocalEnvironment {
  return {
    database: 'app',
    identity: 'one',
    versionNum: 170000,
    currentUser: 'app',
    isSuperuser: false,
    fdwExtension: '1.1',
    fdwAvailable: true,
    fdwUsage: true,
    canCreateSchema: true,
    ...overrides,
  };
}

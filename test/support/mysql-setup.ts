import type { TestProject } from 'vitest/node';
import { missingMysqlPackages, startMysqlServers } from './mysql-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the MySQL project cannot run here ('' when it can). */
    mysqlMissing: string;
    /** Superuser URL of a throwaway Debian PostgreSQL 15 with mysql_fdw available. */
    mysqlLocalAdminUrl: string;
    /** root@127.0.0.1 URL of a throwaway MariaDB. */
    mysqlAdminUrl: string;
  }
}

/**
 * The MySQL project's servers: a MariaDB and a Debian PostgreSQL 15, both throwaway (see
 * mysql-servers.ts). Without the packages the project is skipped with a message saying what to
 * install, unless DATALINKS_REQUIRE_MYSQL=1 (CI), which makes it an error.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('mysqlLocalAdminUrl', '');
  project.provide('mysqlAdminUrl', '');
  const missing = missingMysqlPackages();
  if (missing) {
    const reason = `MySQL tests skipped: ${missing}`;
    if (process.env.DATALINKS_REQUIRE_MYSQL === '1') throw new Error(`${reason}, and DATALINKS_REQUIRE_MYSQL=1 requires them`);
    console.warn(`\n*** ${reason} ***\n`);
    project.provide('mysqlMissing', reason);
    return async () => {};
  }
  project.provide('mysqlMissing', '');
  const servers = await startMysqlServers();
  project.provide('mysqlAdminUrl', servers.mysqlAdminUrl);
  project.provide('mysqlLocalAdminUrl', servers.localAdminUrl);
  return servers.stop;
}

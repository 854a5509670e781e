import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from '../../src/demo/embedded-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    /** The embedded server's log file, for tests of what PostgreSQL logs; '' for an external server. */
    serverLog: string;
  }
}

/** One PostgreSQL for the integration project: DATALINKS_TEST_DATABASE_URL, or an embedded one. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATALINKS_TEST_DATABASE_URL;
  if (external) {
    project.provide('adminUrl', external);
    project.provide('serverLog', '');
    return async () => {};
  }
  const serverLog = join(mkdtempSync(join(tmpdir(), 'datalinks-pg-log-')), 'postgresql.log');
  const server = await startEmbeddedServer({ onLog: (chunk) => appendFileSync(serverLog, String(chunk)) });
  project.provide('adminUrl', server.url);
  project.provide('serverLog', serverLog);
  return () => server.stop();
}

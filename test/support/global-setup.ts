import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from '../../src/demo/embedded-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

/** One PostgreSQL for the integration project: DATALINKS_TEST_DATABASE_URL, or an embedded one. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATALINKS_TEST_DATABASE_URL;
  if (external) {
    project.provide('adminUrl', external);
    return async () => {};
  }
  const server = await startEmbeddedServer();
  project.provide('adminUrl', server.url);
  return () => server.stop();
}

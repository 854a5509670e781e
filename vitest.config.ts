import { defineConfig } from 'vitest/config';
import ProjectsInOrder from './test/support/sequencer.js';

export default defineConfig({
  test: {
    // Vitest's default is one worker per core but one (here: 1 of 2). The integration and MySQL files
    // spend most of their time waiting (on the servers, on timeouts of stalled peers, on the CLI as a
    // child process), so files run three at a time; the servers are shared (one per project).
    maxWorkers: 3,
    sequence: { sequencer: ProjectsInOrder },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          // Pure tests: one module graph per worker thread instead of a fresh process and graph per
          // file, which cost more CPU than the tests themselves (import 13 s of 25 s).
          pool: 'threads',
          isolate: false,
          // Ink reads CI once, when a thread first imports it, and the unit files share their threads'
          // imports; the files that watch Ink draw live frames need it unset (.ci/run sets CI=true).
          env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
          // Property tests of a few seconds share the cores with the servers of the other projects.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.{ts,tsx}'],
          globalSetup: ['./test/support/global-setup.ts'],
          // A worker process runs file after file with the modules it has loaded (the CLI, pg, Ink):
          // a fresh process and module graph per file cost about a third of the project's CPU. Each
          // file's databases and roles are still dropped when it ends (file-end.ts).
          isolate: false,
          setupFiles: ['./test/support/file-end-hook.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // MySQL and MariaDB remotes on a real MariaDB and Debian's PostgreSQL 15 with mysql_fdw, both
        // started by the set-up; skipped with a message when those packages are missing (see README).
        test: {
          name: 'mysql',
          include: ['test/mysql/**/*.test.ts'],
          globalSetup: ['./test/support/mysql-setup.ts'],
          // As the integration project: a worker runs file after file (file-end.ts drops what each made).
          isolate: false,
          setupFiles: ['./test/support/file-end-hook.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

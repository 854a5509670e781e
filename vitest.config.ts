import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.{ts,tsx}'],
          globalSetup: ['./test/support/global-setup.ts'],
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
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

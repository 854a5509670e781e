import { existsSync } from 'node:fs';
import type { DesiredDatabase } from '../config/types.js';
import { UserError } from '../errors.js';
import { registerConnectionSecrets } from '../secrets.js';
import { parsePostgresUrl } from '../wrappers/postgres/parse-url.js';
import { loadDesiredOrThrow } from './load-desired.js';

/**
 * Which databases `export` reads: the configuration file's (compared with it), or, for a first command on
 * a database with links made by hand, one database without a file: `--database-url URL`, or DATABASE_URL
 * when there is no ./datalinks.yaml. That database is written as `main`, with `url: ${DATABASE_URL}`: the
 * URL itself holds the password and is never printed.
 */

export interface ExportSourceFlags {
  config: string;
  database: string[];
  databaseUrl?: string;
  /** Whether -c was given (commander's option source), not only its default. */
  configGiven: boolean;
}

export interface ExportSource {
  databases: DesiredDatabase[];
  /** The file the databases come from, or undefined. */
  configPath?: string;
  /** Where the URL came from when there is no file. */
  localUrlFrom?: string;
}

/** The alias the one database of a file-less export is written under. */
export const EXPORT_ALIAS = 'main';

export async function exportSource(flags: ExportSourceFlags, env: NodeJS.ProcessEnv): Promise<ExportSource> {
  if (flags.databaseUrl !== undefined) {
    if (flags.configGiven) {
      throw new UserError('conflicting_flags', '--database-url and -c cannot be used together', [
        '--database-url exports one database without a configuration file; -c exports the databases of a file',
      ]);
    }
    refuseSelection(flags, '--database-url');
    return { databases: [databaseAt(flags.databaseUrl, '--database-url')], localUrlFrom: '--database-url' };
  }
  if (!flags.configGiven && !existsSync(flags.config)) {
    const fromEnv = env.DATABASE_URL;
    if (fromEnv === undefined || fromEnv === '') {
      throw new UserError('config_not_found', `no ${flags.config} here to export the databases of, and DATABASE_URL is not set`, [
        'export one database without a file: datalinks export --database-url postgres://USER:PASSWORD@HOST/DBNAME, or set DATABASE_URL',
        'or name the configuration file with -c FILE',
      ]);
    }
    refuseSelection(flags, 'DATABASE_URL');
    return { databases: [databaseAt(fromEnv, 'DATABASE_URL')], localUrlFrom: 'DATABASE_URL' };
  }
  const desired = await loadDesiredOrThrow(flags.config, flags.database, env);
  return { databases: desired.databases, configPath: flags.config };
}

function refuseSelection(flags: ExportSourceFlags, source: string): void {
  if (flags.database.length === 0) return;
  throw new UserError('conflicting_flags', `-d selects databases of a configuration file; the database at ${source} has none to select`, [
    `leave out -d: the database is written as "${EXPORT_ALIAS}"`,
  ]);
}

/** The database at `url`, as the file `url: ${DATABASE_URL}` would give it. The URL is a secret first. */
function databaseAt(url: string, source: string): DesiredDatabase {
  registerConnectionSecrets(url);
  const parsed = parsePostgresUrl(url, 'local');
  if (!parsed.ok) throw new UserError('invalid_url', `${source} ${parsed.message}`, [parsed.hint]);
  return {
    alias: EXPORT_ALIAS,
    target: parsed.target,
    urlSource: '${DATABASE_URL}',
    links: [],
    position: { file: source, line: 0, column: 0 },
  };
}

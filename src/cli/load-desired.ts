import { loadConfig, validateConfig } from '../config/load-config.js';
import { type ConfigProblem, formatNote } from '../config/problem.js';
import { showValue } from '../config/show-value.js';
import type { DesiredDatabase, DesiredState } from '../config/types.js';
import { UserError } from '../errors.js';
import { plural } from '../plural.js';
import { ConfigInvalidError } from './config-error.js';

/** The databases selected with -d (all of the file without it), and the file's others. */
export interface Selection extends DesiredState {
  /** The file's databases not selected: plan and apply still read who they are (an alias of a selected one?). */
  unselected: DesiredDatabase[];
}

/** Loads the config or throws one UserError listing every problem in it. */
export async function loadDesiredOrThrow(path: string, aliases: readonly string[], env: NodeJS.ProcessEnv): Promise<Selection> {
  const result = await loadConfig(path, env);
  if (!result.ok) throw invalidConfig(path, result.problems);
  checkAliases(
    path,
    aliases,
    result.value.databases.map((db) => db.alias),
  );
  if (aliases.length === 0) return { ...result.value, unselected: [] };
  return {
    ...result.value,
    databases: result.value.databases.filter((db) => aliases.includes(db.alias)),
    unselected: result.value.databases.filter((db) => !aliases.includes(db.alias)),
  };
}

/** `validate`: the file's shape and rules, no secrets needed. Returns the summary line and the notes. */
export async function validateOrThrow(
  path: string,
  aliases: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ summary: string; notes: string[] }> {
  const result = await validateConfig(path, env);
  if (!result.ok) throw invalidConfig(path, result.problems, result.notes);
  checkAliases(
    path,
    aliases,
    result.value.databases.map((db) => db.alias),
  );
  const databases = result.value.databases.filter((db) => aliases.length === 0 || aliases.includes(db.alias));
  const links = databases.reduce((sum, db) => sum + db.links, 0);
  return {
    summary: `${path} is valid: ${plural(databases.length, 'database')}, ${plural(links, 'link')}.`,
    notes: result.notes.map((note) => formatNote(note)),
  };
}

function invalidConfig(path: string, problems: ConfigProblem[], notes: ConfigProblem[] = []): UserError {
  return new ConfigInvalidError(
    problems,
    path,
    notes.map((n) => formatNote(n)),
  );
}

function checkAliases(path: string, aliases: readonly string[], known: string[]): void {
  const unknown = aliases.filter((alias) => !known.includes(alias));
  if (unknown.length === 0) return;
  throw new UserError('unknown_database', `no database ${unknown.map((a) => showValue(a)).join(', ')} in ${path}`, [
    `databases in the file: ${known.map((a) => showValue(a)).join(', ') || '(none)'}`,
  ]);
}

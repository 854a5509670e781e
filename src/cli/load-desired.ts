import { loadConfig, validateConfig } from '../config/load-config.js';
import { type ConfigProblem, formatNote } from '../config/problem.js';
import { type SelectedState, type SelectionFlags, selectDatabases } from '../config/select.js';
import { showValue } from '../config/show-value.js';
import { UserError } from '../errors.js';
import type { PlanSelection } from '../plan/types.js';
import { plural } from '../plural.js';
import { ConfigInvalidError } from './config-error.js';

/** The databases selected with -d, --shard and --link (all of the file without them), and the file's others. */
export type Selection = SelectedState;

/** Loads the config and selects what the flags name, or throws one UserError listing every problem in the file. */
export async function loadDesiredOrThrow(
  path: string,
  aliases: readonly string[],
  env: NodeJS.ProcessEnv,
  flags: Omit<SelectionFlags, 'databases'> = {},
): Promise<Selection> {
  const result = await loadConfig(path, env);
  if (!result.ok) throw invalidConfig(path, result.problems);
  const selected = selectDatabases(result.value, { ...flags, databases: aliases }, path);
  if ('code' in selected) throw new UserError(selected.code, selected.message, selected.hints);
  return selected;
}

/** What a saved plan records of the selection, and the views say: undefined for the whole file (or -d alone). */
export function planSelection(selection: Selection): PlanSelection | undefined {
  return selection.links || selection.shard ? { links: selection.links, shard: selection.shard } : undefined;
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

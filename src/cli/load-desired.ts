import { loadConfig } from '../config/load-config.js';
import type { DesiredState } from '../config/types.js';
import { UserError } from '../errors.js';
import { ConfigInvalidError } from './config-error.js';

/** Loads the config or throws one UserError listing every problem in it. */
export async function loadDesiredOrThrow(path: string, aliases: readonly string[], env: NodeJS.ProcessEnv): Promise<DesiredState> {
  const result = await loadConfig(path, env);
  if (!result.ok) {
    throw new ConfigInvalidError(result.problems, path);
  }
  const unknown = aliases.filter((alias) => !result.value.databases.some((db) => db.alias === alias));
  if (unknown.length > 0) {
    throw new UserError('unknown_database', `no database ${unknown.map((a) => `"${a}"`).join(', ')} in ${path}`, [
      `databases in the file: ${result.value.databases.map((db) => db.alias).join(', ') || '(none)'}`,
    ]);
  }
  if (aliases.length === 0) return result.value;
  return { ...result.value, databases: result.value.databases.filter((db) => aliases.includes(db.alias)) };
}

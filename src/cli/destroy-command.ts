import { UserError } from '../errors.js';
import { applySelection } from './apply-command.js';
import { loadDesiredOrThrow, type Selection } from './load-desired.js';
import type { CommonOptions, ConnectionFlags } from './options.js';
import type { Output } from './output.js';
import { createUi } from './ui.js';

export interface DestroyFlags extends CommonOptions, ConnectionFlags {
  link: string[];
  autoApprove?: boolean;
  allowDependentDrops?: boolean;
  lockTimeout: string;
}

/**
 * `destroy -d ALIAS`: offboarding. Plans the databases as if the file gave them no links (or, with
 * --link, removes only those), so the plan destroys every managed link there: foreign tables, user
 * mappings (with the credentials they hold), schema and server. Confirmed and applied as apply does:
 * typing the alias in a terminal, --auto-approve without one, --allow-dependent-drops for what
 * depends on them. Nothing else is read: no remote, and no link outside --link.
 */
export async function runDestroyCommand(options: DestroyFlags, output: Output, signal?: AbortSignal): Promise<number> {
  if (options.database.length === 0) {
    throw new UserError('database_required', 'destroy needs the databases to offboard, with -d ALIAS: it never destroys a whole file', [
      'name each database: datalinks destroy -d ALIAS (repeatable), then delete its entry from the file',
    ]);
  }
  const selected = await loadDesiredOrThrow(options.config, options.database, output.env, { links: options.link });
  const ui = await createUi(output);
  return applySelection(withoutLinks(selected), { ...options, verify: true, link: [] }, output, ui, signal);
}

/** The selected databases with no links wanted: the plan destroys each managed link (of --link only, if given). */
function withoutLinks(selection: Selection): Selection {
  return { ...selection, databases: selection.databases.map((database) => ({ ...database, links: [] })) };
}

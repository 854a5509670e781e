import { messageOf, UserError } from '../errors.js';
import { safe } from '../escape.js';
import { readLinkCatalog } from '../introspect/observe.js';
import { type ExportedDatabase, exportConfig } from '../render/export-config.js';
import { connectionBounds } from './durations.js';
import { EXIT_OK } from './exit-codes.js';
import { throwIfInterrupted } from './interruptible.js';
import { loadDesiredOrThrow } from './load-desired.js';
import type { CommonOptions, ConnectionFlags } from './options.js';
import type { Output } from './output.js';
import { runFanout } from './parallelism.js';

/** Prints datalinks.yaml for the links that exist now in each configured database. */
export async function runExportCommand(options: CommonOptions & ConnectionFlags, output: Output, signal?: AbortSignal): Promise<number> {
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env);
  const bounds = { ...connectionBounds(options), signal };
  const fanout = await runFanout(desired.databases, options, output);
  const databases = await fanout.map(
    desired.databases,
    (database) => database.target,
    async (database): Promise<ExportedDatabase> => {
      try {
        return { database, catalog: await readLinkCatalog(database, bounds) };
      } catch (error) {
        throw new UserError('export_failed', safe`cannot export database "${database.alias}": ${messageOf(error)}`);
      }
    },
  );
  if (signal) throwIfInterrupted(signal);
  output.out(exportConfig(databases), 'yaml');
  return EXIT_OK;
}

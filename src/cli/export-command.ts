import { messageOf, UserError } from '../errors.js';
import { safe } from '../escape.js';
import { readLinkCatalog } from '../introspect/observe.js';
import { type ExportedDatabase, exportConfig } from '../render/export-config.js';
import { connectionBounds } from './durations.js';
import { EXIT_OK } from './exit-codes.js';
import { type ExportSourceFlags, exportSource } from './export-source.js';
import { throwIfInterrupted } from './interruptible.js';
import type { ConnectionFlags } from './options.js';
import type { Output } from './output.js';
import { runFanout } from './parallelism.js';

/**
 * Prints datalinks.yaml for the links that exist now in each configured database (compared with the
 * file), or in the one database at --database-url or DATABASE_URL when there is no file.
 */
export async function runExportCommand(
  options: ExportSourceFlags & ConnectionFlags,
  output: Output,
  signal?: AbortSignal,
): Promise<number> {
  const source = await exportSource(options, output.env);
  const bounds = { ...connectionBounds(options), signal };
  const fanout = await runFanout(source.databases, options, output);
  const databases = await fanout.map(
    source.databases,
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
  output.out(exportConfig(databases, { configPath: source.configPath, localUrlFrom: source.localUrlFrom }), 'yaml');
  return EXIT_OK;
}

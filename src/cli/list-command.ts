import { messageOf } from '../errors.js';
import { escapeJson } from '../escape.js';
import { readLinkCatalog } from '../introspect/observe.js';
import { parseManagedComment } from '../plan/managed-comment.js';
import { type ListedDatabase, type ListedLink, renderList, toListDocument } from '../render/list-text.js';
import { wrapperNamed } from '../wrappers/index.js';
import { describeTarget } from '../wrappers/url.js';
import { connectionBounds } from './durations.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { throwIfInterrupted } from './interruptible.js';
import { loadDesiredOrThrow } from './load-desired.js';
import type { CommonOptions, ConnectionFlags } from './options.js';
import type { Output } from './output.js';
import { runFanout } from './parallelism.js';

export type { ListedDatabase, ListedLink };

export async function runListCommand(
  options: CommonOptions & ConnectionFlags & { json?: boolean },
  output: Output,
  signal?: AbortSignal,
): Promise<number> {
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env);
  const bounds = { ...connectionBounds(options), signal };
  const fanout = await runFanout(desired.databases, options, output);
  const databases = await fanout.map(
    desired.databases,
    (database) => database.target,
    async (database): Promise<ListedDatabase> => {
      const base = { name: database.alias, target: describeTarget(database.target) };
      try {
        const catalog = await readLinkCatalog(database, bounds);
        const links = catalog.servers.map((server): ListedLink => {
          // Managed means the marker on a server this role owns; a marker on another role's server is not ours.
          const marked = parseManagedComment(server.comment);
          const meta = marked && server.owned ? marked : null;
          const tables = catalog.foreignTables.filter((t) => t.server === server.name);
          // A MySQL link names its database on each foreign table (dbname), not on the server.
          const wrapper = wrapperNamed(server.wrapper);
          const first = tables[0];
          const database = wrapper?.remoteSchemaFromUrl
            ? first
              ? wrapper.remoteTableOf(first).schema
              : null
            : (server.options.dbname ?? null);
          return {
            name: server.name,
            managed: meta !== null,
            owner: server.owner,
            wrapper: server.wrapper,
            created_at: meta?.created_at ?? null,
            remote_variable: meta?.remote ?? null,
            remote_host: server.options.host ?? null,
            remote_port: server.options.port ?? null,
            remote_database: database,
            tables: tables.length,
          };
        });
        return { ...base, links };
      } catch (error) {
        return { ...base, links: [], error: messageOf(error) };
      }
    },
  );
  if (signal) throwIfInterrupted(signal);
  if (options.json) output.out(`${escapeJson(JSON.stringify(toListDocument(databases), null, 2))}\n`, 'json');
  else output.out(renderList(databases));
  return databases.some((db) => db.error) ? EXIT_ERROR : EXIT_OK;
}

import { describeTarget } from '../config/parse-url.js';
import { messageOf } from '../errors.js';
import { readLinkCatalog } from '../introspect/observe.js';
import { parseManagedComment } from '../plan/managed-comment.js';
import type { CommonOptions, ConnectionFlags } from './commands.js';
import { connectionBounds } from './durations.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { mapLimited } from './limit.js';
import { loadDesiredOrThrow } from './load-desired.js';
import type { Output } from './output.js';

export interface ListedLink {
  name: string;
  managed: boolean;
  wrapper: string;
  created_at: string | null;
  remote_variable: string | null;
  remote_host: string | null;
  remote_port: string | null;
  remote_database: string | null;
  tables: number;
}

export interface ListedDatabase {
  name: string;
  target: string;
  links: ListedLink[];
  error?: string;
}

export async function runListCommand(options: CommonOptions & ConnectionFlags & { json?: boolean }, output: Output): Promise<number> {
  const desired = await loadDesiredOrThrow(options.config, options.database, output.env);
  const bounds = connectionBounds(options);
  const databases = await mapLimited(desired.databases, options.parallelism, async (database): Promise<ListedDatabase> => {
    const base = { name: database.alias, target: describeTarget(database.target) };
    try {
      const catalog = await readLinkCatalog(database, bounds);
      const links = catalog.servers.map((server): ListedLink => {
        const meta = parseManagedComment(server.comment);
        return {
          name: server.name,
          managed: meta !== null,
          wrapper: server.wrapper,
          created_at: meta?.created_at ?? null,
          remote_variable: meta?.remote ?? null,
          remote_host: server.options.host ?? null,
          remote_port: server.options.port ?? null,
          remote_database: server.options.dbname ?? null,
          tables: catalog.foreignTables.filter((t) => t.server === server.name).length,
        };
      });
      return { ...base, links };
    } catch (error) {
      return { ...base, links: [], error: messageOf(error) };
    }
  });
  output.out(options.json ? `${JSON.stringify({ databases }, null, 2)}\n` : renderList(databases));
  return databases.some((db) => db.error) ? EXIT_ERROR : EXIT_OK;
}

/** The listing in the shape of `heroku pg:links`. */
export function renderList(databases: ListedDatabase[]): string {
  const out: string[] = [];
  for (const database of databases) {
    out.push(`=== ${database.name} (${database.target})`);
    if (database.error) out.push(`Error: ${database.error}`);
    else if (database.links.length === 0) out.push('No data links in this database.');
    for (const link of database.links) {
      const remote = `${link.remote_host ?? '?'}:${link.remote_port ?? '5432'}/${link.remote_database ?? '?'}`;
      out.push(`==== ${link.name}${link.managed ? '' : ' (not managed by datalinks)'}`);
      out.push(`Created:     ${link.created_at ? formatCreated(link.created_at) : 'unknown'}`);
      out.push(`Remote:      ${link.remote_variable ? `${link.remote_variable} (${remote})` : remote}`);
      out.push(`Remote Name: ${link.name}`);
      out.push(`Tables:      ${link.tables}${link.wrapper === 'postgres_fdw' ? '' : ` (wrapper ${link.wrapper})`}`);
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}

function formatCreated(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

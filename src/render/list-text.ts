import { escapeText, safe } from '../escape.js';
import { wrapperNamed } from '../wrappers/index.js';
import { describeTarget } from '../wrappers/url.js';

export interface ListedLink {
  name: string;
  managed: boolean;
  /** The role that owns the server (a server marked by another role is not managed by this one). */
  owner: string;
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

/** `list --json`, described by schemas/list.schema.json. */
export interface ListDocument {
  format_version: 1;
  databases: ListedDatabase[];
}

export function toListDocument(databases: ListedDatabase[]): ListDocument {
  return { format_version: 1, databases };
}

/**
 * The listing in the shape of `heroku pg:links`. Server names, hosts, database names, the remote
 * variable and error messages come from the catalogs: each is escaped for the terminal.
 */
export function renderList(databases: ListedDatabase[]): string {
  const out: string[] = [];
  for (const database of databases) {
    out.push(safe`=== ${database.name} (${database.target})`);
    if (database.error) out.push(safe`Error: ${database.error}`);
    else if (database.links.length === 0) out.push('No data links in this database.');
    for (const link of database.links) {
      const endpoint = { host: link.remote_host, port: link.remote_port, dbname: link.remote_database };
      const remote = safe`${describeTarget(endpoint, wrapperNamed(link.wrapper)?.defaultPort)}`;
      out.push(safe`==== ${link.name}${link.managed ? '' : ` (not managed by datalinks; owner ${link.owner})`}`);
      out.push(`Created:     ${link.created_at ? formatCreated(link.created_at) : 'unknown'}`);
      out.push(`Remote:      ${link.remote_variable ? safe`${link.remote_variable} (${remote})` : remote}`);
      out.push(safe`Remote Name: ${link.name}`);
      out.push(safe`Tables:      ${link.tables}${link.wrapper === 'postgres_fdw' ? '' : ` (wrapper ${link.wrapper})`}`);
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}

function formatCreated(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? escapeText(iso) : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

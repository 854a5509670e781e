import { Document, isNode } from 'yaml';
import type { DesiredDatabase, DesiredLink } from '../config/types.js';
import type { LinkCatalog, ObservedServer } from '../introspect/types.js';
import { parseManagedComment } from '../plan/managed-comment.js';

const CONNECTION_OPTIONS = new Set(['host', 'hostaddr', 'port', 'dbname']);
const BOOLEAN_OPTIONS = new Set([
  'use_remote_estimate',
  'async_capable',
  'keep_connections',
  'truncatable',
  'parallel_commit',
  'parallel_abort',
]);
const INTEGER_OPTIONS = new Set(['fetch_size', 'batch_size']);
const NUMBER_OPTIONS = new Set(['fdw_startup_cost', 'fdw_tuple_cost']);
const SERVER_OPTIONS = new Set([...BOOLEAN_OPTIONS, ...INTEGER_OPTIONS, ...NUMBER_OPTIONS, 'extensions', 'analyze_sampling']);

export interface ExportedDatabase {
  database: DesiredDatabase;
  catalog: LinkCatalog;
}

/**
 * datalinks.yaml text for the links that exist now, managed and hand-made. Pure. Remote URLs are
 * `${VAR}` references (the variable a managed link remembers, `<LINK>_URL` otherwise); a link already
 * in the configuration keeps its table filter and import options, any other lists its tables.
 */
export function exportConfig(databases: ExportedDatabase[]): string {
  const variables = new Map<string, string>();
  const comments = new Map<string, string>();
  const body = {
    version: 1,
    databases: Object.fromEntries(
      databases.map(({ database, catalog }) => {
        const links = Object.fromEntries(
          catalog.servers
            .filter((server) => server.wrapper === 'postgres_fdw')
            .map((server) => {
              const configured = database.links.find((l) => l.name === server.name);
              const { link, variable, connection } = exportLink(server, catalog, configured);
              variables.set(variable, connection);
              if (!parseManagedComment(server.comment)) {
                comments.set(`${database.alias}\0${server.name}`, ' made by hand: `datalinks apply --adopt` takes it over');
              }
              return [server.name, link];
            }),
        );
        return [database.alias, { url: database.urlSource, links }];
      }),
    ),
  };
  const document = new Document(body);
  const needed = [...variables].map(([name, connection]) => `   ${name}: ${connection}`).join('\n');
  document.commentBefore = ` Exported by datalinks from the live catalogs.${needed ? `\n Set these variables to postgres:// URLs (with the password) for:\n${needed}` : ''}`;
  for (const [key, comment] of comments) {
    const [alias, name] = key.split('\0') as [string, string];
    const node = document.getIn(['databases', alias, 'links', name], true);
    if (isNode(node)) node.commentBefore = comment;
  }
  return `# yaml-language-server: $schema=./node_modules/datalinks/schemas/datalinks.schema.json\n${document.toString()}`;
}

function exportLink(server: ObservedServer, catalog: LinkCatalog, configured: DesiredLink | undefined) {
  const meta = parseManagedComment(server.comment);
  const variable = configured?.remote.variable ?? meta?.remote ?? `${server.name.toUpperCase()}_URL`;
  const tables = catalog.foreignTables.filter((t) => t.server === server.name && t.schema === server.name);
  const remoteSchema = tables[0]?.options.schema_name ?? configured?.remote.schema ?? 'public';
  const serverOptions: Record<string, unknown> = {};
  const libpq: string[] = [];
  for (const [name, value] of Object.entries(server.options)) {
    if (SERVER_OPTIONS.has(name)) serverOptions[name] = typedOption(name, value);
    else if (!CONNECTION_OPTIONS.has(name) && name !== 'updatable') libpq.push(`${name}=${value}`);
  }
  const mappingUser = server.mappings.find((m) => m.role === catalog.environment.currentUser)?.options?.user;
  const where = `${server.options.host ?? '?'}:${server.options.port ?? '5432'}/${server.options.dbname ?? '?'}`;
  const connection = `user ${mappingUser ?? '?'} at ${where}${libpq.length ? ` with ?${libpq.join('&')}` : ''}`;
  const grantTo = [
    ...new Set([
      ...server.mappings.map((m) => m.role),
      ...tables.flatMap((t) => t.grants.map((g) => g.grantee).filter((grantee) => grantee !== t.owner)),
    ]),
  ].filter((role) => role !== catalog.environment.currentUser && role !== 'public');
  const link: Record<string, unknown> = {
    remote: { url: `\${${variable}}`, ...(remoteSchema !== 'public' ? { schema: remoteSchema } : {}) },
  };
  if (configured?.tables) link.tables = configured.tables;
  else if (configured && configured.exclude.length > 0) link.exclude = configured.exclude;
  else if (!configured) link.tables = tables.map((t) => t.options.table_name ?? t.name);
  link.access = server.options.updatable === 'false' ? 'read' : 'write';
  if (grantTo.length > 0) link.grant_to = grantTo.sort();
  if (Object.keys(serverOptions).length > 0) link.server_options = serverOptions;
  if (configured && JSON.stringify(configured.importOptions) !== JSON.stringify(DEFAULTS)) link.import_options = configured.importOptions;
  return { link, variable, connection };
}

const DEFAULTS = { import_collate: true, import_default: false, import_generated: true, import_not_null: true };

function typedOption(name: string, value: string): unknown {
  if (BOOLEAN_OPTIONS.has(name)) return value === 'true';
  if (INTEGER_OPTIONS.has(name) || NUMBER_OPTIONS.has(name)) return Number(value);
  if (name === 'extensions')
    return value
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
  return value;
}

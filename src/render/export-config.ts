import { Document, isNode, visit } from 'yaml';
import { literalForInterpolation } from '../config/interpolate.js';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredLink } from '../config/types.js';
import { hasUnsafeCharacters, type SafeText, safe } from '../escape.js';
import type { ForeignTableSummary, LinkCatalog, ObservedServer } from '../introspect/types.js';
import { parseManagedComment } from '../plan/managed-comment.js';
import { desiredServerOptions, diffOptions } from '../plan/plan-database.js';
import { plural } from '../plural.js';
import { type Wrapper, wrapperNamed } from '../wrappers/index.js';
import type { OptionValue } from '../wrappers/types.js';
import { linkDifferences } from './export-differences.js';
import { holdsWorkflowCommand } from './workflow-command-escape.js';

const CONNECTION_OPTIONS = new Set(['host', 'hostaddr', 'port', 'dbname']);
const WRITE_PRIVILEGES = new Set(['INSERT', 'UPDATE', 'DELETE']);
const LINK_NAME = /^[a-z0-9_]{1,63}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ExportedDatabase {
  database: DesiredDatabase;
  catalog: LinkCatalog;
}

export interface ExportOptions {
  /**
   * The configuration file the databases were read from: each link, and each link of the file that does
   * not exist, is compared with it (`# differs from the file: ...`). Absent when there is none.
   */
  configPath?: string;
  /** Where the local database's URL came from when there is no file: `--database-url`, `DATABASE_URL`. */
  localUrlFrom?: string;
}

/** One link as export writes it, with what it could not express. */
interface ExportedLink {
  link: Record<string, unknown>;
  /** The variable that holds the whole remote URL and that the reader must set; null when the file already says (a URL composed of variables). */
  variable: string | null;
  connection: SafeText;
  /** Comment lines (escaped) above the link: how it was made, and each thing YAML cannot say. */
  comments: SafeText[];
}

/**
 * datalinks.yaml text for the links that exist now, managed and hand-made. Pure. Remote URLs are
 * `${VAR}` references (the variable a managed link remembers, `<LINK>_URL` otherwise), or for a link
 * already in the configuration its url as written there (`postgres://ro:${PW}@host/db` stays so). Each
 * link lists the remote tables its foreign tables read now (what exists, not the file's filter); a link
 * already in the configuration keeps its import options, and `# differs from the file:` comments above
 * it say where the file says otherwise (export-differences.ts), as do comments above a database for the
 * file's links that do not exist. What the file cannot express (foreign tables outside the link's
 * schema, a PUBLIC mapping, several remote schemas on one server) is a `# warning:` comment above the
 * link, so nobody adopts it unaware.
 *
 * Every name comes from the catalogs and may hold anything: values and keys are written by the yaml
 * library (which quotes what would break the structure), any string holding a control or invisible
 * character is double-quoted with that character written as a YAML escape, and comments are escaped
 * text. A value the loader interpolates has each `$` written `$$`, so `${CI_SECRET}` reads back as
 * itself, not as that variable. The output round-trips and sends nothing raw to a terminal.
 */
export function exportConfig(databases: ExportedDatabase[], options: ExportOptions = {}): string {
  const variables = new Map<string, SafeText>();
  const comments = new Map<string, SafeText[]>();
  const databaseComments = new Map<string, SafeText[]>();
  const body = {
    version: 1,
    databases: Object.fromEntries(
      databases.map(({ database, catalog }) => {
        const skipped = catalog.servers.filter((server) => !wrapperNamed(server.wrapper));
        const notHere = options.configPath ? database.links.filter((link) => !catalog.servers.some((s) => s.name === link.name)) : [];
        const above = [
          ...skipped.map(
            (server) =>
              safe`warning: server "${server.name}" uses the wrapper ${server.wrapper}, which export does not write; it is left out`,
          ),
          ...notHere.map(
            (link) =>
              safe`differs from the file: its link "${link.name}" does not exist in this database (datalinks apply creates it), so it is not written here`,
          ),
        ];
        if (above.length > 0) databaseComments.set(database.alias, above);
        const links = Object.fromEntries(
          catalog.servers
            .filter((server) => wrapperNamed(server.wrapper))
            .map((server) => {
              const configured = database.links.find((l) => l.name === server.name);
              const exported = exportLink(server, catalog, configured);
              if (options.configPath && !configured) {
                exported.comments.push(
                  parseManagedComment(server.comment)
                    ? safe`differs from the file: the link is not in the file (datalinks apply destroys it)`
                    : safe`differs from the file: the link is not in the file`,
                );
              }
              if (exported.variable) variables.set(exported.variable, exported.connection);
              if (exported.comments.length > 0) comments.set(`${database.alias}\0${server.name}`, exported.comments);
              return [server.name, exported.link];
            }),
        );
        return [database.alias, { url: database.urlSource, links }];
      }),
    ),
  };
  const document = new Document(body, { aliasDuplicateObjects: false });
  const local = options.localUrlFrom
    ? [safe`   DATABASE_URL: the local database (the URL given as ${options.localUrlFrom}, not written here: it holds the password)`]
    : [];
  const needed = [...local, ...[...variables].map(([name, connection]) => safe`   ${name}: ${connection}`)].join('\n');
  const compared = options.configPath
    ? `\n What exists is written; "differs from the file:" comments say where ${safe`${options.configPath}`} says otherwise.`
    : '';
  document.commentBefore = ` Exported by datalinks from the live catalogs.${compared}${needed ? `\n Set these variables to postgres:// (or, for mysql_fdw, mysql://) URLs (with the password) for:\n${needed}` : ''}`;
  for (const [alias, lines] of databaseComments) {
    const node = document.getIn(['databases', alias], true);
    if (isNode(node)) node.commentBefore = lines.map((l) => ` ${l}`).join('\n');
  }
  for (const [key, lines] of comments) {
    const [alias, name] = key.split('\0') as [string, string];
    const node = document.getIn(['databases', alias, 'links', name], true);
    if (isNode(node)) node.commentBefore = lines.map((l) => ` ${l}`).join('\n');
  }
  return `# yaml-language-server: $schema=./node_modules/datalinks/schemas/datalinks.schema.json\n${safeYaml(document)}`;
}

/**
 * The document as text in which no control or invisible character appears raw: strings holding one
 * are double-quoted, and the yaml library writes C0 controls as escapes but passes C1 controls, bidi
 * overrides, zero-width characters and line separators through, so those are written as `\uXXXX`
 * escapes here. Outside double-quoted strings there are none to rewrite (comments are escaped text).
 * A string a CI runner could read as a workflow command (`##[`, a leading `::`) is double-quoted too,
 * so that the output edge can write its `#` or `:` as a YAML escape (workflow-command-escape.ts).
 */
function safeYaml(document: Document): string {
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && (hasUnsafeCharacters(node.value) || holdsWorkflowCommand(node.value))) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  return document
    .toString({ lineWidth: 0 })
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, (char) => (char === '\n' ? char : yamlEscape(char.codePointAt(0) ?? 0)));
}

function yamlEscape(code: number): string {
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

function exportLink(server: ObservedServer, catalog: LinkCatalog, configured: DesiredLink | undefined): ExportedLink {
  // The server's wrapper says where a foreign table's remote schema and table are named.
  const wrapper = wrapperNamed(server.wrapper) as Wrapper;
  const remoteSchemaOf = (table: ForeignTableSummary) => wrapper.remoteTableOf(table).schema;
  const remoteTableOf = (table: ForeignTableSummary) => wrapper.remoteTableOf(table).table;
  const meta = parseManagedComment(server.comment);
  const currentUser = catalog.environment.currentUser;
  const comments: SafeText[] = meta ? [] : [safe`made by hand: \`datalinks apply --adopt\` takes it over`];
  const warn = (text: SafeText) => comments.push(safe`warning: ${text}`);
  const variable = variableFor(server, configured, meta?.remote ?? null);
  if (!LINK_NAME.test(server.name) || server.name === 'public' || server.name === 'information_schema' || server.name.startsWith('pg_')) {
    warn(
      safe`"${server.name}" is not a name a link can have (lower-case letters, digits and underscores, at most 63, not public or pg_...): the file does not validate until the server is renamed (ALTER SERVER ... RENAME TO) and this key with it`,
    );
  }

  const serverTables = catalog.foreignTables.filter((t) => t.server === server.name);
  const bySchema = new Map<string, ForeignTableSummary[]>();
  for (const table of serverTables) bySchema.set(remoteSchemaOf(table), [...(bySchema.get(remoteSchemaOf(table)) ?? []), table]);
  // Several remote schemas: the one with most tables (the link's own first) is exported.
  const ranked = [...bySchema].sort(
    ([a, at], [b, bt]) =>
      bt.filter((t) => t.schema === server.name).length - at.filter((t) => t.schema === server.name).length ||
      bt.length - at.length ||
      a.localeCompare(b),
  );
  const remoteSchema = ranked[0]?.[0] ?? configured?.remote.schema ?? (wrapper.remoteSchemaFromUrl ? '?' : 'public');
  const tables = ranked[0]?.[1] ?? [];
  if (ranked.length > 1) {
    const others = ranked.slice(1).map(([schema, t]) => safe`"${schema}" (${plural(t.length, 'table')})`);
    warn(
      safe`the foreign tables of server "${server.name}" read ${ranked.length} remote schemas; a link reads one, so only the tables of "${remoteSchema}" are exported. Not exported: ${others.join(', ')}`,
    );
  }
  const elsewhere = [...new Set(serverTables.filter((t) => t.schema !== server.name).map((t) => safe`"${t.schema}"`))].join(', ');
  if (elsewhere) {
    warn(
      safe`foreign tables of server "${server.name}" are in schema ${elsewhere}, not in schema "${server.name}": a datalinks link keeps its foreign tables in the schema named after its server, so adopting creates them in schema "${server.name}" and leaves those in ${elsewhere} as they are`,
    );
  }
  for (const table of tables) {
    if (remoteTableOf(table) !== table.name) {
      warn(
        safe`foreign table "${table.schema}"."${table.name}" reads remote table "${remoteTableOf(table)}": datalinks names each foreign table after its remote table, so adopting makes "${server.name}"."${remoteTableOf(table)}"`,
      );
    }
  }

  const serverOptions: Record<string, unknown> = {};
  const libpq: string[] = [];
  const scram = wrapper.scramPassthrough;
  for (const [name, value] of Object.entries(server.options)) {
    if (CONNECTION_OPTIONS.has(name)) continue;
    // SCRAM pass-through is `remote.auth`, not a server option of the file.
    if (name === scram?.serverOption) continue;
    const fact = wrapper.serverOptionTable[name];
    if (fact?.fromAccess) continue;
    // What the wrapper's table does not know is a libpq option of postgres_fdw's: it belongs in the URL.
    if (fact) serverOptions[name] = typedOption(fact.value, value);
    else libpq.push(`${name}=${value}`);
  }
  const mappingUser = server.mappings.find((m) => m.role === currentUser)?.options?.[wrapper.userOption];
  const where = safe`${wrapper.describe({
    host: server.options.host ?? '?',
    port: server.options.port ?? null,
    dbname: wrapper.remoteSchemaFromUrl ? remoteSchema : (server.options.dbname ?? '?'),
  })}`;
  const connection = safe`user ${mappingUser ?? '?'} at ${where}${libpq.length ? ` with ?${libpq.join('&')}` : ''}`;

  // Who may read the linked tables now: USAGE on the link's schema, privileges on the tables. (Another
  // schema holding them, such as public, grants more than the link: its grants do not count.) A PUBLIC
  // mapping or grant is exported as `public` in grant_to, so adopting keeps every role's access.
  const schemas = catalog.schemas.filter((s) => s.name === server.name);
  const grantTo = [
    ...new Set([
      ...server.mappings.map((m) => m.role),
      ...schemas.flatMap((s) => s.grants.filter((g) => g.grantee !== s.owner).map((g) => g.grantee)),
      ...tables.flatMap((t) => t.grants.map((g) => g.grantee).filter((grantee) => grantee !== t.owner)),
    ]),
  ].filter((role) => role !== currentUser);

  // datalinks' access is one setting per link: the server's updatable option and the privileges of
  // grant_to. Exported so that no role of grant_to gains a privilege it does not hold now.
  const writers = grantTo.filter((role) =>
    tables.some((t) => t.grants.some((g) => g.grantee === role && WRITE_PRIVILEGES.has(g.privilege))),
  );
  // A wrapper without `updatable` (mysql_fdw) is as writable as its grants: read unless a role may write.
  let access: 'read' | 'write' = wrapper.enforcesReadOnly
    ? server.options.updatable === 'false'
      ? 'read'
      : 'write'
    : (configured?.access ?? (writers.length > 0 ? 'write' : 'read'));
  if (access === 'write' && grantTo.length > 0 && writers.length === 0) {
    access = 'read';
    warn(
      safe`server "${server.name}" lets the link write (updatable is not false), but no role of grant_to may write to its foreign tables: exported as access: read, which keeps them reading and sets updatable 'false' on the server; write access: write to let every role of grant_to write`,
    );
  } else if (access === 'write' && writers.length < grantTo.length) {
    warn(safe`access: write grants INSERT, UPDATE and DELETE to every role of grant_to; only ${writers.join(', ')} may write now`);
  }
  const contradicting = tables.filter(
    (t) => t.options.updatable !== undefined && t.options.updatable !== (access === 'write' ? 'true' : 'false'),
  );
  if (contradicting.length > 0) {
    warn(
      safe`${plural(contradicting.length, 'foreign table')} (${contradicting.map((t) => `"${t.schema}"."${t.name}"`).join(', ')}) set updatable against the link's access (${access}); datalinks sets access per link, so adopting removes that option`,
    );
  }

  // The loader interpolates these (config/desired-state.ts): each is written so that it reads back as itself.
  const literal = literalForInterpolation;
  const link: Record<string, unknown> = {
    remote: {
      // A configured link keeps its url as the file writes it: whole `${VAR}` or composed of variables.
      url: configured ? configured.remote.urlSource : `\${${variable}}`,
      ...(remoteSchema !== 'public' && !wrapper.remoteSchemaFromUrl ? { schema: literal(remoteSchema) } : {}),
      ...(scram && server.options[scram.serverOption] === 'true' ? { auth: 'scram_passthrough' } : {}),
    },
  };
  // What exists: the remote tables linked now, whatever the file's filter says (the comments say that).
  const linked = [...new Set(tables.map(remoteTableOf))].sort();
  link.tables = linked.map(literal);
  link.access = access;
  if (grantTo.length > 0) link.grant_to = grantTo.sort().map(literal);
  if (Object.keys(serverOptions).length > 0) link.server_options = serverOptions;
  if (configured && JSON.stringify(configured.importOptions) !== JSON.stringify(DEFAULT_IMPORT_OPTIONS)) {
    link.import_options = { ...configured.importOptions };
  }
  if (configured) {
    // As plan compares them, with the access exported: a different access is its own line, not its options'.
    const optionChanges = diffOptions(server.options, desiredServerOptions({ ...configured, access }, catalog.environment.versionNum));
    const live = { optionChanges, remoteSchema, tables: linked, access, grantTo, remoteSchemaFromUrl: wrapper.remoteSchemaFromUrl };
    for (const difference of linkDifferences(configured, live)) comments.push(safe`differs from the file: ${difference}`);
  }
  return { link, variable: configured && !configured.remote.variable ? null : variable, connection, comments };
}

/**
 * The variable the link's URL is read from: the configured one, the one a managed link remembers, or
 * `<LINK>_URL`. A remembered name comes from a catalog comment, so it is used only if it is a variable
 * name; a server name is made into one.
 */
function variableFor(server: ObservedServer, configured: DesiredLink | undefined, remembered: string | null): string {
  if (configured?.remote.variable) return configured.remote.variable;
  if (remembered && VARIABLE_NAME.test(remembered)) return remembered;
  const base = server.name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return `${/^[0-9]/.test(base) ? '_' : ''}${base}_URL`;
}

/** A catalog option's text as server_options writes it, by the type the wrapper's table gives it. */
function typedOption(type: OptionValue, value: string): unknown {
  if (!('type' in type)) return value;
  switch (type.type) {
    case 'boolean':
      return value === 'true';
    case 'integer':
    case 'number':
      return Number(value);
    case 'array':
      return value
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
    case 'string':
      return value;
  }
}

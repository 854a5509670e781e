import { identifierBytes, MAX_IDENTIFIER_BYTES } from '../identifier-limit.js';
import { plural } from '../plural.js';
import { passwordParts, registerConnectionSecrets } from '../secrets.js';
import { EXTENSION_SCHEMA, WRAPPERS, wrapperForUrl } from '../wrappers/index.js';
import { parsePostgresUrl, type UrlRole } from '../wrappers/postgres/parse-url.js';
import type { Access, ConnectionTarget, RemoteAuth } from '../wrappers/types.js';
import { interpolate } from './interpolate.js';
import type { ConfigProblem } from './problem.js';
import { type AliasUrl, sameDatabaseProblems } from './same-database.js';
import { showValue } from './show-value.js';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase, type DesiredLink, type ImportOptions } from './types.js';
import type { PathSegment, YamlSource } from './yaml-source.js';

const LINK_NAME = /^[a-z0-9_]+$/;

export interface BuildOptions {
  /**
   * `problem` for commands that connect; `note` for validate, which needs no secrets: an unset
   * variable is reported as a note, and a URL that uses one is not checked.
   */
  unsetVariables: 'problem' | 'note';
}

/**
 * The semantic rules of DESIGN.md on top of the schema: link names, URLs, `${VAR}`, exclusive keys.
 * Written defensively: it runs even when the schema found problems, so a file's problems come at once.
 */
export function buildDesiredState(
  data: unknown,
  source: YamlSource,
  env: NodeJS.ProcessEnv,
  options: BuildOptions = { unsetVariables: 'problem' },
): { databases?: DesiredDatabase[]; problems: ConfigProblem[]; notes: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const notes: ConfigProblem[] = [];
  /** Each unset variable once, where it is first used: a fleet file uses one variable 40,000 times. */
  const unset = new Map<string, { path: PathSegment[]; more: number }>();
  const at = (path: PathSegment[], key?: string) => (key === undefined ? source.valuePosition(path) : source.keyPosition(path, key));
  const report = (path: PathSegment[], message: string, hint?: string, key?: string) =>
    problems.push({ position: at(path, key), message, hint });

  /** Interpolates `${VAR}`; `complete` is false when a variable was unset or malformed. */
  const resolveString = (path: PathSegment[], raw: string): { value: string; variable: string | null; complete: boolean } => {
    const result = interpolate(raw, env);
    for (const name of result.unset) {
      const seen = unset.get(name);
      if (seen) seen.more++;
      else unset.set(name, { path, more: 0 });
    }
    for (const reference of result.malformed) {
      report(
        path,
        `${showValue(reference)} is not a valid variable reference`,
        'write ${NAME} with letters, digits and underscores, or $$ for a literal $',
      );
    }
    return { value: result.value, variable: result.wholeVariable, complete: result.unset.length === 0 && result.malformed.length === 0 };
  };

  // A fleet file writes the same `${REMOTE_URL}` for every link: each distinct URL is registered,
  // checked and parsed once (the cold start of `validate` on 100 links spent a third of its own time here).
  const secretsRegistered = new Set<string>();
  const passwordInFile = new Map<string, boolean>();
  const parsedUrls = new Map<string, ReturnType<typeof parsePostgresUrl>>();

  /** `undefined` when the URL is unusable; `null` when it could not be checked (validate, variable unset). */
  const resolveUrl = (
    path: PathSegment[],
    raw: unknown,
    role: UrlRole,
  ): { target: ConnectionTarget; variable: string | null } | null | undefined => {
    if (typeof raw !== 'string') return undefined;
    const before = problems.length;
    const { value, variable, complete } = resolveString(path, raw);
    // Registered before anything parses it: a refused value is masked wherever it might surface.
    if (!secretsRegistered.has(value)) {
      registerConnectionSecrets(value);
      secretsRegistered.add(value);
    }
    if (problems.length > before) return undefined;
    let holdsPassword = passwordInFile.get(raw);
    if (holdsPassword === undefined) {
      holdsPassword = passwordParts(raw).some((part) => !part.includes('${'));
      passwordInFile.set(raw, holdsPassword);
    }
    if (holdsPassword) {
      report(
        path,
        'this URL holds a password in the file itself',
        'move the URL into an environment variable and write `url: ${VARIABLE}`: secrets never live in datalinks.yaml',
      );
      return undefined;
    }
    if (!complete) return null;
    // A remote URL's scheme picks its wrapper (mysql:// → mysql_fdw), which parses it; the local one is PostgreSQL's.
    const key = `${role}\0${value}`;
    let parsed = parsedUrls.get(key);
    if (!parsed) {
      parsed = role === 'remote' ? wrapperForUrl(value).parseUrl(value) : parsePostgresUrl(value, role);
      parsedUrls.set(key, parsed);
    }
    if (!parsed.ok) {
      report(path, `${describeUrlField(source.describePath(path), raw, variable)} ${parsed.message}`, parsed.hint);
      return undefined;
    }
    return { target: parsed.target, variable };
  };

  const resolveList = (path: PathSegment[], raw: unknown): string[] | undefined =>
    Array.isArray(raw)
      ? raw.map((item, i) => (typeof item === 'string' ? resolveString([...path, i], item).value : String(item)))
      : undefined;

  const databases: DesiredDatabase[] = [];
  const aliasUrls: AliasUrl[] = [];
  const root = asRecord(data);
  for (const [alias, rawDatabase] of Object.entries(asRecord(root?.databases) ?? {})) {
    const dbPath: PathSegment[] = ['databases', alias];
    const database = asRecord(rawDatabase);
    if (!database) continue;
    const url = resolveUrl([...dbPath, 'url'], database.url, 'local');
    // undefined: refused (and reported); null: not checked (validate, a variable unset); both can be compared as text.
    if (typeof database.url === 'string' && url !== undefined) {
      aliasUrls.push({ alias, raw: database.url, target: url?.target ?? null, position: source.valuePosition([...dbPath, 'url']) });
    }
    const links: DesiredLink[] = [];
    for (const [name, rawLink] of Object.entries(asRecord(database.links) ?? {})) {
      const linkPath: PathSegment[] = [...dbPath, 'links', name];
      const nameProblem = checkLinkName(name);
      if (nameProblem) report([...dbPath, 'links'], nameProblem.message, nameProblem.hint, name);
      const link = asRecord(rawLink);
      if (!link) continue;
      const remote = asRecord(link.remote);
      const remoteUrl = resolveUrl([...linkPath, 'remote', 'url'], remote?.url, 'remote');
      if (link.tables !== undefined && link.exclude !== undefined) {
        report(
          linkPath,
          `link "${name}" has both "tables" and "exclude"`,
          'keep one: `tables` links only the tables listed, `exclude` links all tables but those listed',
          'exclude',
        );
      }
      const serverOptions = asRecord(link.server_options) ?? {};
      if (nameProblem || !remoteUrl) continue;
      const wrapper = wrapperForUrl(remoteUrl.target.url);
      for (const option of Object.keys(serverOptions)) {
        // Names no wrapper knows are the schema's to report (with a suggestion); here, the other wrapper's.
        if (option in wrapper.serverOptionTable || !WRAPPERS.some((w) => option in w.serverOptionTable)) continue;
        report(
          [...linkPath, 'server_options'],
          `server option "${option}" is not a ${wrapper.fdw} option, and the remote URL of link "${name}" selects ${wrapper.fdw}`,
          `${wrapper.fdw} takes: ${Object.keys(wrapper.serverOptionTable).join(', ')}`,
          option,
        );
      }
      // A MySQL database is the schema: the one named in the URL is linked.
      const remoteSchema = wrapper.remoteSchemaFromUrl ? remoteUrl.target.dbname : null;
      if (remoteSchema !== null && remote?.schema !== undefined) {
        report(
          [...linkPath, 'remote'],
          `link "${name}" has \`remote.schema\`, but its ${wrapper.remoteKind} remote links the database named in its URL`,
          'remove `schema`, and name the database in the remote URL (mysql://USER:PASSWORD@HOST:3306/DATABASE)',
          'schema',
        );
      }
      const auth: RemoteAuth = remote?.auth === 'scram_passthrough' ? 'scram_passthrough' : 'password';
      if (auth === 'scram_passthrough' && !wrapper.scramPassthrough) {
        report(
          [...linkPath, 'remote', 'auth'],
          `link "${name}" has \`auth: scram_passthrough\`, but its ${wrapper.remoteKind} remote (${wrapper.fdw}) cannot pass SCRAM keys through: only a PostgreSQL remote (postgres_fdw) can`,
          `remove \`auth\` (the user mapping then stores the password of the remote URL), or link a PostgreSQL database`,
        );
      }
      links.push({
        name,
        remote: {
          target: remoteUrl.target,
          variable: remoteUrl.variable,
          urlSource: String(remote?.url),
          schema:
            remoteSchema ??
            (typeof remote?.schema === 'string' ? resolveString([...linkPath, 'remote', 'schema'], remote.schema).value : 'public'),
          auth,
        },
        tables: resolveList([...linkPath, 'tables'], link.tables) ?? null,
        exclude: resolveList([...linkPath, 'exclude'], link.exclude) ?? [],
        access: link.access === 'write' ? 'write' : ('read' satisfies Access),
        grantTo: resolveList([...linkPath, 'grant_to'], link.grant_to) ?? [],
        serverOptions: Object.fromEntries(Object.entries(serverOptions).map(([key, value]) => [key, optionValue(value)])),
        importOptions: { ...DEFAULT_IMPORT_OPTIONS, ...(asRecord(link.import_options) as Partial<ImportOptions> | undefined) },
        position: source.keyPosition([...dbPath, 'links'], name),
      });
    }
    if (url)
      databases.push({
        alias,
        target: url.target,
        urlSource: String(database.url),
        links,
        position: source.keyPosition(['databases'], alias),
      });
  }
  problems.push(...sameDatabaseProblems(aliasUrls, env));
  for (const [name, { path, more }] of unset) {
    const where = `(used in "${path.join('.')}"${more > 0 ? ` and ${plural(more, 'other place')}` : ''})`;
    if (options.unsetVariables === 'note') {
      notes.push({
        position: at(path),
        message: `environment variable ${name} is not set ${where}; validate checked the file without it`,
        hint: `plan, apply, check, list and export need it: export ${name}=... or set it in your CI secrets`,
      });
    } else {
      report(
        path,
        `environment variable ${name} is not set ${where}`,
        `export ${name}=... before running datalinks, or set it in your CI secrets`,
      );
    }
  }
  return { databases: problems.length === 0 ? databases : undefined, problems, notes };
}

/** Names a URL field for a message without its value: the variable, the field, the variables it was built from. */
function describeUrlField(field: string, raw: string, variable: string | null): string {
  if (variable) return `${variable} (used as ${field})`;
  const names = [...raw.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => `\${${m[1]}}`);
  return names.length > 0 ? `the URL at ${field} (built with ${names.join(', ')})` : `the URL at ${field}`;
}

export function checkLinkName(name: string): { message: string; hint: string } | undefined {
  const bytes = identifierBytes(name);
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return {
      message: `link name ${showValue(name, 23)} is ${bytes} bytes long; the limit is ${MAX_IDENTIFIER_BYTES}`,
      hint: 'shorten it: the link name becomes a schema and server name, and PostgreSQL truncates identifiers at 63 bytes',
    };
  }
  if (!LINK_NAME.test(name)) {
    const suggestion = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
    return {
      message: `link name ${showValue(name)} may only contain lower-case letters, digits and underscores`,
      hint: LINK_NAME.test(suggestion) ? `rename it to ${showValue(suggestion, 63)}` : 'use lower-case letters, digits and underscores',
    };
  }
  if (name === 'public' || name === 'information_schema' || name.startsWith('pg_')) {
    return {
      message: `link name "${name}" is reserved by PostgreSQL`,
      hint: `pick another name, such as "${name.replace(/^pg_/, '')}_link"; "public", "information_schema" and names starting with "pg_" are taken`,
    };
  }
  if (name === EXTENSION_SCHEMA) {
    return {
      message: `link name "${name}" is reserved by datalinks (the schema it installs foreign-data wrapper extensions in)`,
      hint: `pick another name, such as "${name}_link"`,
    };
  }
  return undefined;
}

function optionValue(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

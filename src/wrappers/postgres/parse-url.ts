import { suggestNearest } from '../../suggest.js';
import type { ParsedUrl } from '../types.js';
import { edgeWhiteSpace, innerWhiteSpace } from '../url.js';
import { LIBPQ_CLIENT_PARAMS, URL_SERVER_PARAMS } from './url-params.js';

/** The local `url` is a client connection (any libpq parameter); a remote one becomes a foreign server. */
export type UrlRole = 'local' | 'remote';

const URL_FORM_HINT = 'write it as postgres://USER:PASSWORD@HOST:PORT/DBNAME?sslmode=require';
const ENCODE_HINT =
  'percent-encode special characters in the user name and password: % as %25, @ as %40, : as %3A, / as %2F, ? as %3F, # as %23, space as %20';
/** Schemes worth naming in a message: anything else might be a typed-in secret. */
const KNOWN_SCHEMES = new Set(['mysql', 'mariadb', 'jdbc', 'http', 'https', 'file', 'redis', 'mongodb', 'sqlserver', 'postgis', 'pg']);

/**
 * Parses a postgres:// URL the way node-postgres (pg-connection-string) reads it, so that the target
 * described here is the one connected to. Every other form is refused with a message naming the
 * form, never quoting the value: callers register the value as a secret before calling this.
 */
export function parsePostgresUrl(url: string, role: UrlRole = 'remote'): ParsedUrl {
  const refuse = (message: string, hint: string = URL_FORM_HINT): ParsedUrl => ({ ok: false, message, hint });
  if (url.trim() === '') return refuse('is empty');
  if (/^jdbc:/i.test(url)) {
    return refuse(
      'is a JDBC URL, which datalinks does not read',
      'drop the jdbc: prefix and move user and password into the URL: postgres://USER:PASSWORD@HOST:PORT/DBNAME',
    );
  }
  if (/^\s*[a-z_]+\s*=/i.test(url)) {
    return refuse('is a key=value connection string; datalinks reads URLs only', `${URL_FORM_HINT} (libpq keywords go after the ?)`);
  }
  const edge = edgeWhiteSpace(url);
  if (edge) return refuse(edge.message, edge.hint);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    const named = scheme && KNOWN_SCHEMES.has(scheme) ? `a ${scheme}: URL` : 'not a postgres:// or postgresql:// URL';
    return refuse(`is ${named}; a PostgreSQL URL is needed here`);
  }
  const inner = innerWhiteSpace(url, ENCODE_HINT);
  if (inner) return refuse(inner.message, inner.hint);
  if (/%(?![0-9a-f]{2})/i.test(url)) return refuse('holds a % that does not start a percent-encoded character (%XX)', ENCODE_HINT);
  if (url.includes('#')) return refuse('contains a #, which would cut the URL short', ENCODE_HINT);
  const parsed = parseWhatwg(url);
  if (!parsed) return refuse('cannot be parsed as a URL', ENCODE_HINT);
  const decoded = decodeParts(parsed.url);
  if (!decoded) return refuse('holds percent-encoding that is not valid UTF-8', ENCODE_HINT);

  const allowed = role === 'local' ? LIBPQ_CLIENT_PARAMS : URL_SERVER_PARAMS;
  const params: Record<string, string> = {};
  for (const [key, value] of parsed.url.searchParams) {
    if (key === 'user' || key === 'password') continue;
    if (!allowed.has(key)) return refuse(...unsupportedParam(key, role));
    if (key === 'dbname')
      return refuse(
        'gives the database as ?dbname=, which node-postgres ignores',
        'write the database name in the path: postgres://HOST/DBNAME',
      );
    if (key in params) return refuse(`gives the parameter "${key}" twice`, 'keep one of them');
    params[key] = value;
  }
  const queryPassword = parsed.url.searchParams.getAll('password');
  const queryUser = parsed.url.searchParams.getAll('user');
  if (queryPassword.length > 1 || queryUser.length > 1) return refuse('gives the user or the password twice', 'keep one of them');
  if (queryPassword[0] !== undefined && decoded.password && queryPassword[0] !== decoded.password) {
    return refuse('gives two different passwords, one before the @ and one as ?password=', 'keep one of them');
  }
  if (queryUser[0] !== undefined && decoded.user && queryUser[0] !== decoded.user) {
    return refuse('gives two different user names, one before the @ and one as ?user=', 'keep one of them');
  }

  const host = params.host ?? (parsed.emptyHost ? '' : decoded.host);
  if (!host)
    return refuse(
      'names no host',
      'write the host after the @ (postgres://user:password@db.example.com:5432/app), or a socket directory as ?host=/var/run/postgresql',
    );
  const port = params.port ?? (parsed.url.port || null);
  if (port !== null && !/^\d{1,5}$/.test(port)) return refuse('has a port that is not a number', 'write the port as digits, e.g. :5432');
  const dbname = decoded.dbname;
  delete params.host;
  delete params.port;
  return {
    ok: true,
    target: {
      url,
      host,
      port,
      dbname,
      user: queryUser[0] || decoded.user || null,
      password: queryPassword[0] || decoded.password || null,
      params,
    },
  };
}

/** pg-connection-string's reading: WHATWG URL, retried with a dummy host for `user@/db?host=/socket`. */
function parseWhatwg(url: string): { url: URL; emptyHost: boolean } | undefined {
  try {
    return { url: new URL(url), emptyHost: false };
  } catch {
    try {
      return { url: new URL(url.replace('@/', '@___DUMMY___/')), emptyHost: true };
    } catch {
      return undefined;
    }
  }
}

function decodeParts(url: URL): { host: string; dbname: string | null; user: string; password: string } | undefined {
  try {
    return {
      host: decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1'),
      dbname: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : null,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    };
  } catch {
    return undefined;
  }
}

function unsupportedParam(key: string, role: UrlRole): [string, string] {
  // A parameter name is shown only when it looks like one: a malformed URL can put a secret there.
  const shown = /^[a-z_][a-z0-9_]{0,39}$/i.test(key) ? `the parameter "${key}"` : 'a parameter';
  if (role === 'local') {
    const near = suggestNearest(key, [...LIBPQ_CLIENT_PARAMS]);
    return [
      `has ${shown}, which is not a libpq connection parameter`,
      near ? `did you mean "${near}"?` : 'see the libpq documentation for connection parameters',
    ];
  }
  if (key === 'sslpassword' || key === 'sslcert' || key === 'sslkey') {
    return [
      `has ${shown}, which postgres_fdw takes only in a user mapping (and only from a superuser); datalinks does not set it`,
      'remove it from the remote URL; sslrootcert and sslmode may stay',
    ];
  }
  return [
    `has ${shown}, which a postgres_fdw server cannot take`,
    `supported parameters: user, password, ${[...URL_SERVER_PARAMS].filter((p) => !['host', 'port', 'dbname'].includes(p)).join(', ')}`,
  ];
}

import type { ParsedUrl } from '../types.js';
import { edgeWhiteSpace, innerWhiteSpace } from '../url.js';

const FORM_HINT = 'write it as mysql://USER:PASSWORD@HOST:3306/DATABASE (or mariadb://...)';
const ENCODE_HINT =
  'percent-encode special characters in the user name and password: % as %25, @ as %40, : as %3A, / as %2F, ? as %3F, # as %23, space as %20';

/**
 * Parses a mysql:// or mariadb:// remote URL. Like parsePostgresUrl, a refusal names the problem and
 * never quotes the value: callers register the value as a secret before calling this. Query
 * parameters are refused: mysql_fdw's options (ssl_ca, init_command, ...) go in `server_options`.
 */
export function parseMysqlUrl(url: string): ParsedUrl {
  const refuse = (message: string, hint: string = FORM_HINT): ParsedUrl => ({ ok: false, message, hint });
  const space = edgeWhiteSpace(url) ?? innerWhiteSpace(url, ENCODE_HINT);
  if (space) return refuse(space.message, space.hint);
  if (/%(?![0-9a-f]{2})/i.test(url)) return refuse('holds a % that does not start a percent-encoded character (%XX)', ENCODE_HINT);
  if (url.includes('#')) return refuse('contains a #, which would cut the URL short', ENCODE_HINT);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('cannot be parsed as a URL', ENCODE_HINT);
  }
  if ([...parsed.searchParams.keys()].length > 0) {
    return refuse(
      'has query parameters, which a MySQL remote URL does not take',
      "put mysql_fdw options (ssl_ca, init_command, sql_mode, ...) in the link's `server_options`",
    );
  }
  let parts: { host: string; dbname: string; user: string; password: string };
  try {
    parts = {
      host: decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1'),
      dbname: decodeURIComponent(parsed.pathname.slice(1)),
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
    };
  } catch {
    return refuse('holds percent-encoding that is not valid UTF-8', ENCODE_HINT);
  }
  if (!parts.host) return refuse('names no host', FORM_HINT);
  if (parsed.port !== '' && !/^\d{1,5}$/.test(parsed.port))
    return refuse('has a port that is not a number', 'write the port as digits, e.g. :3306');
  if (!parts.dbname) return refuse('names no database', `${FORM_HINT}: the database is the MySQL schema that is linked`);
  if (parts.dbname.includes('/')) return refuse('has a path with more than the database name', FORM_HINT);
  return {
    ok: true,
    target: {
      url,
      host: parts.host,
      port: parsed.port || null,
      dbname: parts.dbname,
      user: parts.user || null,
      password: parts.password || null,
      params: {},
    },
  };
}

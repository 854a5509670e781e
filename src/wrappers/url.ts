// What every wrapper's URL grammar shares: white space a value should not hold, and how a target is written in messages.
import { POSTGRES_DEFAULT_PORT } from './postgres/options.js';

/** The white space a value can hold, named as a person would look for it. Never the value itself. */
function whiteSpaceName(space: string): string {
  if (space === '\n') return 'a line break (\\n)';
  if (space === '\r\n') return 'a Windows line break (\\r\\n)';
  if (/^[\r\n]+$/.test(space)) return `${space.length} line breaks`;
  if (space === ' ') return 'a space';
  if (space === '\t') return 'a tab';
  return 'white space';
}

/**
 * White space before or after a URL: a variable set with `echo`, or read from a file, ends with a line
 * break that nobody sees. Named as that mistake, with how to set the variable without it; the shared
 * check of both wrappers' URLs (a MySQL URL has the same problem).
 */
export function edgeWhiteSpace(url: string): { message: string; hint: string } | undefined {
  const trailing = /\s+$/.exec(url)?.[0];
  if (trailing) {
    return {
      message: `ends with ${whiteSpaceName(trailing)} after the URL`,
      hint: /[\r\n]/.test(trailing)
        ? 'the variable holds the URL and then a line break, as `echo` and files leave one: set it without (printf \'%s\' "$URL", or echo -n), or paste the secret without its last line'
        : "remove the white space after the URL in the variable's value",
    };
  }
  const leading = /^\s+/.exec(url)?.[0];
  if (leading)
    return { message: `starts with ${whiteSpaceName(leading)} before the URL`, hint: "remove it from the start of the variable's value" };
  return undefined;
}

/** White space inside a URL: a line break means more than the URL; a space or tab belongs percent-encoded. */
export function innerWhiteSpace(url: string, encodeHint: string): { message: string; hint: string } | undefined {
  if (/[\r\n]/.test(url)) {
    return {
      message: 'holds a line break inside it',
      hint: 'a URL is one line: a variable it is read from holds a line break, as `echo` and files leave one at the end of a value (or two lines were pasted into one secret): set it without one (printf \'%s\' "$VALUE", or echo -n)',
    };
  }
  if (/\s/.test(url)) return { message: 'contains white space', hint: encodeHint };
  return undefined;
}

/**
 * host:port/dbname, for messages and listings: the one way an endpoint is written. Never includes
 * credentials. Missing parts (a server option left out) are shown as the defaults libpq would use.
 */
export function describeTarget(
  target: { host: string | null; port: string | null; dbname: string | null },
  defaultPort = POSTGRES_DEFAULT_PORT,
): string {
  return `${target.host ?? '(default host)'}:${target.port ?? defaultPort}/${target.dbname ?? '(default)'}`;
}

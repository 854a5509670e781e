import { redactUrls } from '../secrets.js';
import { URL_SERVER_PARAMS } from './fdw-options.js';
import type { ConnectionTarget } from './types.js';

export type ParsedUrl = { ok: true; target: ConnectionTarget } | { ok: false; message: string; hint: string };

/** Parses a postgres:// URL. Messages never contain the password. */
export function parsePostgresUrl(url: string): ParsedUrl {
  const shown = redactUrls(url);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    return {
      ok: false,
      message: scheme
        ? `URL scheme "${scheme}:" is not supported (${shown})`
        : `"${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}" is not a URL`,
      hint: 'use a URL of the form postgres://USER:PASSWORD@HOST:PORT/DBNAME',
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      ok: false,
      message: `cannot parse the URL ${shown}`,
      hint: 'percent-encode special characters in the user name and password (@ as %40, : as %3A, / as %2F)',
    };
  }
  const params: Record<string, string> = {};
  for (const [key, value] of parsed.searchParams) {
    if (!URL_SERVER_PARAMS.has(key)) {
      return {
        ok: false,
        message: `the URL ${shown} has the parameter "${key}", which a postgres_fdw server cannot take`,
        hint: `supported parameters: ${[...URL_SERVER_PARAMS].filter((p) => !['host', 'port', 'dbname'].includes(p)).join(', ')}`,
      };
    }
    params[key] = value;
  }
  const host = params.host ?? decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1');
  if (!host)
    return {
      ok: false,
      message: `the URL ${shown} names no host`,
      hint: 'write the host after the @, e.g. postgres://user:password@db.example.com:5432/app',
    };
  const dbname = params.dbname ?? (parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname.slice(1)) : null);
  const port = params.port ?? (parsed.port || null);
  delete params.host;
  delete params.port;
  delete params.dbname;
  return {
    ok: true,
    target: {
      url,
      host,
      port,
      dbname,
      user: parsed.username ? decodeURIComponent(parsed.username) : null,
      password: parsed.password ? decodeURIComponent(parsed.password) : null,
      params,
    },
  };
}

/** host:port/dbname, for messages and listings. Never includes credentials. */
export function describeTarget(target: Pick<ConnectionTarget, 'host' | 'port' | 'dbname'>): string {
  return `${target.host}:${target.port ?? '5432'}/${target.dbname ?? '(default)'}`;
}

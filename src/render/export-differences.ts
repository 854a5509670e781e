import type { Access, DesiredLink, RemoteAuth } from '../config/types.js';
import { plural } from '../plural.js';
import type { Wrapper } from '../wrappers/types.js';
import { type SafeText, safe } from './escape.js';

/**
 * Where a link that exists differs from the configuration file's entry for it, as the comments export
 * writes above the link (`# differs from the file: ...`). Export writes what exists; these say what the
 * file says instead, so a reader sees both. Compared from the local catalogs only (export reads no
 * remote): the server's target, the remote schema, the linked tables, access, grant_to, the server
 * options the file may set, and auth. Pure; the words are escaped text.
 */

/** What export read of a link in the catalogs, in the file's terms. */
export interface LiveLink {
  /** host:port/dbname of the server, as the wrapper describes a target. */
  where: string;
  remoteSchema: string;
  /** The remote tables its foreign tables read, sorted. */
  tables: string[];
  access: Access;
  grantTo: string[];
  /** The server's options that the file's server_options may set, as the catalog stores them. */
  serverOptions: Record<string, string>;
  auth: RemoteAuth;
}

export function linkDifferences(configured: DesiredLink, live: LiveLink, wrapper: Wrapper): SafeText[] {
  const found: SafeText[] = [];
  const target = configured.remote.target;
  const fileWhere = wrapper.describe({
    host: target.host,
    port: target.port,
    dbname: wrapper.remoteSchemaFromUrl ? configured.remote.schema : target.dbname,
  });
  if (fileWhere !== live.where)
    found.push(safe`the server points at ${live.where}, the file's url at ${fileWhere} (apply points it there)`);
  if (!wrapper.remoteSchemaFromUrl && configured.remote.schema !== live.remoteSchema && live.tables.length > 0) {
    found.push(safe`its foreign tables read remote schema "${live.remoteSchema}", the file says schema "${configured.remote.schema}"`);
  }
  const linked = new Set(live.tables);
  if (configured.tables) {
    const listed = new Set(configured.tables);
    const notLinked = configured.tables.filter((table) => !linked.has(table));
    const notListed = live.tables.filter((table) => !listed.has(table));
    if (notLinked.length > 0) {
      found.push(safe`the file's tables: also lists ${names(notLinked)}, which no foreign table of the link reads here`);
    }
    if (notListed.length > 0) found.push(safe`foreign tables read ${names(notListed)}, which the file's tables: does not list`);
  } else if (configured.exclude.length > 0) {
    const excludedButLinked = configured.exclude.filter((table) => linked.has(table));
    found.push(
      safe`the file has exclude: ${names(configured.exclude)} (every other table of the remote schema); tables: here lists the ${plural(live.tables.length, 'table')} linked now`,
    );
    if (excludedButLinked.length > 0) found.push(safe`foreign tables read ${names(excludedButLinked)}, which the file excludes`);
  } else {
    found.push(
      safe`the file has no tables: (every table of the remote schema); tables: here lists the ${plural(live.tables.length, 'table')} linked now (a table made on the remote since the last apply is not among them)`,
    );
  }
  if (configured.access !== live.access) found.push(safe`access: ${live.access} here, ${configured.access} in the file`);
  const granted = new Set(live.grantTo);
  const inFile = new Set(configured.grantTo);
  const onlyHere = live.grantTo.filter((role) => !inFile.has(role));
  const onlyInFile = configured.grantTo.filter((role) => !granted.has(role));
  if (onlyHere.length > 0) found.push(safe`grant_to: ${names(onlyHere)} may use the link here, and are not in the file's grant_to`);
  if (onlyInFile.length > 0) found.push(safe`the file's grant_to also lists ${names(onlyInFile)}, who may not use the link here`);
  const options = [...new Set([...Object.keys(configured.serverOptions), ...Object.keys(live.serverOptions)])].sort();
  for (const option of options) {
    const here = live.serverOptions[option];
    const there = configured.serverOptions[option];
    if (here !== there) found.push(safe`server_options.${option}: ${shown(here)} here, ${shown(there)} in the file`);
  }
  const auth = configured.remote.auth ?? 'password';
  if (auth !== live.auth) found.push(safe`auth: ${live.auth} here, ${auth} in the file`);
  return found;
}

function names(list: readonly string[]): string {
  const quoted = list.map((name) => `"${name}"`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}` : (quoted[0] ?? '');
}

function shown(value: string | undefined): string {
  return value === undefined ? '(not set)' : `'${value}'`;
}

import type { DesiredLink } from '../config/types.js';
import { type SafeText, safe } from '../escape.js';
import type { OptionChange } from '../plan/types.js';
import { plural } from '../plural.js';
import type { Access } from '../wrappers/types.js';

/**
 * Where a link that exists differs from the configuration file's entry for it, as the comments export
 * writes above the link (`# differs from the file: ...`). Export writes what exists; these say what the
 * file says instead, so a reader sees both. Compared from the local catalogs only (export reads no
 * remote): the server's options as plan compares them (its target, server_options, auth), the remote
 * schema, the linked tables, access and grant_to. Pure; the words are escaped text.
 */

/** What export read of a link in the catalogs, in the file's terms. */
export interface LiveLink {
  /** What apply would change in the server's options (plan's diff, with the link's access as it is here). */
  optionChanges: OptionChange[];
  remoteSchema: string;
  /** The remote tables its foreign tables read, sorted. */
  tables: string[];
  access: Access;
  grantTo: string[];
  /** Whether the wrapper reads the remote schema from the URL (mysql_fdw): the option diff covers it then. */
  remoteSchemaFromUrl: boolean;
}

export function linkDifferences(configured: DesiredLink, live: LiveLink): SafeText[] {
  const found: SafeText[] = [];
  for (const change of live.optionChanges) {
    if (change.action === 'add') found.push(safe`server option ${change.name}: not set here, '${change.value}' from the file`);
    else if (change.action === 'set') found.push(safe`server option ${change.name}: '${change.old}' here, '${change.value}' from the file`);
    else found.push(safe`server option ${change.name}: '${change.old}' here, not set by the file`);
  }
  if (!live.remoteSchemaFromUrl && configured.remote.schema !== live.remoteSchema && live.tables.length > 0) {
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
  return found;
}

function names(list: readonly string[]): string {
  const quoted = list.map((name) => `"${name}"`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}` : (quoted[0] ?? '');
}

// wrappers/: pure facts per foreign-data wrapper (URL grammar, option tables, type map, limits, errors); no I/O, no config.
import { mysqlWrapper } from './mysql/wrapper.js';
import { postgresWrapper } from './postgres/wrapper.js';
import type { ConnectFailureFact, FdwName, Wrapper } from './types.js';

export type { FdwName, Wrapper } from './types.js';

const BY_FDW: Record<FdwName, Wrapper> = { postgres_fdw: postgresWrapper, mysql_fdw: mysqlWrapper };

/**
 * Where datalinks installs a wrapper's extension when `public` is not safe (a role other than the
 * applying one and superusers may create objects in it): a schema of its own, owned by the applying
 * role. Reserved: no link may take its name.
 */
export const EXTENSION_SCHEMA = 'datalinks_ext';

/** The wrappers datalinks knows, for the environment query and messages. */
export const WRAPPERS: readonly Wrapper[] = Object.values(BY_FDW);

/** The wrapper a remote URL selects by its scheme (each wrapper's urlSchemes); any other URL is read as PostgreSQL's. */
export function wrapperForUrl(url: string): Wrapper {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trimStart())?.[1]?.toLowerCase();
  return WRAPPERS.find((wrapper) => scheme !== undefined && wrapper.urlSchemes.includes(scheme)) ?? postgresWrapper;
}

/** The wrapper of a link: its remote URL decides. */
export function wrapperOf(link: { remote: { target: { url: string } } }): Wrapper {
  return wrapperForUrl(link.remote.target.url);
}

/** The wrapper an existing server uses, or undefined for one datalinks does not manage links with. */
export function wrapperNamed(fdw: string | undefined): Wrapper | undefined {
  return fdw === undefined ? postgresWrapper : (BY_FDW as Record<string, Wrapper>)[fdw];
}

/** How a wrapper reports a failed connection with `sqlstate`, if one does (see ConnectFailureFact). */
export function connectFailureFor(sqlstate: string): ConnectFailureFact | undefined {
  return WRAPPERS.map((wrapper) => wrapper.connectFailure).find((failure) => sqlstate.startsWith(failure.sqlstate));
}

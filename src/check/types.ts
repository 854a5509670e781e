import type { RemoteAuth } from '../wrappers/types.js';

/**
 * What `datalinks check` (and apply's verification) learns about a link from the local server's side.
 * Data carries codes; render/check-text.ts alone turns them into words.
 */

import type { FdwName } from '../wrappers/types.js';

/**
 * The health of one link, worst first when several apply: missing > unreachable/auth_failed >
 * unreadable_tables > drift > unknown > ok. `unknown`: the link works from the local server, but check
 * could not tell all: it could not compare the link with the file (the plan's error for it), or could
 * not prove a role's user mapping.
 */
export type LinkState = 'ok' | 'unreachable' | 'auth_failed' | 'missing' | 'unreadable_tables' | 'drift' | 'unknown';

/** The states a probe can find; drift and unknown come from comparing with the file, not from the probe. */
export type ProbeState = Exclude<LinkState, 'drift' | 'unknown'>;

export type ProbeFailureCode =
  /** No foreign server of that name in the local database. */
  | 'server_missing'
  /** The server exists but is not a postgres_fdw server. */
  | 'wrong_wrapper'
  /** The connecting role may not use the server (no USAGE). */
  | 'no_server_usage'
  /** Neither the connecting role nor PUBLIC has a user mapping for the server. */
  | 'user_mapping_missing'
  /** The local server could not open a connection to the remote (refused, name not found, TLS...). */
  | 'connect_failed'
  /** The remote refused the credentials of the user mapping. */
  | 'auth_failed'
  /** postgres_fdw refuses a non-superuser's mapping when the remote asks no password. */
  | 'password_required'
  /** A SCRAM pass-through link, probed from a session that did not log in with SCRAM: it had no keys to pass. */
  | 'scram_login_missing'
  /** No answer from the remote within the statement timeout. */
  | 'timeout'
  /** The local server itself stopped answering (its connect could not be interrupted): the check gave up on the session. */
  | 'stalled'
  /**
   * Not probed from the local server: datalinks itself could not reach the remote first, and the
   * server could not have been stopped had its own connection attempt hung (mysql_fdw).
   */
  | 'not_reached'
  /** Not checked, because the session stalled on an earlier link. */
  | 'not_checked'
  /** A probe statement failed for another reason (the server's message says why). */
  | 'probe_failed'
  /** A role's user mapping could not be proven: the connecting role may not SET ROLE to it (not a member). */
  | 'role_not_settable'
  /** A role's user mapping could not be proven: nothing to read through the link as that role (no TEMP, no table it may read). */
  | 'nothing_to_read_as_role';

export interface ProbeFailure {
  code: ProbeFailureCode;
  /** SQLSTATE of the server's error, when there was one. */
  sqlstate: string | null;
  /** The server's own message (and its detail), as PostgreSQL wrote them. Scrubbed of secrets at the CLI edge. */
  message: string;
  detail: string | null;
}

export interface UnreadableTable {
  /** The local foreign table. */
  schema: string;
  name: string;
  /** The remote table it reads (its schema_name / table_name options). */
  remoteSchema: string;
  remoteTable: string;
  /** SQLSTATE of the failure: 42501 no privilege, 42P01 gone from the remote, ... */
  sqlstate: string | null;
  message: string;
}

/** Where the link points, from the server's options (no secrets): for messages and hints. */
export interface LinkTarget {
  host: string | null;
  port: string | null;
  dbname: string | null;
  /** The remote role of the user mapping, when the connecting role may read the mapping's options. */
  user: string | null;
  /** The server's wrapper (it names the remote's account and writes its GRANT), when datalinks knows it. */
  wrapper?: FdwName | null;
  /** How the link logs in: SCRAM pass-through when its server has the wrapper's option on (absent: password). */
  auth?: RemoteAuth;
  /** The local role the probe connected as (whose mapping, or PUBLIC's, it used, and whose SCRAM keys it passed). */
  role?: string;
}

/**
 * What a user mapping of the link, other than the connecting role's, did when the probe connected
 * through the link as its role (SET ROLE inside the probe's transaction: postgres_fdw and mysql_fdw use
 * the mapping of current_user). A mapping whose password was changed by hand fails here, while the
 * connecting role's works.
 */
export interface MappingHealth {
  /** The local role whose user mapping was used. */
  role: string;
  /** The mapping's remote role (user), when the connecting role may read the mapping's options. */
  user: string | null;
  /** not_proven: the probe could not connect as that role (failure says why); the mapping may work or not. */
  state: 'ok' | 'auth_failed' | 'unreachable' | 'not_proven';
  failure: ProbeFailure | null;
}

export interface LinkHealth {
  link: string;
  /** The wrapper of the link's server, when it is one datalinks knows (its facts word the hints). */
  fdw: FdwName | null;
  state: ProbeState;
  target: LinkTarget | null;
  /** The remote's server_version and server_version_num, read through the link. */
  remoteVersion: string | null;
  remoteVersionNum: number | null;
  /** Time of the first read through the link, on the local server: includes opening the connection when none was open. */
  connectMs: number | null;
  /** Time of a second small read through the open connection, on the local server. */
  rttMs: number | null;
  /** Foreign tables of the link read with a LIMIT 0 query (those the connecting role may SELECT locally). */
  tablesChecked: number;
  unreadable: UnreadableTable[];
  failure: ProbeFailure | null;
  /**
   * The link's other user mappings (each grant_to role's), proven one by one when the connecting role's
   * worked; empty when not asked for (apply's proof), or when the link has none.
   */
  mappings: MappingHealth[];
}

/**
 * Rows of a linked table that a read through the link does not return, because a column holds values
 * longer than the wrapper reads (mysql_fdw's bytea buffer): counted by the remote itself.
 */
export interface RowsNotRead {
  /** The local foreign table. */
  schema: string;
  name: string;
  /** The remote table it reads. */
  remoteSchema: string;
  remoteTable: string;
  column: string;
  /** The wrapper's buffer for the column, in bytes. */
  limit: number;
  /** Rows whose value in `column` is longer than `limit`: a read through the link stops, without an error, at the first of them. */
  rows: number;
}

/** Counting a link's rows not read: the tables that have some, or why they could not be counted. */
export interface LinkRowsNotRead {
  link: string;
  tables: RowsNotRead[];
  error: string | null;
}

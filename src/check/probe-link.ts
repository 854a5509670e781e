import pg from 'pg';
import { messageOf } from '../errors.js';
import { parseOptions } from '../introspect/options.js';
import { ident, literal, qualified } from '../sql/quote.js';
import { connectFailureFor, WRAPPERS, type Wrapper, wrapperNamed } from '../wrappers/index.js';
import type { LinkHealth, LinkTarget, MappingHealth, ProbeFailure, ProbeFailureCode, UnreadableTable } from './types.js';

/**
 * Proves links from the local server's side: the server and the connecting role's user mapping
 * exist, the local server can open a connection through the link (the remote's version and timings),
 * and the remote role can read every linked table.
 *
 * `probeLinks` runs on a client the caller owns, INSIDE AN OPEN TRANSACTION, and commits nothing:
 * each link is probed in its own savepoint, which is always rolled back (the temporary foreign table
 * it makes, its statement_timeout and any error go with it), so the caller's transaction is exactly
 * as it was and can go on to COMMIT or ROLLBACK. That is what lets `apply` verify a link it has just
 * created, in the same transaction, before COMMIT:
 *
 *   BEGIN; ...create or alter the links...;
 *   const health = await probeLinks(client, changedLinkNames, { statementTimeoutMs: 10_000 });
 *   if (health.some((h) => h.state !== 'ok')) ROLLBACK else COMMIT;
 *   await closeLinkConnections(client);   // after the transaction: postgres_fdw keeps connections open
 *
 * A failed probe never throws: it is a LinkHealth with a state and the server's message. Only an
 * unusable session (the client's own connection dropped) or `signal` throws. If a link's probe does
 * not return within the statement timeout plus a margin (a wrapper whose connection attempt or reads
 * the server cannot interrupt: mysql_fdw, postgres_fdw's connect before PostgreSQL 16), that link is
 * `stalled`, the others are `not_checked`, and the session is stuck in that statement: the caller must
 * abandon the client (no ROLLBACK can pass the stuck statement) and make sure the session ends.
 */
export interface ProbeOptions {
  /** statement_timeout for each probe statement, set locally in the link's savepoint. */
  statementTimeoutMs?: number;
  /** Foreign tables read per statement; a failing batch is retried table by table to name the culprit. */
  tableBatch?: number;
  /** Stops the probes: no statement is sent after it is aborted (the running one is cancelled by the connection). */
  signal?: AbortSignal;
  /**
   * Proves from datalinks' own side that a link's remote answers, before the local server is asked to
   * connect through a wrapper whose connection attempt it could not interrupt; resolves the reason when
   * it does not. Without it such a link is probed anyway.
   */
  reach?: (link: string) => Promise<string | null>;
  /** Whether the probing session logged in with SCRAM (db/scram-login.ts): SCRAM pass-through links need it. */
  scramLogin?: boolean;
  /** Also prove each other user mapping of a link (grant_to roles'), connecting as its role: see MappingHealth. */
  proveMappings?: boolean;
}

/** probeLinksOneByOne: each link in a transaction of its own, its remote connections closed when it ends. */
export interface OneByOneOptions extends ProbeOptions {
  /** Run after each BEGIN (the transaction's lock_timeout and the like). */
  transactionSetup?: { text: string; values: unknown[] };
  /**
   * The most remote connections the session may hold that it cannot close itself (a wrapper with no
   * disconnect function: mysql_fdw, or postgres_fdw 1.0): past it, the links left are handed back
   * for a fresh session, whose end closes them.
   */
  maxHeld: number;
}

/** Gives the local server this long beyond the statement timeout before the client stops waiting. */
const CLIENT_MARGIN_MS = 3000;
const DEFAULT_TABLE_BATCH = 50;
const PROBE_TABLE = 'pg_temp.datalinks_probe';

const LINKS_QUERY = `
SELECT l.name AS link,
       pg_catalog.current_setting('server_version_num')::int AS local_version_num,
       current_user::text AS local_role,
       s.oid IS NOT NULL AS server_exists,
       coalesce(pg_catalog.pg_has_role(s.srvowner, 'USAGE'), false) AS owned,
       w.fdwname::text AS wrapper,
       coalesce(s.srvoptions, '{}') AS options,
       coalesce(pg_catalog.has_server_privilege(s.oid, 'USAGE'), false) AS usage,
       m.umid IS NOT NULL AS has_mapping,
       -- Only the remote user name: the mapping's password never enters this process.
       -- user (postgres_fdw) or username (mysql_fdw).
       (SELECT pg_catalog.substr(o, pg_catalog.strpos(o, '=') + 1) FROM pg_catalog.unnest(m.umoptions) AS o
         WHERE o LIKE 'user=%' OR o LIKE 'username=%' LIMIT 1) AS mapping_user,
       coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object('schema', n.nspname, 'name', c.relname,
                                                                         'options', coalesce(ft.ftoptions, '{}'))
                                            ORDER BY n.nspname, c.relname)
                   FROM pg_catalog.pg_foreign_table ft
                   JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid
                   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                  WHERE ft.ftserver = s.oid AND pg_catalog.has_table_privilege(c.oid, 'SELECT')), '[]') AS tables,
       -- The other roles' mappings (grant_to), proven by connecting as each role: names only, as above.
       coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                          'role', um.usename::text,
                          'user', (SELECT pg_catalog.substr(o, pg_catalog.strpos(o, '=') + 1) FROM pg_catalog.unnest(um.umoptions) AS o
                                    WHERE o LIKE 'user=%' OR o LIKE 'username=%' LIMIT 1))
                        ORDER BY um.usename)
                   FROM pg_catalog.pg_user_mappings um
                  WHERE um.srvid = s.oid AND um.umuser <> 0 AND um.usename <> current_user), '[]') AS other_mappings
  FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS l(name, ord)
  LEFT JOIN pg_catalog.pg_foreign_server s ON s.srvname = l.name
  LEFT JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
  LEFT JOIN LATERAL (
        SELECT um.umid, um.umoptions FROM pg_catalog.pg_user_mappings um
         WHERE um.srvid = s.oid
           AND (um.umuser = 0 OR um.umuser = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user))
         ORDER BY um.umuser = 0 LIMIT 1) m ON true
 ORDER BY l.ord`;

/**
 * The remote's version, read through the link; `ms` is measured on the local server, from the
 * statement's start until the remote's answer is in (clock_timestamp() is volatile, so it is never
 * sent to the remote and is evaluated after the foreign scan).
 */
const VERSION_QUERY = `
SELECT pg_catalog.max(CASE WHEN p.name = 'server_version_num' THEN p.setting END) AS version_num,
       pg_catalog.max(CASE WHEN p.name = 'server_version' THEN p.setting END) AS version,
       (pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - pg_catalog.statement_timestamp()) * 1000)::pg_catalog.float8 AS ms
  FROM ${PROBE_TABLE} p
 WHERE p.name IN ('server_version_num', 'server_version')`;

interface LinkRow {
  link: string;
  local_version_num: number;
  local_role: string;
  server_exists: boolean;
  owned: boolean;
  wrapper: string | null;
  options: string[];
  usage: boolean;
  has_mapping: boolean;
  mapping_user: string | null;
  tables: { schema: string; name: string; options: string[] }[];
  other_mappings: { role: string; user: string | null }[];
}

interface LinkedTable {
  schema: string;
  name: string;
  remoteSchema: string;
  remoteTable: string;
}

/** The probe's own client-side timeout fired: the session is in an unknown state. */
class ProbeStalled extends Error {}

/** The probe was told to stop (its signal). */
class ProbeInterrupted extends Error {}

/** Probes each link (by server name) inside the caller's open transaction; see the module comment. */
export async function probeLinks(client: pg.Client, links: readonly string[], options: ProbeOptions = {}): Promise<LinkHealth[]> {
  if (links.length === 0) return [];
  const run = runner(client, options);
  const rows = (await client.query<LinkRow>(LINKS_QUERY, [[...links]])).rows;
  const results: LinkHealth[] = [];
  let stalledAt: string | null = null;
  for (const row of rows) {
    if (stalledAt !== null) {
      results.push(notChecked(row, stalledAt));
      continue;
    }
    try {
      const health = await probeOne(row, run, options);
      const mappings: MappingHealth[] = [];
      for (const mapping of mappingsToProve(row, health, options)) mappings.push(await proveMapping(row, mapping, run, options));
      results.push(withMappings(health, mappings));
    } catch (error) {
      if (!(error instanceof ProbeStalled)) throw error;
      stalledAt = row.link;
      results.push(stalled(row, options));
    }
  }
  return results;
}

/**
 * Probes each link (by server name) in a transaction of its own, on a client the caller owns that is
 * NOT in a transaction: BEGIN, the probe (and each other mapping's, one transaction each), ROLLBACK,
 * then the wrapper's disconnect function closes the server's connections. postgres_fdw keeps every
 * connection a session opened until the session ends, and cannot close one the current transaction
 * used: a check of two hundred links to one remote in one transaction would hold two hundred
 * connections to it, and exhaust its max_connections. So this holds at most one remote connection at a
 * time where the wrapper can close them; where it cannot, at most `maxHeld`, and then it stops and
 * hands back the links it did not probe (`rest`), for the caller to probe on a fresh session.
 * Stalled and interrupted as probeLinks; a stalled session is in its transaction still.
 */
export async function probeLinksOneByOne(
  client: pg.Client,
  links: readonly string[],
  options: OneByOneOptions,
): Promise<{ health: LinkHealth[]; rest: string[] }> {
  if (links.length === 0) return { health: [], rest: [] };
  const run = runner(client, options);
  const rows = (await client.query<LinkRow>(LINKS_QUERY, [[...links]])).rows;
  const disconnects = await disconnectFunctions(client);
  const health: LinkHealth[] = [];
  let held = 0;
  let stalledAt: string | null = null;
  for (const [index, row] of rows.entries()) {
    if (stalledAt !== null) {
      health.push(notChecked(row, stalledAt));
      continue;
    }
    const disconnect = disconnects.get(row.wrapper ?? '') ?? null;
    // Each transaction below opens at most one connection: the probe's, then one per other mapping.
    const opens = 1 + (options.proveMappings ? row.other_mappings.length : 0);
    if (disconnect === null && held > 0 && held + opens > options.maxHeld) {
      return { health, rest: rows.slice(index).map((r) => r.link) };
    }
    const inTransaction = async <T>(probe: () => Promise<T>): Promise<T> => {
      await run('BEGIN');
      if (options.transactionSetup) await run(options.transactionSetup.text, options.transactionSetup.values);
      const result = await probe();
      await run('ROLLBACK');
      if (disconnect !== null) await run(`SELECT ${disconnect}($1::pg_catalog.text)`, [row.link]);
      else held++;
      return result;
    };
    try {
      const probed = await inTransaction(() => probeOne(row, run, options));
      const mappings: MappingHealth[] = [];
      for (const mapping of mappingsToProve(row, probed, options)) {
        mappings.push(await inTransaction(() => proveMapping(row, mapping, run, options)));
      }
      health.push(withMappings(probed, mappings));
    } catch (error) {
      if (!(error instanceof ProbeStalled)) throw error;
      stalledAt = row.link;
      health.push(stalled(row, options));
    }
  }
  return { health, rest: [] };
}

function runner(client: pg.Client, options: ProbeOptions): Run {
  const timeoutMs = options.statementTimeoutMs ?? null;
  return <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    if (options.signal?.aborted) return Promise.reject(new ProbeInterrupted());
    return query<R>(client, text, values, timeoutMs === null ? null : timeoutMs + CLIENT_MARGIN_MS);
  };
}

function notChecked(row: LinkRow, stalledAt: string): LinkHealth {
  return {
    ...emptyHealth(row),
    state: 'unreachable',
    failure: { code: 'not_checked', sqlstate: null, message: `not checked: the session stalled on link "${stalledAt}"`, detail: null },
  };
}

function stalled(row: LinkRow, options: ProbeOptions): LinkHealth {
  return {
    ...emptyHealth(row),
    state: 'unreachable',
    failure: {
      code: 'stalled',
      sqlstate: null,
      message: `the local server did not answer within ${options.statementTimeoutMs ?? null}ms (the statement timeout) plus ${CLIENT_MARGIN_MS}ms`,
      detail: null,
    },
  };
}

type Run = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;

async function probeOne(row: LinkRow, run: Run, options: ProbeOptions): Promise<LinkHealth> {
  const health = emptyHealth(row);
  const missing = (code: ProbeFailureCode, message: string): LinkHealth => ({
    ...health,
    state: 'missing',
    failure: { code, sqlstate: null, message, detail: null },
  });
  if (!row.server_exists) return missing('server_missing', `no foreign server "${row.link}" in this database`);
  const wrapper = wrapperNamed(row.wrapper ?? '');
  if (!wrapper) return missing('wrong_wrapper', `the server "${row.link}" uses the wrapper ${row.wrapper}`);
  if (!row.usage) return missing('no_server_usage', `the connecting role may not use the server "${row.link}"`);
  if (!row.has_mapping) return missing('user_mapping_missing', `no user mapping for the connecting role (or PUBLIC) on "${row.link}"`);

  const tables = linkedTables(row, wrapper);
  // The server cannot interrupt this wrapper's connection attempt: datalinks reaches the remote first.
  if (!connectIsBounded(row, wrapper, options.statementTimeoutMs) && options.reach) {
    const unreached = await options.reach(row.link);
    if (unreached !== null) {
      return { ...health, state: 'unreachable', failure: { code: 'not_reached', sqlstate: null, message: unreached, detail: null } };
    }
  }
  await run('SAVEPOINT datalinks_probe');
  let stuck = false;
  try {
    if (options.statementTimeoutMs !== undefined) {
      await run(`SELECT pg_catalog.set_config('statement_timeout', $1, true)`, [`${options.statementTimeoutMs}ms`]);
    }
    if (options.statementTimeoutMs !== undefined) await boundConnect(row, wrapper, options.statementTimeoutMs, run);
    const connected = wrapper.probeTable
      ? await connectWithoutSettings(row.link, tables[0], wrapper.probeTable, run)
      : await connectThroughLink(row.link, tables[0], run);
    if ('failure' in connected) {
      const failure = withoutScramKeys(connected.failure, health.target, options.scramLogin);
      return { ...health, state: stateOf(failure.code), failure };
    }
    const unreadable = await readTables(tables, run, options.tableBatch ?? DEFAULT_TABLE_BATCH);
    return {
      ...health,
      ...connected,
      state: unreadable.length > 0 ? 'unreadable_tables' : 'ok',
      tablesChecked: tables.length,
      unreadable,
    };
  } catch (error) {
    stuck = error instanceof ProbeStalled || error instanceof ProbeInterrupted;
    throw error;
  } finally {
    // Always undone: the temporary table, the timeout, and whatever the probe left in the remote's transaction.
    if (!stuck) {
      await run('ROLLBACK TO SAVEPOINT datalinks_probe');
      await run('RELEASE SAVEPOINT datalinks_probe');
    }
  }
}

/**
 * Whether the local server gives up connecting through the link by itself: its wrapper's connection
 * attempt answers interrupts on this PostgreSQL (statement_timeout), or the server has the wrapper's
 * connect timeout option, or the probe can give it one (boundConnect).
 */
function connectIsBounded(row: LinkRow, wrapper: Wrapper, statementTimeoutMs: number | undefined): boolean {
  const { interruptibleConnectSince, connectTimeout } = wrapper.serverConnection;
  if (interruptibleConnectSince !== null && row.local_version_num >= interruptibleConnectSince) return true;
  if (connectTimeout === null) return false;
  return connectTimeout.option in parseOptions(row.options) || (row.owned && statementTimeoutMs !== undefined);
}

/**
 * Where the server cannot interrupt the wrapper while it connects (postgres_fdw before PostgreSQL 16),
 * statement_timeout does not bound a remote that drops packets or never answers. There, a server
 * without the wrapper's connect timeout option gets one for the probe (ALTER SERVER inside the link's
 * savepoint, rolled back with it) when the connecting role owns it. A wrapper without such an option
 * (mysql_fdw) is never sent one: it would refuse it.
 */
async function boundConnect(row: LinkRow, wrapper: Wrapper, statementTimeoutMs: number, run: Run): Promise<void> {
  const { interruptibleConnectSince, connectTimeout } = wrapper.serverConnection;
  if (interruptibleConnectSince !== null && row.local_version_num >= interruptibleConnectSince) return;
  if (connectTimeout === null || !row.owned || connectTimeout.option in parseOptions(row.options)) return;
  const seconds = String(Math.max(2, Math.ceil(statementTimeoutMs / 1000)));
  const failure = await attempt(run, `ALTER SERVER ${ident(row.link)} OPTIONS (ADD ${ident(connectTimeout.option)} ${literal(seconds)})`);
  if (failure instanceof ProbeStalled) throw failure;
}

type Connected = Pick<LinkHealth, 'remoteVersion' | 'remoteVersionNum' | 'connectMs' | 'rttMs'>;

/**
 * Opens the link's connection from the local server: a temporary foreign table over the remote's
 * pg_settings (works for a link with no tables, and gives the version), or, where a temporary table
 * cannot be made (a read-only session, no TEMP privilege), a LIMIT 0 read of one of its tables.
 * Runs inside the link's savepoint.
 */
async function connectThroughLink(
  link: string,
  firstTable: LinkedTable | undefined,
  run: Run,
): Promise<Connected | { failure: ProbeFailure }> {
  await run('SAVEPOINT datalinks_probe_table');
  try {
    await run(createProbeTableSql(link, null));
  } catch (error) {
    if (error instanceof ProbeStalled || error instanceof ProbeInterrupted) throw error;
    await run('ROLLBACK TO SAVEPOINT datalinks_probe_table');
    if (!firstTable) return { failure: failureOf(error) };
    const started = performance.now();
    const readError = await attempt(run, readSql(firstTable));
    // A table the remote role may not read still proves the connection; readTables names it.
    if (readError !== null && failureOf(readError).code !== 'probe_failed') return { failure: failureOf(readError) };
    return { remoteVersion: null, remoteVersionNum: null, connectMs: round(performance.now() - started), rttMs: null };
  }
  try {
    const first = (await run<{ version_num: string | null; version: string | null; ms: number }>(VERSION_QUERY)).rows[0];
    const second = (await run<{ ms: number }>(VERSION_QUERY)).rows[0];
    return {
      remoteVersion: first?.version ?? null,
      remoteVersionNum: first?.version_num ? Number(first.version_num) : null,
      connectMs: first ? round(first.ms) : null,
      rttMs: second ? round(second.ms) : null,
    };
  } catch (error) {
    if (error instanceof ProbeStalled || error instanceof ProbeInterrupted) throw error;
    return { failure: failureOf(error) };
  }
}

/**
 * A wrapper other than postgres_fdw (mysql_fdw) has no pg_settings to read: a temporary foreign table
 * over a remote catalog table (the wrapper's probeTable) opens its connection, or, where a temporary
 * table cannot be made, a LIMIT 0 read of one of the link's tables. The temporary table comes first:
 * should the connection attempt never return (mysql_fdw's cannot be interrupted), the session holds no
 * lock on a linked table that an apply or a reader would then wait for. The remote's version stays unknown.
 */
async function connectWithoutSettings(
  link: string,
  firstTable: LinkedTable | undefined,
  probeTable: NonNullable<Wrapper['probeTable']>,
  run: Run,
): Promise<Connected | { failure: ProbeFailure }> {
  const created = await attempt(run, createProbeTableSql(link, probeTable));
  const started = performance.now();
  if (created !== null && !firstTable) return { failure: failureOf(created) };
  const readError =
    firstTable && created !== null ? await attempt(run, readSql(firstTable)) : await attempt(run, `SELECT 1 FROM ${PROBE_TABLE} LIMIT 0`);
  // A table the remote role may not read still proves the connection; readTables names it.
  if (readError !== null && failureOf(readError).code !== 'probe_failed') return { failure: failureOf(readError) };
  return { remoteVersion: null, remoteVersionNum: null, connectMs: round(performance.now() - started), rttMs: null };
}

/**
 * The temporary foreign table a probe reads the remote through: over the remote's pg_settings
 * (postgres_fdw, which gives the version too), or over the wrapper's probe table.
 */
function createProbeTableSql(link: string, probeTable: Wrapper['probeTable']): string {
  if (probeTable === null) {
    return `CREATE FOREIGN TABLE ${PROBE_TABLE} (name pg_catalog.text, setting pg_catalog.text) SERVER ${ident(link)} OPTIONS (schema_name 'pg_catalog', table_name 'pg_settings')`;
  }
  const options = Object.entries(probeTable.options)
    .map(([name, value]) => `${name} ${literal(value)}`)
    .join(', ');
  return `CREATE FOREIGN TABLE ${PROBE_TABLE} (${probeTable.columns}) SERVER ${ident(link)} OPTIONS (${options})`;
}

/**
 * The other mappings to prove for a link whose own probe connected. A SCRAM pass-through mapping holds
 * no password to go stale, and what the remote checks are the SCRAM keys of whoever logged in: a
 * member's, which a probe cannot have (SET ROLE would pass the connecting role's keys).
 */
function mappingsToProve(row: LinkRow, health: LinkHealth, options: ProbeOptions): LinkRow['other_mappings'] {
  if (!options.proveMappings || (health.state !== 'ok' && health.state !== 'unreadable_tables')) return [];
  if (health.target?.auth === 'scram_passthrough') return [];
  return row.other_mappings;
}

/**
 * Connects through the link as `mapping.role`, in a savepoint that is always rolled back: the wrapper
 * then uses that role's user mapping (it looks up current_user's). The temporary foreign table is made
 * by the connecting role, which lets the role read it; without TEMP, the role reads one of the link's
 * tables instead (grant_to gives it SELECT on them).
 */
async function proveMapping(
  row: LinkRow,
  mapping: LinkRow['other_mappings'][number],
  run: Run,
  options: ProbeOptions,
): Promise<MappingHealth> {
  const wrapper = wrapperNamed(row.wrapper ?? '') as Wrapper;
  const result = (state: MappingHealth['state'], failure: ProbeFailure | null): MappingHealth => ({
    role: mapping.role,
    user: mapping.user,
    state,
    failure,
  });
  await run('SAVEPOINT datalinks_probe_role');
  let stuck = false;
  try {
    if (options.statementTimeoutMs !== undefined) {
      await run(`SELECT pg_catalog.set_config('statement_timeout', $1, true)`, [`${options.statementTimeoutMs}ms`]);
      await boundConnect(row, wrapper, options.statementTimeoutMs, run);
    }
    const created = await attempt(run, createProbeTableSql(row.link, wrapper.probeTable));
    const first = linkedTables(row, wrapper)[0];
    let read: string;
    if (created === null) {
      await run(`GRANT SELECT ON ${PROBE_TABLE} TO ${ident(mapping.role)}`);
      read = wrapper.probeTable ? `SELECT 1 FROM ${PROBE_TABLE} LIMIT 0` : VERSION_QUERY;
    } else if (first) {
      read = readSql(first);
    } else {
      return result('not_proven', { ...failureOf(created), code: 'nothing_to_read_as_role' });
    }
    const refused = await attempt(run, `SET LOCAL ROLE ${ident(mapping.role)}`);
    if (refused !== null) return result('not_proven', { ...failureOf(refused), code: 'role_not_settable' });
    const failed = await attempt(run, read);
    if (failed === null) return result('ok', null);
    const failure = failureOf(failed);
    if (failure.code !== 'probe_failed') return result(stateOf(failure.code) === 'auth_failed' ? 'auth_failed' : 'unreachable', failure);
    // Reading a linked table: the remote's refusal (a privilege) still proves the connection; a local one proves nothing.
    if (created !== null && answeredByRemote(failed)) return result('ok', null);
    return result('not_proven', { ...failure, code: created !== null ? 'nothing_to_read_as_role' : 'probe_failed' });
  } catch (error) {
    stuck = error instanceof ProbeStalled || error instanceof ProbeInterrupted;
    throw error;
  } finally {
    if (!stuck) {
      await run('ROLLBACK TO SAVEPOINT datalinks_probe_role');
      await run('RELEASE SAVEPOINT datalinks_probe_role');
    }
  }
}

/** An error the remote sent back through the link (postgres_fdw names the remote SQL command; mysql_fdw MySQL's words). */
function answeredByRemote(error: unknown): boolean {
  if (!(error instanceof pg.DatabaseError)) return false;
  return /remote SQL command/.test(error.where ?? '') || /\bcommand denied to user\b/i.test(error.message);
}

/** A link is as broken as its worst mapping: one role's refused password breaks the link for that role. */
function withMappings(health: LinkHealth, mappings: MappingHealth[]): LinkHealth {
  if (mappings.length === 0) return health;
  const state = mappings.some((m) => m.state === 'auth_failed')
    ? 'auth_failed'
    : mappings.some((m) => m.state === 'unreachable')
      ? 'unreachable'
      : health.state;
  return { ...health, state, mappings };
}

/**
 * Reads every table with `SELECT 1 FROM t LIMIT 0`, which postgres_fdw sends as
 * `SELECT NULL FROM remote.t LIMIT 0`: the remote checks the role's SELECT privilege and reads no row.
 * Tables go in batches of one UNION ALL statement each; a batch that fails is read again table by
 * table, each in a savepoint, so that every unreadable table is named with its own error.
 */
async function readTables(tables: LinkedTable[], run: Run, batchSize: number): Promise<UnreadableTable[]> {
  const unreadable: UnreadableTable[] = [];
  for (let start = 0; start < tables.length; start += batchSize) {
    const batch = tables.slice(start, start + batchSize);
    const failures = await attempt(run, batch.map(readSql).join(' UNION ALL '));
    if (failures === null) continue;
    if (batch.length === 1) {
      unreadable.push(unreadableTable(batch[0] as LinkedTable, failures));
      continue;
    }
    for (const table of batch) {
      const failure = await attempt(run, readSql(table));
      if (failure) unreadable.push(unreadableTable(table, failure));
    }
  }
  return unreadable;
}

function readSql(table: LinkedTable, index = 0): string {
  return `SELECT 1 FROM (SELECT 1 FROM ${qualified(table.schema, table.name)} LIMIT 0) AS t${index}`;
}

/** Runs one statement in a savepoint: null when it succeeds, else the error (the savepoint is rolled back). */
async function attempt(run: Run, sql: string): Promise<unknown> {
  await run('SAVEPOINT datalinks_probe_read');
  try {
    await run(sql);
    await run('RELEASE SAVEPOINT datalinks_probe_read');
    return null;
  } catch (error) {
    if (error instanceof ProbeStalled || error instanceof ProbeInterrupted) throw error;
    await run('ROLLBACK TO SAVEPOINT datalinks_probe_read');
    return error ?? new Error('unknown error');
  }
}

function unreadableTable(table: LinkedTable, error: unknown): UnreadableTable {
  const failure = failureOf(error);
  return { ...table, sqlstate: failure.sqlstate, message: failure.message };
}

function linkedTables(row: LinkRow, wrapper: Wrapper): LinkedTable[] {
  return row.tables.map((table) => {
    const remote = wrapper.remoteTableOf({ schema: table.schema, name: table.name, options: parseOptions(table.options) });
    return { schema: table.schema, name: table.name, remoteSchema: remote.schema, remoteTable: remote.table };
  });
}

function emptyHealth(row: LinkRow): LinkHealth {
  return {
    link: row.link,
    fdw: wrapperNamed(row.wrapper ?? '')?.fdw ?? null,
    state: 'ok',
    target: row.server_exists ? targetOf(row) : null,
    remoteVersion: null,
    remoteVersionNum: null,
    connectMs: null,
    rttMs: null,
    tablesChecked: 0,
    unreadable: [],
    failure: null,
    mappings: [],
  };
}

/**
 * A SCRAM pass-through link refused from a session that did not log in with SCRAM: postgres_fdw had no
 * keys to pass (a non-superuser is refused with "password or GSSAPI delegated credentials required", a
 * superuser's connection goes out without a password), which says nothing about the link itself.
 */
function withoutScramKeys(failure: ProbeFailure, target: LinkTarget | null, scramLogin: boolean | undefined): ProbeFailure {
  if (target?.auth !== 'scram_passthrough' || scramLogin !== false || stateOf(failure.code) !== 'auth_failed') return failure;
  return { ...failure, code: 'scram_login_missing' };
}

function targetOf(row: LinkRow): LinkTarget {
  const server = parseOptions(row.options);
  // A MySQL link's database is named on its foreign tables, not on the server.
  const wrapper = wrapperNamed(row.wrapper ?? '');
  const scram = wrapper?.scramPassthrough;
  const first = row.tables[0];
  const dbname =
    wrapper?.remoteSchemaFromUrl && first
      ? wrapper.remoteTableOf({ schema: first.schema, name: first.name, options: parseOptions(first.options) }).schema
      : (server.dbname ?? null);
  return {
    host: server.host ?? server.hostaddr ?? null,
    port: server.port ?? null,
    dbname,
    user: row.mapping_user,
    wrapper: wrapper?.fdw ?? null,
    auth: scram && server[scram.serverOption] === 'true' ? 'scram_passthrough' : 'password',
    role: row.local_role,
  };
}

const SQLSTATE = {
  passwordRequired: '2F003',
  queryCanceled: '57014',
  undefinedObject: '42704',
} as const;

function failureOf(error: unknown): ProbeFailure {
  if (!(error instanceof pg.DatabaseError)) return { code: 'probe_failed', sqlstate: null, message: messageOf(error), detail: null };
  const sqlstate = error.code ?? null;
  const detail = error.detail ?? null;
  const base = { sqlstate, message: error.message, detail };
  if (sqlstate === SQLSTATE.passwordRequired) return { ...base, code: 'password_required' };
  if (sqlstate === SQLSTATE.queryCanceled) return { ...base, code: 'timeout' };
  if (sqlstate === SQLSTATE.undefinedObject && /user mapping not found/.test(error.message))
    return { ...base, code: 'user_mapping_missing' };
  // The wrapper could not connect: its facts say whether the remote's words refuse the credentials.
  const connect = sqlstate === null ? undefined : connectFailureFor(sqlstate);
  if (connect) {
    const words = connect.wordsIn === 'detail' ? detail : error.message;
    return { ...base, code: connect.authRefused.test(words ?? '') ? 'auth_failed' : 'connect_failed' };
  }
  return { ...base, code: 'probe_failed' };
}

function stateOf(code: ProbeFailureCode): LinkHealth['state'] {
  if (code === 'auth_failed' || code === 'password_required' || code === 'scram_login_missing') return 'auth_failed';
  if (code === 'user_mapping_missing' || code === 'server_missing' || code === 'wrong_wrapper' || code === 'no_server_usage')
    return 'missing';
  return 'unreachable';
}

/**
 * Sends one probe statement. With a client-side timeout, a statement the server does not finish
 * (nor cancel) in time raises ProbeStalled instead of waiting forever.
 */
async function query<R extends pg.QueryResultRow>(
  client: pg.Client,
  text: string,
  values: unknown[],
  clientTimeoutMs: number | null,
): Promise<pg.QueryResult<R>> {
  const config = { text, values, ...(clientTimeoutMs === null ? {} : { query_timeout: clientTimeoutMs }) } as pg.QueryConfig;
  try {
    return await client.query<R>(config);
  } catch (error) {
    if (!(error instanceof pg.DatabaseError) && /Query read timeout/.test(messageOf(error))) throw new ProbeStalled();
    throw error;
  }
}

/**
 * The schema of a wrapper's function (postgres_fdw_disconnect_all, postgres_fdw_disconnect), called
 * there by name (never through search_path), and only when that call can mean nothing else: the
 * extension's own function is the only one of that name in its schema (another role that may create
 * objects there could otherwise add a look-alike with defaults that makes the call ambiguous), and
 * this role may reach and run it. $1: extension, $2: function, $3: its number of arguments.
 */
const EXTENSION_FUNCTION_QUERY = `
SELECT n.nspname::text AS schema
  FROM pg_catalog.pg_extension e
  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
  JOIN pg_catalog.pg_proc p ON p.pronamespace = n.oid AND p.proname = $2
  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
                             AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = e.oid
                             AND d.deptype = 'e'
 WHERE e.extname = $1
   AND p.pronargs = $3
   AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
   AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
   AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc o WHERE o.pronamespace = n.oid AND o.proname = $2) = 1`;

async function extensionFunction(client: pg.Client, extension: string, name: string, args: number): Promise<string | null> {
  const found = await client.query<{ schema: string }>({ text: EXTENSION_FUNCTION_QUERY, values: [extension, name, args] });
  const schema = found.rows[0]?.schema;
  return schema === undefined ? null : `${ident(schema)}.${ident(name)}`;
}

/** Each wrapper's disconnect function that this session may call, qualified, by wrapper name (see Wrapper.disconnectServer). */
async function disconnectFunctions(client: pg.Client): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const wrapper of WRAPPERS) {
    if (!wrapper.disconnectServer) continue;
    const call = await extensionFunction(client, wrapper.disconnectServer.extension, wrapper.disconnectServer.function, 1);
    if (call !== null) found.set(wrapper.fdw, call);
  }
  return found;
}

/**
 * Closes the connections postgres_fdw keeps open from this session (the probe's, and any other),
 * so that a check leaves nothing behind on the remotes. Call it after the transaction has ended:
 * a connection used by the current transaction is not closed. postgres_fdw 1.0 (an extension never
 * updated since PostgreSQL 13) has no disconnect function; its connections close with the session.
 */
export async function closeLinkConnections(client: pg.Client): Promise<boolean> {
  const call = await extensionFunction(client, 'postgres_fdw', 'postgres_fdw_disconnect_all', 0);
  if (call === null) return false;
  await client.query({ text: `SELECT ${call}()`, values: [] });
  return true;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

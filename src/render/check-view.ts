import { type CheckReport, type DatabaseCheck, isBroken, type LinkCheck, type TypeDriftFinding } from '../check/check-report.js';
import type { LeftSession } from '../check/end-session.js';
import type { LinkHealth, LinkState, LinkTarget, MappingHealth, ProbeFailure, RowsNotRead, UnreadableTable } from '../check/types.js';
import { escapeText } from '../escape.js';
import type { LinkChange, Operation, PlanProblem } from '../plan/types.js';
import { plural } from '../plural.js';
import { formatVersion } from '../server-version.js';
import { ident } from '../sql/quote.js';
import { SQLSTATE } from '../sqlstate.js';
import { type Wrapper, wrapperNamed } from '../wrappers/index.js';
import { mysqlIdent } from '../wrappers/mysql/quote.js';
import { POSTGRES_DEFAULT_PORT } from '../wrappers/postgres/options.js';
import type { FdwName } from '../wrappers/types.js';
import { describeTarget } from '../wrappers/url.js';
import { leftSessionWords } from './left-session-words.js';
import { buildPlanView } from './plan-view.js';
import { noteText, problemWords, scramSecretCopy } from './plan-words.js';
import { type Paint, plainPaint } from './style.js';
import { wrapWords } from './wrap-words.js';

/** Unreadable tables listed per link in text; --json has them all. */
const TABLES_SHOWN = 20;

/** How each state reads in text; `--json` keeps the codes. */
export const STATE_WORDS: Record<LinkState, string> = {
  ok: 'ok',
  unreachable: 'unreachable',
  auth_failed: 'auth failed',
  missing: 'missing',
  unreadable_tables: 'unreadable tables',
  drift: 'drift',
  unknown: 'unknown',
};

const STATE_MARK: Record<LinkState, { symbol: string; tone: 'create' | 'error' | 'update' | 'warning' }> = {
  ok: { symbol: '✓', tone: 'create' },
  unreachable: { symbol: '✗', tone: 'error' },
  auth_failed: { symbol: '✗', tone: 'error' },
  missing: { symbol: '✗', tone: 'error' },
  unreadable_tables: { symbol: '✗', tone: 'error' },
  drift: { symbol: '~', tone: 'update' },
  unknown: { symbol: '?', tone: 'warning' },
};

/** Names and messages from the catalogs or a remote, shown without letting control characters reach the terminal. */
function shown(text: string): string {
  return escapeText(text);
}

export interface CheckTextOptions {
  /** Wrap lines on words at this width (a terminal's columns); undefined: no wrapping (a pipe, a CI log). */
  columns?: number;
  /** Only what is not ok: databases with nothing wrong and links that are ok are left out; the summary stays. */
  quiet?: boolean;
}

/** `datalinks check` as plain text; with `paint` = ansiPaint, coloured for a terminal. */
export function renderCheckText(report: CheckReport, paint: Paint = plainPaint, options: CheckTextOptions = {}): string {
  const out: string[] = [];
  for (const database of report.databases) {
    const lines = databaseLines(database, paint, options.quiet ?? false);
    if (lines.length > 0) out.push(...lines, '');
  }
  out.push(paint('bold', summaryLine(report)), ...notOkLines(report));
  const text = out.join('\n');
  return `${options.columns ? wrapWords(text, options.columns) : text}\n`;
}

export function summaryLine(report: CheckReport): string {
  const { ok, drift, unknown, ...broken } = report.summary;
  const bad = Object.values(broken).reduce((a, b) => a + b, 0);
  const failedDatabases = report.databases.filter((db) => db.error).length;
  const left = report.databases.filter((db) => db.left).length;
  const parts = [`${ok} ok`, `${bad} broken`, `${drift} drifted`];
  if (unknown > 0) parts.push(`${unknown} unknown (could not tell)`);
  if (failedDatabases > 0) parts.push(`${plural(failedDatabases, 'database')} not checked`);
  if (left > 0) parts.push(`${plural(left, 'session')} left running (see above)`);
  return `Check: ${plural(ok + bad + drift + unknown, 'link')}: ${parts.join(', ')}.`;
}

/**
 * Under the summary, what is not ok by name, for a fleet where the lines above scroll away: the links
 * broken, drifted and unknown as alias/link, and the databases not checked, with why.
 */
function notOkLines(report: CheckReport): string[] {
  const named = (state: (link: LinkCheck) => boolean, words: (link: LinkCheck) => string | null) =>
    report.databases.flatMap((db) =>
      db.links.filter(state).map((link) => {
        const why = words(link);
        return `${shown(db.alias)}/${shown(link.link)}${why ? ` (${why})` : ''}`;
      }),
    );
  const broken = named(
    (link) => isBroken(link.state),
    (link) => STATE_WORDS[link.state],
  );
  const drifted = named(
    (link) => link.state === 'drift',
    () => null,
  );
  const unknown = named(
    (link) => link.state === 'unknown',
    () => null,
  );
  const notChecked = report.databases
    .filter((db) => db.error)
    .map((db) => `${shown(db.alias)} (${DATABASE_ERROR_WORDS[db.error?.code ?? 'not_checked']})`);
  const left = report.databases.filter((db) => db.left).map((db) => shown(db.alias));
  return [
    ...(broken.length > 0 ? [`  broken: ${broken.join(', ')}`] : []),
    ...(drifted.length > 0 ? [`  drifted: ${drifted.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`  unknown: ${unknown.join(', ')}`] : []),
    ...(notChecked.length > 0 ? [`  databases not checked: ${notChecked.join(', ')}`] : []),
    ...(left.length > 0 ? [`  sessions left running on: ${left.join(', ')}`] : []),
  ];
}

/** Why a database was not checked, in a few words (its `error.code` in --json). */
const DATABASE_ERROR_WORDS: Record<NonNullable<DatabaseCheck['error']>['code'], string> = {
  unreachable: 'unreachable',
  login_refused: 'login refused',
  interrupted: 'interrupted',
  check_failed: 'check failed',
  not_checked: 'not checked',
};

function databaseLines(database: DatabaseCheck, paint: Paint, quiet: boolean): string[] {
  const links = quiet ? database.links.filter((link) => link.state !== 'ok') : database.links;
  if (quiet && !database.error && !database.left && links.length === 0) return [];
  const out = [paint('bold', `Database ${database.alias} (${shown(database.target)})`)];
  if (database.error) {
    out.push(`  ${paint('error', `✗ ${shown(database.error.message)}`)}`);
    if (database.error.hint) out.push(`      hint: ${shown(database.error.hint)}`);
  } else {
    if (database.links.length === 0) out.push(`  ${paint('muted', 'no links in the file for this database')}`);
    for (const link of links) out.push(...linkLines(link, database, paint));
  }
  if (database.left) {
    const words = leftSessionWords(database.left);
    out.push(`  ${paint('error', `! left running: ${shown(words.message)}`)}`, `      hint: ${shown(words.hint)}`);
  }
  return out;
}

function linkLines(link: LinkCheck, database: DatabaseCheck, paint: Paint): string[] {
  const mark = STATE_MARK[link.state];
  const health = link.health;
  const context = hintContext(link, database);
  const head = `  ${paint(mark.tone, mark.symbol)} ${shown(link.link)}: ${paint(mark.tone, STATE_WORDS[link.state])}`;
  const out: string[] = [];
  if (health?.failure) {
    out.push(`${head}: ${shown(failureText(health.failure))}`);
    const hint = failureHint(health.failure, health.target, link.link, health.fdw, context);
    if (hint) out.push(`      hint: ${shown(hint)}`);
  } else if (health) {
    out.push(`${head}: ${shown(healthyText(health, new Set(link.rowsNotRead.map((t) => t.name)).size))}`);
  } else {
    out.push(`${head}: a managed link that is not in the file`);
  }
  for (const mapping of health?.mappings ?? []) {
    if (mapping.state === 'ok' || !mapping.failure) continue;
    const symbol = mapping.state === 'not_proven' ? paint('warning', '?') : paint('error', '✗');
    const what = mapping.state === 'not_proven' ? 'not proven' : STATE_WORDS[mapping.state];
    out.push(`      ${symbol} user mapping of role ${shown(mapping.role)}: ${what}: ${shown(failureText(mapping.failure))}`);
    const hint = mappingHint(mapping, health?.target ?? null, link.link, context);
    if (hint) out.push(`          hint: ${shown(hint)}`);
  }
  const unreadable = health?.unreadable ?? [];
  for (const table of unreadable.slice(0, TABLES_SHOWN)) {
    out.push(`      ${paint('error', '✗')} ${shown(`${table.schema}.${table.name}`)}: ${shown(table.message)}`);
    const hint = tableHint(table, health?.target ?? null, context);
    if (hint) out.push(`          hint: ${shown(hint)}`);
  }
  if (unreadable.length > TABLES_SHOWN) {
    out.push(`      ... and ${plural(unreadable.length - TABLES_SHOWN, 'more unreadable table')} (--json lists them all)`);
  }
  for (const table of link.rowsNotRead) {
    out.push(`      ${paint('error', '✗')} ${shown(`${table.schema}.${table.name}`)}: ${shown(rowsNotReadText(table))}`);
    out.push(`          hint: ${shown(rowsNotReadHint(table))}`);
  }
  if (link.rowsNotReadUnknown) {
    out.push(`      ${paint('warning', `could not count the rows a read through the link would miss: ${shown(link.rowsNotReadUnknown)}`)}`);
  }
  if (link.drift) out.push(...driftLines(link, link.drift, context, paint));
  // The plan's own words for each local type that differs from the remote's.
  for (const finding of link.typeDrift) {
    const words = typeDriftWords(finding);
    out.push(`      ${paint(finding.code === 'enum_labels_missing' ? 'error' : 'update', '~')} ${shown(words.message)}`);
    if (words.hint) out.push(`      hint: ${shown(words.hint)}`);
  }
  // Why the link could not be compared with the file: for a broken link the probe's hint comes first.
  for (const problem of link.problems) {
    const words = problemWords(problem);
    out.push(`      ${paint('warning', `could not compare with the file: ${shown(words.message)}`)}`);
    if (words.hint && !isBroken(link.state)) out.push(`      hint: ${shown(words.hint)}`);
  }
  return out;
}

/** What apply would change for a link, as plan words it; for a link to create, one line (plan lists it all). */
function driftLines(link: LinkCheck, drift: LinkChange, context: HintContext, paint: Paint): string[] {
  const out: string[] = [];
  const apply = applyCommand(link.link, context);
  if (drift.action === 'create') {
    // The probe's hint already says who creates it (or why apply cannot): plan lists every step.
    const tables = drift.operations.filter((op) => op.kind === 'create_foreign_table').length;
    return [`      not in this database: apply would create it, with ${plural(tables, 'foreign table')}`];
  }
  out.push('      differs from the file; apply would change:');
  const view = buildPlanView({
    databases: [{ alias: '', preamble: [], changes: [drift], errors: [], notes: [], fingerprint: '' }],
    summary: { create: 0, update: 0, destroy: 0 },
  });
  for (const line of view.databases[0]?.links[0]?.lines.slice(1) ?? []) {
    out.push(`      ${'  '.repeat(line.depth)}${paint(line.tone, line.symbol)} ${shown(line.text)}`);
  }
  // A broken link whose server options differ from the file: the change may well be the fix.
  const serverChanges = drift.operations.some((op) => op.kind === 'alter_server_options');
  const because = serverChanges && isBroken(link.state) ? "; the server's options differ from the file, which may be why it fails" : '';
  out.push(
    apply
      ? `      hint: datalinks plan shows the changes; ${apply} makes them${context.applyBlocked ? ' (errors of other links in this database stop a whole apply)' : ''}${because}`
      : `      hint: datalinks plan shows the changes; apply makes them once the plan's errors for this link (below) are fixed${because}`,
  );
  return out;
}

/** What a hint may promise of apply: what check's read-only plan says apply would do for this link. */
export interface HintContext {
  /** The link's name (its server's, and its schema's). */
  link: string;
  /** What apply would change for the link, or null: nothing. */
  drift: LinkChange | null;
  /** The plan's errors for the link: apply refuses the database until they are fixed. */
  problems: readonly PlanProblem[];
  /** Errors of other links of the database, which stop an apply of it that does not name this link (--link). */
  applyBlocked: boolean;
}

function hintContext(link: LinkCheck, database: DatabaseCheck): HintContext {
  return { link: link.link, drift: link.drift, problems: link.problems, applyBlocked: database.applyBlocked };
}

/** The apply that would make this link's changes, or null when the plan refuses it. */
function applyCommand(link: string, context: HintContext): string | null {
  if (context.problems.length > 0) return null;
  return context.applyBlocked ? `datalinks apply --link ${link}` : 'datalinks apply';
}

/** After an edit of the file: the apply that makes the server match it, or what stops it. */
function thenApply(link: string, context: HintContext | undefined): string {
  if (!context) return 'then apply';
  const apply = applyCommand(link, context);
  return apply ? `then ${apply}` : "then, once the plan's errors for this link (below) are fixed, apply";
}

/** The operations of the link's planned change that match `kind`. */
function planned<K extends Operation['kind']>(context: HintContext | undefined, kind: K): Extract<Operation, { kind: K }>[] {
  return (context?.drift?.operations ?? []).filter((op): op is Extract<Operation, { kind: K }> => op.kind === kind);
}

/**
 * What to do about a role's user mapping that failed or could not be proven. The connecting role's
 * mapping worked, so a refused one holds other credentials than the file's (set by hand): apply replaces
 * it where plan sees it differ, and otherwise (its options are hidden from the connecting role) only
 * once it is dropped.
 */
function mappingHint(mapping: MappingHealth, target: LinkTarget | null, link: string, context: HintContext): string | null {
  const failure = mapping.failure;
  if (!failure) return null;
  const role = sqlName(mapping.role);
  switch (failure.code) {
    case 'role_not_settable':
      return `check connects through the link as each role with a user mapping (SET ROLE), which ${target?.role ? `role ${sqlName(target.role)}` : 'the connecting role'} may not do as ${role}: run check as a superuser, or let it: GRANT ${role} TO ${target?.role ? sqlName(target.role) : 'the connecting role'} (on PostgreSQL 16+ add WITH INHERIT FALSE, so that it gains no privilege of ${role})`;
    case 'nothing_to_read_as_role':
      return `to connect as ${role}, check makes a temporary foreign table (the connecting role needs TEMPORARY on the database) or reads one of the link's tables (${role} needs SELECT on one): GRANT TEMPORARY ON DATABASE to the connecting role`;
    case 'auth_failed': {
      if (target?.auth === 'scram_passthrough') return null;
      const apply = applyCommand(link, context);
      const who = mapping.user ? ` for ${remoteWrapper(target).remoteAccountNoun} ${mapping.user}` : '';
      if (planned(context, 'replace_user_mapping').some((op) => op.role === mapping.role) && apply) {
        return `the remote refused the credentials of role ${role}'s user mapping${who}, which differ from the file (changed by hand): ${apply} replaces the mapping with the file's`;
      }
      if (planned(context, 'drop_user_mapping').some((op) => op.role === mapping.role) && apply) {
        return `role ${role} is not in the link's grant_to: ${apply} drops its user mapping`;
      }
      return `the remote refused the credentials of role ${role}'s user mapping${who}, while the connecting role's work: they were changed by hand, and plan cannot see it (the connecting role may not read that mapping's options). As the server's owner, drop the mapping: DROP USER MAPPING FOR ${role} SERVER ${sqlName(link)}; then ${apply ? `${apply} creates it again from the file` : "once the plan's errors for this link (below) are fixed, apply creates it again from the file"}`;
    }
    default:
      return failureHint(failure, target, link, null, context);
  }
}

/** The wrapper of a probed link's server (PostgreSQL's when it is not known): it names the remote's account and SQL. */
function remoteWrapper(target: LinkTarget | null): Wrapper {
  return wrapperNamed(target?.wrapper ?? undefined) ?? (wrapperNamed('postgres_fdw') as Wrapper);
}

/** A name as it must be written in SQL a person copies: bare when it can be, quoted when it must be. */
function sqlName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : ident(name);
}

function where(target: LinkTarget | null): string {
  if (!target) return 'the remote';
  return describeTarget(target);
}

/** A working link's line; `missingRows` tables hold rows a read through the link does not return. */
function healthyText(health: LinkHealth, missingRows = 0): string {
  const unreadable = health.unreadable.length + missingRows;
  const account = health.target?.user ? ` as ${remoteWrapper(health.target).remoteAccountNoun} ${health.target.user}` : '';
  const scram = health.target?.auth === 'scram_passthrough' ? ` with the SCRAM keys of local role ${health.target.role ?? '?'}` : '';
  const proven = health.mappings.filter((mapping) => mapping.state === 'ok').map((mapping) => mapping.role);
  const parts = [
    `${health.remoteVersion ? `PostgreSQL ${health.remoteVersion} at` : 'connected to'} ${where(health.target)}${account}${scram}`,
    ...(proven.length > 0 ? [`the user ${proven.length === 1 ? 'mapping' : 'mappings'} of ${proven.join(', ')} too`] : []),
    unreadable > 0
      ? `${unreadable} of ${plural(health.tablesChecked, 'table')} unreadable`
      : `${plural(health.tablesChecked, 'table')} readable`,
  ];
  if (health.connectMs !== null) parts.push(`connect ${health.connectMs} ms`);
  if (health.rttMs !== null) parts.push(`round trip ${health.rttMs} ms`);
  return parts.join(', ');
}

function failureText(failure: ProbeFailure): string {
  const detail = failure.detail ? `: ${failure.detail.replace(/\s*\n\s*/g, ' ')}` : '';
  return `${failure.message}${detail}`;
}

/**
 * What to do about a failed probe. The local server, not this machine, is the one connecting. With
 * `context` (check's read-only plan), a hint promises of apply only what that plan says it would do;
 * without it (apply's own proof), it names the fix.
 */
export function failureHint(
  failure: ProbeFailure,
  target: LinkTarget | null,
  link: string,
  fdw: FdwName | null = null,
  context?: HintContext,
): string | null {
  const detail = failure.detail ?? '';
  const apply = context ? applyCommand(link, context) : 'datalinks apply';
  const blocked = "apply cannot until the plan's errors for this link (below) are fixed";
  switch (failure.code) {
    case 'server_missing':
      if (!context || context.drift?.action === 'create') {
        return `the link is in the file but not in this database: ${apply ? `${apply} creates it` : blocked}`;
      }
      return 'the link is in the file but not in this database: datalinks plan says what apply would do';
    case 'wrong_wrapper':
      return 'a server of that name exists for another wrapper: rename the link, or drop that server by hand';
    case 'no_server_usage':
      return `the server's owner (or a superuser) must run: GRANT USAGE ON FOREIGN SERVER ${link} TO the connecting role`;
    case 'user_mapping_missing': {
      const role = target?.role ? `role ${sqlName(target.role)}` : 'the connecting role';
      if (!context || planned(context, 'create_user_mapping').length > 0) {
        return `${role} has no user mapping for the server (nor has PUBLIC): ${apply ? `${apply} creates it` : blocked}`;
      }
      if (!apply) return `${role} has no user mapping for the server (nor has PUBLIC), and ${blocked}`;
      return `${role} has no user mapping for the server (nor has PUBLIC), and datalinks plan makes none: the server's owner must create it (CREATE USER MAPPING FOR ${role === 'the connecting role' ? 'CURRENT_USER' : sqlName(target?.role ?? '')} SERVER ${sqlName(link)} OPTIONS (user '...', password '...'))`;
    }
    case 'auth_failed': {
      if (target?.auth === 'scram_passthrough') return scramRefusedHint(detail, target);
      const who = target?.user ? ` for ${remoteWrapper(target).remoteAccountNoun} ${target.user}` : '';
      if (!context) {
        return `the remote refused the user mapping's credentials${who} (a password changed by hand, or rotated on the remote only): run datalinks apply with the current remote URL, which replaces the mapping`;
      }
      if (!apply) return `the remote refused the user mapping's credentials${who}, and ${blocked}`;
      if (planned(context, 'replace_user_mapping').some((op) => op.role === target?.role)) {
        return `the remote refused the user mapping's credentials${who}, which differ from the file (changed by hand): ${apply} replaces the mapping with the file's`;
      }
      return `the remote refused the user mapping's credentials${who}, which are the file's too (the password was rotated on the remote only, or the URL's is wrong): put the remote's current password in the remote URL, then ${apply} replaces the mapping`;
    }
    case 'scram_login_missing':
      return `datalinks logged in to the local database${target?.role ? ` as "${target.role}"` : ''} without SCRAM (trust, peer, a certificate or an MD5-hashed password), so postgres_fdw had no SCRAM keys to pass through this link, and it was not proven: log datalinks in with a password under a scram-sha-256 rule of pg_hba.conf, as the link's users must, and check again`;
    case 'password_required':
      return 'a link used by a non-superuser must authenticate with a password: make the remote ask for one (scram-sha-256 in pg_hba.conf) and put it in the remote URL';
    case 'timeout':
      return `no answer from ${where(target)} within the statement timeout, as seen from the local database server: a firewall may drop its packets, or the remote is overloaded; --statement-timeout waits longer`;
    case 'stalled':
      return stalledHint(fdw, target, link, context);
    case 'not_reached':
      return `datalinks reaches ${where(target)} itself before the local server connects through ${fdw ?? 'the link'}, which cannot be interrupted while it connects: check that the remote is up and answers, or run check from a machine that can reach it`;
    case 'not_checked':
      return 'fix the link above, or check the others alone with --link NAME';
    case 'connect_failed':
      if (/could not translate host name|Name or service not known|nodename nor servname/i.test(detail)) {
        return `the local database server cannot resolve ${target?.host ?? 'the host'}: it resolves names in its own network, not this machine's; use a name or address it can resolve in the remote URL, ${thenApply(link, context)}`;
      }
      if (/ssl|gss|certificate|tls|encrypt/i.test(detail)) {
        return `the link's TLS settings (sslmode, sslrootcert, gssencmode, ...) are used by the local database server's libpq, which may not support or trust what this machine's driver does: fix the remote URL's parameters, ${thenApply(link, context)}`;
      }
      if (/database "[^"]*" does not exist/.test(detail)) return `fix the database name in the remote URL, ${thenApply(link, context)}`;
      if (/refused|timed out|unreachable|no route/i.test(detail)) {
        return `the local database server cannot reach ${target?.host ?? 'the remote'}:${target?.port ?? POSTGRES_DEFAULT_PORT}: the remote must accept connections from the database server's network (firewall, security group, listen_addresses, pg_hba.conf), not only from this machine`;
      }
      return 'plan connects from this machine, the link from the local database server: check its network, DNS and TLS settings toward the remote';
    case 'probe_failed':
      if (/temporary tables/.test(failure.message)) {
        return 'the probe reads the remote through a temporary foreign table (or a linked table when there is one): GRANT TEMPORARY ON DATABASE to the connecting role';
      }
      return null;
    case 'role_not_settable':
    case 'nothing_to_read_as_role':
      // A role's mapping only: mappingHint words them.
      return null;
  }
}

function rowsNotReadText(table: RowsNotRead): string {
  return `${plural(table.rows, 'row')} ${table.rows === 1 ? 'holds' : 'hold'} a value of more than ${table.limit.toLocaleString('en-US')} bytes in column "${table.column}": a read through the link stops at the first of them, without an error, and returns no row after it`;
}

/** The fix that reads such values whole: mysql_fdw reads text at any length (the only wrapper with a limit). */
function rowsNotReadHint(table: RowsNotRead): string {
  const column = mysqlIdent(table.column);
  return `on the remote, link a view in the table's place that reads the column as HEX(${column}) AS ${column} (text, read at any length; decode(${sqlName(table.column)}, 'hex') gives the bytes back), and leave the table out with \`exclude: [${table.name}]\``;
}

/**
 * A link whose connection the local server could not interrupt: what bounds it is the wrapper's own
 * connect timeout, written where validate accepts it, or, for a wrapper that has none, nothing in the file.
 */
function stalledHint(fdw: FdwName | null, target: LinkTarget | null, link: string, context: HintContext | undefined): string {
  const wrapper = fdw ? wrapperNamed(fdw) : undefined;
  const facts = wrapper?.serverConnection;
  const since = facts?.interruptibleConnectSince;
  const cause = `the local server could not interrupt its connection to ${where(target)}${
    since
      ? ` (${fdw} cannot before PostgreSQL ${formatVersion(since)})`
      : fdw
        ? ` (${fdw} cannot be interrupted while it connects or reads)`
        : ''
  }`;
  const timeout = facts?.connectTimeout;
  if (!timeout) {
    return `${cause}: the database server's network must reach the remote (a firewall or proxy in between that drops its traffic looks like this); ${fdw ?? 'the wrapper'} has no connect timeout to set`;
  }
  // Apply changes only a server this role manages: the plan's errors for the link say when it would not.
  if (context && context.problems.length > 0) {
    return `${cause}: the server's owner can make it give up by itself: ALTER SERVER ${sqlName(link)} OPTIONS (ADD ${timeout.option} '${timeout.suggested}');`;
  }
  return timeout.setIn === 'url_parameter'
    ? `${cause}: add ?${timeout.option}=${timeout.suggested} to the remote URL, ${thenApply(link, context)}, so the link gives up by itself`
    : `${cause}: set ${timeout.option}: ${timeout.suggested} in the link's server_options, ${thenApply(link, context)}, so the link gives up by itself`;
}

/** Why the remote refused the SCRAM keys a pass-through link passed, and what to do. */
function scramRefusedHint(detail: string, target: LinkTarget): string {
  const remote = target.user ?? 'ROLE';
  if (/require_auth|requirement "scram-sha-256"|did not complete authentication|requested a (hashed |cleartext )?password/i.test(detail)) {
    return `the remote did not ask for SCRAM, and postgres_fdw passes SCRAM keys only to a remote that does: give role ${sqlName(remote)} a scram-sha-256 rule in the remote's pg_hba.conf (not trust or md5) and a SCRAM-hashed password`;
  }
  return `the remote refused the SCRAM keys of local role ${target.role ? sqlName(target.role) : 'the one datalinks logged in as'} for remote role ${sqlName(remote)}: their SCRAM secrets differ (the same password hashed with another salt or iteration count differs too). ${scramSecretCopy(target.role ?? 'ROLE', remote)}`;
}

function tableHint(table: UnreadableTable, target: LinkTarget | null, context?: HintContext): string | null {
  const role = target?.user ? sqlName(target.user) : `the link's remote ${remoteWrapper(target).remoteAccountNoun}`;
  // PostgreSQL's own message: only a PostgreSQL remote has schemas to grant USAGE on.
  if (table.sqlstate === SQLSTATE.insufficientPrivilege && /permission denied for schema/.test(table.message)) {
    return `on the remote, as the schema's owner: GRANT USAGE ON SCHEMA ${sqlName(table.remoteSchema)} TO ${role};`;
  }
  // MySQL refuses with its own words ("SELECT command denied to user ..."), which mysql_fdw passes on under its own code.
  if (table.sqlstate === SQLSTATE.insufficientPrivilege || /\bcommand denied to user\b/i.test(table.message)) {
    return `on the remote, as the table's owner: ${remoteWrapper(target).grantSelectHint(table.remoteSchema, table.remoteTable, target?.user ?? null)}`;
  }
  if (table.sqlstate === SQLSTATE.undefinedTable || table.sqlstate === SQLSTATE.invalidSchemaName) {
    const apply = context ? applyCommand(context.link, context) : null;
    const dropped = planned(context, 'drop_foreign_tables').some((op) => op.tables.includes(table.name));
    if (dropped && apply) return `the table is gone from the remote: ${apply} drops its foreign table`;
    return 'the table is gone from the remote: datalinks plan shows what apply would do about it';
  }
  return null;
}

/**
 * One line on what is wrong with a probed link, and what to do: for callers that report a link's
 * health in their own words (apply's verification before COMMIT). null when the link is ok.
 */
export function healthProblem(health: LinkHealth): { message: string; hint: string | null } | null {
  if (health.failure) {
    return {
      message: `link ${health.link}: ${STATE_WORDS[health.state]}: ${failureText(health.failure)}`,
      hint: failureHint(health.failure, health.target, health.link, health.fdw),
    };
  }
  const [first, ...rest] = health.unreadable;
  if (!first) return null;
  return {
    message: `link ${health.link}: the remote ${remoteWrapper(health.target).remoteAccountNoun} cannot read ${[first, ...rest].map((t) => `${t.schema}.${t.name}`).join(', ')} (${first.message})`,
    hint: tableHint(first, health.target),
  };
}

/** `--json`: states and failure codes to match on, the server's messages as they came, and the hints. */
export function toCheckDocument(report: CheckReport) {
  return {
    format_version: 1,
    databases: report.databases.map((database) => ({
      name: database.alias,
      target: database.target,
      error: database.error ? { code: database.error.code, message: database.error.message, hint: database.error.hint ?? null } : null,
      left_session: database.left ? leftSessionJson(database.left) : null,
      links: database.links.map((link) => {
        const health = link.health;
        const context = hintContext(link, database);
        return {
          link: link.link,
          state: link.state,
          remote: health?.target ?? null,
          remote_version: health?.remoteVersion ?? null,
          remote_version_num: health?.remoteVersionNum ?? null,
          connect_ms: health?.connectMs ?? null,
          rtt_ms: health?.rttMs ?? null,
          tables_checked: health?.tablesChecked ?? 0,
          unreadable_tables: (health?.unreadable ?? []).map((t) => ({
            schema: t.schema,
            table: t.name,
            remote_schema: t.remoteSchema,
            remote_table: t.remoteTable,
            sqlstate: t.sqlstate,
            message: t.message,
            hint: tableHint(t, health?.target ?? null, context),
          })),
          rows_not_read: link.rowsNotRead.map((t) => ({
            schema: t.schema,
            table: t.name,
            remote_schema: t.remoteSchema,
            remote_table: t.remoteTable,
            column: t.column,
            limit: t.limit,
            rows: t.rows,
            message: rowsNotReadText(t),
            hint: rowsNotReadHint(t),
          })),
          rows_not_read_unknown: link.rowsNotReadUnknown,
          failure: health?.failure
            ? { ...health.failure, hint: failureHint(health.failure, health.target, link.link, health.fdw, context) }
            : null,
          mappings: (health?.mappings ?? []).map((mapping) => ({
            role: mapping.role,
            user: mapping.user,
            state: mapping.state,
            failure: mapping.failure
              ? { ...mapping.failure, hint: mappingHint(mapping, health?.target ?? null, link.link, context) }
              : null,
          })),
          drift: link.drift ? { action: link.drift.action, operations: link.drift.operations.map((op) => op.kind) } : null,
          drift_unknown: link.driftUnknown ? driftUnknownJson(link.driftUnknown) : null,
          type_drift: link.typeDrift.map((finding) => {
            const words = typeDriftWords(finding);
            return { code: finding.code, message: words.message, hint: words.hint ?? null };
          }),
        };
      }),
    })),
    summary: {
      ...report.summary,
      databases: {
        total: report.databases.length,
        checked: report.databases.filter((db) => !db.error).length,
        not_checked: report.databases.filter((db) => db.error).length,
        not_checked_by_code: report.notChecked,
      },
    },
  };
}

function leftSessionJson(left: LeftSession) {
  const words = leftSessionWords(left);
  return {
    pid: left.pid,
    where: left.where,
    reason: left.reason,
    state: left.state,
    wait_event: left.waitEvent,
    message: words.message,
    hint: words.hint,
  };
}

/** A type finding in the plan's words: the problem's message and hint, or the note. */
function typeDriftWords(finding: TypeDriftFinding): { message: string; hint?: string } {
  return finding.code === 'enum_labels_missing' ? problemWords(finding) : { message: noteText(finding) };
}

function driftUnknownJson(problem: PlanProblem): { code: string; message: string; hint: string | null } {
  const words = problemWords(problem);
  return { code: problem.code, message: words.message, hint: words.hint ?? null };
}

import type { RemoteFailure, TakenKind } from '../introspect/types.js';
import type {
  AccessRemoved,
  ColumnProblemCode,
  EnumLabelToAdd,
  NoteCode,
  PlanNote,
  PlanProblem,
  ProblemCode,
  TypeDifference,
} from '../plan/types.js';
import { formatVersion } from '../server-version.js';
import { EXTENSION_SCHEMA, type Wrapper, wrapperNamed } from '../wrappers/index.js';
import { mysqlIdent } from '../wrappers/mysql/quote.js';
import type { RemoteConversion, UnmappedReason } from '../wrappers/types.js';

/**
 * The words for every plan problem and note: the plan carries codes and values, and the text, Ink,
 * markdown, annotation and --json views all print what these functions make of them. Raw text: each
 * view escapes it for its medium.
 */

export interface ProblemWords {
  message: string;
  hint?: string;
}

type ProblemWording = { [C in ProblemCode]: (problem: Extract<PlanProblem, { code: C }>) => ProblemWords };
type NoteWording = { [C in NoteCode]: (note: Extract<PlanNote, { code: C }>) => string };

type ColumnProblem = Extract<PlanProblem, { code: ColumnProblemCode }>;

const withAdvice = (error: string, advice: string | null): ProblemWords => (advice ? { message: error, hint: advice } : { message: error });

const PROBLEMS = {
  local_unreadable: (p) => withAdvice(p.error, p.advice),
  not_introspected: () => ({ message: 'not introspected' }),
  database_aliased: (p) => ({
    message: `databases "${p.database}" and ${p.others.map((alias) => `"${alias}"`).join(', ')} in the file are the same database`,
    hint: 'keep one alias per database and put all its links under it; two aliases would undo each other on every apply, whichever -d selects',
  }),
  server_owned_by_other_role: (p) =>
    p.marked
      ? {
          message: `the foreign server "${p.link}" is marked as a datalinks link but owned by role "${p.owner}", not "${p.role}"`,
          hint: `run datalinks as "${p.owner}", or rename the link; datalinks never changes another role's objects`,
        }
      : {
          message: `the foreign server "${p.link}" is owned by role "${p.owner}", not "${p.role}"`,
          hint: `run datalinks as "${p.owner}", or have a superuser run: ALTER SERVER ${quoteForHint(p.link)} OWNER TO ${quoteForHint(p.role)};`,
        },
  server_not_managed: (p) => ({
    message: `a foreign server "${p.link}" already exists and was not made by datalinks`,
    hint: 'datalinks never changes objects it does not manage: rename the link, drop the server by hand, or pass --adopt to take it over (datalinks export shows its settings)',
  }),
  server_wrong_wrapper: (p) => ({
    message: `the foreign server "${p.link}" uses the wrapper ${p.wrapper}, not ${p.expected}`,
    hint: 'rename the link or drop that server by hand (a link cannot move between wrappers in place)',
  }),
  schema_not_managed: (p) => ({
    message: `a schema "${p.link}" already exists and does not belong to a datalinks link${p.owned ? '' : ` (it is owned by role "${p.owner}")`}`,
    hint: p.owned
      ? "rename the link, drop or rename the schema by hand, or pass --adopt to take it over if it holds only this link's foreign tables"
      : 'rename the link, or drop or rename the schema by hand; datalinks will not put foreign tables into a schema it does not own',
  }),
  schema_not_empty: (p) => ({
    message: `cannot adopt schema "${p.link}": it holds objects that are not foreign tables of server "${p.link}" (${p.objects.join('; ')})`,
    hint: 'move or drop those objects first (a later destroy of the link would drop the schema), or rename the link',
  }),
  remote_unreadable: (p) => withAdvice(p.error, p.advice),
  remote_schema_missing: (p) => remoteFailureWords({ code: 'schema_missing', schema: p.schema }, p.suggestion),
  remote_not_read: () => remoteFailureWords({ code: 'not_read' }),
  type_unmapped: (p) => ({
    message: `${columnWhere(p)} has the ${wrapperNamed(p.wrapper)?.remoteKind ?? p.wrapper} type ${p.detail}, ${UNMAPPED_WHY[p.reason]}`,
    hint: p.conversion
      ? `link a remote view in its place: on the remote, ${viewSql(p.table, `${CONVERSION[p.conversion](mysqlIdent(p.column))} AS ${mysqlIdent(p.column)}, <the other columns>`)}; ${swapForView(p)}`
      : `change the column's type on the remote, ${leaveOut(p)}`,
  }),
  type_missing: (p) => ({
    message: `${columnWhere(p)} has type ${p.detail}, which does not exist in this database`,
    hint: `create the type locally (same name and schema, e.g. the same CREATE TYPE or CREATE EXTENSION), ${leaveOut(p)}`,
  }),
  collation_missing: (p) => ({
    message: `${columnWhere(p)} uses collation ${p.detail}, which does not exist in this database (or not for its encoding)`,
    hint: `create the collation locally, ${optionOff(p)}${leaveOut(p)}`,
  }),
  expression_refused: (p) => ({
    message: `the ${expressionKind(p)} of ${columnWhere(p)} was refused: ${p.detail}`,
    hint: `${optionOff(p)}${leaveOut(p)}`,
  }),
  reference_missing: (p) => ({
    message: `the ${expressionKind(p)} of ${columnWhere(p)} uses ${p.detail}, which does not exist in this database`,
    hint: `create it locally, ${optionOff(p)}${leaveOut(p)}`,
  }),
  name_too_long: (p) =>
    p.column === null
      ? {
          message: `remote table "${p.table}" has a name of ${p.bytes} bytes; PostgreSQL keeps only the first ${p.limit} bytes of a name`,
          hint: `link a remote view with a shorter name in its place: on the remote, CREATE VIEW \`shorter_name\` AS SELECT * FROM ${mysqlIdent(p.table)}; ${leaveOut(p)}`,
        }
      : {
          message: `${columnWhere({ ...p, column: p.column })} has a name of ${p.bytes} bytes; PostgreSQL keeps only the first ${p.limit} bytes of a name`,
          hint: `link a remote view that renames it in its place: on the remote, ${viewSql(p.table, `${mysqlIdent(p.column)} AS \`shorter_name\`, <the other columns>`)}; ${swapForView(p)}`,
        },
  option_unsupported: (p) => ({
    message: `server option "${p.option}" needs PostgreSQL ${formatVersion(p.since)} or later; this database runs ${formatVersion(p.running)}`,
    hint: `remove "${p.option}" from server_options of link "${p.link}"`,
  }),
  scram_passthrough_unsupported: (p) => ({
    message: `\`auth: scram_passthrough\` needs PostgreSQL ${formatVersion(p.since)} or later on the local server (postgres_fdw's use_scram_passthrough); this database runs PostgreSQL ${formatVersion(p.running)}`,
    hint: `upgrade the local server, or remove \`auth\` from the remote of link "${p.link}" so that its user mappings store the remote URL's password`,
  }),
  scram_passthrough_not_postgres: (p) => ({
    message: `\`auth: scram_passthrough\` needs a PostgreSQL remote; link "${p.link}" reaches a ${wrapperNamed(p.wrapper)?.remoteKind ?? p.wrapper} remote through ${p.wrapper}, which cannot pass SCRAM keys through`,
    hint: `remove \`auth\` from the remote of link "${p.link}": its user mappings then store the remote URL's password`,
  }),
  enum_labels_missing: (p) => {
    const type = `${quoteForHint(p.schema)}.${quoteForHint(p.type)}`;
    const labels = p.labels.map((l) => literalForHint(l.label)).join(', ');
    return {
      message: `the local enum type ${type}, which the link's foreign tables use for the remote's ${type}, lacks the remote's ${p.labels.length === 1 ? 'label' : 'labels'} ${labels}: reading a row that holds ${p.labels.length === 1 ? 'it' : 'one'} through the link fails with "invalid input value for enum"`,
      hint: `add ${p.labels.length === 1 ? 'it' : 'them'} here, in the remote's order: ${addValueSql(type, p.labels)}`,
    };
  },
  password_required: () => ({
    message: 'the remote URL has no password, and postgres_fdw requires one for a role that is not a superuser',
    hint: 'put the password in the remote URL (through its environment variable), or, on a PostgreSQL 18 local server, store none: `auth: scram_passthrough` on the remote (README "Links without a stored password")',
  }),
  extension_unavailable: (p) => {
    const message = `the ${p.extension} extension is not available on this PostgreSQL server`;
    const hint = wrapperNamed(p.extension)?.installHint(p.running);
    return hint ? { message, hint } : { message };
  },
  extension_not_creatable: (p) => ({
    message: `${p.extension} is not installed in database "${p.database}", and role "${p.role}" may not create it (only a superuser can)`,
    hint: `a superuser (or your provider's admin role) must run: ${safeExtensionInstall(p.extension)} GRANT USAGE ON FOREIGN DATA WRAPPER ${p.extension} TO ${quoteForHint(p.role)};`,
  }),
  extension_schema_untrusted: (p) => ({
    message: `${p.extension} is not installed, and schema "${p.schema}", where it would go, is not safe for it: it is owned by role "${p.owner}" or lets other roles create objects in it`,
    hint: `datalinks installs extensions only where no role but the applying one and superusers may create objects: drop that schema if it is unused (DROP SCHEMA ${quoteForHint(p.schema)};), or have a superuser install the extension in such a schema (CREATE EXTENSION ${p.extension} SCHEMA ...;)`,
  }),
  wrapper_usage_missing: (p) => ({
    message: `role "${p.role}" may not use the ${p.wrapper} foreign-data wrapper`,
    hint: `a superuser must run: GRANT USAGE ON FOREIGN DATA WRAPPER ${p.wrapper} TO ${quoteForHint(p.role)};`,
  }),
  create_schema_denied: (p) => ({
    message: `role "${p.role}" may not create schemas in database "${p.database}"`,
    hint: `a superuser or the database owner must run: GRANT CREATE ON DATABASE ${quoteForHint(p.database)} TO ${quoteForHint(p.role)};`,
  }),
} satisfies ProblemWording;

/** Where a problem is: the link's table and, for a column problem, the column. */
type TableProblem = Pick<ColumnProblem, 'link' | 'table' | 'filter'>;

function columnWhere(p: Pick<ColumnProblem, 'table' | 'column'>): string {
  return `column "${p.column}" of remote table "${p.table}"`;
}

function leaveOut(p: TableProblem): string {
  return p.filter === 'tables'
    ? `or remove "${p.table}" from \`tables\` of link "${p.link}"`
    : `or leave the table out with \`exclude: [${p.table}]\``;
}

const UNMAPPED_WHY: Record<UnmappedReason, string> = {
  rounded: 'which mysql_fdw reads rounded to 6 significant digits, whatever the local type',
  no_local_type: 'which no PostgreSQL type holds',
  catalog_out_of_range: "whose precision or length in the remote's catalog is out of range",
};

/** The remote expressions a view can read a refused column through (MySQL's SQL: the only wrapper that refuses types). */
const CONVERSION: Record<RemoteConversion, (column: string) => string> = {
  cast_double: (column) => `CAST(${column} AS DOUBLE)`,
  spatial_text: (column) => `ST_AsText(${column})`,
  cast_char: (column) => `CAST(${column} AS CHAR)`,
};

function viewSql(table: string, columns: string): string {
  return `CREATE VIEW ${mysqlIdent(`${table}_linked`)} AS SELECT ${columns} FROM ${mysqlIdent(table)}`;
}

/** The rest of the "link a view in its place" fix: the table itself goes out of the link, the view comes in. */
function swapForView(p: TableProblem): string {
  return p.filter === 'tables'
    ? `then list the view in \`tables\` of link "${p.link}" instead of "${p.table}"`
    : `then leave the table out with \`exclude: [${p.table}]\``;
}

function optionOff(p: ColumnProblem): string {
  return p.option ? `set \`import_options: { ${p.option}: false }\` on link "${p.link}", ` : '';
}

function expressionKind(p: ColumnProblem): string {
  return p.option === 'import_generated' ? 'generation expression' : 'default';
}

const NOTES = {
  server_marked_by_other_role: (note) =>
    `server "${note.server}" carries a datalinks marker but is owned by role "${note.owner}": left alone`,
  remote_table_unreadable: (note) => {
    // The remote's own word for its account and its own SQL: a MySQL user is no role.
    const wrapper = wrapperNamed(note.wrapper) ?? (wrapperNamed('postgres_fdw') as Wrapper);
    const noun = wrapper.remoteAccountNoun;
    const who = note.user === null ? `the remote ${noun}` : `remote ${noun} "${note.user}"`;
    return `link "${note.link}": ${who} cannot read table "${note.schema}.${note.table}"; queries through it will fail until, on the remote: ${wrapper.grantSelectHint(note.schema, note.table, note.user)}`;
  },
  mapping_credentials_unreadable: (note) =>
    `link "${note.link}": the credentials of the user mapping for role "${note.role}" cannot be read by "${note.reader}", so they were not compared`,
  alias_unverified: (note) =>
    `database "${note.alias}" of the file could not be reached to check that it is not this same database under another alias (${note.error}); if it is, this plan would destroy the links it declares`,
  extension_schema_writable: (note) =>
    `${note.extension} is installed in schema "${note.schema}", which roles other than this one and superusers may create objects in (owner "${note.owner}"); datalinks calls its functions there by schema only, but to keep anyone from placing look-alikes beside them a superuser can run: CREATE SCHEMA ${EXTENSION_SCHEMA}; ALTER EXTENSION ${note.extension} SET SCHEMA ${EXTENSION_SCHEMA};`,
  remote_values_limited: (note) =>
    `link "${note.link}": a value of more than ${note.limit.toLocaleString('en-US')} bytes in column "${note.column}" of remote table "${note.table}" ends a read through the link there without an error (mysql_fdw reads the column into a buffer of that size); \`datalinks check\` counts the rows that hold one`,
  scram_passthrough_secrets: (note) => {
    const remote =
      note.user === null
        ? "the remote role libpq picks by default (the local server's operating-system user: name one in the remote URL)"
        : `remote role "${note.user}"`;
    const roles = note.roles.map((role) => (role === 'public' ? 'any role (PUBLIC)' : `"${role}"`)).join(', ');
    const first = note.roles.find((role) => role !== 'public') ?? 'ROLE';
    return `link "${note.link}" stores no password (SCRAM pass-through): whoever queries it as ${roles} must have logged in to this server with SCRAM (a password under a scram-sha-256 rule of pg_hba.conf, not trust or peer), as a role whose SCRAM secret is identical to ${remote}'s: the same salt and iterations, not merely the same password. ${scramSecretCopy(first, note.user ?? 'ROLE')}`;
  },
  scram_login_missing: (note) =>
    `datalinks logged in to this database as "${note.role}" without SCRAM (trust, peer, a certificate or an MD5-hashed password), so postgres_fdw has no SCRAM keys to pass through ${note.links.map((link) => `"${link}"`).join(', ')}: apply's proof of ${note.links.length === 1 ? 'that link' : 'those links'} cannot connect and rolls the apply back (--no-verify skips the proof), and check reports ${note.links.length === 1 ? 'it' : 'them'} as auth failed. Log datalinks in with a password under a scram-sha-256 rule of pg_hba.conf, as the link's users must`,
  table_name_taken: (note) => {
    const object = `${TAKEN_WORDS[note.kind].noun} ${quoteForHint(note.link)}.${quoteForHint(note.table)}`;
    const alter = `ALTER ${TAKEN_WORDS[note.kind].alter} ${quoteForHint(note.link)}.${quoteForHint(note.table)}`;
    const move = TAKEN_WORDS[note.kind].movable ? ` or move it (${alter} SET SCHEMA ...;)` : '';
    const leave =
      note.filter === 'tables'
        ? `remove "${note.table}" from \`tables\` of link "${note.link}"`
        : `leave the table out with \`exclude: [${note.table}]\``;
    return `link "${note.link}": remote table "${note.table}" is not linked: the ${object}, made by hand, holds its name in the link's schema (it is left as it is). To link the table, rename that ${TAKEN_WORDS[note.kind].noun} (${alter} RENAME TO ...;)${move}; to keep it and stop this warning, ${leave}`;
  },
  filter_entry_unmatched: (note) => {
    const mean = note.suggestion === null ? '' : ` (did you mean "${note.suggestion}"?)`;
    const effect =
      note.list === 'tables'
        ? 'nothing is linked for it'
        : `it leaves nothing out${note.suggestion === null ? '' : `, so "${note.suggestion}" is linked`}`;
    return `link "${note.link}": "${note.entry}" in \`${note.list}\` matches no table of remote schema "${note.schema}"${mean}: ${effect}. Fix the name, or remove it from \`${note.list}\``;
  },
  role_missing: (note) =>
    `link "${note.link}": role "${note.role}" in grant_to does not exist in this database${note.suggestion === null ? '' : ` (did you mean "${note.suggestion}"?)`}: it gets no user mapping and no grants. Create it (CREATE ROLE ${quoteForHint(note.role)}) or fix the name in grant_to`,
  grant_to_cannot_login: (note) =>
    `link "${note.link}": role "${note.role}" in grant_to cannot log in (NOLOGIN, a group role): postgres_fdw looks up the user mapping of the role that runs a query, so its members get "user mapping not found" unless they first run SET ROLE ${quoteForHint(note.role)}; or list in grant_to the member roles that log in (README "grant_to and group roles")`,
  type_differs: (note) => {
    const type = `${quoteForHint(note.schema)}.${quoteForHint(note.type)}`;
    return `link "${note.link}": the local type ${type}, which its foreign tables use for the remote's ${type}, differs from it: ${note.differences.map(differenceText).join('; ')}. Reads still work; change one side if values should mean the same on both`;
  },
} satisfies NoteWording;

/** The statements that add enum labels where the remote has them: one ALTER TYPE each (none can run in a transaction block before PostgreSQL 12; all can since). */
export function addValueSql(type: string, labels: readonly EnumLabelToAdd[]): string {
  return labels
    .map(({ label, after, before }) => {
      const where = after !== null ? ` AFTER ${literalForHint(after)}` : before !== null ? ` BEFORE ${literalForHint(before)}` : '';
      return `ALTER TYPE ${type} ADD VALUE ${literalForHint(label)}${where};`;
    })
    .join(' ');
}

const KIND_WORDS: Record<string, string> = {
  enum: 'an enum',
  domain: 'a domain',
  composite: 'a composite type',
  array: 'an array type',
  other: 'a type of another kind',
};

function differenceText(d: TypeDifference): string {
  const list = (items: readonly string[]) => (items.length === 0 ? 'none' : items.join(', '));
  switch (d.what) {
    case 'kind':
      return `it is ${KIND_WORDS[d.local] ?? d.local} here and ${KIND_WORDS[d.remote] ?? d.remote} on the remote`;
    case 'labels_extra':
      return `${d.labels.length === 1 ? 'label' : 'labels'} ${d.labels.map(literalForHint).join(', ')} only here (writing ${d.labels.length === 1 ? 'it' : 'one'} through the link fails on the remote)`;
    case 'labels_order':
      return `the labels are in another order (here ${d.local.map(literalForHint).join(', ')}; on the remote ${d.remote.map(literalForHint).join(', ')}), so they sort differently`;
    case 'base':
      return `its base type is ${d.local} here and ${d.remote} on the remote`;
    case 'not_null':
      return `it is NOT NULL ${d.local ? 'here only' : 'on the remote only'}`;
    case 'default':
      return `its default is ${d.local ?? 'none'} here and ${d.remote ?? 'none'} on the remote`;
    case 'checks':
      return `its CHECK constraints are ${list(d.local)} here and ${list(d.remote)} on the remote`;
    case 'attributes':
      return `its attributes are (${list(d.local)}) here and (${list(d.remote)}) on the remote`;
  }
}

/** What an object that holds a name in a link's schema is called, and the ALTER that renames or moves it. */
const TAKEN_WORDS: Record<TakenKind, { noun: string; alter: string; movable: boolean }> = {
  table: { noun: 'table', alter: 'TABLE', movable: true },
  partitioned_table: { noun: 'partitioned table', alter: 'TABLE', movable: true },
  view: { noun: 'view', alter: 'VIEW', movable: true },
  materialized_view: { noun: 'materialized view', alter: 'MATERIALIZED VIEW', movable: true },
  sequence: { noun: 'sequence', alter: 'SEQUENCE', movable: true },
  // An index lives in its table's schema: it can only be renamed.
  index: { noun: 'index', alter: 'INDEX', movable: false },
  partitioned_index: { noun: 'partitioned index', alter: 'INDEX', movable: false },
  composite_type: { noun: 'composite type', alter: 'TYPE', movable: true },
  foreign_table: { noun: 'foreign table', alter: 'FOREIGN TABLE', movable: true },
  enum: { noun: 'enum type', alter: 'TYPE', movable: true },
  domain: { noun: 'domain', alter: 'DOMAIN', movable: true },
  range: { noun: 'range type', alter: 'TYPE', movable: true },
  multirange: { noun: 'multirange type', alter: 'TYPE', movable: true },
  type: { noun: 'type', alter: 'TYPE', movable: true },
};

/**
 * How to give remote role `remote` the SCRAM secret of local role `local` (README "Links without a stored
 * password"): read it where it is, set it verbatim on the other server. Both need a superuser.
 */
export function scramSecretCopy(local: string, remote: string): string {
  return `Copy the secret as a superuser: on this server SELECT rolpassword FROM pg_authid WHERE rolname = ${literalForHint(local)}; then on the remote ALTER ROLE ${quoteForHint(remote)} PASSWORD 'SCRAM-SHA-256$...'; with the value it returned (a rotation is done on both servers)`;
}

/**
 * Why a link's remote is unknown, in words: the plan's problem, and apply's when it reads the remote
 * again. `suggestion`: the remote's schema nearest a missing one.
 */
export function remoteFailureWords(failure: RemoteFailure, suggestion: string | null = null): ProblemWords {
  switch (failure.code) {
    case 'schema_missing':
      return {
        message: `schema "${failure.schema}" does not exist on the remote${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        hint: suggestion
          ? `fix \`remote.schema\` (the remote has a schema "${suggestion}"), or create the schema on the remote`
          : 'fix `remote.schema`, or create the schema on the remote',
      };
    case 'not_read':
      return { message: 'the remote schema was not read' };
    case 'read_failed':
      return withAdvice(failure.error, failure.hint ?? null);
  }
}

/** A problem's message and hint. */
export function problemWords(problem: PlanProblem): ProblemWords {
  return (PROBLEMS[problem.code] as (problem: PlanProblem) => ProblemWords)(problem);
}

/** A problem as one line: `link L: message`, or the message alone for the whole database. */
export function problemLine(problem: PlanProblem): string {
  const { message } = problemWords(problem);
  return problem.link ? `link ${problem.link}: ${message}` : message;
}

/** A note in words. */
export function noteText(note: PlanNote): string {
  return (NOTES[note.code] as (note: PlanNote) => string)(note);
}

/** Access a change takes away, in words (shown with `!`). */
export function accessRemovedText(access: AccessRemoved): string {
  const who = access.role === 'public' ? 'PUBLIC' : `role "${access.role}"`;
  if (access.kind === 'user_mapping') return `user mapping for ${who}`;
  return `${access.privileges.join(', ')} of ${who} on ${access.tables === null ? `schema ${access.schema}` : `${access.tables} foreign table(s)`}`;
}

/** A string literal as a person would type it in a hint's SQL. */
function literalForHint(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** An identifier as a person would type it in a hint's SQL: bare when it needs no quotes, quoted otherwise. */
function quoteForHint(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/**
 * Where a superuser should put a wrapper's extension: a schema it creates and owns, so that no weaker
 * role can create objects that its functions resolve to (CREATE SCHEMA fails if one of that name exists).
 */
export function safeExtensionInstall(extension: string): string {
  return `CREATE SCHEMA ${EXTENSION_SCHEMA}; CREATE EXTENSION ${extension} SCHEMA ${EXTENSION_SCHEMA};`;
}

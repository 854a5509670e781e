import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { withPlainClient } from '../../../src/db/plain-client.js';
import { runCli, writeConfig } from '../cli.js';
import { Rng } from '../convergence/rng.js';
import { type ColumnModel, type Comparison, randomTable, type TableModel, type TableShape } from './generator.js';

/**
 * The value walk (issue 24), what the convergence walk is for shape: a seeded generator makes MariaDB
 * tables of random types and widths filled with edge and random values; datalinks links them
 * (through its CLI); every row is read through the link and compared, value by value and as exact
 * text, with MariaDB's own answer, the row count included. Every column is either refused by plan
 * (and the fix plan gives, a remote view, then links exactly) or equal everywhere; a value longer
 * than mysql_fdw reads is a plan note, ends the read exactly where it is, and `check` counts it.
 */

export interface ValueWalkOptions {
  seed: number;
  /** root URL of a MariaDB, superuser URL of a PostgreSQL with mysql_fdw. */
  mysqlAdminUrl: string;
  localAdminUrl: string;
  tables: number;
  shape: TableShape;
  log?: (line: string) => void;
}

export interface ValueWalkStats {
  /** Linked relations (tables and the views that fix refused ones) read through the link. */
  relations: number;
  /** Columns read through the link and compared (besides each relation's id). */
  columns: number;
  rows: number;
  /** Values compared (NULLs included). */
  values: number;
  /** Columns plan refused (float) and names it refused (longer than 63 bytes). */
  refusedColumns: number;
  refusedNames: number;
  /** Columns plan warned about (values longer than mysql_fdw reads), and the rows check found past the limit. */
  limitedColumns: number;
  rowsNotRead: number;
  /** Type families compared, with how many columns of each. */
  families: Record<string, number>;
}

export class ValueWalkFailure extends Error {
  constructor(seed: number, message: string) {
    super(`value walk failed at seed ${seed}: ${message}\nreplay: npm run fuzz -- --mysql --seed ${seed}`);
  }
}

/** A relation the link reads: a generated table, or the view that stands in for a refused one. */
interface Relation {
  name: string;
  columns: ColumnModel[];
}

interface PlanJson {
  databases: {
    errors: { code: string; table?: string; column?: string | null; reason?: string; conversion?: string | null; message: string }[];
    notes: { code: string; table?: string; column?: string; limit?: number }[];
  }[];
}

const myId = (name: string) => `\`${name.replaceAll('`', '``')}\``;
const pgId = pg.escapeIdentifier;
const bytesOf = (name: string) => Buffer.byteLength(name, 'utf8');

export async function runValueWalk(options: ValueWalkOptions): Promise<ValueWalkStats> {
  const { seed } = options;
  const fail = (message: string): never => {
    throw new ValueWalkFailure(seed, message);
  };
  const rng = new Rng(seed);
  const suffix = randomBytes(4).toString('hex');
  const remoteName = `dl_vw_${suffix}`;
  const localName = `dl_vw_local_${suffix}`;
  const user = `vw_${suffix}`;
  const password = `p@ss:${suffix}/#`;
  const admin = await mysql.createConnection({ uri: options.mysqlAdminUrl, supportBigNumbers: true, bigNumberStrings: true });
  const adminUrl = new URL(options.mysqlAdminUrl);
  const localUrl = new URL(options.localAdminUrl);
  localUrl.pathname = `/${localName}`;
  const stats: ValueWalkStats = {
    relations: 0,
    columns: 0,
    rows: 0,
    values: 0,
    refusedColumns: 0,
    refusedNames: 0,
    limitedColumns: 0,
    rowsNotRead: 0,
    families: {},
  };
  try {
    await admin.query(`CREATE DATABASE ${myId(remoteName)} CHARACTER SET utf8mb4`);
    await admin.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
    await admin.query(`GRANT ALL ON ${myId(remoteName)}.* TO ?@'%'`, [user]);
    await admin.query(`USE ${myId(remoteName)}`);
    await withPlainClient(options.localAdminUrl, (client) => client.query(`CREATE DATABASE ${pgId(localName)}`));
    const env = {
      LOCAL_URL: localUrl.toString(),
      SHOP_URL: `mysql://${user}:${encodeURIComponent(password)}@${adminUrl.host}/${remoteName}`,
    };

    // The remote: tables of random columns, created (narrowed until MariaDB takes the row) and filled.
    const tables: TableModel[] = [];
    for (let t = 0; t < options.tables; t++) {
      const table = randomTable(rng, t, options.shape);
      if (tables.some((other) => other.name.toLowerCase() === table.name.toLowerCase())) table.name = `t${t}_`;
      await createTable(admin, table, fail);
      tables.push(table);
      options.log?.(
        `table ${JSON.stringify(table.name)}: ${table.columns.map((c) => `${JSON.stringify(c.name)} ${c.declaration}`).join(', ')}`,
      );
    }

    // What plan must say: refusals (float, names over 63 bytes), notes (read limits), nothing else.
    const refusedTable = (table: TableModel) =>
      bytesOf(table.name) > 63 || table.columns.some((c) => c.expect.refused !== null || bytesOf(c.name) > 63);
    const expectedErrors = tables.flatMap((table) => [
      ...(bytesOf(table.name) > 63 ? [`name_too_long ${table.name} -`] : []),
      ...table.columns.flatMap((c) => [
        ...(bytesOf(c.name) > 63 ? [`name_too_long ${table.name} ${c.name}`] : []),
        ...(c.expect.refused ? [`type_unmapped ${table.name} ${c.name} ${c.expect.refused}`] : []),
      ]),
    ]);
    const limitNotes = (relations: Relation[]) =>
      relations.flatMap((r) =>
        r.columns.flatMap((c) => (c.expect.refused === null && c.expect.limit ? [`${r.name} ${c.name} ${c.expect.limit}`] : [])),
      );
    const planOf = async (config: string): Promise<{ errors: string[]; notes: string[]; code: number }> => {
      const planned = await runCli(['plan', '-c', config, '--json'], env);
      let document: PlanJson;
      try {
        document = JSON.parse(planned.stdout) as PlanJson;
      } catch {
        return fail(`plan --json printed no plan (exit ${planned.code}): ${planned.stdout}${planned.stderr}`);
      }
      const database = document.databases[0] ?? fail('plan --json has no database');
      return {
        code: planned.code,
        errors: database.errors.map((e) =>
          e.code === 'name_too_long'
            ? `name_too_long ${e.table} ${e.column ?? '-'}`
            : e.code === 'type_unmapped'
              ? `type_unmapped ${e.table} ${e.column} ${e.reason}`
              : `${e.code}: ${e.message}`,
        ),
        notes: database.notes.flatMap((n) => (n.code === 'remote_values_limited' ? [`${n.table} ${n.column} ${n.limit}`] : [`${n.code}`])),
      };
    };
    const same = (what: string, actual: string[], expected: string[]) => {
      const a = [...actual].sort();
      const e = [...expected].sort();
      if (JSON.stringify(a) !== JSON.stringify(e)) fail(`${what}:\n  expected ${JSON.stringify(e)}\n  got      ${JSON.stringify(a)}`);
    };

    const first = await planOf(configFile([]));
    same('plan errors', first.errors, expectedErrors);
    same('plan notes', first.notes, limitNotes(tables));
    if (expectedErrors.length > 0 && first.code !== 1) fail(`plan with errors exited ${first.code}`);
    stats.refusedColumns = expectedErrors.filter((e) => e.startsWith('type_unmapped')).length;
    stats.refusedNames = expectedErrors.filter((e) => e.startsWith('name_too_long')).length;

    // The fix plan gives: a remote view in place of each refused table (casts, shorter names), the table left out.
    const relations: Relation[] = tables.filter((table) => !refusedTable(table));
    const excluded: string[] = [];
    for (const [i, table] of tables.entries()) {
      if (!refusedTable(table)) continue;
      const view: Relation = { name: `fixed_${i}`, columns: [] };
      const selected = table.columns.map((c, j) => {
        const name = bytesOf(c.name) > 63 ? `renamed_${j}` : c.name;
        const expression = c.expect.refused === 'rounded' ? `CAST(${myId(c.name)} AS DOUBLE)` : myId(c.name);
        view.columns.push({ ...c, name, expect: c.expect.refused === 'rounded' ? { refused: null, limit: null } : c.expect });
        return `${expression} AS ${myId(name)}`;
      });
      await admin.query(`CREATE VIEW ${myId(view.name)} AS SELECT id, ${selected.join(', ')} FROM ${myId(table.name)}`);
      relations.push(view);
      excluded.push(table.name);
    }
    const config = configFile(excluded);
    const fixed = await planOf(config);
    same('plan errors after the fix', fixed.errors, []);
    same('plan notes after the fix', fixed.notes, limitNotes(relations));

    const applied = await runCli(['apply', '-c', config, '--auto-approve'], env);
    if (applied.code !== 0 || applied.stderr !== '') fail(`apply failed (exit ${applied.code}): ${applied.stdout}${applied.stderr}`);
    const again = await runCli(['plan', '-c', config, '--detailed-exitcode'], env);
    if (again.code !== 0 || !again.stdout.includes('No changes.'))
      fail(`the plan after apply is not empty:\n${again.stdout}${again.stderr}`);

    // Every row through the link against MariaDB's own answer.
    const expectedNotRead: string[] = [];
    await withPlainClient(localUrl.toString(), async (local) => {
      for (const relation of relations) {
        const notRead = await compareRelation(admin, local, relation, stats, fail);
        expectedNotRead.push(...notRead);
      }
    });
    stats.limitedColumns = limitNotes(relations).length;

    // check counts exactly the rows past the limit, and the link is unreadable only when there are some.
    const checked = await runCli(['check', '-c', config, '--json'], env);
    const link = JSON.parse(checked.stdout || '{}').databases?.[0]?.links?.[0];
    if (!link) fail(`check --json printed no link (exit ${checked.code}): ${checked.stdout}${checked.stderr}`);
    const reported = (link.rows_not_read as { table: string; column: string; rows: number }[]).map(
      (r) => `${r.table} ${r.column} ${r.rows}`,
    );
    same('rows check found past the limit', reported, expectedNotRead);
    const wantState = expectedNotRead.length > 0 ? 'unreadable_tables' : 'ok';
    if (link.state !== wantState || checked.code !== (wantState === 'ok' ? 0 : 1)) {
      fail(`check said ${link.state} (exit ${checked.code}), expected ${wantState}: ${checked.stdout}`);
    }
    stats.rowsNotRead = expectedNotRead.reduce((n, entry) => n + Number(entry.split(' ').pop()), 0);
    return stats;
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${myId(remoteName)}`).catch(() => undefined);
    await admin.query("DROP USER IF EXISTS ?@'%'", [user]).catch(() => undefined);
    await admin.end();
    await withPlainClient(options.localAdminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${pgId(localName)} WITH (FORCE)`)).catch(
      () => undefined,
    );
  }
}

function configFile(exclude: string[]): string {
  const list = exclude.length > 0 ? `        exclude:\n${exclude.map((name) => `          - ${JSON.stringify(name)}\n`).join('')}` : '';
  return writeConfig(`version: 1
databases:
  main:
    url: \${LOCAL_URL}
    links:
      shop:
        remote:
          url: \${SHOP_URL}
${list}`);
}

const ROW_TOO_LARGE = new Set(['ER_TOO_BIG_ROWSIZE', 'ER_TOO_BIG_FIELDLENGTH']);

/** Creates the table; where MariaDB refuses the row as too large, leaves out the widest column and tries again. */
async function createTable(admin: mysql.Connection, table: TableModel, fail: (message: string) => never): Promise<void> {
  for (;;) {
    const columns = table.columns.map((c) => `${myId(c.name)} ${c.declaration}`);
    try {
      await admin.query(`CREATE TABLE ${myId(table.name)} (id int PRIMARY KEY${columns.map((c) => `, ${c}`).join('')})`);
      break;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!ROW_TOO_LARGE.has(code) || table.columns.length === 0)
        return fail(`CREATE TABLE ${table.name} failed: ${(error as Error).message}`);
      const widest = table.columns.reduce((a, b) => (b.rowBytes > a.rowBytes ? b : a));
      const at = table.columns.indexOf(widest);
      table.columns.splice(at, 1);
      for (const row of table.rows) row.splice(at, 1);
    }
  }
  for (const [i, row] of table.rows.entries()) {
    const sql = `INSERT INTO ${myId(table.name)} VALUES (${i + 1}${row.map((v) => `, ${v}`).join('')})`;
    try {
      await admin.query(sql);
    } catch (error) {
      fail(`MariaDB refused a generated row of ${table.name}: ${(error as Error).message}\n${sql.slice(0, 2000)}`);
    }
  }
}

/** The MariaDB expression that writes a value as exact text. */
function mysqlText(comparison: Comparison, column: string): string {
  const c = myId(column);
  if (typeof comparison === 'object') return `CONCAT(${c} + 0)`;
  switch (comparison) {
    case 'integer':
    case 'bit1':
      return `CONCAT(${c} + 0)`;
    case 'decimal':
    case 'double':
    case 'uuid':
    case 'inet4':
    case 'inet6':
      return `CONCAT(${c})`;
    case 'date':
      return `DATE_FORMAT(${c}, '%Y-%m-%d')`;
    case 'datetime':
      return `DATE_FORMAT(${c}, '%Y-%m-%d %H:%i:%s.%f')`;
    case 'time':
      return `CONCAT(TIME_TO_SEC(${c}))`;
    case 'text':
      return `HEX(CONVERT(${c} USING utf8mb4))`;
    case 'bytes':
      return `HEX(${c})`;
  }
}

/**
 * The PostgreSQL expression that writes the linked column's value as text, for normalize() to make
 * comparable. Bits are read whatever local type holds them, so a change of mapping is judged by the values.
 */
function pgText(comparison: Comparison, column: string, localType: string): string {
  const c = pgId(column);
  if (typeof comparison === 'object' || comparison === 'bit1') {
    return localType === 'bytea' ? `'x' || pg_catalog.encode(${c}, 'hex')` : `'b' || ${c}::text`;
  }
  switch (comparison) {
    case 'integer':
    case 'decimal':
    case 'double':
    case 'uuid':
      return `${c}::text`;
    case 'date':
      return `pg_catalog.to_char(${c}, 'YYYY-MM-DD')`;
    case 'datetime':
      return `pg_catalog.to_char(${c}, 'YYYY-MM-DD HH24:MI:SS.US')`;
    case 'time':
      return `EXTRACT(EPOCH FROM ${c})::text`;
    case 'text':
      return `pg_catalog.encode(pg_catalog.convert_to(${c}::text, 'UTF8'), 'hex')`;
    case 'bytes':
      return `pg_catalog.encode(${c}, 'hex')`;
    case 'inet4':
    case 'inet6':
      return `pg_catalog.host(${c})`;
  }
}

/** Makes the two sides' texts of one value comparable; what cannot be made so stays itself, so it differs. */
function normalize(comparison: Comparison, side: 'mysql' | 'pg', text: string | null): string | null {
  if (text === null) return null;
  if (typeof comparison === 'object' || comparison === 'bit1') {
    if (side === 'mysql') return text;
    // The bytes of a bit(n) must be as many as MySQL's: ceil(n / 8).
    const bits = typeof comparison === 'object' ? comparison.bits : 1;
    const digits = text.slice(1);
    if (text.startsWith('x') && digits.length !== 2 * Math.ceil(bits / 8)) return `(${digits.length / 2} bytes: ${digits})`;
    return BigInt(`0${text.startsWith('x') ? 'x' : 'b'}${digits || '0'}`).toString();
  }
  switch (comparison) {
    case 'double': {
      const value = Number(text);
      return Number.isNaN(value) ? text : Object.is(value, -0) ? '-0' : String(value);
    }
    case 'time': {
      const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
      if (!match) return text;
      const micros = BigInt(match[2] as string) * 1_000_000n + BigInt((match[3] ?? '').padEnd(6, '0').slice(0, 6) || '0');
      return `${match[1] && micros !== 0n ? '-' : ''}${micros}`;
    }
    case 'text':
    case 'bytes':
      return text.toLowerCase();
    case 'inet6':
      return ipv6Hex(text);
    default:
      return text;
  }
}

/** An IPv6 address's 16 bytes as hex, from its text (with :: and an IPv4 tail). */
function ipv6Hex(text: string): string {
  let head = text;
  let tail: number[] = [];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    tail = [(a << 8) | b, (c << 8) | d];
    head = text.slice(0, v4.index).replace(/:$/, text.slice(0, v4.index).endsWith('::') ? ':' : '');
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, null];
  const groups = (part: string | null | undefined) =>
    part
      ? part
          .split(':')
          .filter(Boolean)
          .map((g) => Number.parseInt(g, 16))
      : [];
  const l = groups(left);
  const r = [...groups(right), ...tail];
  const all = right === null ? [...l, ...tail] : [...l, ...new Array(8 - l.length - r.length).fill(0), ...r];
  return all.map((g) => g.toString(16).padStart(4, '0')).join('');
}

const asText = (value: unknown): string | null =>
  value === null || value === undefined ? null : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);

/**
 * Reads one relation on both sides and compares every value. A value longer than mysql_fdw reads
 * ends the read there: the link must return exactly the rows before the first such row. Returns the
 * rows past the limit per column, as `check` must report them.
 */
async function compareRelation(
  admin: mysql.Connection,
  local: pg.Client,
  relation: Relation,
  stats: ValueWalkStats,
  fail: (message: string) => never,
): Promise<string[]> {
  const limited = relation.columns.filter((c) => c.expect.refused === null && c.expect.limit);
  const remoteSql = `SELECT id, ${[
    ...relation.columns.map((c) => mysqlText(c.comparison, c.name)),
    ...limited.map((c) => `COALESCE(OCTET_LENGTH(${myId(c.name)}) > ${c.expect.refused === null ? c.expect.limit : 0}, 0)`),
  ].join(', ')} FROM ${myId(relation.name)} ORDER BY id`;
  const [remoteRows] = await admin.query({ sql: remoteSql, rowsAsArray: true });
  const remote = remoteRows as unknown[][];
  const width = relation.columns.length;
  const pastLimit = limited.map((c, k) => ({
    column: c.name,
    rows: remote.filter((row) => Number(row[1 + width + k]) === 1).map((row) => Number(row[0])),
  }));
  const firstBad = Math.min(...pastLimit.flatMap((p) => p.rows));
  const expected = remote.filter((row) => Number(row[0]) < firstBad);

  const types = new Map(
    (
      await local.query<{ name: string; type: string }>({
        text: `SELECT attname AS name, atttypid::regtype::text AS type FROM pg_catalog.pg_attribute
                WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
        values: [`shop.${pgId(relation.name)}`],
      })
    ).rows.map((row) => [row.name, row.type]),
  );
  const localSql = `SELECT id, ${relation.columns.map((c) => pgText(c.comparison, c.name, types.get(c.name) ?? '')).join(', ')} FROM shop.${pgId(relation.name)} ORDER BY id`;
  let localRows: unknown[][];
  try {
    localRows = (await local.query({ text: localSql, rowMode: 'array' })).rows as unknown[][];
  } catch (error) {
    return fail(`reading ${JSON.stringify(relation.name)} through the link failed: ${(error as Error).message}\n${describe(relation)}`);
  }
  if (localRows.length !== expected.length) {
    fail(
      `${JSON.stringify(relation.name)}: the link returned ${localRows.length} rows, MariaDB holds ${remote.length}` +
        `${Number.isFinite(firstBad) ? ` (the first past a read limit is id ${firstBad}, so ${expected.length} were expected)` : ''}\n${describe(relation)}`,
    );
  }
  for (const [r, want] of expected.entries()) {
    const got = localRows[r] as unknown[];
    if (Number(got[0]) !== Number(want[0])) fail(`${JSON.stringify(relation.name)}: row ${r} is id ${got[0]}, MariaDB's is ${want[0]}`);
    for (const [k, column] of relation.columns.entries()) {
      const mine = normalize(column.comparison, 'mysql', asText(want[k + 1]));
      const theirs = normalize(column.comparison, 'pg', asText(got[k + 1]));
      stats.values++;
      if (mine !== theirs) {
        const show = (text: string | null) =>
          text === null ? 'NULL' : text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text;
        fail(
          `${JSON.stringify(relation.name)} id ${want[0]}, column ${JSON.stringify(column.name)} ${column.declaration}:\n` +
            `  MariaDB:        ${show(mine)}\n  through link:   ${show(theirs)}`,
        );
      }
    }
  }
  stats.relations++;
  stats.columns += relation.columns.length;
  stats.rows += expected.length;
  for (const column of relation.columns) stats.families[column.family] = (stats.families[column.family] ?? 0) + 1;
  return pastLimit.filter((p) => p.rows.length > 0).map((p) => `${relation.name} ${p.column} ${p.rows.length}`);
}

function describe(relation: Relation): string {
  return `columns: ${relation.columns.map((c) => `${JSON.stringify(c.name)} ${c.declaration}`).join(', ')}`;
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { runCli } from '../cli.js';
import {
  type ColumnRename,
  IMPORT_DEFAULTS,
  type ImportOption,
  initialSchema,
  type LinkConfig,
  linkedSchemaObjectsSql,
  nextStep,
  type RemoteRelation,
  SHARED_OBJECTS_SQL,
  type Step,
} from './generator.js';
import { Rng } from './rng.js';

/**
 * The convergence walk (issue 18): a seeded random walk of remote DDL and config changes. After
 * each step: plan → apply (half of them through a saved plan) → the next plan says "No changes." →
 * every foreign table is what a fresh IMPORT FOREIGN SCHEMA (same options, same filter) makes of
 * the remote now, catalog to catalog → `SELECT *` works through every one. Where IMPORT itself
 * cannot succeed, the plan must be an error and apply must change nothing.
 */

const id = pg.escapeIdentifier;

export interface WalkOptions {
  seed: number;
  steps: number;
  /** Superuser URLs of two fresh, empty databases. */
  localUrl: string;
  remoteUrl: string;
  /** The remote schema to link (default: public or an odd name, as the seed chooses). */
  remoteSchema?: string;
  /** Remote DDL and link import options to start from, before the random walk (tests that must hit a case). */
  start?: { remoteSql?: string[]; importOptions?: Partial<Record<ImportOption, boolean>> };
  /** Flags that make `npm run fuzz` replay this walk (`--settings default` or `--settings odd`). */
  replayFlags?: string;
  /** Mostly combined steps: several remote changes and option flips at once, with a view over an untouched column. */
  combined?: boolean;
  /** Called with each step's description as the walk goes. */
  log?: (line: string) => void;
}

export interface WalkStats {
  /** The linked remote schema the seed chose. */
  remoteSchema: string;
  steps: number;
  /** Remote DDL that PostgreSQL refused (the step then changed nothing). */
  refused: number;
  /** Steps where IMPORT could not succeed, and the plan said so. */
  planErrors: number;
  /** Foreign tables altered in place / replaced / created / dropped over the walk. */
  operations: Record<string, number>;
  /** Local views kept through in-place fixes / dropped as named by the plan. */
  viewsKept: number;
  viewsDropped: number;
  /** Rows read through the links and found equal to the remote's. */
  rowsCompared: number;
}

export class WalkFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    message: string,
    history: string[],
    replayFlags = '',
  ) {
    super(
      `convergence walk failed at seed ${seed}, step ${step}: ${message}\n` +
        `replay: npm run fuzz -- --seed ${seed} --steps ${step}${replayFlags ? ` ${replayFlags}` : ''}\n` +
        `last steps:\n${history.slice(-12).join('\n')}`,
    );
  }
}

const LINKS = ['alpha', 'beta'];
const REMOTE_SCHEMAS = ['public', 'public', 'Odd "Schema"', 'ünï cødé', 's'.repeat(63)];
const ORACLE_SERVER = 'import_oracle';

export async function runWalk(options: WalkOptions): Promise<WalkStats> {
  const walk = new Walk(options);
  try {
    return await walk.run();
  } finally {
    await walk.close();
  }
}

class Walk {
  private readonly rng: Rng;
  private readonly local: pg.Client;
  private readonly remote: pg.Client;
  private readonly configPath: string;
  private readonly planPath: string;
  private readonly env: Record<string, string>;
  private links: LinkConfig[];
  /** The linked remote schema: public, or one with an odd name. */
  private readonly schema: string;
  private pendingFixes: string[] = [];
  /** Columns the remote renamed since the last check (the oracle of avoidable replacements maps them). */
  private renames: ColumnRename[] = [];
  private history: string[] = [];
  private step = 0;
  private readonly stats: WalkStats = {
    remoteSchema: '',
    steps: 0,
    refused: 0,
    planErrors: 0,
    operations: {},
    viewsKept: 0,
    viewsDropped: 0,
    rowsCompared: 0,
  };

  constructor(private readonly options: WalkOptions) {
    this.rng = new Rng(options.seed);
    this.local = new pg.Client({ connectionString: options.localUrl });
    this.remote = new pg.Client({ connectionString: options.remoteUrl });
    const dir = mkdtempSync(join(tmpdir(), 'datalinks-walk-'));
    this.configPath = join(dir, 'datalinks.yaml');
    this.planPath = join(dir, 'plan.json');
    this.env = { LOCAL_URL: options.localUrl, REMOTE_URL: options.remoteUrl };
    const chosen = this.rng.pick(REMOTE_SCHEMAS);
    this.schema = options.remoteSchema ?? chosen;
    this.stats.remoteSchema = this.schema;
    this.links = LINKS.map((name) => ({ name, options: {}, filter: { kind: 'all' } }));
  }

  async close(): Promise<void> {
    await Promise.all([this.local.end().catch(() => undefined), this.remote.end().catch(() => undefined)]);
  }

  private fail(message: string): never {
    throw new WalkFailure(this.options.seed, this.step, message, this.history, this.options.replayFlags);
  }

  private note(line: string): void {
    const entry = `  step ${this.step}: ${line}`;
    this.history.push(entry);
    this.options.log?.(entry);
  }

  async run(): Promise<WalkStats> {
    await Promise.all([this.local.connect(), this.remote.connect()]);
    for (const sql of SHARED_OBJECTS_SQL) {
      await this.remote.query(sql);
      await this.local.query(sql);
    }
    await this.local.query('CREATE EXTENSION IF NOT EXISTS postgres_fdw');
    const target = new URL(this.options.remoteUrl);
    const literal = (value: string) => pg.escapeLiteral(decodeURIComponent(value));
    await this.local.query(
      `CREATE SERVER ${id(ORACLE_SERVER)} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host ${literal(target.hostname)}, port ${literal(target.port)}, dbname ${literal(target.pathname.slice(1))})`,
    );
    await this.local.query(
      `CREATE USER MAPPING FOR CURRENT_USER SERVER ${id(ORACLE_SERVER)} OPTIONS (user ${literal(target.username)}, password ${literal(target.password)})`,
    );
    this.note(`initial remote schema ${JSON.stringify(this.schema)}`);
    if (this.schema !== 'public') {
      await this.remote.query(`CREATE SCHEMA ${id(this.schema)}`);
      await this.local.query(`CREATE SCHEMA ${id(this.schema)}`);
    }
    const objects = linkedSchemaObjectsSql(this.schema);
    for (const sql of objects.both) {
      await this.remote.query(sql);
      await this.local.query(sql);
    }
    for (const sql of objects.remote) await this.remote.query(sql);
    if (!(await this.runRemote(initialSchema(this.rng, this.schema)))) this.fail('the initial remote schema was refused');
    if (this.options.start?.remoteSql && !(await this.runRemote(this.options.start.remoteSql))) this.fail('the start schema was refused');
    // Each link starts from import options of its own (the default ones, or some flipped).
    for (const link of this.links) {
      link.options = { ...this.options.start?.importOptions };
      if (this.options.start?.importOptions) continue;
      for (const name of Object.keys(IMPORT_DEFAULTS) as ImportOption[])
        if (this.rng.chance(0.3)) link.options[name] = !IMPORT_DEFAULTS[name];
    }
    this.writeConfig();
    await this.check(true);
    for (this.step = 1; this.step <= this.options.steps; this.step++) {
      const remote = await this.readRemote();
      const step = nextStep(this.rng, this.schema, remote, this.links, this.step, this.options.combined);
      await this.take(step);
      // Rows too, so that reading through the links compares values, not just empty tables.
      const tables = remote.filter((r) => r.kind === 'r');
      if (tables.length > 0 && this.rng.chance(0.4)) await this.insertRow(this.rng.pick(tables).name);
      await this.check(this.rng.chance(0.5));
      this.stats.steps++;
    }
    return this.stats;
  }

  private async take(step: Step): Promise<void> {
    if (step.kind === 'combined') {
      this.note(`${step.description}:`);
      for (const part of step.parts) await this.take(part);
      return;
    }
    if (step.kind === 'remote') {
      const ok = await this.runRemote(step.sql);
      this.note(`${step.description}${ok ? '' : ' (refused by the remote: no change)'}`);
      if (!ok) this.stats.refused++;
      else {
        if (step.localFix) this.pendingFixes.push(...step.localFix);
        this.renames.push(...(step.renames ?? []));
      }
    } else if (step.kind === 'config') {
      step.apply(this.links);
      this.writeConfig();
      this.note(step.description);
    } else {
      const ok = await this.local.query(step.sql).then(
        () => true,
        () => false,
      );
      this.note(`${step.description}${ok ? '' : ' (not possible locally: skipped)'}`);
    }
  }

  /** Runs remote DDL in one transaction; false (and nothing changed) when PostgreSQL refuses it. */
  private async runRemote(statements: string[]): Promise<boolean> {
    await this.remote.query('BEGIN');
    try {
      for (const sql of statements) await this.remote.query(sql);
      await this.remote.query('COMMIT');
      return true;
    } catch (error) {
      await this.remote.query('ROLLBACK');
      this.history.push(`    (remote said: ${(error as Error).message})`);
      return false;
    }
  }

  /** A row of defaults; refused (NOT NULL without a default, a table gone) is fine. */
  private async insertRow(table: string): Promise<void> {
    await this.remote.query(`INSERT INTO ${id(this.schema)}.${id(table)} DEFAULT VALUES`).catch(() => undefined);
  }

  /** Each row as JSON text, sorted, read in a session with the settings pinned (both sides the same). */
  private async rows(client: pg.Client, relation: string): Promise<string[]> {
    await client.query('BEGIN');
    try {
      for (const setting of PINNED) await client.query(`SET LOCAL ${setting}`);
      const result = await client.query(`SELECT pg_catalog.to_jsonb(t)::text AS j FROM ${relation} t`);
      return result.rows.map((row) => String(row.j)).sort();
    } finally {
      await client.query('ROLLBACK');
    }
  }

  private async readRemote(): Promise<RemoteRelation[]> {
    const result = await this.remote.query(REMOTE_SNAPSHOT, [this.schema]);
    return result.rows.map((row) => ({
      name: row.name,
      kind: row.kind,
      isPartition: row.is_partition,
      inherits: row.parent !== null,
      parent: row.parent,
      columns: row.columns,
    }));
  }

  private writeConfig(): void {
    const lines = ['version: 1', 'databases:', '  main:', '    url: ${LOCAL_URL}', '    links:'];
    for (const link of this.links) {
      lines.push(`      ${link.name}:`, '        remote:', '          url: ${REMOTE_URL}');
      if (this.schema !== 'public') lines.push(`          schema: ${JSON.stringify(this.schema)}`);
      const options = Object.entries(link.options);
      if (options.length > 0) lines.push(`        import_options: { ${options.map(([k, v]) => `${k}: ${v}`).join(', ')} }`);
      if (link.filter.kind === 'tables') lines.push(`        tables: [${link.filter.names.map((n) => JSON.stringify(n)).join(', ')}]`);
      if (link.filter.kind === 'exclude') lines.push(`        exclude: [${link.filter.names.map((n) => JSON.stringify(n)).join(', ')}]`);
    }
    writeFileSync(this.configPath, `${lines.join('\n')}\n`);
  }

  private cli(...args: string[]) {
    return runCli([...args, '-c', this.configPath], this.env);
  }

  /** IMPORT FOREIGN SCHEMA with the link's options and filter into a scratch schema: the reference. */
  private async importReference(link: LinkConfig): Promise<{ ok: true } | { ok: false; error: string }> {
    const scratch = id(`reference_${link.name}`);
    await this.local.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
    await this.local.query(`CREATE SCHEMA ${scratch}`);
    const filter =
      link.filter.kind === 'all'
        ? ''
        : `${link.filter.kind === 'tables' ? 'LIMIT TO' : 'EXCEPT'} (${link.filter.names.map((n) => id(n)).join(', ')})`;
    const options = (Object.keys(IMPORT_DEFAULTS) as ImportOption[])
      .map((name) => `${name} '${link.options[name] ?? IMPORT_DEFAULTS[name]}'`)
      .join(', ');
    try {
      await this.local.query(
        `IMPORT FOREIGN SCHEMA ${id(this.schema)} ${filter} FROM SERVER ${id(ORACLE_SERVER)} INTO ${scratch} OPTIONS (${options})`,
      );
      return { ok: true };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }

  /** The shapes of every link's foreign tables, one query at a time on the one connection. */
  private async allShapes(): Promise<unknown[][]> {
    const all: unknown[][] = [];
    for (const link of this.links) all.push(await this.shapes(link.name));
    return all;
  }

  private async shapes(schema: string): Promise<unknown[]> {
    return (await this.local.query(SHAPES, [schema])).rows;
  }

  private async localViews(): Promise<string[]> {
    const rows = await this.local.query(
      `SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') ORDER BY 1`,
    );
    return rows.rows.map((row) => row.relname);
  }

  /** Everything a user checks after a step. `saved`: go through `plan --out` and `apply FILE`. */
  private async check(saved: boolean, repaired = false): Promise<void> {
    const remote = await this.readRemote();
    const remoteNames = new Set(remote.map((r) => r.name));
    const expected = new Map<string, string>();
    // A `tables` name gone from the remote is a warning, as IMPORT's LIMIT TO ignores it: not an error.
    for (const link of this.links) {
      const reference = await this.importReference(link);
      if (!reference.ok) expected.set(link.name, `IMPORT FOREIGN SCHEMA fails: ${reference.error}`);
    }

    const planned = await this.cli('plan', '--json');
    let document: PlanJson;
    try {
      document = JSON.parse(planned.stdout) as PlanJson;
    } catch {
      this.fail(`plan --json printed no plan (exit ${planned.code}): ${planned.stdout}${planned.stderr}`);
    }
    const database = document.databases[0];
    if (!database) this.fail('plan --json has no database');
    for (const link of this.links) {
      const errors = database.errors.filter((e) => e.link === link.name || e.link === null);
      const why = expected.get(link.name);
      if (why && errors.length === 0) this.fail(`link ${link.name}: ${why}, but the plan shows no error for it`);
      if (!why && errors.length > 0)
        this.fail(`link ${link.name}: the plan has errors where IMPORT FOREIGN SCHEMA succeeds: ${JSON.stringify(errors)}`);
    }

    if (expected.size > 0) {
      this.stats.planErrors++;
      this.note(`plan refuses, as IMPORT would: ${[...expected].map(([l, why]) => `${l}: ${why}`).join('; ')}`);
      const before = await this.allShapes();
      const apply = await this.cli('apply', '--auto-approve');
      if (apply.code !== 1) this.fail(`apply of a plan with errors exited ${apply.code}, not 1: ${apply.stdout}`);
      const after = await this.allShapes();
      if (!isDeepStrictEqual(before, after)) this.fail('apply of a plan with errors changed foreign tables');
      if (repaired) this.fail(`the plan still has errors after the fixes a user would make: ${JSON.stringify(database.errors)}`);
      await this.repair(remoteNames);
      return this.check(saved, true);
    }

    await this.refuseAvoidableReplacements(database);
    this.renames = [];
    const viewsBefore = await this.localViews();
    const named = database.changes.flatMap((change) => change.dependents.map((d) => d.description));
    for (const change of database.changes)
      for (const op of change.operations) this.stats.operations[op.kind] = (this.stats.operations[op.kind] ?? 0) + 1;
    // Without --allow-dependent-drops every drop is RESTRICT: a plan that names no dependents must
    // apply that way (PostgreSQL refuses what the dependents query missed); one that names some must be refused.
    const apply = (...flags: string[]) =>
      saved ? runCli(['apply', this.planPath, ...flags, '-c', this.configPath], this.env) : this.cli('apply', '--auto-approve', ...flags);
    if (saved) {
      const out = await this.cli('plan', '--out', this.planPath);
      if (out.code !== 0) this.fail(`plan --out exited ${out.code}: ${out.stdout}${out.stderr}`);
    }
    if (named.length > 0) {
      const before = await this.allShapes();
      const refused = await apply();
      if (refused.code !== 1)
        this.fail(`apply without --allow-dependent-drops exited ${refused.code} for a plan that drops ${named.join(', ')}`);
      const after = await this.allShapes();
      if (!isDeepStrictEqual(before, after)) this.fail('apply without --allow-dependent-drops was refused but changed foreign tables');
    }
    const applied = await apply(...(named.length > 0 ? ['--allow-dependent-drops'] : []));
    if (applied.code !== 0) this.fail(`apply${saved ? ' FILE' : ''} exited ${applied.code}: ${applied.stdout}${applied.stderr}`);
    const viewsAfter = new Set(await this.localViews());
    for (const view of viewsBefore) {
      if (viewsAfter.has(view)) {
        this.stats.viewsKept++;
        continue;
      }
      if (!named.some((d) => d.includes(view))) this.fail(`apply dropped local view public.${view}, which the plan did not name`);
      this.stats.viewsDropped++;
    }

    const again = await this.cli('plan', '--detailed-exitcode');
    if (again.code !== 0) this.fail(`the plan after apply is not empty (exit ${again.code}):\n${again.stdout}${again.stderr}`);

    for (const link of this.links) {
      const ours = await this.shapes(link.name);
      const reference = await this.shapes(`reference_${link.name}`);
      if (!isDeepStrictEqual(ours, reference)) {
        // Only the tables that differ, so the message shows the difference.
        const differs = (a: unknown[], b: unknown[]) => a.filter((t) => !b.some((u) => isDeepStrictEqual(t, u)));
        this.fail(
          `link ${link.name} differs from IMPORT FOREIGN SCHEMA:\n  datalinks: ${JSON.stringify(differs(ours, reference))}\n  IMPORT:    ${JSON.stringify(differs(reference, ours))}`,
        );
      }
      for (const table of ours as { relname: string }[]) {
        const through = await this.rows(this.local, `${id(link.name)}.${id(table.relname)}`).catch((error: Error) =>
          this.fail(`SELECT * FROM ${link.name}.${JSON.stringify(table.relname)} failed: ${error.message}`),
        );
        const direct = await this.rows(this.remote, `${id(this.schema)}.${id(table.relname)}`);
        this.stats.rowsCompared += direct.length;
        if (!isDeepStrictEqual(through, direct)) {
          this.fail(
            `SELECT * FROM ${link.name}.${JSON.stringify(table.relname)} reads other values than the remote:\n  through the link: ${through.join(' ')}\n  on the remote:    ${direct.join(' ')}`,
          );
        }
      }
    }
  }

  /**
   * A foreign table replaced where ALTER could have made it what IMPORT makes (issue 25 §2): the
   * columns both have are in the same order, the new ones come last, no generation expression changed,
   * no column was renamed by hand, and no local view or kept generated column reads a column whose type
   * or collation changes. Replacing it anyway drops views over the columns that did not change.
   */
  private async refuseAvoidableReplacements(database: PlanJson['databases'][number]): Promise<void> {
    for (const change of database.changes) {
      for (const op of change.operations) {
        if (op.kind !== 'replace_foreign_table' || !op.schema || !op.table) continue;
        const before = ((await this.shapes(op.schema)) as Shape[]).find((t) => t.relname === op.table?.name);
        const after = ((await this.shapes(`reference_${op.schema}`)) as Shape[]).find((t) => t.relname === op.table?.name);
        if (!before || !after) continue;
        const used = await this.local.query<{ used: string[] }>(VIEWS_USE, [op.schema, op.table.name]);
        const renamed = new Map(this.renames.filter((r) => r.table === op.table?.name).map((r) => [r.from, r.to]));
        const why = inPlaceImpossible(before, after, new Set(used.rows[0]?.used ?? []), renamed);
        if (why === null) {
          this.fail(
            `the plan replaces ${op.schema}.${JSON.stringify(op.table.name)}, though ALTER could make it what IMPORT makes in place ` +
              `(views over it read ${JSON.stringify(used.rows[0]?.used ?? [])}):\n  now:    ${JSON.stringify(before.columns)}\n  IMPORT: ${JSON.stringify(after.columns)}`,
          );
        }
      }
    }
  }

  /** What a user does about a plan error: create the remote-only objects locally, drop gone names from `tables`. */
  private async repair(remoteNames: ReadonlySet<string>): Promise<void> {
    for (const link of this.links) {
      if (link.filter.kind !== 'tables') continue;
      const names = link.filter.names.filter((n) => remoteNames.has(n));
      link.filter = names.length > 0 ? { kind: 'tables', names } : { kind: 'all' };
    }
    this.writeConfig();
    for (const fix of this.pendingFixes.splice(0)) {
      if (fix.startsWith('SERIAL:')) {
        const sequences = await this.remote.query(
          `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind = 'S'`,
          [this.schema],
        );
        for (const row of sequences.rows) await this.local.query(`CREATE SEQUENCE IF NOT EXISTS ${id(row.nspname)}.${id(row.relname)}`);
      } else {
        await this.local.query(fix);
      }
    }
    this.note('fixed as a user would: created the remote-only objects locally, dropped gone names from `tables`');
  }
}

const PINNED = [
  `DateStyle = 'ISO, YMD'`,
  `TimeZone = 'UTC'`,
  `IntervalStyle = 'postgres'`,
  `bytea_output = 'hex'`,
  'extra_float_digits = 1',
];

interface PlanJson {
  databases: {
    errors: { link: string | null; code?: string; message: string }[];
    changes: { operations: { kind: string; schema?: string; table?: { name: string } }[]; dependents: { description: string }[] }[];
  }[];
}

/** A foreign table as SHAPES reads it. */
interface Shape {
  relname: string;
  ftoptions: string[] | null;
  columns:
    | { name: string; type: string; collation: string | null; default: string | null; generated: string; options: string[] | null }[]
    | null;
}

/**
 * Why a foreign table cannot be made what IMPORT makes by ALTER (a string), or null when it can:
 * the oracle of avoidable replacements, from the catalogs alone. `used`: the columns local views read
 * ('*' for the whole row). Conservative: a rename counts as a drop and an add.
 */
export function inPlaceImpossible(
  before: Shape,
  after: Shape,
  viewsRead: ReadonlySet<string>,
  renamed: ReadonlyMap<string, string> = new Map(),
): string | null {
  const target = (options: string[] | null) =>
    (options ?? [])
      .filter((o) => o.startsWith('schema_name=') || o.startsWith('table_name='))
      .sort()
      .join(',');
  if (target(before.ftoptions) !== target(after.ftoptions)) return 'another remote table';
  // Columns the remote renamed are the same columns under their new names (and so are the columns views read).
  const was = (before.columns ?? []).map((c) => ({ ...c, name: renamed.get(c.name) ?? c.name }));
  const used = new Set([...viewsRead].map((name) => renamed.get(name) ?? name));
  const now = after.columns ?? [];
  if ((before.columns ?? []).some((c) => (c.options ?? []).some((o) => o.startsWith('column_name=') && o !== `column_name=${c.name}`)))
    return 'a column renamed by hand';
  const wasNames = was.map((c) => c.name);
  const nowNames = now.map((c) => c.name);
  const common = nowNames.filter((name) => wasNames.includes(name));
  if (common.join('\0') !== wasNames.filter((name) => nowNames.includes(name)).join('\0')) return 'columns reordered';
  const lastCommon = nowNames.findLastIndex((name) => wasNames.includes(name));
  if (nowNames.some((name, i) => !wasNames.includes(name) && i < lastCommon)) return 'a column added before others';
  for (const column of now) {
    const old = was.find((c) => c.name === column.name);
    if (!old) continue;
    const generated = (c: typeof column) => (c.generated === 's' ? c.default : null);
    if (old.generated !== column.generated || generated(old) !== generated(column)) return `generation of ${column.name} changed`;
    if (old.type === column.type && old.collation === column.collation) continue;
    if (used.has('*') || used.has(column.name)) return `${column.name}, which a view reads, retyped`;
    const readers = now.filter((c) => c !== column && c.generated === 's' && (c.default ?? '').includes(column.name));
    if (readers.length > 0) return `${column.name}, which a generated column reads, retyped`;
  }
  return null;
}

/** The columns of one foreign table ($1 schema, $2 name) that local views read: names, '*' for the whole row. */
const VIEWS_USE = `
SELECT coalesce(pg_catalog.array_agg(DISTINCT coalesce(a.attname::text, '*')), '{}') AS used
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_class c ON c.oid = d.refobjid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0
 WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
   AND n.nspname = $1 AND c.relname = $2`;

const REMOTE_SNAPSHOT = `
SELECT c.relname AS name, c.relkind AS kind, c.relispartition AS is_partition,
       (SELECT p.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
         WHERE i.inhrelid = c.oid ORDER BY p.relname COLLATE "C" LIMIT 1) AS parent,
       coalesce((SELECT json_agg(json_build_object(
                          'name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                          'notNull', a.attnotnull, 'hasDefault', a.atthasdef,
                          'generated', a.attgenerated <> '', 'identity', a.attidentity <> '') ORDER BY a.attnum)
                   FROM pg_catalog.pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
 ORDER BY c.relname COLLATE "C"`;

/** What the catalogs say about every foreign table of one schema (as import-shape.test.ts compares them). */
const SHAPES = `
SELECT c.relname, ft.ftoptions,
       (SELECT json_agg(json_build_object(
                 'name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull,
                 'collation', co.collname, 'default', pg_catalog.pg_get_expr(d.adbin, d.adrelid), 'generated', a.attgenerated,
                 'options', a.attfdwoptions) ORDER BY a.attnum)
          FROM pg_catalog.pg_attribute a
          LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
  FROM pg_catalog.pg_foreign_table ft
  JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1
 ORDER BY c.relname COLLATE "C"`;

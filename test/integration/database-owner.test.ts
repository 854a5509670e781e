import { connect as connectTcp, createServer, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, expectNoChanges, runCli, writeConfig } from '../support/cli.js';
import { adminQuery, adminUrl, createDatabase, createRole, type TestDatabase, urlFor } from '../support/databases.js';

/**
 * A database owned by a weaker role, applied by a stronger one (a superuser, or a role granted the
 * owner's): the owner sets every database-level setting it may, and fills a schema `trap` with
 * look-alikes of catalog types, functions and operators that would run its code as whoever resolves
 * them. The remote's owner does the same on the remote. Nothing of theirs may run as datalinks' role.
 */

const id = pg.escapeIdentifier;
const lit = pg.escapeLiteral;

type Role = { name: string; password: string };

/**
 * The trap: `trap.caught(what)` records, for any caller but the owner itself, who called it, and tries
 * to make the owner a superuser. The sequence `trap.stolen` counts those calls: nextval() survives the
 * rollback of the savepoint or transaction it ran in (the proof runs in one that is always rolled back).
 */
function trapSql(owner: string): string[] {
  const functions: [name: string, args: string, returns: string, call: string][] = [
    ['now', '', 'timestamp with time zone', 'pg_catalog.now()'],
    ['current_setting', 'text', 'text', 'pg_catalog.current_setting($1)'],
    ['set_config', 'text, text, boolean', 'text', 'pg_catalog.set_config($1, $2, $3)'],
    ['format_type', 'oid, integer', 'text', 'pg_catalog.format_type($1, $2)'],
    ['pg_get_expr', 'pg_catalog.pg_node_tree, oid', 'text', 'pg_catalog.pg_get_expr($1, $2)'],
    ['pg_get_userbyid', 'oid', 'name', 'pg_catalog.pg_get_userbyid($1)'],
    ['has_table_privilege', 'oid, text', 'boolean', 'pg_catalog.has_table_privilege($1, $2)'],
    ['postgres_fdw_disconnect_all', '', 'boolean', 'true'],
  ];
  const operators: [op: string, left: string, right: string, returns: string][] = [
    ['=', 'text', 'text', 'boolean'],
    ['<>', 'text', 'text', 'boolean'],
    ['~~', 'text', 'text', 'boolean'],
    ['||', 'text', 'text', 'text'],
    ['=', 'name', 'name', 'boolean'],
    ['=', 'name', 'text', 'boolean'],
    ['=', 'oid', 'oid', 'boolean'],
    ['=', '"char"', '"char"', 'boolean'],
    ['=', 'integer', 'integer', 'boolean'],
    ['>=', 'integer', 'integer', 'boolean'],
    ['>', 'integer', 'integer', 'boolean'],
  ];
  const domains = ['text', 'name', 'date', 'bytea', 'json', 'float8', 'oid', 'regclass', 'bpchar', '"char"', 'timestamptz'];
  return [
    'CREATE SCHEMA trap',
    'GRANT USAGE ON SCHEMA trap TO PUBLIC',
    'CREATE TABLE trap.ran (role_name text, session_role text, what text)',
    'GRANT INSERT ON trap.ran TO PUBLIC',
    'CREATE SEQUENCE trap.stolen',
    'GRANT USAGE ON SEQUENCE trap.stolen TO PUBLIC',
    `CREATE FUNCTION trap.caught(what text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
     BEGIN
       IF current_user <> ${lit(owner)} OR session_user <> ${lit(owner)} THEN
         PERFORM pg_catalog.nextval('trap.stolen');
         INSERT INTO trap.ran VALUES (current_user, session_user, what);
         BEGIN
           EXECUTE pg_catalog.format('ALTER ROLE %I SUPERUSER', ${lit(owner)});
         EXCEPTION WHEN OTHERS THEN NULL;
         END;
       END IF;
       RETURN true;
     END $$`,
    ...domains.map((type) => `CREATE DOMAIN trap.${type} AS pg_catalog.${type} CHECK (trap.caught(${lit(`domain ${type}`)}))`),
    ...functions.map(
      ([name, args, returns, call]) =>
        `CREATE FUNCTION trap.${name}(${args}) RETURNS ${returns} LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
         BEGIN PERFORM trap.caught(${lit(`function ${name}`)}); RETURN ${call}; END $$`,
    ),
    ...operators.flatMap(([op, left, right, returns], i) => [
      `CREATE FUNCTION trap.op${i}(${left}, ${right}) RETURNS ${returns} LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
       BEGIN PERFORM trap.caught(${lit(`operator ${op}`)}); RETURN $1 ${op} $2; END $$`,
      `CREATE OPERATOR trap.${op} (LEFTARG = ${left}, RIGHTARG = ${right}, FUNCTION = trap.op${i})`,
    ]),
  ];
}

/** Every database-level setting the owner may make that would change what a session means by a name, who it runs as, or how it reads. */
function hostileSettings(database: string, owner: string): string[] {
  const db = id(database);
  return [
    `ALTER DATABASE ${db} SET search_path = trap, pg_catalog`,
    `ALTER DATABASE ${db} SET role = ${id(owner)}`,
    `ALTER DATABASE ${db} SET default_tablespace = pg_default`,
    `ALTER DATABASE ${db} SET temp_tablespaces = pg_default`,
    `ALTER DATABASE ${db} SET check_function_bodies = off`,
    `ALTER DATABASE ${db} SET default_transaction_read_only = on`,
    `ALTER DATABASE ${db} SET default_transaction_isolation = 'serializable'`,
    `ALTER DATABASE ${db} SET quote_all_identifiers = on`,
    `ALTER DATABASE ${db} SET exit_on_error = on`,
    `ALTER DATABASE ${db} SET client_encoding = 'LATIN1'`,
    `ALTER DATABASE ${db} SET row_security = off`,
    `ALTER DATABASE ${db} SET transform_null_equals = on`,
    `ALTER DATABASE ${db} SET session_authorization = ${id(owner)}`,
    // The owner's own sessions in this database, too (all it may set for a role).
    `ALTER ROLE ${id(owner)} IN DATABASE ${db} SET search_path = trap`,
  ];
}

/** Settings only a superuser (or a role granted SET on them) may make: the owner tries, and is refused. */
function settingsRefusedToOwner(database: string, applier: string): string[] {
  const db = id(database);
  return [
    `ALTER DATABASE ${db} SET session_replication_role = replica`,
    `ALTER ROLE ${id(applier)} IN DATABASE ${db} SET search_path = trap, pg_catalog`,
  ];
}

/** A plain session that first undoes what the database's settings chose, for the test's own reading. */
async function inspect<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string, params?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `SET ROLE NONE; SET search_path = pg_catalog, pg_temp; SET default_transaction_read_only = off; SET client_encoding = 'UTF8';
       SET quote_all_identifiers = off`,
    );
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Runs statements as `role` in `database`, one by one; returns those PostgreSQL refused. */
async function runAs(database: string, role: Role, statements: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: urlFor(database, role) });
  await client.connect();
  const refused: string[] = [];
  try {
    // (the owner's own sessions start read-only, and end at their first error, once it has set that)
    await client.query('SET default_transaction_read_only = off; SET exit_on_error = off');
    for (const sql of statements) await client.query(sql).catch(() => refused.push(sql));
  } finally {
    await client.end();
  }
  return refused;
}

/** A database owned by a new role that fills it with traps and sets every setting it may. */
async function ownedDatabase(label: string, applier: string, prepare: (db: TestDatabase) => Promise<void> = async () => {}) {
  const db = await createDatabase(label);
  const owner = await createRole(`${label}_owner`);
  await adminQuery(`ALTER DATABASE ${id(db.name)} OWNER TO ${id(owner.name)}`);
  await prepare(db);
  expect(await runAs(db.name, owner, trapSql(owner.name))).toStrictEqual([]);
  // session_authorization may be stored, but PostgreSQL ignores it at log-in; every other setting takes.
  expect(await runAs(db.name, owner, hostileSettings(db.name, owner.name))).toStrictEqual([]);
  expect(await runAs(db.name, owner, settingsRefusedToOwner(db.name, applier))).toHaveLength(2);
  return { db, owner };
}

/** What the owner's traps caught: every call by another role, and whether the owner became a superuser. */
async function caught(db: TestDatabase, owner: string): Promise<{ calls: unknown[]; counted: boolean; ownerIsSuperuser: boolean }> {
  const [calls, counter, role] = await Promise.all([
    inspect(db.url, 'SELECT role_name, session_role, what FROM trap.ran'),
    inspect<{ is_called: boolean }>(db.url, 'SELECT is_called FROM trap.stolen'),
    inspect<{ rolsuper: boolean }>(db.url, 'SELECT rolsuper FROM pg_roles WHERE rolname = $1', [owner]),
  ]);
  return { calls, counted: counter[0]?.is_called ?? true, ownerIsSuperuser: role[0]?.rolsuper ?? true };
}

const NOTHING_CAUGHT = { calls: [], counted: false, ownerIsSuperuser: false };

const REMOTE_TABLES = `
CREATE TABLE public.invoices (
  id integer PRIMARY KEY,
  note text,
  day date DEFAULT CURRENT_DATE,
  created timestamp with time zone DEFAULT now(),
  raw bytea,
  doc json,
  flag "char",
  ratio float8,
  code bpchar
);
INSERT INTO public.invoices (id, note) VALUES (1, 'one');
CREATE TABLE public."Résumé ✓" (id integer);
-- postgres_fdw's own sessions to the remote run as the remote owner too (its role setting): let it read
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO PUBLIC`;

/** The superuser the tests run as (the one datalinks applies as, where a superuser applies). */
const superuser = (): string => decodeURIComponent(new URL(adminUrl()).username);

/** The remote: a database owned by its own weaker role, trapped the same way; datalinks reads it as a superuser. */
async function trappedRemote() {
  return ownedDatabase('remote', superuser(), async (db) => {
    await db.query(REMOTE_TABLES);
  });
}

function configFor(localVar: string): string {
  return `version: 1
databases:
  main:
    url: \${${localVar}}
    links:
      billing:
        remote:
          url: \${BILLING_URL}
        access: write
        import_options: { import_default: true }
`;
}

/** The checks after every command: it worked, and neither owner's code ran. */
async function expectClean(
  result: CliResult,
  local: { db: TestDatabase; owner: Role },
  remote: { db: TestDatabase; owner: Role },
  code = 0,
): Promise<void> {
  expect(result.stderr).toBe('');
  expect(result.code, result.stdout).toBe(code);
  expect(await caught(local.db, local.owner.name)).toStrictEqual(NOTHING_CAUGHT);
  expect(await caught(remote.db, remote.owner.name)).toStrictEqual(NOTHING_CAUGHT);
}

/** Who owns the link's server, whom its mappings are for, and which mappings' options the local owner can see. */
async function linkObjects(local: { db: TestDatabase; owner: Role }) {
  const [server] = await inspect<{ owner: string }>(
    local.db.url,
    `SELECT pg_get_userbyid(srvowner) AS owner FROM pg_foreign_server WHERE srvname = 'billing'`,
  );
  const mappings = await inspect<{ role: string }>(
    local.db.url,
    `SELECT usename::text AS role FROM pg_user_mappings WHERE srvname = 'billing' ORDER BY 1`,
  );
  // As the owner itself: what it can read of every user mapping in its database.
  const ownerSees = await inspect<{ options: string[] | null }>(
    urlFor(local.db.name, local.owner),
    'SELECT umoptions AS options FROM pg_user_mappings',
  );
  return { server: server?.owner, mappings: mappings.map((m) => m.role), ownerSees: ownerSees.map((m) => m.options) };
}

/**
 * Each local column's type, the schema of the type, and its default as printed with search_path =
 * pg_catalog, pg_temp: a function from any other schema (the owner's `trap.now()`) is printed qualified.
 */
async function localColumns(local: TestDatabase) {
  return inspect(
    local.url,
    `SELECT a.attname::text AS column, t.typname::text AS type, tn.nspname::text AS type_schema,
            pg_get_expr(ad.adbin, ad.adrelid) AS default
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
       LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
      WHERE a.attrelid = 'billing.invoices'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
  );
}

const EXPECTED_COLUMNS = [
  { column: 'id', type: 'int4', type_schema: 'pg_catalog', default: null },
  { column: 'note', type: 'text', type_schema: 'pg_catalog', default: null },
  { column: 'day', type: 'date', type_schema: 'pg_catalog', default: 'CURRENT_DATE' },
  { column: 'created', type: 'timestamptz', type_schema: 'pg_catalog', default: 'now()' },
  { column: 'raw', type: 'bytea', type_schema: 'pg_catalog', default: null },
  { column: 'doc', type: 'json', type_schema: 'pg_catalog', default: null },
  { column: 'flag', type: 'char', type_schema: 'pg_catalog', default: null },
  { column: 'ratio', type: 'float8', type_schema: 'pg_catalog', default: null },
  { column: 'code', type: 'bpchar', type_schema: 'pg_catalog', default: null },
];

/** plan, apply (with the proof), plan again, check, list and export: each clean. */
async function everyCommand(
  cli: (...args: string[]) => Promise<CliResult>,
  local: { db: TestDatabase; owner: Role },
  remote: { db: TestDatabase; owner: Role },
): Promise<CliResult> {
  const plan = await cli('plan');
  await expectClean(plan, local, remote);
  const apply = await cli('apply', '--auto-approve');
  await expectClean(apply, local, remote);
  expect(apply.stdout).toContain('Database main: applied');
  await expectNoChanges(cli);
  await expectClean(await cli('check'), local, remote);
  const list = await cli('list');
  await expectClean(list, local, remote);
  expect(list.stdout).toContain('billing');
  const exported = await cli('export');
  await expectClean(exported, local, remote);
  expect(exported.stdout).toContain('billing:');
  return plan;
}

describe('a database owner gains nothing from the role that applies', () => {
  it('a superuser applies in a database a weaker role owns and trapped: nothing of the owner runs, the extension, server and mapping are the superuser own', async () => {
    const remote = await trappedRemote();
    const local = await ownedDatabase('local', superuser());
    const env = { LOCAL_URL: local.db.url, BILLING_URL: remote.db.url };
    const file = writeConfig(configFor('LOCAL_URL'));
    const cli = (...args: string[]) => runCli([...args, '-c', file], env);

    const plan = await everyCommand(cli, local, remote);
    // public belongs to the owner (or lets anyone create in it): the extension gets a schema of its own.
    expect(plan.stdout).toContain('+ schema datalinks_ext for extensions');
    expect(plan.stdout).toContain('+ extension postgres_fdw in schema datalinks_ext');
    expect(plan.stdout).toContain(`user mapping for ${superuser()}`);

    expect(
      await inspect(
        local.db.url,
        `SELECT e.extname::text AS name, n.nspname::text AS schema, pg_get_userbyid(n.nspowner)::text AS schema_owner,
                has_schema_privilege($1, n.oid, 'CREATE') AS owner_may_create
           FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgres_fdw'`,
        [local.owner.name],
      ),
    ).toStrictEqual([{ name: 'postgres_fdw', schema: 'datalinks_ext', schema_owner: superuser(), owner_may_create: false }]);
    // Server and mapping are the superuser's; the owner reads no option of any mapping (no password).
    expect(await linkObjects(local)).toStrictEqual({ server: superuser(), mappings: [superuser()], ownerSees: [null] });
    // Catalog types, and now() from pg_catalog: the owner's look-alikes are in none of them.
    expect(await localColumns(local.db)).toStrictEqual(EXPECTED_COLUMNS);
    // Names reach the server as written, whatever client_encoding the database sets.
    expect(await inspect(local.db.url, `SELECT relname::text AS name FROM pg_class WHERE relname LIKE 'R%sum%'`)).toStrictEqual([
      { name: 'Résumé ✓' },
    ]);
    // A row inserted through the link computes its defaults here (now() is pg_catalog's) before the
    // remote refuses it: the remote owner made its sessions read-only, postgres_fdw's included.
    await expect(inspect(local.db.url, `INSERT INTO billing.invoices (id) VALUES (2)`)).rejects.toThrow(/read-only transaction/);
    expect(await caught(local.db, local.owner.name)).toStrictEqual(NOTHING_CAUGHT);
  });

  it('a stronger role that is not a superuser (granted the owner role) applies: server and mapping are its own, never the owner', async () => {
    const remote = await trappedRemote();
    const strong = await createRole('strong');
    const local = await ownedDatabase('local', strong.name, async (db) => {
      // postgres_fdw installed by a superuser where people usually install it: public.
      await db.query('CREATE EXTENSION postgres_fdw SCHEMA public');
    });
    await adminQuery(`GRANT ${id(local.owner.name)} TO ${id(strong.name)}`);
    await inspect(local.db.url, `GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${id(strong.name)}`);
    // The owner may create in public: it adds a look-alike that would make an unqualified, or an
    // unchecked qualified, call of postgres_fdw_disconnect_all() run its code or fail.
    expect(
      await runAs(local.db.name, local.owner, [
        `CREATE FUNCTION public.postgres_fdw_disconnect_all(extra integer DEFAULT 0) RETURNS boolean LANGUAGE sql
           AS $$ SELECT trap.caught('public.postgres_fdw_disconnect_all') $$`,
      ]),
    ).toStrictEqual([]);
    const env = { STRONG_URL: urlFor(local.db.name, strong), BILLING_URL: remote.db.url };
    const file = writeConfig(configFor('STRONG_URL'));
    const cli = (...args: string[]) => runCli([...args, '-c', file], env);

    const plan = await everyCommand(cli, local, remote);
    expect(plan.stdout).toContain(`user mapping for ${strong.name}`);
    expect(plan.stdout).toContain(
      `note: postgres_fdw is installed in schema "public", which roles other than this one and superusers may create objects in`,
    );
    expect(await linkObjects(local)).toStrictEqual({ server: strong.name, mappings: [strong.name], ownerSees: [null] });
    expect(await localColumns(local.db)).toStrictEqual(EXPECTED_COLUMNS);
  });

  it('refuses to put a new extension in a datalinks_ext schema the owner made first, naming it', async () => {
    const remote = await trappedRemote();
    const local = await ownedDatabase('local', superuser());
    expect(await runAs(local.db.name, local.owner, ['CREATE SCHEMA datalinks_ext'])).toStrictEqual([]);
    const env = { LOCAL_URL: local.db.url, BILLING_URL: remote.db.url };
    const file = writeConfig(configFor('LOCAL_URL'));
    const plan = await runCli(['plan', '-c', file], env);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(
      `postgres_fdw is not installed, and schema "datalinks_ext", where it would go, is not safe for it: it is owned by role "${local.owner.name}"`,
    );
    expect((await runCli(['apply', '--auto-approve', '-c', file], env)).code).toBe(1);
    expect(await inspect(local.db.url, `SELECT extname FROM pg_extension WHERE extname = 'postgres_fdw'`)).toStrictEqual([]);
    expect(await inspect(local.db.url, `SELECT srvname FROM pg_foreign_server`)).toStrictEqual([]);
  });
});

describe('the role a session runs as', () => {
  const proxies: { close: () => void }[] = [];
  afterAll(() => {
    for (const proxy of proxies) proxy.close();
  });

  it('refuses a session whose user is not the role the URL logs in as (a pooler that logs in as another role), naming both', async () => {
    const db = await createDatabase('pooled');
    const pooled = await createRole('pooled');
    // Like a connection pooler with a forced user: the client says "someone_else", the server hears "pooled".
    const proxy = await startUserRewritingProxy(new URL(db.url), 'someone_else', pooled.name);
    proxies.push(proxy);
    const url = new URL(urlFor(db.name, pooled));
    url.username = 'someone_else';
    url.port = String(proxy.port);
    const file = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n');
    const plan = await runCli(['plan', '-c', file], { LOCAL_URL: url.toString() });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(`the session runs as role "${pooled.name}", not as "someone_else" that the URL logs in as`);
    expect(plan.stdout).toContain('put that role in the URL');
    expect(plan.stdout).not.toContain(pooled.password);
  });
});

/** A TCP proxy that rewrites the user name in each connection's start-up message, then forwards everything. */
async function startUserRewritingProxy(target: URL, from: string, to: string): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connectTcp(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    const first = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 4 || pending.length < pending.readInt32BE(0)) return;
      client.off('data', first);
      const length = pending.readInt32BE(0);
      const fields = pending
        .subarray(8, length - 1)
        .toString('utf8')
        .split('\0');
      const rewritten = fields.map((field, i) => (i % 2 === 1 && fields[i - 1] === 'user' && field === from ? to : field));
      const body = Buffer.from(`${rewritten.join('\0')}\0`, 'utf8');
      const header = Buffer.alloc(8);
      header.writeInt32BE(8 + body.length, 0);
      pending.copy(header, 4, 4, 8);
      upstream.write(Buffer.concat([header, body]));
      upstream.write(pending.subarray(length));
      client.pipe(upstream);
    };
    client.on('data', first);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../support/cli.js';
import { createLocalDatabase, createMysqlDatabase, mysqlAdmin, mysqlMissing } from '../support/mysql.js';

const config = (extra = '') =>
  writeConfig(`version: 1
databases:
  main:
    url: \${LOCAL_URL}
    links:
      shop:
        remote:
          url: \${SHOP_URL}
${extra}`);

/** Every kind of column the type mapping knows, with values at the edges of their ranges. */
const EVERY_TYPE = `
CREATE TABLE orders (
  id int unsigned PRIMARY KEY, big bigint unsigned, amount decimal(10,2), made year, tags set('a','b'),
  state enum('new','paid'), at datetime(3), stamped timestamp(6) NULL, took time, photo blob, code varbinary(10),
  flags bit(8), doc json, ref uuid, ip inet6, exact double, tiny tinyint, utiny tinyint unsigned,
  usmall smallint unsigned, umedium mediumint unsigned, letter char(3), name varchar(20) NOT NULL, note text, day date);
INSERT INTO orders VALUES (4000000000, 18446744073709551615, 12345678.91, 2155, 'a,b', 'paid', '2024-01-02 03:04:05.678',
  '2024-01-02 03:04:05.123456', '838:59:59', 0x00FF10, 0x0102, b'10101010', '{"a": 1}', '123e4567-e89b-12d3-a456-426614174000',
  '::1', 2.25, -128, 255, 65535, 16777215, 'ab', 'Zoë', 'text', '2024-02-29');
CREATE TABLE customers (id int PRIMARY KEY, email varchar(100));`;

const COLUMNS = [
  'id',
  'big',
  'amount',
  'made',
  'tags',
  'state',
  'at',
  'stamped',
  'took',
  'photo',
  'code',
  'flags',
  'doc',
  'ref',
  'ip',
  'exact',
  'tiny',
  'utiny',
  'usmall',
  'umedium',
  'letter',
  'name',
  'note',
  'day',
];

describe.skipIf(mysqlMissing() !== '')('MySQL and MariaDB remotes (mysql_fdw)', () => {
  it('apply links a MariaDB database whose foreign tables read every value, and the next plan is empty', async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('shop'), createLocalDatabase()]);
    await remote.query(EVERY_TYPE);
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
    const path = config();

    const applied = await runCli(['apply', '-c', path, '--auto-approve'], env);
    expect(applied.stdout + applied.stderr).toContain('Apply complete');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Plan: 1 to create, 0 to update, 0 to destroy.');

    // As text, the way PostgreSQL shows each value: a lost digit or character shows here.
    const [row] = await local.query(`SELECT ${COLUMNS.map((c) => `${c}::text`).join(', ')} FROM shop.orders`);
    expect(row).toStrictEqual({
      id: '4000000000',
      big: '18446744073709551615',
      amount: '12345678.91',
      made: '2155',
      tags: 'a,b',
      state: 'paid',
      at: '2024-01-02 03:04:05.678',
      stamped: '2024-01-02 03:04:05.123456',
      took: '838:59:59',
      photo: '\\x00ff10',
      code: '\\x0102',
      flags: '\\xaa',
      doc: '{"a": 1}',
      ref: '123e4567-e89b-12d3-a456-426614174000',
      ip: '::1/128',
      exact: '2.25',
      tiny: '-128',
      utiny: '255',
      usmall: '65535',
      umedium: '16777215',
      letter: 'ab',
      name: 'Zoë',
      note: 'text',
      day: '2024-02-29',
    });
    const types = await local.query<{ column_name: string; type: string; not_null: boolean }>(`
      SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
        FROM pg_attribute a WHERE a.attrelid = 'shop.orders'::regclass AND a.attnum > 0 ORDER BY a.attnum`);
    expect(types.slice(0, 4).map((t) => t.type)).toStrictEqual(['bigint', 'numeric(20,0)', 'numeric(10,2)', 'smallint']);
    expect(types.find((t) => t.column_name === 'name')).toStrictEqual({
      column_name: 'name',
      type: 'character varying(20)',
      not_null: true,
    });
    expect(await local.query("SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'shop'")).toStrictEqual([
      { srvoptions: ['character_set=utf8mb4', 'host=127.0.0.1', `port=${new URL(remote.url).port}`] },
    ]);

    const again = await runCli(['plan', '-c', path, '--detailed-exitcode'], env);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
    const check = await runCli(['check', '-c', path, '--json'], env);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout).databases[0].links.map((l: { link: string; state: string }) => [l.link, l.state])).toStrictEqual([
      ['shop', 'ok'],
    ]);
    const list = await runCli(['list', '-c', path], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`Remote:      SHOP_URL (127.0.0.1:${new URL(remote.url).port}/${remote.name})`);
    expect(list.stdout).toContain('Tables:      2 (wrapper mysql_fdw)');
    for (const output of [applied, again, check, list]) expect(output.stdout + output.stderr).not.toContain(remote.password);
  });

  it('plan follows the remote: tables added and dropped, columns added, dropped and retyped, all fixed in place', async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('drift'), createLocalDatabase()]);
    await remote.query('CREATE TABLE a (id int PRIMARY KEY, note varchar(10), gone int); CREATE TABLE b (id int);');
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
    const path = config();
    expect((await runCli(['apply', '-c', path, '--auto-approve'], env)).code).toBe(0);
    await local.query('CREATE VIEW public.ids AS SELECT id FROM shop.a');

    await remote.query(
      'ALTER TABLE a DROP COLUMN gone, MODIFY note varchar(50), ADD COLUMN total int unsigned; DROP TABLE b; CREATE TABLE c (id bigint unsigned); INSERT INTO a VALUES (1, "x", 4294967295);',
    );
    const plan = await runCli(['plan', '-c', path, '--sql'], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Plan: 0 to create, 1 to update, 0 to destroy.');
    expect(plan.stdout).toContain('ALTER FOREIGN TABLE "shop"."a" DROP COLUMN "gone"');
    expect(plan.stdout).toContain('ALTER FOREIGN TABLE "shop"."a" ALTER COLUMN "note" TYPE character varying(50)');
    expect(plan.stdout).toContain('ALTER FOREIGN TABLE "shop"."a" ADD COLUMN "total" bigint');
    expect(plan.stdout).toContain('DROP FOREIGN TABLE "shop"."b"');
    expect(plan.stdout).toContain(
      `CREATE FOREIGN TABLE "shop"."c" (\n  "id" numeric(20,0)\n) SERVER "shop" OPTIONS (dbname '${remote.name}', table_name 'c')`,
    );

    const applied = await runCli(['apply', '-c', path, '--auto-approve'], env);
    expect(applied.code).toBe(0);
    // The view over the column that did not change survived the in-place fix.
    expect(await local.query('SELECT id FROM public.ids')).toStrictEqual([{ id: 1 }]);
    expect(await local.query('SELECT note, total FROM shop.a')).toStrictEqual([{ note: 'x', total: '4294967295' }]);
    expect((await runCli(['plan', '-c', path, '--detailed-exitcode'], env)).code).toBe(0);
  });

  it('a column type with no faithful mapping is a plan error naming the column, and nothing is applied', async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('geo'), createLocalDatabase()]);
    await remote.query('CREATE TABLE places (id int, spot geometry)');
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
    const result = await runCli(['apply', '-c', config(), '--auto-approve'], env);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('column "spot" of remote table "places" has the MySQL type geometry');
    expect(result.stdout + result.stderr).toContain('exclude: [places]');
    expect(await local.query("SELECT 1 FROM pg_foreign_server WHERE srvname = 'shop'")).toStrictEqual([]);
  });

  it('filters, grants and access work for MySQL links, and a saved plan applies', async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('grants'), createLocalDatabase()]);
    await remote.query('CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY); INSERT INTO a VALUES (7);');
    await local.query('CREATE ROLE app_reader');
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
    const path = config('        tables: [a]\n        access: write\n        grant_to: [app_reader]\n');
    const saved = `${path}.plan.json`;
    expect((await runCli(['plan', '-c', path, '--out', saved], env)).code).toBe(0);
    const applied = await runCli(['apply', '-c', path, saved, '--auto-approve'], env);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(await local.query("SELECT relname FROM pg_class WHERE relnamespace = 'shop'::regnamespace ORDER BY 1")).toStrictEqual([
      { relname: 'a' },
    ]);
    expect(
      await local.query("SELECT privilege_type FROM information_schema.role_table_grants WHERE grantee = 'app_reader' ORDER BY 1"),
    ).toStrictEqual([
      { privilege_type: 'DELETE' },
      { privilege_type: 'INSERT' },
      { privilege_type: 'SELECT' },
      { privilege_type: 'UPDATE' },
    ]);
    await local.query('INSERT INTO shop.a VALUES (8)');
    expect(await remote.query('SELECT id FROM a ORDER BY id')).toStrictEqual([{ id: 7 }, { id: 8 }]);
    const umoptions = await local.query<{ umoptions: string[] }>(
      "SELECT umoptions FROM pg_user_mappings WHERE srvname = 'shop' ORDER BY usename",
    );
    expect(umoptions.map((m) => m.umoptions)).toStrictEqual([
      [`username=${remote.user}`, `password=${remote.password}`],
      [`username=${remote.user}`, `password=${remote.password}`],
    ]);
    expect((await runCli(['plan', '-c', path, '--detailed-exitcode'], env)).code).toBe(0);

    // Dropping the link from the file destroys it.
    const empty = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n');
    expect((await runCli(['apply', '-c', empty, '--auto-approve'], env)).code).toBe(0);
    expect(await local.query("SELECT 1 FROM pg_foreign_server WHERE srvname = 'shop'")).toStrictEqual([]);
  });

  it("check calls a MySQL remote's account a user, with MySQL's own GRANT, when a linked table is unreadable", async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('unreadable'), createLocalDatabase()]);
    await remote.query('CREATE TABLE orders (id int PRIMARY KEY); CREATE TABLE payouts (id int PRIMARY KEY);');
    // A reader allowed the two tables one by one, then refused one of them after the link was made.
    const reader = `r_${remote.name.slice(-8)}`;
    await mysqlAdmin("CREATE USER ?@'%' IDENTIFIED BY 'reader-pw'", [reader]);
    await mysqlAdmin(`GRANT SELECT ON \`${remote.name}\`.orders TO ?@'%'`, [reader]);
    await mysqlAdmin(`GRANT SELECT ON \`${remote.name}\`.payouts TO ?@'%'`, [reader]);
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url.replace(/^mysql:\/\/[^@]*@/, `mysql://${reader}:reader-pw@`) };
    const path = config();
    expect((await runCli(['apply', '--auto-approve', '-c', path], env)).code).toBe(0);
    await mysqlAdmin(`REVOKE SELECT ON \`${remote.name}\`.payouts FROM ?@'%'`, [reader]);
    try {
      const check = await runCli(['check', '-c', path], env);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain(
        `hint: on the remote, as the table's owner: GRANT SELECT ON \`${remote.name}\`.\`payouts\` TO '${reader}'@'%';`,
      );
      expect(check.stdout).not.toMatch(/\brole\b.*payouts|payouts.*\brole\b/);
    } finally {
      await mysqlAdmin("DROP USER ?@'%'", [reader]);
    }
  });

  it('check of more links to one MariaDB than its user may connect reports every one ok: mysql_fdw cannot close its connections, so check ends its session every few', async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('crowd'), createLocalDatabase()]);
    await remote.query('CREATE TABLE orders (id int PRIMARY KEY);');
    // Six connections at once are all this user may have (datalinks' own reads of the remote count too); the file has twelve links.
    await mysqlAdmin("ALTER USER ?@'%' WITH MAX_USER_CONNECTIONS 6", [remote.user]);
    const links = Array.from(
      { length: 12 },
      (_, i) => `      shop_${String(i + 1).padStart(2, '0')}:\n        remote:\n          url: \${SHOP_URL}\n`,
    );
    const path = writeConfig(`version: 1\ndatabases:\n  main:\n    url: \${LOCAL_URL}\n    links:\n${links.join('')}`);
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
    expect((await runCli(['apply', '--auto-approve', '-c', path], env)).code).toBe(0);
    const check = await runCli(['check', '-c', path], env);
    expect(check.stdout).not.toContain('max_user_connections');
    expect(check.stdout).toContain('Check: 12 links: 12 ok, 0 broken, 0 drifted.');
    expect(check.code).toBe(0);
    // Nothing of the check is left on the remote.
    const sessions = async () =>
      ((await mysqlAdmin('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?', [remote.user])) as { n: number }[])[0]
        ?.n;
    const until = Date.now() + 3000;
    while (Number(await sessions()) > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Number(await sessions())).toBe(0);
  });

  it("check proves a grant_to role's MySQL user mapping too: one whose password was changed by hand is auth failed until apply replaces it", async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('mappings'), createLocalDatabase()]);
    await remote.query('CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1);');
    const reader = `reader_${remote.name.slice(-8)}`;
    await local.query(`CREATE ROLE ${reader}`);
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
    const path = config(`        grant_to: [${reader}]\n`);
    const empty = writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n    links: {}\n');
    try {
      expect((await runCli(['apply', '--auto-approve', '-c', path], env)).code).toBe(0);
      await local.query(`ALTER USER MAPPING FOR ${reader} SERVER shop OPTIONS (SET password 'changed-by-hand')`);
      const check = await runCli(['check', '-c', path], env);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain(`✗ user mapping of role ${reader}: auth failed: failed to connect to MySQL`);
      expect(check.stdout).toContain(`Access denied for user '${remote.user}'`);
      expect(check.stdout).toContain("datalinks apply replaces the mapping with the file's");
      expect((await runCli(['apply', '--auto-approve', '-c', path], env)).code).toBe(0);
      const fixed = await runCli(['check', '--detailed-exitcode', '-c', path], env);
      expect(fixed.stdout).toContain(`the user mapping of ${reader} too`);
      expect(fixed.code).toBe(0);
    } finally {
      await runCli(['apply', '--auto-approve', '-c', empty], env);
      await local.query(`DROP ROLE ${reader}`);
    }
  });

  it('a wrong password, an unreachable server and a missing database are errors naming host and port, never the password', async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('errors'), createLocalDatabase()]);
    const url = new URL(remote.url);
    const where = `127.0.0.1:${url.port}`;
    const wrongPassword = new URL(remote.url);
    wrongPassword.password = 'not-the-password-42';
    const missingDatabase = new URL(remote.url);
    missingDatabase.pathname = '/no_such_db';
    const unreachable = new URL(remote.url);
    unreachable.port = '9';
    const cases: [string, string][] = [
      [wrongPassword.toString(), `cannot connect to the remote ${where}/${remote.name}: MySQL refused user "${remote.user}"`],
      [
        missingDatabase.toString(),
        `${where}/no_such_db: database "no_such_db" does not exist on the remote, or user "${remote.user}" may not use it`,
      ],
      [unreachable.toString(), `cannot connect to the remote 127.0.0.1:9/${remote.name}: connection refused`],
    ];
    for (const [shopUrl, message] of cases) {
      const result = await runCli(['plan', '-c', config()], { LOCAL_URL: local.url, SHOP_URL: shopUrl });
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain(message);
      expect(result.stdout + result.stderr).not.toContain('not-the-password-42');
      expect(result.stdout + result.stderr).not.toContain(remote.password);
    }
  });

  it('export writes a hand-made mysql_fdw link as YAML that --adopt takes over, and the next plan is empty', async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('adopt'), createLocalDatabase()]);
    await remote.query("CREATE TABLE a (id int PRIMARY KEY, note varchar(10)); INSERT INTO a VALUES (1, 'hi');");
    const port = new URL(remote.url).port;
    const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
    for (const sql of [
      'CREATE EXTENSION mysql_fdw',
      `CREATE SERVER shop FOREIGN DATA WRAPPER mysql_fdw OPTIONS (host '127.0.0.1', port '${port}')`,
      `CREATE USER MAPPING FOR CURRENT_USER SERVER shop OPTIONS (username ${literal(remote.user)}, password ${literal(remote.password)})`,
      'CREATE SCHEMA shop',
      `CREATE FOREIGN TABLE shop.a (id integer NOT NULL, note character varying(10)) SERVER shop OPTIONS (dbname ${literal(remote.name)}, table_name 'a')`,
    ])
      await local.query(sql);
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
    const exported = await runCli(['export', '-c', writeConfig('version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n')], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`SHOP_URL: user ${remote.user} at 127.0.0.1:${port}/${remote.name}`);
    expect(exported.stdout).toContain('url: ${SHOP_URL}');
    expect(exported.stdout).not.toContain('schema:');
    expect(exported.stdout).not.toContain(remote.password);
    const path = writeConfig(exported.stdout);

    const adopted = await runCli(['apply', '-c', path, '--adopt', '--auto-approve'], env);
    expect(adopted.stderr).toBe('');
    expect(adopted.code).toBe(0);
    expect((await runCli(['plan', '-c', path, '--detailed-exitcode'], env)).code).toBe(0);
    expect(await local.query('SELECT id, note FROM shop.a')).toStrictEqual([{ id: 1, note: 'hi' }]);
  });

  it('remote names that hold quotes, semicolons and escape sequences stay names: quoted locally, escaped on the terminal', async () => {
    const [remote, local] = await Promise.all([createMysqlDatabase('hostile'), createLocalDatabase()]);
    const table = `in"vo'ice; DROP SCHEMA public; \x1b[31mred`;
    const column = `co"l'umn\\`;
    const mysqlIdent = (name: string) => `\`${name.replaceAll('`', '``')}\``;
    await remote.query(
      `CREATE TABLE ${mysqlIdent(table)} (${mysqlIdent(column)} int unsigned); INSERT INTO ${mysqlIdent(table)} VALUES (4000000000);`,
    );
    const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
    const path = config();
    const plan = await runCli(['plan', '-c', path, '--sql'], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).not.toContain('\x1b');
    expect(plan.stdout).toContain('\\x1b[31mred');
    expect((await runCli(['apply', '-c', path, '--auto-approve'], env)).code).toBe(0);
    const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
    expect(await local.query(`SELECT ${quoted(column)}::text AS v FROM shop.${quoted(table)}`)).toStrictEqual([{ v: '4000000000' }]);
    expect(await local.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'public'")).toStrictEqual([{ n: 1 }]);
    expect((await runCli(['plan', '-c', path, '--detailed-exitcode'], env)).code).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../support/cli.js';
import { createLocalDatabase, createMysqlDatabase, type LocalDatabase, type MysqlDatabase, mysqlMissing } from '../support/mysql.js';

/**
 * The values and names that mysql_fdw 2.8 changed or lost without an error (issue 24), on a real
 * MariaDB: each one now reads back exactly, or plan refuses it with a fix that works.
 */

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

async function pair(
  label: string,
): Promise<{ remote: MysqlDatabase; local: LocalDatabase; cli: (...args: string[]) => ReturnType<typeof runCli> }> {
  const [remote, local] = await Promise.all([createMysqlDatabase(label), createLocalDatabase()]);
  const env = { LOCAL_URL: local.url, SHOP_URL: remote.url };
  return { remote, local, cli: (...args) => runCli(args, env) };
}

const mysqlIdent = (name: string) => `\`${name.replaceAll('`', '``')}\``;
const pgIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

describe.skipIf(mysqlMissing() !== '')('MySQL values and names (mysql_fdw 2.8)', () => {
  it('reads bit(n), long latin1 varchar and the values that always held exactly, and the next plan is empty', async () => {
    const { remote, local, cli } = await pair('values');
    await remote.query(`
      CREATE TABLE v (id int PRIMARY KEY, b1 bit(1), b9 bit(9), b10 bit(10), b64 bit(64), big bigint unsigned,
        d decimal(65,30), flag tinyint(1), y year, t time, tf time(6), e enum('a','b c'), s set('x','y'), doc json,
        emoji varchar(10) CHARACTER SET utf8mb4, l varchar(60000) CHARACTER SET latin1);
      INSERT INTO v VALUES
        (1, 0, 1, 2, 1, 18446744073709551615, 99999999999999999999999999999999999.999999999999999999999999999999, 1, 2155,
         '838:59:59', '-838:59:59.000000', 'b c', 'x,y', '{"a": [1, 2.5]}', '😀', 'a'),
        (2, 1, 511, 1023, 18446744073709551615, 0, -0.000000000000000000000000000001, 0, 1901, '-838:59:59',
         '-00:00:00.000001', 'a', '', '[]', 'ÿ😀x', REPEAT('é', 40000)),
        (3, NULL, 256, 512, 9223372036854775808, NULL, NULL, NULL, NULL, '00:00:00', NULL, NULL, NULL, NULL, NULL, REPEAT('€', 60000));`);
    const applied = await cli('apply', '-c', config(), '--auto-approve');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const rows = await local.query(`
      SELECT id, b1::text, encode(b9, 'hex') AS b9, encode(b10, 'hex') AS b10, encode(b64, 'hex') AS b64, big::text, d::text,
             flag, y, t::text, tf::text, e, s, doc, emoji, length(l) AS l_chars, octet_length(l) AS l_bytes,
             l IN ('a', repeat('é', 40000), repeat('€', 60000)) AS l_exact
        FROM shop.v ORDER BY id`);
    expect(rows).toStrictEqual([
      {
        id: 1,
        b1: '0',
        b9: '0001',
        b10: '0002',
        b64: '0000000000000001',
        big: '18446744073709551615',
        d: '99999999999999999999999999999999999.999999999999999999999999999999',
        flag: 1,
        y: 2155,
        t: '838:59:59',
        tf: '-838:59:59',
        e: 'b c',
        s: 'x,y',
        doc: '{"a": [1, 2.5]}',
        emoji: '😀',
        l_chars: 1,
        l_bytes: 1,
        l_exact: true,
      },
      {
        id: 2,
        b1: '1',
        b9: '01ff',
        b10: '03ff',
        b64: 'ffffffffffffffff',
        big: '0',
        d: '-0.000000000000000000000000000001',
        flag: 0,
        y: 1901,
        t: '-838:59:59',
        tf: '-00:00:00.000001',
        e: 'a',
        s: '',
        doc: '[]',
        emoji: 'ÿ😀x',
        l_chars: 40000,
        l_bytes: 80000,
        l_exact: true,
      },
      {
        id: 3,
        b1: null,
        b9: '0100',
        b10: '0200',
        b64: '8000000000000000',
        big: null,
        d: null,
        flag: null,
        y: null,
        t: '00:00:00',
        tf: null,
        e: null,
        s: null,
        doc: null,
        emoji: null,
        l_chars: 60000,
        l_bytes: 180000,
        l_exact: true,
      },
    ]);
    expect(
      await local.query(`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
                          WHERE attrelid = 'shop.v'::regclass AND attname IN ('b1', 'b9', 'l', 'doc') ORDER BY attnum`),
    ).toStrictEqual([{ type: 'bit(1)' }, { type: 'bytea' }, { type: 'text' }, { type: 'text' }]);
    const again = await cli('plan', '-c', config(), '--detailed-exitcode');
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
  });

  it('refuses a float column with a view that casts it to double as the fix, and that fix reads every digit', async () => {
    const { remote, local, cli } = await pair('float');
    await remote.query('CREATE TABLE readings (id int PRIMARY KEY, v float); INSERT INTO readings VALUES (1, 123456.789), (2, 16777216);');
    const refused = await cli('apply', '-c', config(), '--auto-approve');
    expect(refused.code).toBe(1);
    const output = refused.stdout + refused.stderr;
    expect(output).toContain(
      'column "v" of remote table "readings" has the MySQL type float, which mysql_fdw reads rounded to 6 significant digits, whatever the local type',
    );
    expect(output).toContain(
      'CREATE VIEW `readings_linked` AS SELECT CAST(`v` AS DOUBLE) AS `v`, <the other columns> FROM `readings`; then leave the table out with `exclude: [readings]`',
    );
    expect(await local.query("SELECT 1 FROM pg_foreign_server WHERE srvname = 'shop'")).toStrictEqual([]);

    // The hint, followed.
    await remote.query('CREATE VIEW `readings_linked` AS SELECT CAST(`v` AS DOUBLE) AS `v`, id FROM `readings`');
    const fixed = config('        exclude: [readings]\n');
    const applied = await cli('apply', '-c', fixed, '--auto-approve');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(await local.query('SELECT id, v::text FROM shop.readings_linked ORDER BY id')).toStrictEqual([
      { id: 1, v: '123456.7890625' },
      { id: 2, v: '16777216' },
    ]);
    expect((await cli('plan', '-c', fixed, '--detailed-exitcode')).code).toBe(0);
  });

  it('warns about blobs longer than mysql_fdw reads, check counts the rows a read misses, and the HEX view fix reads them whole', async () => {
    const { remote, local, cli } = await pair('blobs');
    await remote.query(`
      CREATE TABLE photos (id int PRIMARY KEY, jpeg longblob);
      INSERT INTO photos VALUES (1, REPEAT(0xFF00, 4096)), (2, REPEAT('y', 8193)), (3, 'z'), (4, REPEAT(0x00, 20000));`);
    const plan = await cli('plan', '-c', config());
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'a value of more than 8,192 bytes in column "jpeg" of remote table "photos" ends a read through the link there without an error',
    );
    expect((await cli('apply', '-c', config(), '--auto-approve')).code).toBe(0);
    // What mysql_fdw does with such a value: the scan ends there, without an error.
    expect(await local.query('SELECT id, octet_length(jpeg) AS bytes FROM shop.photos')).toStrictEqual([{ id: 1, bytes: 8192 }]);

    const check = await cli('check', '-c', config(), '--json');
    expect(check.code).toBe(1);
    const link = JSON.parse(check.stdout).databases[0].links[0];
    expect(link.state).toBe('unreadable_tables');
    expect(link.rows_not_read).toMatchObject([{ schema: 'shop', table: 'photos', column: 'jpeg', limit: 8192, rows: 2 }]);
    const text = await cli('check', '-c', config());
    expect(text.stdout).toContain('✗ shop.photos: 2 rows hold a value of more than 8,192 bytes in column "jpeg"');

    // The hint, followed: the bytes come back whole, as text read at any length.
    await remote.query('CREATE VIEW `photos_linked` AS SELECT id, HEX(`jpeg`) AS `jpeg` FROM `photos`');
    const fixed = config('        exclude: [photos]\n');
    expect((await cli('apply', '-c', fixed, '--auto-approve')).code).toBe(0);
    const read = await local.query<{ id: number; md5: string }>(
      "SELECT id, md5(decode(jpeg, 'hex')) AS md5 FROM shop.photos_linked ORDER BY id",
    );
    const expected = (await remote.query('SELECT id, MD5(jpeg) AS md5 FROM photos ORDER BY id')) as { id: number; md5: string }[];
    expect(read).toStrictEqual(expected);
    expect(read).toHaveLength(4);
    const healthy = await cli('check', '-c', fixed, '--json');
    expect(JSON.parse(healthy.stdout).databases[0].links[0]).toMatchObject({ state: 'ok', rows_not_read: [] });
    expect(healthy.code).toBe(0);
  });

  it('refuses names PostgreSQL would cut, twins that share their first 63 bytes too, and links the shorter view that fixes them', async () => {
    const { remote, local, cli } = await pair('names');
    const longColumn = 'ü'.repeat(32); // 32 characters, 64 bytes
    const twins = [`${'ü'.repeat(31)}x1`, `${'ü'.repeat(31)}x2`];
    const longTable = 'é'.repeat(64);
    const fits = `${'n'.repeat(61)}é`; // exactly 63 bytes
    await remote.query(`
      CREATE TABLE wide (id int PRIMARY KEY, ${mysqlIdent(longColumn)} int, ${twins.map((t) => `${mysqlIdent(t)} int`).join(', ')});
      INSERT INTO wide VALUES (1, 2, 3, 4);
      CREATE TABLE ${mysqlIdent(longTable)} (id int);
      CREATE TABLE ${mysqlIdent(fits)} (${mysqlIdent(fits)} int, ${mysqlIdent('back`tick "quote"\nnew line ✓')} int);
      INSERT INTO ${mysqlIdent(fits)} VALUES (7, 8);`);
    const planned = await cli('plan', '-c', config(), '--json');
    expect(planned.code).toBe(1);
    const errors = JSON.parse(planned.stdout).databases[0].errors;
    expect(
      errors.map((e: { code: string; table: string; column: string | null; bytes: number }) => [e.code, e.table, e.column, e.bytes]),
    ).toStrictEqual([
      ['name_too_long', longTable, null, 128],
      ['name_too_long', 'wide', longColumn, 64],
      ['name_too_long', 'wide', twins[0], 64],
      ['name_too_long', 'wide', twins[1], 64],
    ]);
    expect(errors[1].message).toBe(
      `column "${longColumn}" of remote table "wide" has a name of 64 bytes; PostgreSQL keeps only the first 63 bytes of a name`,
    );
    expect((await cli('apply', '-c', config(), '--auto-approve')).code).toBe(1);
    expect(await local.query("SELECT 1 FROM pg_foreign_server WHERE srvname = 'shop'")).toStrictEqual([]);

    // The hint, followed: views with shorter names stand in for the tables.
    await remote.query(`
      CREATE VIEW wide_linked AS SELECT id, ${mysqlIdent(longColumn)} AS long_one, ${mysqlIdent(twins[0] as string)} AS twin_1,
        ${mysqlIdent(twins[1] as string)} AS twin_2 FROM wide;
      CREATE VIEW shorter_name AS SELECT * FROM ${mysqlIdent(longTable)};`);
    const fixed = config(`        exclude: [wide, ${longTable}]\n`);
    const applied = await cli('apply', '-c', fixed, '--auto-approve');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(await local.query('SELECT id, long_one, twin_1, twin_2 FROM shop.wide_linked')).toStrictEqual([
      { id: 1, long_one: 2, twin_1: 3, twin_2: 4 },
    ]);
    expect(await local.query(`SELECT * FROM shop.${pgIdent(fits)}`)).toStrictEqual([{ [fits]: 7, 'back`tick "quote"\nnew line ✓': 8 }]);
    expect((await cli('plan', '-c', fixed, '--detailed-exitcode')).code).toBe(0);
    const check = await cli('check', '-c', fixed, '--json');
    expect(JSON.parse(check.stdout).databases[0].links[0].state).toBe('ok');
    expect(check.code).toBe(0);
  });

  it('a text value holding the NUL character reads cut there, as README says (PostgreSQL text cannot hold it)', async () => {
    const { remote, local, cli } = await pair('nul');
    await remote.query(
      "CREATE TABLE n (id int PRIMARY KEY, v varchar(10), t text); INSERT INTO n VALUES (1, CONCAT('a', CHAR(0), 'b'), CONCAT('c', CHAR(0), 'd'));",
    );
    expect((await cli('apply', '-c', config(), '--auto-approve')).code).toBe(0);
    expect(await local.query('SELECT v, t FROM shop.n')).toStrictEqual([{ v: 'a', t: 'c' }]);
  });

  it('a zero date still fails loudly through the link, never as a changed value', async () => {
    const { remote, local, cli } = await pair('zero');
    await remote.query(`
      SET SESSION sql_mode = '';
      CREATE TABLE z (id int PRIMARY KEY, d date, at datetime);
      INSERT INTO z VALUES (1, '0000-00-00', '2024-01-01 00:00:00'), (2, '2024-01-01', '0000-00-00 00:00:00');`);
    expect((await cli('apply', '-c', config(), '--auto-approve')).code).toBe(0);
    await expect(local.query('SELECT d FROM shop.z')).rejects.toThrow(/date/);
    await expect(local.query('SELECT at FROM shop.z')).rejects.toThrow(/timestamp|date/);
  });
});

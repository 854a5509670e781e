import { describe, expect, it } from 'vitest';
import { parseMysqlUrl } from '../../src/wrappers/mysql/parse-url.js';
import { type MysqlColumnType, mapMysqlType } from '../../src/wrappers/mysql/type-map.js';

const column = (dataType: string, columnType: string, extra: Partial<MysqlColumnType> = {}): MysqlColumnType => ({
  dataType,
  columnType,
  numericPrecision: null,
  numericScale: null,
  datetimePrecision: null,
  characterMaximumLength: null,
  ...extra,
});
const mapped = (c: MysqlColumnType) => {
  const result = mapMysqlType(c);
  if (!result.ok) return `refused: ${result.reason}${result.conversion ? ` (${result.conversion})` : ''}`;
  return `${result.type.name}:${result.type.typmod}${result.readLimit === null ? '' : ` up to ${result.readLimit} bytes`}`;
};

describe('MySQL type mapping', () => {
  it('widens unsigned integers so every value fits', () => {
    expect(mapped(column('int', 'int(10) unsigned'))).toBe('int8:-1');
    expect(mapped(column('int', 'int(11)'))).toBe('int4:-1');
    expect(mapped(column('smallint', 'smallint(5) unsigned'))).toBe('int4:-1');
    expect(mapped(column('bigint', 'bigint(20) unsigned'))).toBe(`numeric:${((20 << 16) | 0) + 4}`);
    expect(mapped(column('bigint', 'bigint(20)'))).toBe('int8:-1');
    expect(mapped(column('tinyint', 'tinyint(3) unsigned'))).toBe('int2:-1');
  });

  it('keeps decimal precision and scale, and fractional seconds', () => {
    expect(mapped(column('decimal', 'decimal(10,2)', { numericPrecision: 10, numericScale: 2 }))).toBe(`numeric:${((10 << 16) | 2) + 4}`);
    expect(mapped(column('decimal', 'decimal(65,30)', { numericPrecision: 65, numericScale: 30 }))).toBe(
      `numeric:${((65 << 16) | 30) + 4}`,
    );
    expect(mapped(column('datetime', 'datetime(3)', { datetimePrecision: 3 }))).toBe('timestamp:3');
    expect(mapped(column('timestamp', 'timestamp', { datetimePrecision: 0 }))).toBe('timestamp:0');
  });

  it('maps year, enum, set, time, json and binary types to types that hold all their values', () => {
    expect(mapped(column('year', 'year(4)'))).toBe('int2:-1');
    expect(mapped(column('enum', "enum('a','b')"))).toBe('text:-1');
    expect(mapped(column('set', "set('a','b')"))).toBe('text:-1');
    expect(mapped(column('time', 'time'))).toBe('interval:-1');
    expect(mapped(column('varbinary', 'varbinary(10)', { characterMaximumLength: 10 }))).toBe('bytea:-1');
    expect(mapped(column('binary', 'binary(255)', { characterMaximumLength: 255 }))).toBe('bytea:-1');
    expect(mapped(column('tinyblob', 'tinyblob'))).toBe('bytea:-1');
    expect(mapped(column('varchar', 'varchar(20)', { characterMaximumLength: 20 }))).toBe('varchar:24');
    expect(mapped(column('double', 'double'))).toBe('float8:-1');
    expect(mapped(column('double', 'double(10,2)', { numericPrecision: 10, numericScale: 2 }))).toBe('float8:-1');
  });

  it("reads text that can outgrow mysql_fdw's 64 KiB string buffer as text, which it reads at any length", () => {
    // 16,383 characters of 4 bytes and the C string's end fit 65,536 bytes; one more character may not.
    expect(mapped(column('varchar', 'varchar(16383)', { characterMaximumLength: 16383 }))).toBe(`varchar:${16383 + 4}`);
    expect(mapped(column('varchar', 'varchar(16384)', { characterMaximumLength: 16384 }))).toBe('text:-1');
    expect(mapped(column('varchar', 'varchar(60000)', { characterMaximumLength: 60000 }))).toBe('text:-1');
    expect(mapped(column('json', 'json'))).toBe('text:-1');
    expect(mapped(column('char', 'char(255)', { characterMaximumLength: 255 }))).toBe(`bpchar:${255 + 4}`);
  });

  it('links bit(1) as bit(1) and wider bits as their bytes, since mysql_fdw reads bit(n) through a host integer', () => {
    expect(mapped(column('bit', 'bit(1)', { numericPrecision: 1 }))).toBe('bit:1');
    for (const bits of [2, 8, 9, 10, 33, 64]) expect(mapped(column('bit', `bit(${bits})`, { numericPrecision: bits }))).toBe('bytea:-1');
    expect(mapped(column('bit', 'bit(65)', { numericPrecision: 65 }))).toBe('refused: catalog_out_of_range');
  });

  it('says where a binary value can outgrow the 8 KiB bytea buffer: longer values end a read', () => {
    expect(mapped(column('varbinary', 'varbinary(8192)', { characterMaximumLength: 8192 }))).toBe('bytea:-1');
    expect(mapped(column('varbinary', 'varbinary(8193)', { characterMaximumLength: 8193 }))).toBe('bytea:-1 up to 8192 bytes');
    for (const type of ['blob', 'mediumblob', 'longblob']) expect(mapped(column(type, type))).toBe('bytea:-1 up to 8192 bytes');
  });

  it('refuses float, which mysql_fdw reads rounded to 6 digits, with a cast to double as the fix', () => {
    expect(mapped(column('float', 'float'))).toBe('refused: rounded (cast_double)');
    expect(mapped(column('float', 'float(7,3) unsigned', { numericPrecision: 7, numericScale: 3 }))).toBe('refused: rounded (cast_double)');
  });

  it('refuses a type with no faithful mapping, whatever the remote calls it', () => {
    expect(mapped(column('geometry', 'geometry'))).toBe('refused: no_local_type (spatial_text)');
    expect(mapped(column('point', 'point'))).toBe('refused: no_local_type (spatial_text)');
    expect(mapped(column('int; DROP TABLE x', 'int'))).toBe('refused: no_local_type (cast_char)');
    expect(mapped(column('decimal', 'decimal(70,80)', { numericPrecision: 70, numericScale: 80 }))).toBe('refused: catalog_out_of_range');
  });
});

describe('MySQL remote URLs', () => {
  it('reads user, password, host, port and database', () => {
    expect(parseMysqlUrl('mysql://shop:p%40ss%3Aw@db.internal:3307/shop')).toStrictEqual({
      ok: true,
      target: {
        url: 'mysql://shop:p%40ss%3Aw@db.internal:3307/shop',
        host: 'db.internal',
        port: '3307',
        dbname: 'shop',
        user: 'shop',
        password: 'p@ss:w',
        params: {},
      },
    });
    expect(parseMysqlUrl('mariadb://u@db/shop')).toMatchObject({ ok: true, target: { port: null, password: null } });
  });

  it('refuses a URL without a database or with query parameters, never quoting it', () => {
    const noDatabase = parseMysqlUrl('mysql://u:secret-pw@db.internal');
    expect(noDatabase).toMatchObject({ ok: false, message: 'names no database' });
    const params = parseMysqlUrl('mysql://u:secret-pw@db.internal/shop?ssl_ca=/ca.pem');
    expect(params).toMatchObject({ ok: false, message: 'has query parameters, which a MySQL remote URL does not take' });
    expect(JSON.stringify([noDatabase, params])).not.toContain('secret-pw');
  });
});

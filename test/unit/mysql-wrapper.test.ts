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
  return result.ok ? `${result.type.name}:${result.type.typmod}` : `refused: ${result.reason}`;
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
    expect(mapped(column('datetime', 'datetime(3)', { datetimePrecision: 3 }))).toBe('timestamp:3');
    expect(mapped(column('timestamp', 'timestamp', { datetimePrecision: 0 }))).toBe('timestamp:0');
  });

  it('maps year, enum, set, time, json and binary types to types that hold all their values', () => {
    expect(mapped(column('year', 'year(4)'))).toBe('int2:-1');
    expect(mapped(column('enum', "enum('a','b')"))).toBe('text:-1');
    expect(mapped(column('set', "set('a','b')"))).toBe('text:-1');
    expect(mapped(column('time', 'time'))).toBe('interval:-1');
    expect(mapped(column('json', 'json'))).toBe('json:-1');
    expect(mapped(column('varbinary', 'varbinary(10)', { characterMaximumLength: 10 }))).toBe('bytea:-1');
    expect(mapped(column('longblob', 'longblob'))).toBe('bytea:-1');
    expect(mapped(column('varchar', 'varchar(20)', { characterMaximumLength: 20 }))).toBe('varchar:24');
  });

  it('refuses a type with no faithful mapping, whatever the remote calls it', () => {
    expect(mapped(column('geometry', 'geometry'))).toBe('refused: no PostgreSQL type holds its values faithfully');
    expect(mapped(column('int; DROP TABLE x', 'int'))).toBe('refused: no PostgreSQL type holds its values faithfully');
    expect(mapped(column('decimal', 'decimal(70,80)', { numericPrecision: 70, numericScale: 80 }))).toMatch(/^refused: decimal precision/);
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

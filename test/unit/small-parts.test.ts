import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/config/interpolate.js';
import { columnNameOption, parseOptions, parseTextArray } from '../../src/introspect/options.js';
import { redactUrls, registerConnectionSecrets, scrubSecrets } from '../../src/secrets.js';
import { catalogQualifiedType } from '../../src/sql/quote.js';
import { suggestNearest } from '../../src/suggest.js';
import { parsePostgresUrl } from '../../src/wrappers/postgres/parse-url.js';

describe('parseOptions', () => {
  it('splits catalog options at the first = only', () => {
    expect(parseOptions(['host=db', 'options=-c search_path=a,b', 'empty='])).toStrictEqual({
      host: 'db',
      options: '-c search_path=a,b',
      empty: '',
    });
  });
});

describe('interpolate', () => {
  it('reads ${NAME}, keeps a lone $, writes $$ as $', () => {
    expect(interpolate('a${X}b$c$$d', { X: '1' })).toMatchObject({ value: 'a1b$c$d', unset: [], malformed: [] });
  });
  it('names unset and malformed references', () => {
    expect(interpolate('${NOPE} ${bad-name}', {})).toMatchObject({ unset: ['NOPE'], malformed: ['${bad-name}'] });
  });
  it('remembers the variable when it is the whole value', () => {
    expect(interpolate('${DB_URL}', { DB_URL: 'x' }).wholeVariable).toBe('DB_URL');
    expect(interpolate('postgres://${U}@h', { U: 'x' }).wholeVariable).toBeNull();
  });
});

describe('parsePostgresUrl', () => {
  it('decodes user and password and passes libpq parameters on', () => {
    const parsed = parsePostgresUrl('postgresql://us%40er:p%3Aw%2F%25d@db.example.com:6432/app?sslmode=verify-full');
    expect(parsed).toStrictEqual({
      ok: true,
      target: {
        url: 'postgresql://us%40er:p%3Aw%2F%25d@db.example.com:6432/app?sslmode=verify-full',
        host: 'db.example.com',
        port: '6432',
        dbname: 'app',
        user: 'us@er',
        password: 'p:w/%d',
        params: { sslmode: 'verify-full' },
      },
    });
  });
  it('rejects other schemes without printing the password', () => {
    const parsed = parsePostgresUrl('mysql://root:hunter2@db/x');
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).not.toContain('hunter2');
  });
  it('rejects a parameter a foreign server cannot take', () => {
    const parsed = parsePostgresUrl('postgres://u:p@h/d?client_encoding=latin1');
    expect(parsed.ok || parsed.message).toBe('has the parameter "client_encoding", which a postgres_fdw server cannot take');
  });
});

describe('redactUrls', () => {
  it('masks the password of every URL in a text', () => {
    expect(redactUrls('a postgres://u:secret@h/d and postgresql://x:y@z')).toBe(
      'a postgres://u:********@h/d and postgresql://x:********@z',
    );
  });

  it('keeps a password written as a ${VAR} reference (a config file names its secret, it does not hold it)', () => {
    expect(redactUrls('url: postgres://owner:${OWNER_PASSWORD}@db/tenant_001?sslpassword=${KEY_PASS}')).toBe(
      'url: postgres://owner:${OWNER_PASSWORD}@db/tenant_001?sslpassword=${KEY_PASS}',
    );
    expect(redactUrls('postgres://u:$VAR@h/d?password=$${X}')).toBe('postgres://u:********@h/d?password=********');
  });

  it('still masks a password read from the environment that looks like a reference, once registered', () => {
    registerConnectionSecrets('postgres://u:${NOT_A_VAR}@h/d');
    expect(scrubSecrets('error at postgres://u:${NOT_A_VAR}@h/d')).not.toContain('NOT_A_VAR');
  });
});

describe('suggestNearest', () => {
  it('suggests a close key and nothing for a distant one', () => {
    expect(suggestNearest('tabels', ['tables', 'exclude', 'access'])).toBe('tables');
    expect(suggestNearest('zzzzzz', ['tables', 'exclude'])).toBeUndefined();
  });
});

describe('parseTextArray', () => {
  it('reads the text form of text[] with and without quoting', () => {
    expect(parseTextArray(null)).toStrictEqual([]);
    expect(parseTextArray('{}')).toStrictEqual([]);
    expect(parseTextArray('{column_name=id}')).toStrictEqual(['column_name=id']);
    expect(parseTextArray('{a=1,b=2}')).toStrictEqual(['a=1', 'b=2']);
    expect(parseTextArray('{"column_name=a b","x=say \\"hi\\"","y=back\\\\slash"}')).toStrictEqual([
      'column_name=a b',
      'x=say "hi"',
      'y=back\\slash',
    ]);
  });
});

describe('columnNameOption', () => {
  it('reads column_name from attfdwoptions text, quoted or not', () => {
    expect(columnNameOption(null)).toBeNull();
    expect(columnNameOption('{column_name=id}')).toBe('id');
    expect(columnNameOption('{"column_name=a, b"}')).toBe('a, b');
    expect(columnNameOption('{x=1,column_name=y}')).toBe('y');
    expect(columnNameOption('{x=1}')).toBeNull();
  });
});

describe('catalogQualifiedType', () => {
  it('qualifies the catalog types format_type() prints bare, arrays and quoted names included', () => {
    expect(catalogQualifiedType('text')).toBe('pg_catalog.text');
    expect(catalogQualifiedType('date')).toBe('pg_catalog.date');
    expect(catalogQualifiedType('text[]')).toBe('pg_catalog.text[]');
    expect(catalogQualifiedType('"char"')).toBe('pg_catalog."char"');
    expect(catalogQualifiedType('"bit"')).toBe('pg_catalog."bit"');
    expect(catalogQualifiedType('bpchar')).toBe('pg_catalog.bpchar');
    expect(catalogQualifiedType('timestamptz')).toBe('pg_catalog.timestamptz');
  });

  it("leaves the grammar's own spellings and names format_type() already qualified as they are", () => {
    for (const type of [
      'integer',
      'integer[]',
      'character varying(10)',
      'character(3)[]',
      'numeric(10,2)',
      'timestamp(3) with time zone',
      'time without time zone',
      'interval year to month',
      'double precision',
      'bit varying(5)',
      'boolean',
      'public.citext',
      '"My Schema"."odd.type"[]',
      'extensions.vector(3)',
    ]) {
      expect(catalogQualifiedType(type)).toBe(type);
    }
  });

  it('qualifies a bare name that only starts like a grammar spelling', () => {
    expect(catalogQualifiedType('intervals')).toBe('pg_catalog.intervals');
    expect(catalogQualifiedType('"time"')).toBe('pg_catalog."time"');
  });
});

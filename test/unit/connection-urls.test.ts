import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { formatProblem } from '../../src/config/problem.js';
import { passwordParts, registerConnectionSecrets, scrubSecrets } from '../../src/secrets.js';
import { parsePostgresUrl } from '../../src/wrappers/postgres/parse-url.js';

const refused = (url: string, role: 'local' | 'remote' = 'remote') => {
  const parsed = parsePostgresUrl(url, role);
  if (parsed.ok) throw new Error('expected the URL to be refused');
  return `${parsed.message} / ${parsed.hint}`;
};

describe('URL forms are read like libpq and node-postgres, or refused without their value', () => {
  it('takes ?password= and ?user= as the credentials', () => {
    const parsed = parsePostgresUrl('postgres://h/db?user=ro&password=hunter2&sslmode=require');
    expect(parsed).toMatchObject({ ok: true, target: { user: 'ro', password: 'hunter2', params: { sslmode: 'require' } } });
  });

  it('takes the same password given twice, and refuses two different ones', () => {
    expect(parsePostgresUrl('postgres://ro:hunter2@h/db?password=hunter2')).toMatchObject({ ok: true, target: { password: 'hunter2' } });
    expect(refused('postgres://ro:hunter2@h/db?password=other-one')).toContain('two different passwords');
  });

  it.each([
    ['a key=value string', 'host=db user=app password=hunter2 dbname=app', 'key=value connection string'],
    ['a JDBC URL', 'jdbc:postgresql://db:5432/app?user=app&password=hunter2', 'JDBC URL'],
    ['a malformed %', 'postgres://app:hun%zzter2@db/app', 'percent-encoded'],
    ['a % at the end', 'postgres://app:hunter2%@db/app', 'percent-encoded'],
    ['invalid UTF-8', 'postgres://app:hunter2%ff@db/app', 'not valid UTF-8'],
    ['a space', 'postgres://app:hunter 2@db/app', 'white space'],
    ['a #', 'postgres://app:hun#ter2@db/app', 'cut the URL short'],
    ['another scheme', 'mysql://app:hunter2@db/app', 'a mysql: URL'],
    ['an unknown scheme, not named', 'hunter2://app@db/app', 'not a postgres:// or postgresql:// URL'],
    ['no host', 'postgres://app:hunter2@/app', 'names no host'],
    ['a non-numeric port', 'postgres://h/app?port=hunter2', 'port that is not a number'],
    ['?dbname=', 'postgres://h/app?dbname=other', '?dbname='],
    ['sslpassword on a remote', 'postgres://h/app?sslpassword=hunter2', 'only in a user mapping'],
    ['a parameter whose name is not shown', 'postgres://h/app?hunter2!=1', 'has a parameter,'],
  ])('refuses %s, naming the form and never the value', (_, url, expected) => {
    const message = refused(url);
    expect(message).toContain(expected);
    expect(message).not.toContain('hunter');
  });

  it.each([
    [
      'a trailing line break, as echo leaves',
      'postgres://app:hunter2@db/app\n',
      'ends with a line break (\\n) after the URL / the variable holds the URL and then a line break, as `echo`',
    ],
    ['a Windows line ending', 'postgres://app:hunter2@db/app\r\n', 'ends with a Windows line break (\\r\\n) after the URL'],
    ['a trailing space', 'postgres://app:hunter2@db/app ', 'ends with a space after the URL / remove the white space after the URL'],
    ['a leading tab', '\tpostgres://app:hunter2@db/app', 'starts with a tab before the URL'],
    [
      'a line break inside',
      'postgres://app:hunter2\n@db/app',
      'holds a line break inside it / a URL is one line: a variable it is read from holds a line break, as `echo`',
    ],
  ])('names white space around a URL as what it is (%s), not as a character to percent-encode', (_, url, expected) => {
    const message = refused(url);
    expect(message).toContain(expected);
    expect(message).not.toContain('percent-encode');
    expect(message).not.toContain('hunter');
  });

  it('names the line break a password variable brought into a composed URL, for a MySQL remote too, without the value', async () => {
    const yaml =
      'version: 1\ndatabases:\n  main:\n    url: postgres://app:${PW}@db/app\n    links:\n      shop:\n        remote:\n          url: ${SHOP_URL}\n';
    const result = await parseConfig('f.yaml', Buffer.from(yaml), { PW: 'hunter2-echo\n', SHOP_URL: 'mysql://ro:hunter2-shop@shop/db\n' });
    const text = result.ok ? '' : result.problems.map(formatProblem).join('\n');
    expect(text).toContain('f.yaml:4:10: the URL at databases.main.url (built with ${PW}) holds a line break inside it');
    expect(text).toContain('SHOP_URL (used as databases.main.links.shop.remote.url) ends with a line break (\\n) after the URL');
    expect(text).not.toContain('hunter2');
  });

  it('the local url takes every libpq client parameter, a socket directory as host included', () => {
    const parsed = parsePostgresUrl(
      'postgres://app@/app?host=/var/run/postgresql&port=5433&sslmode=verify-full&sslcert=/c.pem&sslkey=/k.pem&sslrootcert=/ca.pem&sslpassword=s3cret&application_name=ci&connect_timeout=5&options=-c%20search_path%3Dx&target_session_attrs=read-write',
      'local',
    );
    expect(parsed).toMatchObject({
      ok: true,
      target: {
        host: '/var/run/postgresql',
        port: '5433',
        dbname: 'app',
        user: 'app',
        params: {
          sslmode: 'verify-full',
          sslcert: '/c.pem',
          sslkey: '/k.pem',
          sslrootcert: '/ca.pem',
          sslpassword: 's3cret',
          options: '-c search_path=x',
        },
      },
    });
    expect(parsePostgresUrl('postgres://%2Fvar%2Frun%2Fpostgresql/app', 'local')).toMatchObject({
      ok: true,
      target: { host: '/var/run/postgresql' },
    });
  });

  it('the local url refuses what is not a libpq parameter, suggesting the near one', () => {
    expect(refused('postgres://h/app?sslmod=require', 'local')).toContain('did you mean "sslmode"?');
  });

  it('a remote url refuses client-only parameters with the reason', () => {
    expect(refused('postgres://h/app?sslcert=/c.pem')).toContain('user mapping');
    expect(refused('postgres://h/app?client_encoding=latin1')).toContain('a postgres_fdw server cannot take');
  });
});

describe('secrets in connection strings', () => {
  it.each([
    ['userinfo', 'postgres://ro:p%40ss%2Fw0rd@h/db', ['p%40ss%2Fw0rd', 'p@ss/w0rd']],
    ['?password=', 'postgres://ro@h/db?password=hunter2&sslmode=require', ['hunter2']],
    ['?sslpassword=', 'postgres://ro@h/db?sslpassword=key-pass', ['key-pass']],
    ['form-encoded', 'postgres://ro@h/db?password=a+b%2Bc', ['a b+c']],
    ['key=value, quoted with escapes', "host=db password='it\\'s a \\\\secret' dbname=app", ["it's a \\secret"]],
    ['key=value, bare', 'host=db password=hunter2 dbname=app', ['hunter2']],
    ['JDBC', 'jdbc:postgresql://db/app?user=a&password=hunter2', ['hunter2']],
    ['a malformed %', 'postgres://ro:hun%zzter2@h/db', ['hun%zzter2']],
    ['an unencoded @', 'postgres://ro:p@ss@h/db', ['p@ss']],
  ])('finds the password in %s', (_, value, expected) => {
    const parts = passwordParts(value);
    for (const part of expected) expect(parts).toContain(part);
  });

  it('masks every registered value in the forms it is printed in', () => {
    const password = `o'br"ien\\p%ss@w:rd/ü x`;
    registerConnectionSecrets(`postgres://ro:${encodeURIComponent(password)}@h/db`);
    const forms = [
      password,
      encodeURIComponent(password),
      encodeURIComponent(password).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
      new URLSearchParams({ p: password }).toString().slice(2),
      password.replaceAll("'", "''"),
      password.replaceAll("'", "''").replaceAll('\\', '\\\\'),
      JSON.stringify(password).slice(1, -1),
      JSON.stringify(password.replaceAll("'", "''")).slice(1, -1),
    ];
    for (const form of forms) expect(scrubSecrets(`before ${form} after`)).toBe('before ******** after');
  });

  it('masks password= values and URL passwords it was never told about', () => {
    expect(scrubSecrets('host=db password=unregistered1 dbname=x')).toBe('host=db password=******** dbname=x');
    expect(scrubSecrets('postgres://u@h/d?sslpassword=unregistered2&x=1')).toBe('postgres://u@h/d?sslpassword=********&x=1');
    expect(scrubSecrets('postgres://u:unregistered3@h/d')).toBe('postgres://u:********@h/d');
  });
});

describe('the local url names client files that must exist', () => {
  it('a missing sslrootcert is a problem at the url, before anything connects', async () => {
    const yaml = 'version: 1\ndatabases:\n  main:\n    url: ${LOCAL_URL}\n';
    const result = await parseConfig('datalinks.yaml', Buffer.from(yaml), {
      LOCAL_URL: 'postgres://app@db/app?sslmode=verify-full&sslrootcert=/no/such/ca.pem&sslcert=/etc/hostname',
    });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'datalinks.yaml:4:10: the url of database "main" names sslrootcert="/no/such/ca.pem", which does not exist\n  hint: sslrootcert is a file on this machine, read when datalinks connects: fix the path in the URL',
    ]);
  });
});

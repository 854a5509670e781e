import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseConfig, validateConfig } from '../../src/config/load-config.js';
import { formatProblem } from '../../src/config/problem.js';
import { readYamlDocument } from '../../src/config/yaml-document.js';
import { runCli, writeConfig } from '../support/cli.js';
import { fleetFile, tenantsOn } from '../support/fleet.js';

/** What the yaml package itself makes of a document, aliases and merge keys resolved without a limit. */
function yamlPackageData(text: string): unknown {
  return parseDocument(text, { merge: true }).toJS({ maxAliasCount: -1 });
}

function read(text: string) {
  const result = readYamlDocument('f.yaml', text);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result;
}

/** The 600-tenant shape of issue 29: every tenant on db.internal, with the shared links. */
function fleetOf(count: number): string {
  return fleetFile(tenantsOn('db.internal', count));
}

const FLEET_ENV = {
  CATALOG_URL: 'postgres://catalog_ro@catalog.internal/catalog',
  BILLING_URL: 'postgres://billing_ro@billing.internal/billing',
  OWNER_PASSWORD: 'owner-s3cret',
};

describe('aliases and merge keys', () => {
  it.each([
    ['an alias of a mapping', 'a: &a {x: 1, y: [2, 3]}\nb: *a\n'],
    ['an alias of a scalar and of a list', 'a: &s text\nb: *s\nc: &l [1, 2]\nd: [*l, *s]\n'],
    ['a merge key, with a key written after it winning', 'a: &a {x: 1, y: 2}\nb:\n  <<: *a\n  y: 3\n'],
    ['a merge key, with a key written before it winning', 'a: &a {x: 1, y: 2}\nb:\n  y: 3\n  <<: *a\n'],
    ['merged lists of mappings, the earlier one winning', 'a: &a {x: 1}\nb: &b {x: 2, z: 3}\nc:\n  <<: [*a, *b]\n  w: 4\n'],
    ['a merge inside a merge', 'a: &a {r: &r {u: 1, s: p}}\nb:\n  <<: *a\n  r: {<<: *r, s: q}\n'],
    ['an inline mapping merged', 'b:\n  <<: {x: 1}\n  y: 2\n'],
    ['an anchor redefined: the latest before the alias', 'a: &a 1\nb: *a\nc: &a 2\nd: *a\n'],
    ['__proto__ as a plain key, merged too', 'a: &a {__proto__: {polluted: true}}\nb:\n  <<: *a\n'],
    ['aliases nested in aliased blocks', 'a: &a {x: 1}\nb: &b {p: *a, q: *a}\nc: [*b, *b]\n'],
  ])('read %s as the yaml package reads it', (_, text) => {
    expect(read(text).data).toStrictEqual(yamlPackageData(text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the order of keys the yaml package gives, merged keys where the merge key is', () => {
    const text = 'x-links: &links {catalog: 1, billing: 2}\nlinks:\n  first: 0\n  <<: *links\n  last: 3\n';
    const keys = (data: unknown) => Object.keys((data as { links: object }).links);
    expect(keys(read(text).data)).toEqual(keys(yamlPackageData(text)));
    expect(keys(read(text).data)).toEqual(['first', 'catalog', 'billing', 'last']);
  });

  it('accepts an alias used far more than 100 times (the yaml package refuses the 101st by default)', async () => {
    const result = await parseConfig('fleet.yaml', Buffer.from(fleetOf(150)), FLEET_ENV);
    expect(result.ok).toBe(true);
  });

  it('validates a 600-tenant file written once, each tenant with the shared catalog and its own schema of billing', async () => {
    const result = await parseConfig('fleet.yaml', Buffer.from(fleetOf(600)), FLEET_ENV);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const { databases } = result.value;
    expect(databases).toHaveLength(600);
    for (const [i, database] of databases.entries()) {
      const name = `tenant_${String(i + 1).padStart(3, '0')}`;
      expect(database.alias).toBe(name);
      expect(database.target).toMatchObject({ host: 'db.internal', dbname: name, user: 'owner', password: 'owner-s3cret' });
      expect(database.links.map((link) => [link.name, link.remote.target.host, link.remote.schema, link.tables, link.access])).toEqual([
        ['catalog', 'catalog.internal', 'public', ['products', 'prices'], 'read'],
        ['billing', 'billing.internal', name, null, 'read'],
      ]);
    }
    const summary = await validateConfig(writeConfig(fleetOf(600)), {});
    expect(summary.ok && summary.value.databases.length).toBe(600);
  });

  it('reports a typo in a shared block once, at the block, with the number of places that use it, and annotates it once', async () => {
    const text = fleetOf(60)
      .replace('  access: read', '  acess: read')
      .replace('    url: ${CATALOG_URL}', '    url: ${CATALOG_URL}\n    shema: x');
    const result = await parseConfig('fleet.yaml', Buffer.from(text), FLEET_ENV);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'fleet.yaml:5:5: unknown key "shema" in "&catalog.remote" (&catalog is used in 60 places)\n  hint: did you mean "schema"?',
      'fleet.yaml:10:3: unknown key "acess" in "&billing" (&billing is used in 60 places)\n  hint: did you mean "access"?',
    ]);
    const cli = await runCli(['validate', '-c', writeConfig(text)], { ...FLEET_ENV, GITHUB_ACTIONS: 'true' });
    expect(cli.code).toBe(1);
    expect(cli.stderr.match(/^::error /gm)).toHaveLength(2);
    expect(cli.stderr).toContain('line=5,col=5');
  });

  it('counts the place a block is written in when it is read there, and places through enclosing blocks', async () => {
    // &remote is written in main's link (one place) and repeated by the links of &links, which two databases repeat.
    const text = [
      'version: 1',
      'databases:',
      '  main:',
      '    url: ${DATABASE_URL}',
      '    links:',
      '      billing:',
      '        remote: &remote',
      '          url: ${BILLING_URL}',
      '          shema: x',
      '  a:',
      '    url: ${A_URL}',
      '    links: &links',
      '      billing: {remote: *remote}',
      '      other: {remote: *remote}',
      '  b:',
      '    url: ${B_URL}',
      '    links: *links',
      '',
    ].join('\n');
    const env = {
      DATABASE_URL: 'postgres://m@h/main',
      BILLING_URL: 'postgres://b@h/b',
      A_URL: 'postgres://a@h/a',
      B_URL: 'postgres://b@h/bb',
    };
    const result = await parseConfig('f.yaml', Buffer.from(text), env);
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      'unknown key "shema" in "&remote" (&remote is used in 5 places)',
    ]);
  });

  it('reports a problem in a block used once as any other, by its path', async () => {
    const text =
      'version: 1\nx-billing: &billing\n  remote: {url: "${BILLING_URL}"}\n  acess: read\ndatabases:\n  main:\n    url: ${DATABASE_URL}\n    links:\n      billing: *billing\n';
    const result = await parseConfig('f.yaml', Buffer.from(text), { DATABASE_URL: 'postgres://m@h/main', BILLING_URL: 'postgres://b@h/b' });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'f.yaml:4:3: unknown key "acess" in "databases.main.links.billing"\n  hint: did you mean "access"?',
    ]);
  });

  it('refuses a "billion laughs" file at once, by the size it would expand to', () => {
    const levels = ['x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 12; i++)
      levels.push(
        `x-${i}: &l${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    const started = performance.now();
    const result = readYamlDocument('bomb.yaml', `version: 1\n${levels.join('\n')}\n`);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.ok ? '' : formatProblem(result.problems[0]!)).toMatch(
      /^bomb\.yaml:\d+:\d+: the file holds more than 1,000,000 values once its aliases are expanded, and this alias \(\*l\d+\) takes it past that/,
    );
  });

  it('refuses merge keys that copy more than the limit, even when each mapping is small', () => {
    const wide = `x-w: &w {${Array.from({ length: 2500 }, (_, i) => `k${i}: 1`).join(', ')}}`;
    const maps = Array.from({ length: 450 }, (_, i) => `m${i}: {<<: *w}`);
    const result = readYamlDocument('wide.yaml', `${wide}\n${maps.join('\n')}\n`);
    expect(result.ok ? '' : result.problems[0]?.message).toContain(
      'the file holds more than 1,000,000 values once its aliases are expanded',
    );
  });

  it('reads many aliases in time linear in their number', () => {
    const cpu = (tenants: number) => {
      const text = fleetOf(tenants);
      const before = process.cpuUsage();
      read(text);
      const used = process.cpuUsage(before);
      return used.user + used.system;
    };
    cpu(500); // warm-up
    const small = cpu(500);
    const large = cpu(4_000);
    expect(large / small).toBeLessThan(20);
  });
});

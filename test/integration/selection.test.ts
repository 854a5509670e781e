import { readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { shardOf } from '../../src/config/select.js';
import { runCli, writeConfig } from '../support/cli.js';
import { adminQuery, createDatabase, createLinkedPair, createRole, type TestDatabase, urlFor } from '../support/databases.js';

/** A remote nobody answers on. */
const DOWN = 'postgres://nobody:pw@127.0.0.1:1/nowhere';

const servers = async (local: TestDatabase) =>
  (await local.query<{ srvname: string }>('SELECT srvname FROM pg_catalog.pg_foreign_server ORDER BY 1')).map((r) => r.srvname);
const mappings = async (local: TestDatabase) =>
  (await local.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_catalog.pg_user_mappings'))[0]?.n;

/** main links billing (up) and crew; crew's remote is given by CREW_URL. */
const TWO_LINKS = `version: 1
databases:
  main:
    url: \${MAIN_URL}
    links:
      billing:
        remote:
          url: \${BILLING_URL}
      crew:
        remote:
          url: \${CREW_URL}
`;

async function twoLinks() {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer)');
  const config = writeConfig(TWO_LINKS);
  return { local, remote, config, dir: dirname(config), env: { MAIN_URL: local.url, BILLING_URL: remote.url, CREW_URL: remote.url } };
}

/** A remote that counts the connections made to it and closes each at once: down, and it can tell whether it was tried. */
async function countingRemote(): Promise<{ url: string; connections: () => number; close: () => void }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `postgres://nobody:pw@127.0.0.1:${port}/nowhere`, connections: () => connections, close: () => server.close() };
}

describe('--link: one link planned and applied while another remote is down', () => {
  it('plans and applies only the named link, reads no other remote, and says the plan is targeted', async () => {
    const { local, config, env } = await twoLinks();
    const crew = await countingRemote();
    onTestFinished(crew.close);
    const down = { ...env, CREW_URL: crew.url };
    const whole = await runCli(['plan', '-c', config], down);
    expect(whole.code).toBe(1);
    expect(whole.stdout).toContain('link crew: ');
    const tried = crew.connections();
    expect(tried).toBeGreaterThan(0);

    const plan = await runCli(['plan', '--link', 'billing', '-c', config], down);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+ link billing will be created');
    expect(plan.stdout).not.toContain('crew');
    expect(plan.stdout).toContain('Warning: this plan is targeted (--link billing)');
    const json = JSON.parse((await runCli(['plan', '--json', '--link', 'billing', '-c', config], down)).stdout);
    expect(json.selection).toEqual({ links: ['billing'], shard: null });
    const markdown = await runCli(['plan', '--markdown', '--link', 'billing', '-c', config], down);
    expect(markdown.stdout).toContain('> [!WARNING]\n> Warning: this plan is targeted (--link billing)');

    const applied = await runCli(['apply', '--auto-approve', '--link', 'billing', '-c', config], down);
    expect(applied.stdout).toContain('Database main: applied');
    expect(applied.code).toBe(0);
    expect(await servers(local)).toEqual(['billing']);

    // Targeted again, nothing left to do for billing; the whole plan still wants crew.
    const again = await runCli(['plan', '--detailed-exitcode', '--link', 'billing', '-c', config], down);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
    const check = await runCli(['check', '--link', 'billing', '-c', config], down);
    expect(check.stdout).toContain('✓ billing: ok');
    expect(check.stdout).not.toContain('crew');
    expect(check.code).toBe(0);
    // Not one connection to crew's remote since the untargeted plan.
    expect(crew.connections()).toBe(tried);
  });

  it('never destroys or alters a link outside the target, and it never reads its remote', async () => {
    const { local, remote, config, env } = await twoLinks();
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    // crew leaves the file, and billing's remote gains a table; crew's remote goes down.
    const billingOnly = TWO_LINKS.replace(/ {6}crew:\n.*\n.*\n/, '');
    expect(billingOnly).not.toContain('crew');
    writeFileSync(config, billingOnly);
    await remote.query('CREATE TABLE customers (id integer)');
    const plan = await runCli(['plan', '--link', 'billing', '-c', config], { ...env, CREW_URL: DOWN });
    expect(plan.stdout).toContain('+ foreign table billing.customers');
    expect(plan.stdout).not.toContain('destroyed');
    expect((await runCli(['apply', '--auto-approve', '--link', 'billing', '-c', config], env)).code).toBe(0);
    expect(await servers(local)).toEqual(['billing', 'crew']);
    // Untargeted, the plan destroys crew as usual.
    expect((await runCli(['plan', '-c', config], env)).stdout).toContain('- link crew will be destroyed');
  });

  it('refuses an unknown link name with the nearest one', async () => {
    const { config, env } = await twoLinks();
    const result = await runCli(['plan', '--link', 'biling', '-c', config], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no link "biling" in database "main" of ${config}`);
    expect(result.stderr).toContain('did you mean "billing"?');
  });

  it('a targeted saved plan is applied only with the same --link, and a whole plan never with one', async () => {
    const { local, config, dir, env } = await twoLinks();
    const targeted = join(dir, 'targeted.json');
    expect((await runCli(['plan', '--link', 'billing', '--out', targeted, '-c', config], env)).code).toBe(0);
    const without = await runCli(['apply', targeted, '-c', config], env);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain(`${targeted} is a targeted plan (--link "billing"): apply it with the same --link`);
    const other = await runCli(['apply', targeted, '--link', 'crew', '-c', config], env);
    expect(other.stderr).toContain(`${targeted} was made with --link "billing", not --link "crew"`);
    expect(await servers(local)).toEqual([]);

    const whole = join(dir, 'whole.json');
    expect((await runCli(['plan', '--out', whole, '-c', config], env)).code).toBe(0);
    const part = await runCli(['apply', whole, '--link', 'billing', '-c', config], env);
    expect(part.stderr).toContain(`${whole} is not a targeted plan`);
    expect(await servers(local)).toEqual([]);

    const applied = await runCli(['apply', targeted, '--link', 'billing', '-c', config], env);
    expect(applied.stdout).toContain('Warning: this plan is targeted (--link billing)');
    expect(applied.stdout).toContain('Database main: applied');
    expect(applied.code).toBe(0);
    expect(await servers(local)).toEqual(['billing']);
  });
});

/** Three tenants (a, b, c) linking the same remote. */
function fleet(aliases: string[], extra = '') {
  return `version: 1\ndatabases:\n${aliases
    .map(
      (alias) =>
        `  ${alias}:\n    url: \${${alias.toUpperCase()}_URL}\n    links:\n      billing:\n        remote:\n          url: \${BILLING_URL}\n${extra}`,
    )
    .join('')}`;
}

async function tenants(aliases: string[]) {
  const remote = await createDatabase('remote');
  await remote.query('CREATE TABLE invoices (id integer)');
  const locals = Object.fromEntries(await Promise.all(aliases.map(async (alias) => [alias, await createDatabase(alias)] as const)));
  const env: Record<string, string> = { BILLING_URL: remote.url };
  for (const alias of aliases) env[`${alias.toUpperCase()}_URL`] = (locals[alias] as TestDatabase).url;
  const config = writeConfig(fleet(aliases));
  return { remote, locals, env, config, dir: dirname(config) };
}

describe('saved fleet plans: shards, re-runs and edits elsewhere', () => {
  it('re-running a partly applied plan goes green: done databases are already applied, the rest applied', async () => {
    const { locals, env, config, dir } = await tenants(['a', 'b', 'c']);
    const planFile = join(dir, 'plan.json');
    expect((await runCli(['plan', '--out', planFile, '-c', config], env)).code).toBe(0);
    // The first run applied a only (b and c failed, or the job was cancelled).
    expect((await runCli(['apply', planFile, '-d', 'a', '-c', config], env)).code).toBe(0);
    // b changed by hand since: only b is stale.
    await (locals.b as TestDatabase).query('CREATE SCHEMA billing');

    const rerun = await runCli(['apply', planFile, '-c', config], env);
    expect(rerun.stdout).toContain('Database a: already applied');
    expect(rerun.stdout).toContain('Database b: refused: stale plan');
    expect(rerun.stdout).toContain('Database c: applied');
    expect(rerun.stdout).toContain('Apply finished with errors: 1 applied, 1 already applied, 1 not applied');
    expect(rerun.code).toBe(1);

    await (locals.b as TestDatabase).query('DROP SCHEMA billing');
    const green = await runCli(['apply', planFile, '-c', config], env);
    expect(green.stdout).toContain('Database a: already applied');
    expect(green.stdout).toContain('Database b: applied');
    expect(green.stdout).toContain('Database c: already applied');
    expect(green.stdout).toContain('Apply complete: 1 database changed, 2 already applied.');
    expect(green.code).toBe(0);
    for (const local of Object.values(locals)) expect(await servers(local)).toEqual(['billing']);
  });

  it('is stale, not already applied, when a remote changed since the plan even though the database caught up', async () => {
    const { remote, env, config, dir } = await tenants(['a']);
    const planFile = join(dir, 'plan.json');
    expect((await runCli(['plan', '--out', planFile, '-c', config], env)).code).toBe(0);
    await remote.query('CREATE TABLE customers (id integer)');
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    const result = await runCli(['apply', planFile, '-c', config], env);
    expect(result.stdout).toContain('Database a: refused: stale plan');
    expect(result.code).toBe(1);
  });

  it("a comment, or another database's entry, does not stale a plan; an edit to its own database does, naming the part", async () => {
    const { locals, env, config, dir } = await tenants(['a', 'b']);
    const planFile = join(dir, 'a.json');
    expect((await runCli(['plan', '-d', 'a', '--out', planFile, '-c', config], env)).code).toBe(0);
    const text = readFileSync(config, 'utf8');
    // A comment, and b's link made writable: the file's hash changes, a's configuration does not.
    const edited = `# tenants, reviewed\n${text.replace(/(\n {2}b:\n(?:.*\n){5})/, '$1        access: write\n')}`;
    expect(edited).toContain('access: write');
    writeFileSync(config, edited);
    const applied = await runCli(['apply', planFile, '-c', config], env);
    expect(applied.stdout).toContain('Database a: applied');
    expect(applied.code).toBe(0);

    const bPlan = join(dir, 'b.json');
    expect((await runCli(['plan', '-d', 'b', '--out', bPlan, '-c', config], env)).code).toBe(0);
    writeFileSync(config, edited.replace('access: write', 'access: read\n        grant_to: [public]'));
    const refused = await runCli(['apply', bPlan, '-c', config], env);
    expect(refused.stdout).toContain(
      'Database b: refused: not applied: its configuration changed since this plan was made (link "billing": its access; link "billing": its grant_to)',
    );
    expect(refused.code).toBe(1);
    expect(await servers(locals.b as TestDatabase)).toEqual([]);
  });

  it('--shard I/N: the shards hold every alias once, the plan records its shard, and apply refuses another shard', async () => {
    const aliases = ['a', 'b', 'c', 'd'];
    const { env, config, dir } = await tenants(aliases);
    const planned: string[] = [];
    for (const index of [1, 2]) {
      const file = join(dir, `shard-${index}.json`);
      const plan = await runCli(['plan', '--shard', `${index}/2`, '--out', file, '-c', config], env);
      expect(plan.code).toBe(0);
      const document = JSON.parse(readFileSync(file, 'utf8'));
      expect(document.selection).toEqual({ links: null, shard: { index, count: 2 } });
      const names = document.databases.map((db: { name: string }) => db.name);
      expect(names).toEqual(aliases.filter((alias) => shardOf(alias, 2) === index));
      expect(plan.stdout).toContain(`Shard ${index}/2 of the file's databases (--shard)`);
      planned.push(...names);
    }
    expect(planned.sort()).toEqual(aliases);
    const wrong = await runCli(['apply', join(dir, 'shard-1.json'), '--shard', '2/2', '-c', config], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('is shard 1/2, not shard 2/2');
    const right = await runCli(['apply', join(dir, 'shard-1.json'), '--shard', '1/2', '-c', config], env);
    expect(right.code).toBe(0);
    const bad = await runCli(['plan', '--shard', '3/2', '-c', config], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"3/2": the shard must be between 1 and 2');
  });

  it('apply FILE -d ALIAS for a database the plan does not hold is an error naming those it holds', async () => {
    const { locals, env, config, dir } = await tenants(['a', 'b']);
    const planFile = join(dir, 'b.json');
    expect((await runCli(['plan', '-d', 'b', '--out', planFile, '-c', config], env)).code).toBe(0);
    const result = await runCli(['apply', planFile, '-d', 'a', '-c', config], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`database "a" is not in ${planFile}, which holds "b"`);
    expect(result.stdout).not.toContain('nothing to apply');
    expect(await servers(locals.a as TestDatabase)).toEqual([]);
    expect(await servers(locals.b as TestDatabase)).toEqual([]);
  });
});

describe('a stale saved plan says what changed', () => {
  it('says the credentials changed when only the remote password did, and prints no password', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE invoices (id integer)');
    const role = await createRole('billing');
    await remote.query(`GRANT SELECT ON invoices TO ${role.name}`);
    const config = writeConfig(fleet(['main']));
    const env = { MAIN_URL: local.url, BILLING_URL: urlFor(remote.name, role) };
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    await remote.query('CREATE TABLE customers (id integer)');
    await remote.query(`GRANT SELECT ON customers TO ${role.name}`);
    const planFile = join(dirname(config), 'plan.json');
    expect((await runCli(['plan', '--out', planFile, '-c', config], env)).code).toBe(0);

    const rotated = 'rotated-pw-7d1f';
    await adminQuery(`ALTER ROLE ${pg.escapeIdentifier(role.name)} PASSWORD ${pg.escapeLiteral(rotated)}`);
    const newEnv = { ...env, BILLING_URL: urlFor(remote.name, { name: role.name, password: rotated }) };
    const result = await runCli(['apply', planFile, '-c', config], newEnv);
    expect(result.stdout).toContain('stale plan: the credentials of link "billing" changed since this plan was made');
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).not.toContain(rotated);
    expect(`${result.stdout}${result.stderr}`).not.toContain(role.password);
  });
});

describe('destroy -d ALIAS: offboarding', () => {
  it('removes every managed link of the database, user mappings and their credentials included, and nothing else', async () => {
    const { local, config, env } = await twoLinks();
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    await local.query(`CREATE SERVER hand_made FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'elsewhere')`);
    expect(await mappings(local)).toBe(2);

    const noDatabase = await runCli(['destroy', '--auto-approve', '-c', config], env);
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stderr).toContain('destroy needs the databases to offboard, with -d ALIAS');
    const unconfirmed = await runCli(['destroy', '-d', 'main', '-c', config], env);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stdout).toContain('- link billing will be destroyed');
    expect(await servers(local)).toEqual(['billing', 'crew', 'hand_made']);

    // One link first (--link), then the rest; no remote is read, so a remote that is down does not matter.
    const one = await runCli(['destroy', '-d', 'main', '--link', 'crew', '--auto-approve', '-c', config], { ...env, BILLING_URL: DOWN });
    expect(one.code).toBe(0);
    expect(await servers(local)).toEqual(['billing', 'hand_made']);
    const all = await runCli(['destroy', '-d', 'main', '--auto-approve', '-c', config], { ...env, BILLING_URL: DOWN, CREW_URL: DOWN });
    expect(all.stdout).toContain('- link billing will be destroyed');
    expect(all.code).toBe(0);
    expect(await servers(local)).toEqual(['hand_made']);
    expect(await mappings(local)).toBe(0);
    expect((await local.query(`SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname IN ('billing', 'crew')`)).length).toBe(0);
  });

  it('refuses to drop what depends on a link unless --allow-dependent-drops', async () => {
    const { local, config, env } = await twoLinks();
    expect((await runCli(['apply', '--auto-approve', '-c', config], env)).code).toBe(0);
    await local.query('CREATE VIEW public.invoice_ids AS SELECT id FROM billing.invoices');
    const refused = await runCli(['destroy', '-d', 'main', '--auto-approve', '-c', config], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('view public.invoice_ids');
    expect(await servers(local)).toEqual(['billing', 'crew']);
    const allowed = await runCli(['destroy', '-d', 'main', '--auto-approve', '--allow-dependent-drops', '-c', config], env);
    expect(allowed.code).toBe(0);
    expect(await servers(local)).toEqual([]);
  });
});

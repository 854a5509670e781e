import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { DesiredState } from '../../src/config/types.js';
import { compareBytewise, LINK_DIGEST, linkDigestOf } from '../../src/introspect/link-digest.js';
import { FOREIGN_TABLES_OR_LINK_DIGESTS_QUERY, LINK_FOREIGN_TABLES_QUERY } from '../../src/introspect/local-queries.js';
import { observeDatabaseStandalone, type PlannerRules, RemoteReader, readLinkCatalog } from '../../src/introspect/observe.js';
import type { ObservedDatabase } from '../../src/introspect/types.js';
import { planChanges } from '../../src/plan/plan-changes.js';
import { plannerRules } from '../../src/plan/planner-rules.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { adminUrl, createLinkedPair, createRole, type TestDatabase, withClient } from '../support/databases.js';

/** Names whose bytewise (COLLATE "C") order is not JavaScript's, and every character a record quotes. */
const NAMES = ['a', 'Z', 'é', '😀', '\uFFFD', 'a,(b)"c\\ ', 'x y', ''];

/** The remote's tables: one per name of NAMES (the empty one as "t"). */
async function remoteTables(remote: TestDatabase): Promise<void> {
  const tables = NAMES.map((name) => `CREATE TABLE "${(name || 't').replace(/"/g, '""')}" (id integer NOT NULL, label text DEFAULT 'x')`);
  await remote.query(tables.join(';\n'));
}

function twoLinks(role: string): string {
  return `${oneLinkConfig()}      shop:
        remote:
          url: \${BILLING_URL}
        grant_to: [${role}]
        import_options: { import_default: true }
`;
}

/**
 * A plan as `plan` makes it, and the statements introspection sent; with `digests: false`, the link
 * digests are never taken as proof, so every foreign table is read as its own row.
 */
async function observe(desired: DesiredState, digests = true): Promise<{ observed: ObservedDatabase; sent: string[]; summary: string }> {
  const sent: string[] = [];
  const options = { connectTimeoutMs: 10_000, onQuery: (sql: string) => sent.push(sql) };
  const database = desired.databases[0];
  if (!database) throw new Error('one database expected');
  const rules: PlannerRules = { ...plannerRules({}), ...(digests ? {} : { expectedLinkTables: () => null }) };
  const observed = await observeDatabaseStandalone(database, new RemoteReader(desired, options), options, rules);
  const plan = planChanges(desired, [observed], {});
  expect(plan.databases[0]?.errors).toEqual([]);
  return { observed, sent, summary: JSON.stringify(plan.summary) };
}

/** The links whose tables FOREIGN_TABLES_OR_LINK_DIGESTS_QUERY reads as one row (all alike). */
async function linksReadAsOneRow(local: TestDatabase): Promise<string[]> {
  return withClient(local.url, async (client) => {
    const { rows } = await client.query<{ schema: string; tables: string | null }>(FOREIGN_TABLES_OR_LINK_DIGESTS_QUERY, [
      ['billing', 'shop'],
    ]);
    return rows.filter((row) => row.tables !== null).map((row) => row.schema);
  });
}

function tablesOf(observed: ObservedDatabase) {
  if (!observed.local.ok) throw new Error(observed.local.error);
  return observed.local.catalog.foreignTables;
}

describe('link digests', () => {
  it('a no-op plan reads one row a link, and the tables it stands for are the catalog’s, row for row', async () => {
    const { local, remote } = await createLinkedPair();
    const reader = await createRole('reader');
    await remoteTables(remote);
    const yaml = twoLinks(reader.name);
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const config = writeConfig(yaml);
    expect((await runCli(['apply', '--auto-approve', '--no-verify', '-c', config], env)).code).toBe(0);
    const desired = await parseConfig('inline.yaml', Buffer.from(yaml), env);
    if (!desired.ok) throw new Error('config should be valid');

    const unchanged = await observe(desired.value);
    expect(unchanged.summary).toBe('{"create":0,"update":0,"destroy":0}');
    expect(unchanged.sent).not.toContain(LINK_FOREIGN_TABLES_QUERY);
    const tables = tablesOf(unchanged.observed);
    expect(tables.filter((t) => t.columns !== null)).toEqual([]);
    // The same fields and order as the catalog's own rows (what `list` reads), grants included.
    const [database] = desired.value.databases;
    if (!database) throw new Error('one database expected');
    const catalog = await readLinkCatalog(database, { connectTimeoutMs: 10_000 });
    expect(tables.map(({ schema, name, server, owner, options, grants }) => ({ schema, name, server, owner, options, grants }))).toEqual(
      catalog.foreignTables,
    );
    expect(catalog.foreignTables.filter((t) => t.schema === 'shop').every((t) => t.grants.length > 0)).toBe(true);
    // And what reading every table as its own row gives.
    const perTable = await observe(desired.value, false);
    expect(perTable.sent).toContain(LINK_FOREIGN_TABLES_QUERY);
    expect(tablesOf(perTable.observed)).toEqual(tables);
  });

  it('a table made unlike the others is read as its own row with the rest of its link, and the plan puts it right', async () => {
    const { local, remote } = await createLinkedPair();
    const reader = await createRole('reader');
    const other = await createRole('other');
    await remoteTables(remote);
    const yaml = twoLinks(reader.name);
    const env = { LOCAL_URL: local.url, BILLING_URL: remote.url };
    const config = writeConfig(yaml);
    const cli = (...args: string[]) => runCli([...args, '-c', config], env);
    expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);
    const desired = await parseConfig('inline.yaml', Buffer.from(yaml), env);
    if (!desired.ok) throw new Error('config should be valid');
    // Each: the change by hand; whether its link is then still read as one row, though its digest is
    // not the one expected (its tables are then read by LINK_FOREIGN_TABLES_QUERY), or as a row a table;
    // and, for a change the plan keeps (an option postgres_fdw reads the same), how to undo it by hand.
    const drifts: { sql: string; uniform: boolean; undo?: string }[] = [
      { sql: `GRANT SELECT ON shop."x y" TO ${other.name}`, uniform: false },
      { sql: `REVOKE SELECT ON shop."😀" FROM ${reader.name}`, uniform: false },
      { sql: `ALTER FOREIGN TABLE billing.a OPTIONS (SET table_name 'Z')`, uniform: false },
      { sql: `ALTER FOREIGN TABLE billing."é" OPTIONS (SET schema_name 'elsewhere')`, uniform: false },
      {
        sql: `ALTER FOREIGN TABLE billing."é" OPTIONS (DROP table_name)`,
        uniform: false,
        undo: `ALTER FOREIGN TABLE billing."é" OPTIONS (ADD table_name 'é')`,
      },
      {
        sql: `ALTER FOREIGN TABLE billing."é" OPTIONS (ADD use_remote_estimate 'true')`,
        uniform: false,
        undo: `ALTER FOREIGN TABLE billing."é" OPTIONS (DROP use_remote_estimate)`,
      },
      {
        sql: `CREATE FOREIGN TABLE billing.gone (id integer) SERVER billing OPTIONS (schema_name 'public', table_name 'gone')`,
        uniform: true,
      },
      { sql: 'DROP FOREIGN TABLE shop.t', uniform: true },
      { sql: 'ALTER FOREIGN TABLE shop.a ALTER COLUMN label DROP DEFAULT', uniform: true },
      { sql: `ALTER FOREIGN TABLE billing."😀" RENAME TO "😀😀"`, uniform: false },
    ];
    const noChanges = '{"create":0,"update":0,"destroy":0}';
    for (const { sql, uniform, undo } of drifts) {
      await local.query(sql);
      const drifted = await observe(desired.value);
      const perTable = await observe(desired.value, false);
      // What the plan sees and does is what reading every table as its own row gives.
      expect({ sql, summary: drifted.summary }).toEqual({ sql, summary: perTable.summary });
      expect(tablesOf(drifted.observed)).toEqual(tablesOf(perTable.observed));
      expect({ sql, digests: await linksReadAsOneRow(local), fallback: drifted.sent.includes(LINK_FOREIGN_TABLES_QUERY) }).toEqual({
        sql,
        digests: uniform ? ['billing', 'shop'] : ['billing', 'shop'].filter((link) => !sql.includes(`${link}.`)),
        fallback: uniform,
      });
      expect({ sql, summary: drifted.summary === noChanges }).toEqual({ sql, summary: undo !== undefined });
      const applied = await cli('apply', '--auto-approve', '--no-verify');
      expect({ sql, code: applied.code, out: applied.code ? applied.stdout + applied.stderr : '' }).toEqual({ sql, code: 0, out: '' });
      if (undo) await local.query(undo);
      const again = await observe(desired.value);
      expect({
        sql,
        summary: again.summary,
        digests: await linksReadAsOneRow(local),
        fallback: again.sent.includes(LINK_FOREIGN_TABLES_QUERY),
      }).toEqual({
        sql,
        summary: noChanges,
        digests: ['billing', 'shop'],
        fallback: false,
      });
    }
  });

  it('the planner writes a link digest as PostgreSQL does, whatever the names', async () => {
    const name = fc
      .string({
        unit: fc.oneof(fc.constantFrom(...'"\\(),{} é\uFFFD😀'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })),
        minLength: 1,
        maxLength: 8,
      })
      .filter((s) => !s.includes('\0'));
    const signature = fc.stringMatching(/^[0-9a-f]{64}$/);
    await withClient(adminUrl(), async (client) => {
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(fc.tuple(name, signature), { selector: ([n]) => n, minLength: 1, maxLength: 6 }), async (pairs) => {
          const { rows } = await client.query<{ digest: string }>(
            `SELECT ${LINK_DIGEST('v.name', 'v.sig')} AS digest FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS v(name, sig)`,
            [pairs.map(([n]) => n), pairs.map(([, s]) => s)],
          );
          const tables = pairs.map(([n, s]) => ({ name: n, signature: s })).sort((a, b) => compareBytewise(a.name, b.name));
          expect(linkDigestOf(tables)).toBe(rows[0]?.digest);
        }),
        { numRuns: 100 },
      );
    });
  });
});

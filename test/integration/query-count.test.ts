import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/cli/run-plan.js';
import { parseConfig } from '../../src/config/load-config.js';
import { REMOTE_TABLES_QUERY } from '../../src/introspect/remote/postgres-queries.js';
import { createDatabase, createLinkedPair } from '../support/databases.js';

async function countPlanQueries(links: number, tables: number): Promise<number> {
  const { local, remote } = await createLinkedPair();
  for (let t = 0; t < tables; t++) await remote.query(`CREATE TABLE t${t} (id integer, name text)`);
  const linkYaml = Array.from({ length: links }, (_, i) => `      link_${i}:\n        remote:\n          url: \${REMOTE_URL}\n`).join('');
  const yaml = `version: 1\ndatabases:\n  main:\n    url: \${LOCAL_URL}\n    links:\n${linkYaml}`;
  const config = await parseConfig('inline.yaml', Buffer.from(yaml), { LOCAL_URL: local.url, REMOTE_URL: remote.url });
  if (!config.ok) throw new Error('config should be valid');
  let queries = 0;
  const { plan } = await runPlan(config.value, { connectTimeoutMs: 10_000, parallelism: 4, planOptions: {}, onQuery: () => queries++ });
  expect(plan.databases[0]?.errors).toEqual([]);
  expect(plan.summary.create).toBe(links);
  return queries;
}

describe('introspection cost', () => {
  it('sends the same number of queries whatever the number of links and tables', async () => {
    const small = await countPlanQueries(1, 1);
    const large = await countPlanQueries(12, 30);
    expect(large).toBe(small);
    expect(small).toBeLessThanOrEqual(12);
  });

  it('reads a remote that many tenant databases link to once per run, not once per tenant (README "Fleets")', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query('CREATE TABLE products (id integer, name text)');
    const tenants = [local, await createDatabase('tenant'), await createDatabase('tenant')];
    const yaml = `version: 1\ndatabases:\n${tenants
      .map(
        (_, i) =>
          `  tenant_${i}:\n    url: \${TENANT_${i}_URL}\n    links:\n      catalog:\n        remote:\n          url: \${REMOTE_URL}\n`,
      )
      .join('')}`;
    const env = { REMOTE_URL: remote.url, ...Object.fromEntries(tenants.map((tenant, i) => [`TENANT_${i}_URL`, tenant.url])) };
    const config = await parseConfig('inline.yaml', Buffer.from(yaml), env);
    if (!config.ok) throw new Error('config should be valid');
    const sent: string[] = [];
    const { plan } = await runPlan(config.value, {
      connectTimeoutMs: 10_000,
      parallelism: 4,
      planOptions: {},
      onQuery: (sql) => sent.push(sql),
    });
    expect(plan.databases.map((database) => database.errors)).toEqual([[], [], []]);
    expect(plan.summary.create).toBe(3);
    expect(sent.filter((sql) => sql === REMOTE_TABLES_QUERY)).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/cli/run-plan.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createLinkedPair } from '../support/databases.js';

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
});

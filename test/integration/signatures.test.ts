import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/cli/run-plan.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { ObservedDatabase } from '../../src/introspect/types.js';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { createLinkedPair, type TestDatabase } from '../support/databases.js';
import { remoteSignature } from '../support/signature-model.js';

const IMPORT_OPTION_SETS = [
  '',
  '        import_options: { import_default: true }\n',
  '        import_options: { import_collate: false, import_not_null: false, import_generated: false, import_default: true }\n',
];

/** Remote tables with every part a column signature covers. */
async function remoteSchema(local: TestDatabase, remote: TestDatabase, tables: number): Promise<void> {
  for (const db of [local, remote]) {
    await db.query(`CREATE SCHEMA kinds`);
    await db.query(`CREATE TYPE kinds.mood AS ENUM ('ok', 'sad')`);
    await db.query(`CREATE DOMAIN kinds.code AS text COLLATE "C" CHECK (VALUE <> '')`);
  }
  await remote.query(`CREATE SEQUENCE public.t_seq`);
  await local.query(`CREATE SEQUENCE public.t_seq`);
  for (let t = 0; t < tables; t++) {
    await remote.query(`CREATE TABLE "t ${t}" (
      id integer NOT NULL DEFAULT nextval('public.t_seq'),
      "Name" varchar(40) COLLATE "C",
      price numeric(12,2) DEFAULT 1.5,
      at timestamptz DEFAULT '2024-01-02 03:04:05+00',
      mood kinds.mood,
      code kinds.code,
      tags text[] NOT NULL DEFAULT '{}',
      "Ä 😀" text DEFAULT 'é😀',
      "a,(b)""c\\ " text DEFAULT 'x,(y)"z\\',
      doubled numeric GENERATED ALWAYS AS (price * 2) STORED)`);
  }
  await remote.query(`CREATE VIEW v AS SELECT id, tags FROM "t 0"`);
}

async function plan(
  local: TestDatabase,
  remote: TestDatabase,
  importOptions: string,
): Promise<{ observed: ObservedDatabase; summary: string }> {
  const yaml = oneLinkConfig(importOptions);
  const config = await parseConfig('inline.yaml', Buffer.from(yaml), { LOCAL_URL: local.url, BILLING_URL: remote.url });
  if (!config.ok) throw new Error('config should be valid');
  const { plan, observed } = await runPlan(config.value, { connectTimeoutMs: 10_000, parallelism: 1, planOptions: {} });
  const database = plan.databases[0];
  expect(database?.errors).toEqual([]);
  return { observed: observed[0] as ObservedDatabase, summary: JSON.stringify(plan.summary) };
}

/** The names of the link's foreign tables whose columns introspection read. */
function read(observed: ObservedDatabase): string[] {
  if (!observed.local.ok) throw new Error(observed.local.error);
  return observed.local.catalog.foreignTables.filter((t) => t.schema === 'billing' && t.columns !== null).map((t) => t.name);
}

describe('column signatures', () => {
  for (const options of IMPORT_OPTION_SETS) {
    it(`a no-op plan reads no columns, and a changed column is still found (${options.trim() || 'default import options'})`, async () => {
      const { local, remote } = await createLinkedPair();
      await remoteSchema(local, remote, 4);
      const config = writeConfig(oneLinkConfig(options));
      const cli = (...args: string[]) => runCli([...args, '-c', config], { LOCAL_URL: local.url, BILLING_URL: remote.url });
      expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);

      const unchanged = await plan(local, remote, options);
      expect(unchanged.summary).toBe('{"create":0,"update":0,"destroy":0}');
      expect(read(unchanged.observed)).toEqual([]);
      // The unit tests' model of the signature is the remote's SQL.
      const remoteTables = unchanged.observed.remotes.billing;
      if (!remoteTables?.ok) throw new Error('the remote should be read');
      for (const table of remoteTables.tables) expect(table.signature).toEqual(remoteSignature(table.columns));

      // A remote change: only that table's columns are read, and the plan fixes it.
      await remote.query(`ALTER TABLE "t 1" ALTER COLUMN "Name" TYPE varchar(50)`);
      const retyped = await plan(local, remote, options);
      expect(retyped.summary).toBe('{"create":0,"update":1,"destroy":0}');
      expect(read(retyped.observed)).toEqual(['t 1']);
      expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);
      expect(read((await plan(local, remote, options)).observed)).toEqual([]);

      // A local change by hand is found too.
      await local.query(`ALTER FOREIGN TABLE billing."t 2" ALTER COLUMN "Name" TYPE varchar(41)`);
      const drifted = await plan(local, remote, options);
      expect(drifted.summary).toBe('{"create":0,"update":1,"destroy":0}');
      expect(read(drifted.observed)).toEqual(['t 2']);
      expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);
      expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
    });
  }

  it('finds each kind of column change, on either side', async () => {
    const { local, remote } = await createLinkedPair();
    await remoteSchema(local, remote, 1);
    const options = IMPORT_OPTION_SETS[1] as string;
    const config = writeConfig(oneLinkConfig(options));
    const cli = (...args: string[]) => runCli([...args, '-c', config], { LOCAL_URL: local.url, BILLING_URL: remote.url });
    expect((await cli('apply', '--auto-approve', '--no-verify')).code).toBe(0);
    const changes = [
      [remote, `ALTER TABLE "t 0" ALTER COLUMN id DROP NOT NULL`],
      [remote, `ALTER TABLE "t 0" ALTER COLUMN "Name" TYPE varchar(40) COLLATE "POSIX"`],
      [remote, `ALTER TABLE "t 0" ALTER COLUMN price SET DEFAULT 2.5`],
      [remote, `ALTER TABLE "t 0" RENAME COLUMN tags TO labels`],
      [remote, `ALTER TABLE "t 0" ADD COLUMN extra int`],
      [local, `ALTER FOREIGN TABLE billing."t 0" ALTER COLUMN at DROP DEFAULT`],
      [local, `ALTER FOREIGN TABLE billing."t 0" ALTER COLUMN mood OPTIONS (SET column_name 'feeling')`],
      [local, `ALTER FOREIGN TABLE billing."t 0" ALTER COLUMN "Name" SET NOT NULL`],
      [local, `ALTER FOREIGN TABLE billing."t 0" ALTER COLUMN code TYPE text COLLATE "C"`],
    ] as const;
    for (const [db, sql] of changes) {
      await db.query(sql);
      const changed = await plan(local, remote, options);
      expect({ sql, summary: changed.summary }).toEqual({ sql, summary: '{"create":0,"update":1,"destroy":0}' });
      expect(read(changed.observed)).toEqual(['t 0']);
      const applied = await cli('apply', '--auto-approve', '--no-verify');
      expect({ sql, code: applied.code, out: applied.code ? applied.stdout : '' }).toEqual({ sql, code: 0, out: '' });
      expect({ sql, read: read((await plan(local, remote, options)).observed) }).toEqual({ sql, read: [] });
    }
  });
});

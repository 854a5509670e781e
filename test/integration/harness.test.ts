import { describe, expect, it } from 'vitest';
import { createLinkedPair, urlFor } from '../support/databases.js';

describe('the test harness', () => {
  it('gives each test a local and a remote database that postgres_fdw can link by hand', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query(`CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL)`);
    await remote.query(`INSERT INTO people VALUES (1, 'Ada'), (2, 'Grace')`);
    const target = new URL(urlFor(remote.name));
    await local.query('CREATE EXTENSION postgres_fdw');
    await local.query(
      `CREATE SERVER by_hand FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '${target.hostname}', port '${target.port}', dbname '${remote.name}')`,
    );
    await local.query(
      `CREATE USER MAPPING FOR CURRENT_USER SERVER by_hand OPTIONS (user '${decodeURIComponent(target.username)}', password '${decodeURIComponent(target.password)}')`,
    );
    await local.query('CREATE SCHEMA by_hand');
    await local.query('IMPORT FOREIGN SCHEMA public FROM SERVER by_hand INTO by_hand');
    const rows = await local.query('SELECT name FROM by_hand.people ORDER BY id');
    expect(rows).toEqual([{ name: 'Ada' }, { name: 'Grace' }]);
  });
});

import { describe, expect, it } from 'vitest';
import { createLinkedPair, linkByHand, urlFor } from '../support/databases.js';

describe('the test harness', () => {
  it('gives each test a local and a remote database that postgres_fdw can link by hand', async () => {
    const { local, remote } = await createLinkedPair();
    await remote.query(`CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL)`);
    await remote.query(`INSERT INTO people VALUES (1, 'Ada'), (2, 'Grace')`);
    await linkByHand(local, urlFor(remote.name), 'by_hand');
    const rows = await local.query('SELECT name FROM by_hand.people ORDER BY id');
    expect(rows).toEqual([{ name: 'Ada' }, { name: 'Grace' }]);
  });
});

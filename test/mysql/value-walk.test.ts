import { describe, expect, inject, it } from 'vitest';
import { mysqlMissing } from '../support/mysql.js';
import { runValueWalk } from '../support/value-walk/walk.js';

describe.skipIf(mysqlMissing() !== '')('the value walk (issue 24; `npm run fuzz -- --mysql` runs it longer)', () => {
  it('links random MariaDB columns at random widths: each is refused by plan, or reads back every value exactly', async () => {
    const stats = await runValueWalk({
      seed: 24,
      mysqlAdminUrl: inject('mysqlAdminUrl'),
      localAdminUrl: inject('mysqlLocalAdminUrl'),
      tables: 3,
      shape: { columns: 10, randomRows: 4 },
    });
    // The walk compared something of every kind it is meant to cover, not an empty link.
    expect(stats.relations).toBeGreaterThanOrEqual(3);
    expect(stats.values).toBeGreaterThan(200);
  });
});

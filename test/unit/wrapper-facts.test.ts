import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IMPORT_OPTIONS } from '../../src/config/types.js';
import { WRAPPERS } from '../../src/wrappers/index.js';
import type { OptionValue } from '../../src/wrappers/types.js';

const schema = JSON.parse(readFileSync('schemas/datalinks.schema.json', 'utf8'));

describe("each wrapper's table of facts is the one source", () => {
  it('schemas/datalinks.schema.json takes exactly the server options of the wrappers, with the types their tables give', () => {
    const fromTables = new Map<string, OptionValue>();
    for (const wrapper of WRAPPERS) {
      for (const [name, fact] of Object.entries(wrapper.serverOptionTable)) {
        if (fact.fromAccess) continue;
        // An option both wrappers take (fetch_size, use_remote_estimate) is written the same for both.
        if (fromTables.has(name)) expect(fact.value, name).toStrictEqual(fromTables.get(name));
        fromTables.set(name, fact.value);
      }
    }
    const properties = schema.$defs.serverOptions.properties;
    expect(Object.keys(properties).sort()).toStrictEqual([...fromTables.keys()].sort());
    for (const [name, value] of fromTables) expect(properties[name], name).toStrictEqual(value);
  });

  it("the schema's import option defaults are the planner's", () => {
    const properties = schema.$defs.importOptions.properties as Record<string, { default: boolean }>;
    expect(Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, p.default]))).toStrictEqual(DEFAULT_IMPORT_OPTIONS);
  });

  it('writes host:port/database one way, with each wrapper its own default port', () => {
    const endpoint = { host: 'db.internal', port: null, dbname: 'shop' };
    expect(WRAPPERS.map((wrapper) => wrapper.describe(endpoint))).toStrictEqual(['db.internal:5432/shop', 'db.internal:3306/shop']);
  });
});

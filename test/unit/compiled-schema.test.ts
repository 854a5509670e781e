import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without types
import { compileSchemaSource } from '../../scripts/compile-schema.mjs';

describe('the compiled config validator', () => {
  it('matches schemas/datalinks.schema.json (run npm run build after editing the schema)', () => {
    expect(readFileSync('src/config/generated/validate-config.ts', 'utf8')).toBe(compileSchemaSource());
  });
});

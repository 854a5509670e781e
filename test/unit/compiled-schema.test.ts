import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without types
import { COMPILED, compileSchemaSource } from '../../scripts/compile-schema.mjs';

describe('the compiled validators', () => {
  it.each(COMPILED as { schema: string; output: string }[])(
    '$output matches schemas/$schema (run npm run build after editing it)',
    ({ schema, output }) => {
      expect(readFileSync(`src/config/generated/${output}`, 'utf8')).toBe(compileSchemaSource(schema));
    },
  );
});

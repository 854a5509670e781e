// Compiles schemas/datalinks.schema.json (the config) and schemas/plan.schema.json (saved plans) into
// standalone validators (ajv's standalone code), so the CLI does not load and run ajv's compiler on
// every start. `npm run build` runs this; a unit test checks that the committed output matches.
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

export const COMPILED = [
  { schema: 'datalinks.schema.json', output: 'validate-config.ts' },
  { schema: 'plan.schema.json', output: 'validate-plan.ts' },
];

export function compileSchemaSource(schemaFile = 'datalinks.schema.json') {
  const schema = JSON.parse(readFileSync(new URL(`../schemas/${schemaFile}`, import.meta.url), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, code: { source: true, esm: true } });
  const code = standaloneCode.default(ajv, ajv.compile(schema));
  // ajv's ESM output still require()s its small runtime helpers: turn those into imports.
  const imports = [];
  const body = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_, path) => {
    const name = `runtime_${imports.length}`;
    imports.push(`import ${name} from "${path}.js";`);
    return `(${name}.default ?? ${name})`;
  });
  return `// @ts-nocheck\n// Generated from schemas/${schemaFile} by scripts/compile-schema.mjs. Do not edit.\n${imports.join('\n')}\n${body.replace('"use strict";', '')}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  for (const { schema, output } of COMPILED) {
    writeFileSync(new URL(`../src/config/generated/${output}`, import.meta.url), compileSchemaSource(schema));
  }
}

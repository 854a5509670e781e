import type { ErrorObject } from 'ajv';
import { suggestNearest } from '../suggest.js';
import { validate as validateGenerated } from './generated/validate-config.js';
import type { ConfigProblem } from './problem.js';
import { showValue } from './show-value.js';
import type { PathSegment, YamlSource } from './yaml-source.js';

// schemas/datalinks.schema.json compiled ahead of time (scripts/compile-schema.mjs): loading ajv's
// compiler at every start cost more than everything else `datalinks validate` does.
const validate = validateGenerated as unknown as ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Checks the document's shape against schemas/datalinks.schema.json; every problem has a position. */
export function validateShape(data: unknown, source: YamlSource): ConfigProblem[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).flatMap((error) => {
    const problem = problemFor(error, source);
    return problem ? [problem] : [];
  });
}

function problemFor(error: ErrorObject, source: YamlSource): ConfigProblem | undefined {
  // Link names are checked by the semantic rules, which explain each case better than a pattern can.
  if (error.propertyName !== undefined || error.keyword === 'propertyNames') return undefined;
  const path = pathOf(error.instancePath);
  const where = describePath(path, source);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = suggestNearest(key, allowed);
      // At the top level, blocks for aliases to repeat go under keys starting x- (x-catalog: &catalog ...).
      const holders = path.length === 0 ? ', and names starting x- for blocks that aliases repeat' : '';
      return {
        position: source.keyPosition(path, key),
        message: `unknown key ${showValue(key)} in ${describePath(path, source, key)}`,
        hint: near ? `did you mean "${near}"?` : `allowed keys here: ${allowed.join(', ')}${holders}`,
      };
    }
    case 'required':
      return {
        position: source.valuePosition(path),
        message: `${where} is missing the required key "${String(params.missingProperty)}"`,
        hint: hintForMissing(String(params.missingProperty)),
      };
    case 'type':
      return {
        position: source.valuePosition(path),
        message: `${where} must be ${article(String(params.type))}, not ${describeValue(error.data)}`,
        hint: typeHint(String(params.type)),
      };
    case 'enum':
      return {
        position: source.valuePosition(path),
        message: `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${describeValue(error.data)}`,
      };
    case 'const':
      return {
        position: source.valuePosition(path),
        message: `${where} must be ${JSON.stringify(params.allowedValue)}, not ${describeValue(error.data)}`,
        hint: path[0] === 'version' ? 'this version of datalinks reads format version 1: write `version: 1`' : undefined,
      };
    case 'uniqueItems':
      return {
        position: source.valuePosition(path),
        message: `${where} lists the same entry twice (items ${Number(params.j) + 1} and ${Number(params.i) + 1})`,
        hint: 'remove the duplicate',
      };
    default:
      return { position: source.valuePosition(path), message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

function pathOf(instancePath: string): PathSegment[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function describePath(path: readonly PathSegment[], source: YamlSource, key?: string): string {
  if (path.length === 0) return 'the top level of the file';
  return `"${source.describePath(path, key)}"`;
}

function article(type: string): string {
  const named: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    'object,null': 'a mapping',
  };
  return named[type] ?? type;
}

function describeValue(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? `the string ${showValue(value)}` : `${typeof value} ${String(value)}`;
}

function typeHint(type: string): string | undefined {
  if (type === 'boolean') return 'write true or false without quotes';
  if (type === 'integer' || type === 'number') return 'write the number without quotes';
  if (type === 'array') return 'write a list, for example [invoices, customers]';
  return undefined;
}

function hintForMissing(key: string): string | undefined {
  if (key === 'url') return 'add `url: ${SOME_DATABASE_URL}` naming an environment variable that holds a postgres:// URL';
  if (key === 'version') return 'add `version: 1` at the top of the file';
  if (key === 'databases') return 'add a `databases:` mapping of local database aliases to their links';
  if (key === 'remote') return 'add `remote: { url: ${REMOTE_DATABASE_URL} }`';
  return undefined;
}

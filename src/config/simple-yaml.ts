/**
 * A reader for the plain YAML a datalinks.yaml is made of, so that `validate` and every command start
 * without loading and warming up the `yaml` package: on a cold start its parser is most of the time
 * spent on a file of a hundred links (a generator-based lexer running in V8's interpreter).
 *
 * It reads only this subset: block mappings of plain keys; plain, 'single' or "double" quoted scalars
 * without escapes; one-line flow sequences of plain scalars; comments and blank lines; printable
 * ASCII and LF only. For anything else (a block sequence, a multi-line scalar, an anchor, a tab, a
 * duplicate key, a syntax error...) it returns undefined and the caller parses with `yaml` itself, so
 * errors, their messages and positions always come from `yaml`. What it accepts, it reads exactly as
 * `yaml` does (same data, same offsets of keys and values): test/unit/simple-yaml.test.ts holds it to that.
 */

/** Where a value starts, where each of its keys starts (mappings), and its children by key or index. */
export interface Located {
  offset: number | undefined;
  keys?: Map<string, number>;
  children?: Map<string, Located>;
  /** Set when the value is written inside a block marked with an anchor (`&name`): which, and where in it. */
  within?: Within;
  /** Keys of a mapping merged in from another (`<<: *name`): where each is written. */
  mergedKeys?: Map<string, Within | undefined>;
}

/** A block of the file marked `&name`, which aliases (`*name`) and merge keys (`<<: *name`) repeat. */
export interface SharedBlock {
  anchor: string;
  /** How many places of the file, once expanded, hold this block (blocks only defined for aliases not counted). */
  places: number;
}

/** A place inside a shared block: the block, and the path from the block to the value. */
export interface Within {
  block: SharedBlock;
  path: readonly (string | number)[];
}

export interface SimpleDocument {
  data: unknown;
  root: Located;
  /** Offsets where lines start, as yaml's LineCounter records them. */
  lineStarts: number[];
}

/** Deeper than any datalinks.yaml: a deeper file goes to `yaml`, which reports runaway nesting. */
const MAX_DEPTH = 12;

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Plain words YAML's core schema reads as something other than a string. */
const NOT_STRINGS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '~']);
const FLOW_ITEM = /^[A-Za-z0-9_][A-Za-z0-9_.$-]*$/;
const PRINTABLE_ASCII = /^[\n\x20-\x7e]*$/;

interface Line {
  start: number;
  indent: number;
  /** The content after the indent, comment and trailing spaces removed only where noted. */
  text: string;
}

class Unsupported extends Error {}

/** Parses `text` if it is in the subset; undefined means "use the yaml package". */
export function parseSimpleYaml(text: string): SimpleDocument | undefined {
  if (!PRINTABLE_ASCII.test(text)) return undefined;
  const lineStarts: number[] = [0];
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end);
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    const content = raw.slice(indent);
    if (content !== '' && !content.startsWith('#')) lines.push({ start, indent, text: content });
    if (end === text.length) break;
    start = end + 1;
    lineStarts.push(start);
  }
  if (lines.length === 0 || lines[0]?.indent !== 0) return undefined;
  try {
    const root: Located = { offset: undefined };
    const state = { next: 0 };
    const data = readMap(lines, state, 0, root, 0);
    if (state.next !== lines.length) return undefined;
    return { data, root, lineStarts };
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

function unsupported(): never {
  throw new Unsupported();
}

/** Reads the block mapping whose keys start at column `indent`, from lines[state.next]. */
function readMap(lines: Line[], state: { next: number }, indent: number, into: Located, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) unsupported();
  const map: Record<string, unknown> = {};
  const keys = new Map<string, number>();
  const children = new Map<string, Located>();
  Object.assign(into, { keys, children });
  while (state.next < lines.length) {
    const line = lines[state.next] as Line;
    if (line.indent < indent) break;
    if (line.indent > indent) unsupported();
    const colon = line.text.indexOf(':');
    const key = colon > 0 ? line.text.slice(0, colon) : '';
    if (!KEY.test(key) || NOT_STRINGS.has(key) || key === '__proto__' || keys.has(key)) unsupported();
    const keyOffset = line.start + line.indent;
    into.offset ??= keyOffset;
    keys.set(key, keyOffset);
    const child: Located = { offset: undefined };
    children.set(key, child);
    const rest = line.text.slice(colon + 1);
    state.next++;
    if (rest === '' || /^ +(#.*)?$/.test(rest)) {
      // `key:` opens a nested mapping on the next lines; an empty value is `yaml`'s to place.
      const nested = lines[state.next];
      if (!nested || nested.indent <= indent) unsupported();
      map[key] = readMap(lines, state, nested.indent, child, depth + 1);
    } else {
      if (!rest.startsWith(' ')) unsupported();
      const valueStart = 1 + countSpaces(rest, 1);
      const value = readInlineValue(rest.slice(valueStart), keyOffset + colon + 1 + valueStart, child);
      map[key] = value;
      // A more indented line after a value would continue a multi-line scalar.
      const after = lines[state.next];
      if (after && after.indent > indent) unsupported();
    }
  }
  return map;
}

function countSpaces(text: string, from: number): number {
  let n = 0;
  while (text.charCodeAt(from + n) === 32) n++;
  return n;
}

/** A value on the same line as its key: a scalar or a one-line flow sequence, then maybe a comment. */
function readInlineValue(text: string, offset: number, into: Located): unknown {
  into.offset = offset;
  const first = text[0];
  if (first === '[') return readFlowSequence(text, offset, into);
  if (first === '"' || first === "'") {
    const close = text.indexOf(first, 1);
    if (close < 0) unsupported();
    const inner = text.slice(1, close);
    if (first === '"' && inner.includes('\\')) unsupported();
    if (!/^ *( #.*)?$/.test(text.slice(close + 1))) unsupported();
    return inner;
  }
  return resolvePlain(stripComment(text));
}

/** `[a, b, c]` of plain items, on one line. */
function readFlowSequence(text: string, offset: number, into: Located): unknown[] {
  const close = text.indexOf(']');
  if (close < 0 || !/^ *( #.*)?$/.test(text.slice(close + 1))) unsupported();
  const body = text.slice(1, close);
  const items: unknown[] = [];
  const children = new Map<string, Located>();
  into.children = children;
  if (/^ *$/.test(body)) return items;
  let at = 1;
  for (const part of body.split(',')) {
    const lead = countSpaces(part, 0);
    const item = part.trim();
    if (!FLOW_ITEM.test(item)) unsupported();
    children.set(String(items.length), { offset: offset + at + lead });
    items.push(resolvePlain(item));
    at += part.length + 1;
  }
  return items;
}

/** A plain scalar ends at ` #`; it cannot start with an indicator or hold `: `. */
function stripComment(text: string): string {
  const hash = text.indexOf(' #');
  return (hash < 0 ? text : text.slice(0, hash)).trimEnd();
}

/** YAML 1.2 core schema, for the plain scalars accepted here: null, booleans, decimal integers, strings. */
function resolvePlain(value: string): unknown {
  if (value === '' || /^[-?:,[\]{}#&*!|>'"%@`]/.test(value) || value.includes(': ') || value.endsWith(':')) unsupported();
  if (NOT_STRINGS.has(value)) {
    if (value === 'true' || value === 'True' || value === 'TRUE') return true;
    if (value === 'false' || value === 'False' || value === 'FALSE') return false;
    return null;
  }
  if (/^[0-9]/.test(value) || value.startsWith('+') || value.startsWith('.')) {
    if (/^[0-9]{1,15}$/.test(value)) return Number(value);
    unsupported();
  }
  return value;
}

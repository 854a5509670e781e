import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ConfigProblem } from './problem.js';
import type { SharedBlock, Within } from './simple-yaml.js';
import type { SourcePosition } from './types.js';
import { type Located, YamlSource } from './yaml-source.js';

/** A datalinks.yaml is 7 levels deep; anything far deeper is a mistake or an attack on the parser. */
const MAX_DEPTH = 64;

/**
 * The most values a file may hold once its aliases are expanded, as if each `*name` were written out.
 * Aliases cost nothing to read (each repeats the same data), but every value is then validated and
 * planned once per place: this bounds that work, where a count of aliases would refuse a fleet of 600
 * databases and still let a small file of nested aliases ("billion laughs") expand into billions.
 * A fleet of 600 databases with two shared links each expands to under 10,000 values.
 */
export const MAX_EXPANDED_VALUES = 1_000_000;

/**
 * Top-level keys starting `x-` hold blocks for aliases to repeat (Docker Compose's convention): the
 * schema accepts them and nothing reads them, so a block written there is not counted as a place that
 * uses it.
 */
const HOLDER_KEY = /^x-/;

/**
 * Reads any YAML with the `yaml` package: syntax errors (the first one), duplicate keys, runaway
 * nesting and runaway expansion become positioned problems; otherwise the data and its positions.
 * Aliases and merge keys (`<<: *name`) are resolved here, in one pass in document order, so reading
 * stays linear in the file's size however many aliases it has.
 */
export function readYamlDocument(
  file: string,
  text: string,
): { ok: true; source: YamlSource; data: unknown } | { ok: false; problems: ConfigProblem[] } {
  const lines = new LineCounter();
  const positionAt = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col };
  };
  let document: Document.Parsed;
  try {
    // Duplicate keys are found by the conversion below: the parser's own check is quadratic in a mapping's size.
    document = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, merge: true });
  } catch (error) {
    if (!isTooDeep(error)) throw error;
    return { ok: false, problems: [tooDeep({ file, line: 1, column: 1 })] };
  }
  // After the first syntax error the parser's view of the rest is guesswork: report that one only.
  const [error] = document.errors;
  if (error) {
    const position = positionAt(error.pos[0]);
    if (isTooDeep(error)) return { ok: false, problems: [tooDeep(position)] };
    const lineText = text.split('\n')[position.line - 1] ?? '';
    return { ok: false, problems: [{ position, message: yamlMessage(error.code, error.message), hint: yamlHint(error.code, lineText) }] };
  }
  try {
    const converter = new Converter(positionAt);
    const root = converter.convert(document.contents, { depth: 0, within: undefined, holder: false, atRoot: true });
    converter.countPlaces();
    return { ok: true, source: new YamlSource(file, root.located, lines.lineStarts), data: root.data };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, problems: [error.problem] };
    if (isTooDeep(error)) return { ok: false, problems: [tooDeep(positionAt(0))] };
    throw error;
  }
}

/** A value of the document as data, where it is written, and its size and depth once expanded. */
interface Converted {
  data: unknown;
  located: Located;
  size: number;
  depth: number;
}

/** Where a node is being read: how deep in the document, in which shared block, under an `x-` holder key. */
interface Context {
  depth: number;
  within: Within | undefined;
  holder: boolean;
  atRoot: boolean;
}

/** A block and each place it is written or repeated from: the innermost block around that place, if any. */
interface BlockRecord {
  block: SharedBlock;
  sites: { enclosing: BlockRecord | undefined; holder: boolean }[];
  /** Set once the anchored node is read; undefined while it is being read (an alias inside it would never end). */
  value: Converted | undefined;
  counted: boolean;
}

class Refused extends Error {
  constructor(readonly problem: ConfigProblem) {
    super(problem.message);
  }
}

class Converter {
  private readonly anchors = new Map<string, BlockRecord>();
  private readonly blocks: BlockRecord[] = [];
  private readonly enclosing = new WeakMap<SharedBlock, BlockRecord>();
  /** Entries copied by merge keys, bounded like the expanded values (a merge copies its mapping's keys). */
  private merged = 0;

  constructor(private readonly positionAt: (offset: number) => SourcePosition) {}

  convert(node: unknown, context: Context): Converted {
    if (context.depth > MAX_DEPTH) this.refuse(tooDeep(this.positionOf(node)));
    if (node === null || node === undefined)
      return { data: null, located: { offset: undefined, within: context.within }, size: 1, depth: 1 };
    if (isAlias(node)) return this.repeat(node.source, node, context);
    const anchor = (node as { anchor?: string }).anchor;
    if (!anchor) return this.convertNode(node, context);
    const block: SharedBlock = { anchor, places: 0 };
    const record: BlockRecord = { block, sites: [this.site(context)], value: undefined, counted: false };
    this.anchors.set(anchor, record);
    this.blocks.push(record);
    this.enclosing.set(block, record);
    record.value = this.convertNode(node, { ...context, within: { block, path: [] } });
    return record.value;
  }

  /** Sets each block's count of places: where it is written (outside `x-` holders) and repeated, through enclosing blocks. */
  countPlaces(): void {
    const count = (record: BlockRecord): number => {
      if (record.counted) return record.block.places;
      let places = 0;
      for (const site of record.sites) places += site.enclosing ? count(site.enclosing) : site.holder ? 0 : 1;
      record.block.places = places;
      record.counted = true;
      return places;
    };
    for (const record of this.blocks) count(record);
  }

  private site(context: Context): BlockRecord['sites'][number] {
    return { enclosing: context.within ? this.enclosing.get(context.within.block) : undefined, holder: context.holder };
  }

  private repeat(name: string, node: Node, context: Context): Converted {
    const record = this.anchors.get(name);
    if (!record) {
      this.refuse({
        position: this.positionOf(node),
        message: `alias *${name} repeats a block, but no block is marked &${name} above it`,
        hint: `mark the block it repeats with &${name} above the first *${name} (for example \`x-shared: &${name}\` at the top level), or fix the name`,
      });
    }
    if (!record.value) {
      this.refuse({
        position: this.positionOf(node),
        message: `alias *${name} is inside the block &${name} it repeats, so the block would never end`,
        hint: `move *${name} out of the block marked &${name}`,
      });
    }
    record.sites.push(this.site(context));
    return record.value;
  }

  private convertNode(node: unknown, context: Context): Converted {
    const offset = (node as Node).range?.[0];
    if (isScalar(node)) return { data: node.value, located: { offset, within: context.within }, size: 1, depth: 1 };
    if (isSeq(node)) {
      const data: unknown[] = [];
      const children = new Map<string, Located>();
      let size = 1;
      let depth = 1;
      node.items.forEach((item, i) => {
        const child = this.convert(item, this.inside(context, i));
        data.push(child.data);
        children.set(String(i), child.located);
        size = this.grow(size, child.size, item);
        depth = Math.max(depth, child.depth + 1);
      });
      return this.checked({ data, located: { offset, children, within: context.within }, size, depth }, node);
    }
    if (isMap(node)) return this.convertMap(node, context);
    this.refuse({
      position: this.positionOf(node),
      message: 'this YAML construct is not one datalinks.yaml is made of',
      hint: 'write mappings (key: value), lists and plain values',
    });
  }

  private convertMap(node: import('yaml').YAMLMap, context: Context): Converted {
    const data: Record<string, unknown> = {};
    const keys = new Map<string, number>();
    const children = new Map<string, Located>();
    const located: Located = { offset: node.range?.[0], keys, children, within: context.within };
    /** Keys written in this mapping (a second one is a duplicate); the others came from merge keys. */
    const written = new Set<string>();
    let size = 1;
    let depth = 1;
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (isMergeKey(keyNode)) {
        const source = this.convert(pair.value, this.inside(context, '<<'));
        size = this.grow(size, source.size, pair.value);
        depth = Math.max(depth, source.depth);
        for (const part of mergeParts(source)) {
          if (!isPlainObject(part.data)) {
            this.refuse({
              position: this.positionOf(pair.value),
              message: '<< merges mappings into this one, and this is not a mapping',
              hint: 'write <<: *name, or <<: [*a, *b], where each &name marks a mapping',
            });
          }
          for (const [key, value] of Object.entries(part.data)) {
            if (Object.hasOwn(data, key)) continue;
            if (++this.merged > MAX_EXPANDED_VALUES) this.refuse(tooLarge(this.positionOf(pair.value), sourceName(pair.value)));
            setKey(data, key, value);
            keys.set(key, part.located.keys?.get(key) ?? part.located.offset ?? 0);
            children.set(key, part.located.children?.get(key) ?? { offset: undefined });
            located.mergedKeys ??= new Map();
            located.mergedKeys.set(key, part.located.mergedKeys?.has(key) ? part.located.mergedKeys.get(key) : part.located.within);
          }
        }
        continue;
      }
      if (!isScalar(keyNode) || keyNode.anchor) {
        this.refuse({
          position: this.positionOf(keyNode ?? pair.value ?? node),
          message: keyNode ? 'a key here must be a plain name, not a list, a mapping, an alias or an anchor' : 'a key is missing here',
          hint: 'write `name: value`',
        });
      }
      const key = String(keyNode.value);
      const keyOffset = keyNode.range?.[0] ?? 0;
      if (written.has(key)) {
        this.refuse({
          position: this.positionOf(keyNode),
          message: 'duplicate key: this key appears twice in the same mapping',
          hint: yamlHint('DUPLICATE_KEY', ''),
        });
      }
      written.add(key);
      const child = this.convert(pair.value, {
        ...this.inside(context, key),
        holder: context.atRoot ? HOLDER_KEY.test(key) : context.holder,
      });
      // A key written here wins over one merged in, before or after it (as the yaml package reads it).
      setKey(data, key, child.data);
      keys.set(key, keyOffset);
      children.set(key, child.located);
      located.mergedKeys?.delete(key);
      size = this.grow(size, child.size, pair.value);
      depth = Math.max(depth, child.depth + 1);
    }
    return this.checked({ data, located, size, depth }, node);
  }

  private inside(context: Context, segment: string | number): Context {
    const within = context.within && { block: context.within.block, path: [...context.within.path, segment] };
    return { depth: context.depth + 1, within, holder: context.holder, atRoot: false };
  }

  /** Adds a child's expanded size, refusing at the child that takes the file past the limit. */
  private grow(size: number, add: number, child: unknown): number {
    const total = size + add;
    if (total > MAX_EXPANDED_VALUES) this.refuse(tooLarge(this.positionOf(child), sourceName(child)));
    return total;
  }

  private checked(converted: Converted, node: unknown): Converted {
    if (converted.depth > MAX_DEPTH) this.refuse(tooDeep(this.positionOf(node)));
    return converted;
  }

  private positionOf(node: unknown): SourcePosition {
    return this.positionAt((node as Node | null)?.range?.[0] ?? 0);
  }

  private refuse(problem: ConfigProblem): never {
    throw new Refused(problem);
  }
}

function isMergeKey(node: Node | null): boolean {
  return isScalar(node) && typeof node.value === 'symbol' && node.value.description === '<<';
}

/** The mappings a merge key names: one (`<<: *a`), or each of a list (`<<: [*a, *b]`), earlier ones first. */
function mergeParts(source: Converted): { data: unknown; located: Located }[] {
  if (!Array.isArray(source.data)) return [source];
  return source.data.map((data, i) => ({ data, located: source.located.children?.get(String(i)) ?? { offset: undefined } }));
}

/** `key: value` on a plain object, as the yaml package sets it (`__proto__` as an own key, not the prototype). */
function setKey(data: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(data, key, { value, writable: true, enumerable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sourceName(node: unknown): string | undefined {
  return isAlias(node) ? node.source : undefined;
}

function tooLarge(position: SourcePosition, alias: string | undefined): ConfigProblem {
  const limit = MAX_EXPANDED_VALUES.toLocaleString('en-US');
  return {
    position,
    message: `the file holds more than ${limit} values once its aliases are expanded, and ${alias ? `this alias (*${alias})` : 'this value'} takes it past that`,
    hint: 'each alias repeats its whole block, and a block of aliases repeats theirs too; a fleet of 600 databases with two shared links expands to under 10,000 values. A file this large is a mistake or an expansion attack ("billion laughs"): look for blocks that repeat other blocks many times',
  };
}

function isTooDeep(error: unknown): boolean {
  return error instanceof RangeError || /call stack|too much recursion/i.test((error as { message?: string })?.message ?? '');
}

function tooDeep(position: SourcePosition): ConfigProblem {
  return {
    position,
    message: `the file nests deeper than ${MAX_DEPTH} levels`,
    hint: 'a datalinks.yaml is a few levels deep (databases > alias > links > name > remote > url): look for runaway [ or { brackets or indentation here, or aliases (*name) repeating blocks inside each other',
  };
}

function yamlMessage(code: string, message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  if (code === 'DUPLICATE_KEY')
    return `duplicate key: ${firstLine.replace(/^Map keys must be unique.*/, 'this key appears twice in the same mapping')}`;
  return `YAML syntax error: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`;
}

function yamlHint(code: string, lineText: string): string {
  if (lineText.includes('${') && /[{[]/.test(lineText.replace(/\$\{[^}]*\}/g, ''))) {
    return 'inside { } or [ ], a ${VAR} value must be quoted: write url: "${VAR}", or use the indented block form';
  }
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the two entries; YAML keeps only one and datalinks will not guess which';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and punctuation of this line and the one before it';
    default:
      return 'check the indentation and punctuation here: keys of one mapping start in the same column, and a key is followed by ": "';
  }
}

import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { ConfigProblem } from './problem.js';
import type { SourcePosition } from './types.js';

export type PathSegment = string | number;

/** A datalinks.yaml is 7 levels deep; anything far deeper is a mistake or an attack on the parser. */
const MAX_DEPTH = 64;

/** Where a value starts, where each of its keys starts (mappings), and its children. */
interface Located {
  offset: number | undefined;
  keys?: Map<string, number>;
  /** By key, or by index written as a string: a path may spell either way. */
  children?: Map<string, Located>;
}

/**
 * A parsed YAML document that can say where any value or key in it came from. Positions are indexed
 * once, in one pass over the document, so looking them up costs the same for 1 link or 40,000.
 */
export class YamlSource {
  /** Positions of every value and key, as a tree shaped like the document. */
  private readonly root: Located = { offset: undefined };

  private constructor(
    readonly file: string,
    readonly document: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static parse(file: string, text: string): { source: YamlSource; problems: ConfigProblem[] } {
    const lines = new LineCounter();
    let document: Document.Parsed;
    try {
      // Duplicate keys are found by the index below: the parser's own check is quadratic in a mapping's size.
      document = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
    } catch (error) {
      if (!isTooDeep(error)) throw error;
      return { source: new YamlSource(file, parseDocument(''), lines), problems: [tooDeep({ file, line: 1, column: 1 })] };
    }
    const source = new YamlSource(file, document, lines);
    // After the first syntax error the parser's view of the rest is guesswork: report that one only.
    const [error] = document.errors;
    if (error) {
      const position = source.positionAt(error.pos[0]);
      if (isTooDeep(error)) return { source, problems: [tooDeep(position)] };
      const lineText = text.split('\n')[position.line - 1] ?? '';
      return { source, problems: [{ position, message: yamlMessage(error.code, error.message), hint: yamlHint(error.code, lineText) }] };
    }
    const problem = source.index();
    return { source, problems: problem ? [problem] : [] };
  }

  /** Walks the document once, without recursion: records positions, finds duplicate keys and runaway nesting. */
  private index(): ConfigProblem | undefined {
    const stack: { node: unknown; into: Located; depth: number }[] = [{ node: this.document.contents, into: this.root, depth: 0 }];
    while (stack.length > 0) {
      const { node, into, depth } = stack.pop() as { node: unknown; into: Located; depth: number };
      into.offset = (node as Node | null)?.range?.[0];
      if (depth > MAX_DEPTH) return tooDeep(this.positionAt(into.offset ?? 0));
      if (isMap(node)) {
        const keys = new Map<string, number>();
        const children = new Map<string, Located>();
        Object.assign(into, { keys, children });
        for (const pair of node.items) {
          if (!isScalar(pair.key)) continue;
          const key = String(pair.key.value);
          const offset = pair.key.range?.[0] ?? 0;
          if (keys.has(key)) {
            return {
              position: this.positionAt(offset),
              message: 'duplicate key: this key appears twice in the same mapping',
              hint: yamlHint('DUPLICATE_KEY', ''),
            };
          }
          keys.set(key, offset);
          const child: Located = { offset: undefined };
          children.set(key, child);
          stack.push({ node: pair.value, into: child, depth: depth + 1 });
        }
      } else if (isSeq(node)) {
        const children = new Map<string, Located>();
        into.children = children;
        node.items.forEach((item, i) => {
          const child: Located = { offset: undefined };
          children.set(String(i), child);
          stack.push({ node: item, into: child, depth: depth + 1 });
        });
      }
    }
    return undefined;
  }

  /** The located nodes along `path`, from the root, as far as the document goes. */
  private walk(path: readonly PathSegment[]): Located[] {
    const found = [this.root];
    let here: Located | undefined = this.root;
    for (const segment of path) {
      here = here.children?.get(String(segment));
      if (!here) break;
      found.push(here);
    }
    return found;
  }

  /** The document as plain data; an alias without an anchor, or too many aliases, is a problem. */
  toData(): { ok: true; data: unknown } | { ok: false; problem: ConfigProblem } {
    try {
      return { ok: true, data: this.document.toJS({ maxAliasCount: 100 }) };
    } catch (error) {
      if (isTooDeep(error)) return { ok: false, problem: tooDeep(this.positionAt(0)) };
      let offset = 0;
      visit(this.document, {
        Alias: (_, node) => {
          if (!node.resolve(this.document) && node.range) {
            offset = node.range[0];
            return visit.BREAK;
          }
        },
      });
      return {
        ok: false,
        problem: {
          position: this.positionAt(offset),
          message: `YAML error: ${(error as Error).message.split('\n')[0]}`,
          hint: 'datalinks.yaml needs no anchors (&name) or aliases (*name): write the values out',
        },
      };
    }
  }

  positionAt(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /** Position of the value at `path`, or of its nearest existing ancestor. */
  valuePosition(path: readonly PathSegment[]): SourcePosition {
    const found = this.walk(path);
    for (let i = found.length - 1; i >= 0; i--) {
      const offset = found[i]?.offset;
      if (offset !== undefined) return this.positionAt(offset);
    }
    return { file: this.file, line: 1, column: 1 };
  }

  /** Position of the key `key` in the mapping at `path` (for unknown or misnamed keys). */
  keyPosition(path: readonly PathSegment[], key: string): SourcePosition {
    const found = this.walk(path);
    const offset = found.length === path.length + 1 ? found.at(-1)?.keys?.get(key) : undefined;
    return offset === undefined ? this.valuePosition(path) : this.positionAt(offset);
  }
}

function isTooDeep(error: unknown): boolean {
  return error instanceof RangeError || /call stack|too much recursion/i.test((error as { message?: string })?.message ?? '');
}

function tooDeep(position: SourcePosition): ConfigProblem {
  return {
    position,
    message: `the file nests deeper than ${MAX_DEPTH} levels`,
    hint: 'a datalinks.yaml is a few levels deep (databases > alias > links > name > remote > url): look for runaway [ or { brackets or indentation here',
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

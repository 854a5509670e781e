import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { ConfigProblem } from './problem.js';
import type { SourcePosition } from './types.js';
import { type Located, YamlSource } from './yaml-source.js';

/** A datalinks.yaml is 7 levels deep; anything far deeper is a mistake or an attack on the parser. */
const MAX_DEPTH = 64;

/**
 * Reads any YAML with the `yaml` package: syntax errors (the first one), duplicate keys, runaway
 * nesting and aliases become positioned problems; otherwise the data and its positions.
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
    // Duplicate keys are found by the index below: the parser's own check is quadratic in a mapping's size.
    document = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
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
  const root: Located = { offset: undefined };
  const problem = index(document, root, positionAt);
  if (problem) return { ok: false, problems: [problem] };
  const converted = toData(document, positionAt);
  if (!converted.ok) return { ok: false, problems: [converted.problem] };
  return { ok: true, source: new YamlSource(file, root, lines.lineStarts), data: converted.data };
}

/** Walks the document once, without recursion: records positions, finds duplicate keys and runaway nesting. */
function index(document: Document.Parsed, root: Located, positionAt: (offset: number) => SourcePosition): ConfigProblem | undefined {
  const stack: { node: unknown; into: Located; depth: number }[] = [{ node: document.contents, into: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, into, depth } = stack.pop() as { node: unknown; into: Located; depth: number };
    into.offset = (node as Node | null)?.range?.[0];
    if (depth > MAX_DEPTH) return tooDeep(positionAt(into.offset ?? 0));
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
            position: positionAt(offset),
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

/** The document as plain data; an alias without an anchor, or too many aliases, is a problem. */
function toData(
  document: Document.Parsed,
  positionAt: (offset: number) => SourcePosition,
): { ok: true; data: unknown } | { ok: false; problem: ConfigProblem } {
  try {
    return { ok: true, data: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    if (isTooDeep(error)) return { ok: false, problem: tooDeep(positionAt(0)) };
    let offset = 0;
    visit(document, {
      Alias: (_, node) => {
        if (!node.resolve(document) && node.range) {
          offset = node.range[0];
          return visit.BREAK;
        }
      },
    });
    return {
      ok: false,
      problem: {
        position: positionAt(offset),
        message: `YAML error: ${(error as Error).message.split('\n')[0]}`,
        hint: 'datalinks.yaml needs no anchors (&name) or aliases (*name): write the values out',
      },
    };
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

import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { ConfigProblem } from './problem.js';
import type { SourcePosition } from './types.js';

export type PathSegment = string | number;

/** A parsed YAML document that can say where any value or key in it came from. */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly document: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static parse(file: string, text: string): { source: YamlSource; problems: ConfigProblem[] } {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const source = new YamlSource(file, document, lines);
    // After the first syntax error the parser's view of the rest is guesswork: report that one only.
    const problems = document.errors.slice(0, 1).map((error) => {
      const lineText = text.split('\n')[source.positionAt(error.pos[0]).line - 1] ?? '';
      return {
        position: source.positionAt(error.pos[0]),
        message: yamlMessage(error.code, error.message),
        hint: yamlHint(error.code, lineText),
      };
    });
    return { source, problems };
  }

  /** The document as plain data; an alias without an anchor, or too many aliases, is a problem. */
  toData(): { ok: true; data: unknown } | { ok: false; problem: ConfigProblem } {
    try {
      return { ok: true, data: this.document.toJS({ maxAliasCount: 100 }) };
    } catch (error) {
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
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.document.getIn(path.slice(0, depth), true) as Node | undefined;
      if (node?.range) return this.positionAt(node.range[0]);
    }
    return { file: this.file, line: 1, column: 1 };
  }

  /** Position of the key `key` in the mapping at `path` (for unknown or misnamed keys). */
  keyPosition(path: readonly PathSegment[], key: string): SourcePosition {
    const map = path.length === 0 ? this.document.contents : this.document.getIn(path, true);
    if (isMap(map)) {
      for (const pair of map.items) {
        if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) {
          return this.positionAt(pair.key.range[0]);
        }
      }
    }
    return this.valuePosition(path);
  }
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

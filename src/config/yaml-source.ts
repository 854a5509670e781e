import type { Located } from './simple-yaml.js';
import type { SourcePosition } from './types.js';

export type PathSegment = string | number;
export type { Located };

/** A line and column (1-based) for an offset, as yaml's LineCounter.linePos computes them. */
export function linePosition(lineStarts: readonly number[], offset: number): { line: number; col: number } {
  let low = 0;
  let high = lineStarts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((lineStarts[mid] ?? 0) < offset) low = mid + 1;
    else high = mid;
  }
  if (lineStarts[low] === offset) return { line: low + 1, col: 1 };
  if (low === 0) return { line: 0, col: offset };
  return { line: low, col: offset - (lineStarts[low - 1] ?? 0) + 1 };
}

/**
 * A parsed YAML document that can say where any value or key in it came from. Positions are indexed
 * once, in one pass over the document, so looking them up costs the same for 1 link or 40,000.
 */
export class YamlSource {
  constructor(
    readonly file: string,
    /** Positions of every value and key, as a tree shaped like the document. */
    private readonly root: Located,
    private readonly lineStarts: readonly number[],
  ) {}

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

  positionAt(offset: number): SourcePosition {
    const { line, col } = linePosition(this.lineStarts, offset);
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

import type { Located, Within } from './simple-yaml.js';
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
      const located = found[i];
      if (located?.offset !== undefined) return this.at(located.offset, located.within);
    }
    return { file: this.file, line: 1, column: 1 };
  }

  /** Position of the key `key` in the mapping at `path` (for unknown or misnamed keys). */
  keyPosition(path: readonly PathSegment[], key: string): SourcePosition {
    const found = this.walk(path);
    const map = found.length === path.length + 1 ? found.at(-1) : undefined;
    const offset = map?.keys?.get(key);
    return offset === undefined || !map ? this.valuePosition(path) : this.at(offset, keyWithin(map, key));
  }

  /**
   * `path` as a message names it: `databases.main.links.billing`, or, inside a block that several places
   * repeat (`&catalog`), from that block: `&catalog.remote`, the same text for every place, so that a
   * problem there is reported once. With `key`, the mapping that holds that key (it may be merged in).
   */
  describePath(path: readonly PathSegment[], key?: string): string {
    const found = this.walk(path);
    const deepest = found.at(-1);
    const within =
      key !== undefined && found.length === path.length + 1 && deepest?.keys?.has(key) ? keyWithin(deepest, key) : deepest?.within;
    if (within && within.block.places > 1) return joinPath([`&${within.block.anchor}`, ...within.path, ...path.slice(found.length - 1)]);
    return joinPath(path);
  }

  private at(offset: number, within: Within | undefined): SourcePosition {
    const position = this.positionAt(offset);
    // Only a block repeated in several places is marked: a problem there is one problem, reported once.
    return within && within.block.places > 1
      ? { ...position, shared: { anchor: within.block.anchor, places: within.block.places } }
      : position;
  }
}

/** Where a mapping's key is written: in the mapping, or in the mapping a merge key took it from. */
function keyWithin(map: Located, key: string): Within | undefined {
  return map.mergedKeys?.has(key) ? map.mergedKeys.get(key) : map.within;
}

function joinPath(path: readonly PathSegment[]): string {
  return path
    .map((s) => (typeof s === 'number' ? `[${s}]` : s))
    .join('.')
    .replaceAll('.[', '[');
}

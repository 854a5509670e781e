/**
 * Markdown that fits where it goes. A document is a list of pieces in reading order; a piece is whole
 * lines (a table row, a list item, a heading), so nothing is ever cut inside an escape, a row or a code
 * span. When the whole document is too long, pieces are kept by rank (a lower rank first, in reading
 * order within a rank, each rank a prefix), their headings and table headers come along with the first
 * of their pieces, and a line at the end says how many of each kind were left out and where to see
 * them all. Pure.
 */

/** How a destination measures text, and how much it holds. */
export interface MarkdownLimit {
  /** The most `measure` may give for the whole text written. */
  limit: number;
  measure: (text: string) => number;
  /** Why it was cut, said in the note: `a pull-request comment holds at most 65,536 characters`. */
  why: string;
  /** Where everything can be seen, as markdown ending a sentence: `in the job log`. */
  whereAll: string;
}

/** What a left-out piece counts as, in the note: `3 destructive changes`. */
export type PieceKind = 'destructive' | 'error' | 'row' | 'note' | 'outcome' | 'link';

export interface Piece {
  lines: string[];
  /** 0: always written. Otherwise kept in rank order while there is room. */
  rank: number;
  /** The groups the piece belongs to: each group's scaffold is written once any of its pieces is. */
  groups?: string[];
  /** This piece is the scaffold (a heading, a table header, a blank line after it) of that group. */
  scaffoldOf?: string;
  kind?: PieceKind;
}

/** GitHub counts a comment's characters; UTF-16 units are never fewer, and each line break is counted twice in case it is stored as CRLF. */
export function commentLength(text: string): number {
  let breaks = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) breaks++;
  return text.length + breaks;
}

/** A job summary's limit is the size of its file. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

const KIND_WORDS: Record<PieceKind, [string, string]> = {
  destructive: ['destructive change', 'destructive changes'],
  error: ['error', 'errors'],
  row: ['line of the changes table', 'lines of the changes tables'],
  note: ['note', 'notes'],
  outcome: ['database outcome', 'database outcomes'],
  link: ['link', 'links'],
};

/** The pieces as text, all of them if they fit `fit`, else what fits and the note; undefined when not even the fixed part fits. */
export function fitMarkdown(pieces: readonly Piece[], fit?: MarkdownLimit): string | undefined {
  const all = render(pieces, () => true);
  if (!fit || fit.measure(all) <= fit.limit) return all;
  const cost = (piece: Piece) => fit.measure(`${piece.lines.join('\n')}\n`);
  const totals = countKinds(pieces, () => true);
  // The note is written with the counts known only at the end: room is kept for its longest form.
  const reserve = fit.measure(`${leftOutNote(totals, totals, fit)}\n`);
  const kept = new Set<Piece>(pieces.filter((p) => p.rank === 0 && !p.scaffoldOf));
  const open = new Set<string>();
  const scaffoldCost = new Map<string, number>();
  for (const piece of pieces) {
    if (piece.scaffoldOf) scaffoldCost.set(piece.scaffoldOf, (scaffoldCost.get(piece.scaffoldOf) ?? 0) + cost(piece));
  }
  let used = [...kept].reduce((sum, piece) => sum + cost(piece), 0);
  for (const piece of kept) for (const group of piece.groups ?? []) open.add(group);
  used += [...open].reduce((sum, group) => sum + (scaffoldCost.get(group) ?? 0), 0);
  if (used + reserve > fit.limit) return undefined;
  const ranks = [...new Set(pieces.map((p) => p.rank).filter((r) => r > 0))].sort((a, b) => a - b);
  for (const rank of ranks) {
    for (const piece of pieces) {
      if (piece.rank !== rank || piece.scaffoldOf) continue;
      const opening = (piece.groups ?? []).filter((group) => !open.has(group));
      const needed = cost(piece) + opening.reduce((sum, group) => sum + (scaffoldCost.get(group) ?? 0), 0);
      // Each rank is a prefix: a list with a gap in it would read as the whole list.
      if (used + needed + reserve > fit.limit) break;
      kept.add(piece);
      for (const group of opening) open.add(group);
      used += needed;
    }
  }
  const shown = (piece: Piece) => kept.has(piece) || (piece.scaffoldOf !== undefined && open.has(piece.scaffoldOf));
  const left = countKinds(pieces, (piece) => !shown(piece));
  return `${render(pieces, shown)}${leftOutNote(left, totals, fit)}\n`;
}

function render(pieces: readonly Piece[], shown: (piece: Piece) => boolean): string {
  let out = '';
  for (const piece of pieces) if (shown(piece)) out += `${piece.lines.join('\n')}\n`;
  return out;
}

function countKinds(pieces: readonly Piece[], counted: (piece: Piece) => boolean): Map<PieceKind, number> {
  const counts = new Map<PieceKind, number>();
  for (const piece of pieces) if (piece.kind && counted(piece)) counts.set(piece.kind, (counts.get(piece.kind) ?? 0) + 1);
  return counts;
}

/** `**Not shown here: 812 of 1,000 destructive changes and 2,150 lines of the changes tables** (why). See all of it where.` */
function leftOutNote(left: Map<PieceKind, number>, totals: Map<PieceKind, number>, fit: MarkdownLimit): string {
  const parts = (Object.keys(KIND_WORDS) as PieceKind[])
    .filter((kind) => (left.get(kind) ?? 0) > 0)
    .map((kind) => {
      const count = left.get(kind) ?? 0;
      const total = totals.get(kind) ?? 0;
      const [one, many] = KIND_WORDS[kind];
      return `${count.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} ${total === 1 ? one : many}`;
    });
  const listed = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? 'nothing');
  return `**Not shown here: ${listed}** (${fit.why}). See all of it ${fit.whereAll}.`;
}

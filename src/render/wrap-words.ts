/**
 * Wraps text for a terminal of `columns` columns on spaces, as plan's Ink view does, instead of letting
 * the terminal break lines mid-word. A continuation line is indented to where its line's text starts:
 * after the line's indentation and a leading mark (`✓ `, `✗ `, `~ `, `? `, `! `, `hint: `), so a wrapped
 * hint still reads as part of its hint. A word longer than the room left is cut. Colour escape sequences
 * (SGR, as render/style.ts writes them) take no width and are never cut. Pure.
 */
export function wrapWords(text: string, columns: number): string {
  return text
    .split('\n')
    .map((line) => wrapLine(line, columns))
    .join('\n');
}

const SGR = /\u001b\[[0-9;]*m/g;
/** The marks a line of check's text starts with, after its indentation: continuation lines go after them. */
const MARK = /^(?:[✓✗~?!+-] |hint: |note: )/;
/** Below this, a continuation indent leaves too little room: continuation lines then start at the line's indentation. */
const MIN_ROOM = 20;

function visibleLength(text: string): number {
  return [...text.replace(SGR, '')].length;
}

function wrapLine(line: string, columns: number): string {
  if (columns <= 0 || visibleLength(line) <= columns) return line;
  const plain = line.replace(SGR, '');
  const indentation = plain.length - plain.trimStart().length;
  const mark = MARK.exec(plain.slice(indentation))?.[0].length ?? 0;
  const hanging = columns - (indentation + mark) >= MIN_ROOM ? indentation + mark : Math.min(indentation, columns - 1);
  const pad = ' '.repeat(hanging);
  // The first line keeps its own indentation; the words are what follows it.
  const head = /^ */.exec(line)?.[0] ?? '';
  const words = line.slice(head.length).split(' ');
  const lines: string[] = [];
  let current = head;
  let width = visibleLength(head);
  let fresh = true;
  const room = (start: number) => columns - start;
  for (const word of words) {
    const length = visibleLength(word);
    const separator = fresh ? 0 : 1;
    if (width + separator + length <= columns) {
      current += `${fresh ? '' : ' '}${word}`;
      width += separator + length;
      fresh = false;
      continue;
    }
    if (length <= room(hanging)) {
      lines.push(current);
      current = pad + word;
      width = hanging + length;
      fresh = false;
      continue;
    }
    // Longer than any line: cut it, starting on this line when there is room left on it.
    let rest = word;
    if (!fresh && room(width) >= 2) {
      current += ' ';
      width += 1;
    } else if (!fresh) {
      lines.push(current);
      current = pad;
      width = hanging;
    }
    while (visibleLength(rest) > room(width)) {
      const [piece, remainder] = cut(rest, room(width));
      lines.push(current + piece);
      current = pad;
      width = hanging;
      rest = remainder;
    }
    current += rest;
    width += visibleLength(rest);
    fresh = false;
  }
  lines.push(current);
  return lines.map((l) => l.replace(/ +$/, '')).join('\n');
}

/** Splits `word` after `width` visible characters, never inside a colour sequence. */
function cut(word: string, width: number): [string, string] {
  let seen = 0;
  let index = 0;
  while (index < word.length && seen < Math.max(1, width)) {
    const sequence = /^\u001b\[[0-9;]*m/.exec(word.slice(index));
    if (sequence) {
      index += sequence[0].length;
      continue;
    }
    const char = String.fromCodePoint(word.codePointAt(index) ?? 0);
    index += char.length;
    seen++;
  }
  return [word.slice(0, index), word.slice(index)];
}

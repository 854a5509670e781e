import type { Medium } from '../output.js';

/**
 * A GitHub Actions runner reads every line a step prints, on stdout and stderr, as a possible workflow
 * command (actions/runner, src/Runner.Common/ActionCommand.cs and src/Runner.Worker/ActionCommandManager.cs):
 * - `::name props::data` when the line starts with `::` after white space (TryParseV2);
 * - the older `##[name props]data` anywhere in the line (TryParse).
 * Its `StartsWith`/`IndexOf` compare with the current culture (ICU), which passes over ignorable
 * characters, so `#\u200b#[` may read as `##[`. And which names are commands does not matter here:
 * `::stop-commands::TOKEN` makes any token one until it is seen again.
 *
 * So, on the way out under GitHub Actions, every `#` that follows a `#` and precedes a `[` (with only
 * ignorable characters between) is written escaped, and so is the first `:` of a line that starts, after
 * white space, with two colons: in the spelling of the medium, so that the output means what it meant
 * (`\x23` in text, `\u0023` in JSON, `&#35;` in markdown, `\x23` in a YAML double-quoted string,
 * U&"...\0023..." in a SQL identifier, `\\x23` in an OpenMetrics label value). Nothing else changes.
 */

/** Characters ICU collation may skip when matching (controls other than line breaks, format characters, default ignorables). */
const IGNORABLE = '[\\x00-\\x09\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\p{Cf}\\p{Default_Ignorable_Code_Point}]';
/** What .NET's TrimStart removes (char.IsWhiteSpace), but the line breaks at which the runner splits lines. */
const LEADING = `[\\t\\v\\f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]|${IGNORABLE}`;

/**
 * `##[` (the second `#` is the one escaped: with the first it can then only make `#`, an escape, `[`),
 * and `::` at the start of a line (the runner splits lines at CR, LF and CRLF) after white space.
 * Compiled on first use: only output on a runner needs them.
 */
let patterns: { old: RegExp; new: RegExp } | undefined;

/** The indexes (UTF-16) of the characters to escape in `text`, in order. */
export function workflowCommandMarkers(text: string): number[] {
  if (!text.includes('#') && !text.includes(':')) return [];
  patterns ??= {
    old: new RegExp(`#${IGNORABLE}*#${IGNORABLE}*\\[`, 'gu'),
    new: new RegExp(`(?<=^|[\\r\\n])(?:${LEADING})*:(?=${IGNORABLE}*:)`, 'gu'),
  };
  const found = new Set<number>();
  for (const match of text.matchAll(patterns.old)) found.add(match.index + match[0].indexOf('#', 1));
  for (const match of text.matchAll(patterns.new)) found.add(match.index + match[0].length - 1);
  return [...found].sort((a, b) => a - b);
}

/** Whether `text`, printed at the start of a line, would hold something a runner reads as a command. */
export function holdsWorkflowCommand(text: string): boolean {
  return workflowCommandMarkers(text).length > 0;
}

type Spelling = Record<'#' | ':', string>;

/** How each medium writes `#` and `:` without them being those characters. */
const SPELLINGS: Record<Exclude<Medium, 'sql' | 'workflow-command'>, Spelling> = {
  // Text for people: as escapeText shows a character it will not print.
  text: { '#': '\\x23', ':': '\\x3a' },
  // Inside JSON strings (the only place JSON output has either character at such a position).
  json: { '#': '\\u0023', ':': '\\u003a' },
  // GFM decodes numeric character references in text and table cells (names are never in code spans).
  markdown: { '#': '&#35;', ':': '&#58;' },
  // Inside YAML double-quoted strings, where export puts every value that needs it, and in comments.
  yaml: { '#': '\\x23', ':': '\\x3a' },
  // Inside an OpenMetrics label value (the only place check's metrics have either character), which has
  // no escape for them: an escaped backslash and the text view's `\x23`, so the value reads as the text shows it.
  openmetrics: { '#': '\\\\x23', ':': '\\\\x3a' },
};

/**
 * `text` as the medium spells it, with nothing a GitHub Actions runner would read as a workflow command.
 * A `workflow-command` is an annotation datalinks means to emit: it is written as it is.
 */
export function escapeWorkflowCommands(text: string, medium: Medium): string {
  if (medium === 'workflow-command') return text;
  const markers = workflowCommandMarkers(text);
  if (markers.length === 0) return text;
  if (medium === 'sql') return escapeSqlMarkers(text, new Set(markers));
  const spelling = SPELLINGS[medium];
  let out = '';
  let from = 0;
  for (const at of markers) {
    out += text.slice(from, at) + spelling[text[at] as '#' | ':'];
    from = at + 1;
  }
  return out + text.slice(from);
}

type SqlToken = {
  kind: 'code' | 'comment' | 'identifier' | 'unicode_identifier' | 'literal' | 'escape_literal';
  start: number;
  end: number;
};

/**
 * SQL keeps its meaning only if the character is escaped inside the token that holds it. SQL has no
 * escape in a plain quoted identifier, so an identifier that holds a marker is written in PostgreSQL's
 * Unicode form, U&"...\0023...", the same name; a plain literal becomes an escape string E'...\x23...',
 * which means the same whatever standard_conforming_strings is. In a comment (ours: `-- database x`)
 * the character is written as text.
 */
function escapeSqlMarkers(sql: string, marked: ReadonlySet<number>): string {
  let out = '';
  for (const token of sqlTokens(sql)) {
    const text = sql.slice(token.start, token.end);
    let hasMarker = false;
    for (let i = token.start; i < token.end && !hasMarker; i++) hasMarker = marked.has(i);
    if (!hasMarker) {
      out += text;
      continue;
    }
    const inner = (from: number, to: number, spell: (char: string, at: number) => string) => {
      let written = '';
      for (let i = from; i < to; i++) written += spell(sql[i] as string, i);
      return written;
    };
    const unicode = (char: string) => `\\${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
    const hex = (char: string) => `\\x${(char.codePointAt(0) ?? 0).toString(16).padStart(2, '0')}`;
    switch (token.kind) {
      case 'identifier':
        out += `U&"${inner(token.start + 1, token.end - 1, (c, i) => (marked.has(i) ? unicode(c) : c === '\\' ? '\\\\' : c))}"`;
        break;
      case 'unicode_identifier':
        out += inner(token.start, token.end, (c, i) => (marked.has(i) ? unicode(c) : c));
        break;
      case 'literal':
        out += `${/\w$/.test(out) ? ' ' : ''}E'${inner(token.start + 1, token.end - 1, (c, i) => (marked.has(i) ? hex(c) : c === '\\' ? '\\\\' : c))}'`;
        break;
      case 'escape_literal':
        out += inner(token.start, token.end, (c, i) => (marked.has(i) ? hex(c) : c));
        break;
      default:
        out += inner(token.start, token.end, (c, i) => (marked.has(i) ? (SPELLINGS.text[c as '#' | ':'] ?? c) : c));
    }
  }
  return out;
}

/** The quoted identifiers, literals and comments of SQL text (as datalinks writes it), and the code between. */
function sqlTokens(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let codeStart = 0;
  let i = 0;
  const push = (token: SqlToken) => {
    if (token.start > codeStart) tokens.push({ kind: 'code', start: codeStart, end: token.start });
    tokens.push(token);
    codeStart = token.end;
    i = token.end;
  };
  while (i < sql.length) {
    const char = sql[i];
    if (char === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      push({ kind: 'comment', start: i, end: newline < 0 ? sql.length : newline });
    } else if (char === '"') {
      const unicode = i - 2 >= codeStart && /^[uU]&$/.test(sql.slice(i - 2, i)) && !/\w/.test(sql[i - 3] ?? '');
      push({ kind: unicode ? 'unicode_identifier' : 'identifier', start: unicode ? i - 2 : i, end: endOfQuoted(sql, i, '"', false) });
    } else if (char === "'") {
      const escapeString = i - 1 >= codeStart && /[eE]/.test(sql[i - 1] as string) && !/\w/.test(sql[i - 2] ?? '');
      push({
        kind: escapeString ? 'escape_literal' : 'literal',
        start: escapeString ? i - 1 : i,
        end: endOfQuoted(sql, i, "'", escapeString),
      });
    } else i++;
  }
  if (codeStart < sql.length) tokens.push({ kind: 'code', start: codeStart, end: sql.length });
  return tokens;
}

/** The index after the quote that closes the one at `open` (a doubled quote is part of the text). */
function endOfQuoted(sql: string, open: number, quote: string, backslashes: boolean): number {
  for (let i = open + 1; i < sql.length; i++) {
    if (backslashes && sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return sql.length;
}

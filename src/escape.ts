/**
 * One escaping function per human medium. Names and values that came from a catalog, a file or the
 * environment (remote table names, role names, option values, Postgres messages quoting them) may
 * hold anything: a newline that forges a line of the plan, `\x1b[2J` that clears the screen, an OSC 8
 * hyperlink, a bidi override that reverses what is read. They reach a person only through these.
 */

declare const safeBrand: unique symbol;

/**
 * Text that holds no control character, escape sequence or invisible formatting character: safe to
 * write to a terminal (and to give Ink). Only `escapeText` and the `safe` template make it, so a view
 * model typed with SafeText cannot hold a raw name by mistake.
 */
export type SafeText = string & { readonly [safeBrand]: true };

/**
 * Characters a terminal (or a reader) would not show as themselves: C0 and C1 controls (ESC, CSI,
 * CR, LF, BEL...), DEL, format characters (bidi overrides and isolates, zero-width space and joiners,
 * soft hyphen, BOM, tag characters), line and paragraph separators, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const UNSAFE_TEST = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\n`, `\x1b`, `\u202e`, `\u{e0041}`: the character as visible text, as a JavaScript literal spells it. */
function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.codePointAt(0) ?? 0;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/** Whether `value` holds a character that escapeText would rewrite. */
export function hasUnsafeCharacters(value: string): boolean {
  return UNSAFE_TEST.test(value);
}

/**
 * For the terminal and plain text (CI logs, pipes), and for Ink, which writes its text to the same
 * terminal: every unsafe character becomes visible text. Printable text, backslashes included, is
 * kept as it is, so ordinary names read as they are. Idempotent: escaping safe text changes nothing.
 */
export function escapeText(value: unknown): SafeText {
  return String(value).replace(UNSAFE, visible) as SafeText;
}

/** The Ink medium is the terminal: Ink passes escape sequences in strings through to it untouched. */
export const escapeInk = escapeText;

/**
 * A template whose every interpolated value is escaped for the terminal: view text is written with
 * it, so a name can never be interpolated raw. The literal parts are ours.
 */
export function safe(strings: TemplateStringsArray, ...values: unknown[]): SafeText {
  let out = strings[0] ?? '';
  for (const [index, value] of values.entries()) out += escapeText(value) + (strings[index + 1] ?? '');
  return out as SafeText;
}

/** Joins safe parts with a literal separator. */
export function joinSafe(parts: readonly SafeText[], separator: string): SafeText {
  return parts.join(separator) as SafeText;
}

/**
 * Escapes text for GFM inline content, table cells included. Backslash-escapes the characters that
 * start inline markup (emphasis, code, links, strikethrough, math, table pipes), writes `<`, `>` and
 * `&` as entities (no HTML, no autolinks), breaks `@mentions` with a word joiner so a hostile name
 * cannot ping people, and shows control characters as `\x..` text so nothing can end a line or a
 * table row.
 */
export function escapeMarkdown(text: string): string {
  let out = '';
  for (const char of text) {
    if (UNSAFE_TEST.test(char)) {
      // The backslash doubled: markdown shows `\x0a`, `\u200b`, as the terminal view shows a name.
      out += `\\${NAMED[char] ? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}` : visible(char)}`;
    } else if (char === '<') out += '&lt;';
    else if (char === '>') out += '&gt;';
    else if (char === '&') out += '&amp;';
    else if (char === '@') out += '@\u2060';
    else if ('\\`*_[]|~$#!'.includes(char)) out += `\\${char}`;
    else out += char;
  }
  // GitHub turns a bare URL or www. name into a link: a name from a catalog must not become one.
  return out.replace(/:\/\//g, ':\\/\\/').replace(/\bwww\./gi, (www) => `${www.slice(0, 3)}\\.`);
}

/**
 * SQL shown to a person (`plan --sql`, the statement an apply failed on): escaped like text, except
 * that the line breaks between clauses stay line breaks. A line break inside a quoted identifier or
 * literal is part of a name, so it is shown as `\n` and cannot start a line of its own.
 */
export function escapeSql(sql: string): SafeText {
  let out = '';
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const char = sql[i];
    if (quote === null && (char === '"' || char === "'")) quote = char;
    else if (char === quote) {
      if (sql[i + 1] === quote) i++;
      else quote = null;
    } else if (char === '\n' && quote === null) {
      out += `${escapeText(sql.slice(start, i))}\n`;
      start = i + 1;
    }
  }
  return (out + escapeText(sql.slice(start))) as SafeText;
}

/**
 * JSON for `--json`, which people read in terminals too: JSON.stringify escapes C0 controls but writes
 * C1 controls, bidi overrides, zero-width characters and line separators raw. Written as `\uXXXX`
 * escapes instead, they mean exactly the same to a JSON parser. (Outside strings, JSON.stringify
 * writes only spaces and line breaks.)
 */
export function escapeJson(json: string): string {
  return json.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, (char) =>
    char === '\n' ? char : Array.from({ length: char.length }, (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}

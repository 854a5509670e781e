/**
 * A lexer for expression text read from a remote's catalog (pg_get_expr output of a default or a
 * generated column). That text is untrusted: it is only ever embedded as `(expr)` inside one
 * statement, and only when this scan shows it cannot leave those parentheses: quotes closed,
 * parentheses balanced and never below zero, no statement separator, no comment, no dollar
 * quoting (pg_get_expr prints none of these outside a literal). The scan also lists the local
 * objects the expression names, so that plan can check they exist before apply needs them.
 *
 * It assumes standard_conforming_strings = on, which the sessions that run generated SQL pin.
 */

export interface QualifiedName {
  schema: string;
  name: string;
}

export type ExpressionReference = QualifiedName & { kind: 'relation' | 'function' | 'type' };

export type ExpressionScan = { ok: true; references: ExpressionReference[] } | { ok: false; reason: string };

type Token = { kind: 'string'; value: string } | { kind: 'ident'; value: string; quoted: boolean } | { kind: 'punct'; value: string };

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Tokens of `text`, or why it is not a single self-contained expression. */
function tokenize(text: string): { ok: true; tokens: Token[] } | { ok: false; reason: string } {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || ((c === 'E' || c === 'e') && next === "'")) {
      const escapes = c !== "'";
      i += escapes ? 2 : 1;
      let value = '';
      for (;;) {
        if (i >= text.length) return { ok: false, reason: 'a string literal is not closed' };
        const s = text[i] as string;
        if (escapes && s === '\\') {
          value += text.slice(i, i + 2);
          i += 2;
        } else if (s === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (s === "'") {
          i++;
          break;
        } else {
          value += s;
          i++;
        }
      }
      tokens.push({ kind: 'string', value });
    } else if (c === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= text.length) return { ok: false, reason: 'a quoted identifier is not closed' };
        const s = text[i] as string;
        if (s === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (s === '"') {
          i++;
          break;
        } else {
          value += s;
          i++;
        }
      }
      tokens.push({ kind: 'ident', value, quoted: true });
    } else if (IDENT_START.test(c)) {
      let end = i + 1;
      while (end < text.length && IDENT_PART.test(text[end] as string)) end++;
      const word = text.slice(i, end);
      // U&'...', B'...', X'...', N'...': a prefix glued to a literal; the literal follows as a string.
      tokens.push({ kind: 'ident', value: word.toLowerCase(), quoted: false });
      i = end;
    } else if (c === ';') {
      return { ok: false, reason: 'it contains a statement separator (;)' };
    } else if ((c === '-' && next === '-') || (c === '/' && next === '*')) {
      return { ok: false, reason: 'it contains a comment' };
    } else if (c === '$') {
      return { ok: false, reason: 'it contains a $ outside a literal' };
    } else if (c === '\0' || (c < ' ' && c !== '\t')) {
      return { ok: false, reason: 'it contains a control character' };
    } else {
      if (c === '(') depth++;
      if (c === ')' && --depth < 0) return { ok: false, reason: 'it closes a parenthesis it did not open' };
      const pair = `${c}${next ?? ''}`;
      if (pair === '::') {
        tokens.push({ kind: 'punct', value: '::' });
        i += 2;
      } else {
        tokens.push({ kind: 'punct', value: c });
        i++;
      }
    }
  }
  if (depth !== 0) return { ok: false, reason: 'its parentheses are not balanced' };
  return { ok: true, tokens };
}

/** Whether `text` is one expression that stays inside `(text)`, and which local objects it names. */
export function scanExpression(text: string): ExpressionScan {
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  const { tokens } = lexed;
  const references: ExpressionReference[] = [];
  const isPunct = (token: Token | undefined, value: string) => token?.kind === 'punct' && token.value === value;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    // 'public.t_id_seq'::regclass, as nextval() defaults print: the sequence must exist locally.
    if (token.kind === 'string' && isPunct(tokens[i + 1], '::')) {
      const cast = tokens[i + 2];
      if (cast?.kind === 'ident' && !cast.quoted && cast.value === 'regclass') {
        const name = parseQualifiedName(token.value);
        if (name) references.push({ kind: 'relation', ...name });
      }
    }
    // schema.function( and ::schema.type: pg_get_expr qualifies every name outside pg_catalog.
    const second = tokens[i + 2];
    if (token.kind === 'ident' && isPunct(tokens[i + 1], '.') && second?.kind === 'ident') {
      const qualified = { schema: token.value, name: second.value };
      if (isPunct(tokens[i + 3], '(')) references.push({ kind: 'function', ...qualified });
      else if (isPunct(tokens[i - 1], '::')) references.push({ kind: 'type', ...qualified });
    }
  }
  return { ok: true, references };
}

/** `schema.name`, `"Odd Schema"."Name"` or `name` (pg_catalog), as regclass prints them; null if not a name. */
export function parseQualifiedName(text: string): QualifiedName | null {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= text.length) return null;
        if (text[i] === '"' && text[i + 1] === '"') {
          part += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else part += text[i++];
      }
      parts.push(part);
    } else {
      let end = i;
      while (end < text.length && text[end] !== '.') end++;
      const part = text.slice(i, end);
      if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(part)) return null;
      parts.push(part.toLowerCase());
      i = end;
    }
    if (i === text.length) break;
    if (text[i] !== '.') return null;
    i++;
  }
  if (parts.length === 1) return { schema: 'pg_catalog', name: parts[0] as string };
  if (parts.length === 2) return { schema: parts[0] as string, name: parts[1] as string };
  return null;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeJson, escapeMarkdown, escapeSql, escapeText, hasUnsafeCharacters, safe } from '../../src/escape.js';
import { registerSecret, scrubSecrets } from '../../src/secrets.js';

/** Any character a terminal would act on or not show: what must never be written raw. */
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe('escapeText (terminal, plain text and Ink)', () => {
  it('shows control characters and escape sequences as visible text', () => {
    expect(escapeText('x\nNo changes.\n\u001b[2J')).toBe('x\\nNo changes.\\n\\x1b[2J');
    expect(escapeText('\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007')).toBe(
      '\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07',
    );
    expect(escapeText('invoices\rpayroll')).toBe('invoices\\rpayroll');
    expect(escapeText('a\tb\u0000c\u007f')).toBe('a\\tb\\x00c\\x7f');
    expect(escapeText('\u009b31m')).toBe('\\x9b31m');
  });

  it('shows bidi overrides, zero-width and other invisible characters', () => {
    expect(escapeText('report\u202etxt.exe')).toBe('report\\u202etxt.exe');
    expect(escapeText('in\u200bvoices\u200d\u2066\ufeff')).toBe('in\\u200bvoices\\u200d\\u2066\\ufeff');
    expect(escapeText('a\u2028b\u2029c\u00add')).toBe('a\\u2028b\\u2029c\\xadd');
    expect(escapeText('tag\u{e0041}')).toBe('tag\\u{e0041}');
    expect(escapeText('lone\ud800')).toBe('lone\\ud800');
  });

  it('keeps printable names as they are, backslashes, quotes and non-Latin letters included', () => {
    for (const name of [`it's`, 'say "hi"', 'back\\slash', 'ünïcødé 表', '$1 %s', 'semi;colon; DROP TABLE x; --']) {
      expect(escapeText(name)).toBe(name);
    }
  });

  it('never lets a raw control or invisible character through, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeText(value);
        expect(RAW.test(escaped)).toBe(false);
        expect(hasUnsafeCharacters(escaped)).toBe(false);
        expect(escapeText(escaped)).toBe(escaped);
      }),
    );
  });

  it('the safe template escapes every interpolated value and keeps its literal text', () => {
    const table = 'x\nNo changes.';
    expect(safe`foreign table billing.${table} (${2} columns)`).toBe('foreign table billing.x\\nNo changes. (2 columns)');
  });
});

describe('escapeMarkdown (GitHub-flavoured markdown, inline or in a table cell)', () => {
  it('cannot end a table cell, start a line, a link, HTML or emphasis', () => {
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
    expect(escapeMarkdown('x\n# No changes.')).toBe('x\\\\x0a\\# No changes.');
    expect(escapeMarkdown('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeMarkdown('[click](https://evil.example)')).toBe('\\[click\\](https:\\/\\/evil.example)');
    expect(escapeMarkdown('see www.evil.example')).toBe('see www\\.evil.example');
    expect(escapeMarkdown('*bold* _it_ `code` ~~s~~ &amp;')).toBe('\\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ &amp;amp;');
  });

  it('shows control characters as visible text and does not mention people', () => {
    expect(escapeMarkdown('\u001b[2J')).toBe('\\\\x1b\\[2J');
    expect(escapeMarkdown('a\u202eb')).toBe('a\\\\u202eb');
    expect(escapeMarkdown('@octo-org/admins')).toBe('@\u2060octo-org/admins');
  });

  it('keeps letters, digits and spaces as they are', () => {
    expect(escapeMarkdown('invoices 2026 ünïcødé')).toBe('invoices 2026 ünïcødé');
  });

  it('never leaves a raw control character, newline or unescaped pipe', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeMarkdown(value);
        // The word joiner escapeMarkdown puts after `@` (so no name can @mention) is its own.
        expect(RAW.test(escaped.replaceAll('@\u2060', '@'))).toBe(false);
        expect(/(^|[^\\])(\\\\)*\|/.test(escaped)).toBe(false);
      }),
    );
  });
});

describe('escapeSql (plan --sql)', () => {
  it('keeps the line breaks between clauses and escapes those inside quoted names and literals', () => {
    const sql =
      'CREATE FOREIGN TABLE "billing"."x\nNo changes.\n\u001b[2J" (\n  "a""\nb" text OPTIONS (column_name \'it\'\'s\nx\')\n) SERVER "billing"';
    expect(escapeSql(sql).split('\n')).toStrictEqual([
      'CREATE FOREIGN TABLE "billing"."x\\nNo changes.\\n\\x1b[2J" (',
      '  "a""\\nb" text OPTIONS (column_name \'it\'\'s\\nx\')',
      ') SERVER "billing"',
    ]);
  });

  it('never lets a raw control character through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const lines = escapeSql(`SELECT "${value.replaceAll('"', '""')}"\nFROM x`).split('\n');
        expect(lines).toHaveLength(2);
        for (const line of lines) expect(RAW.test(line)).toBe(false);
      }),
    );
  });
});

describe('escapeJson (--json)', () => {
  it('writes C1 controls, bidi overrides and invisible characters as \\u escapes that parse back to the same value', () => {
    const value = { table: 'csi\u009b2J report\u202etxt in\u200bvoices tag\u{e0041} a\u2028b', nested: ['x\nNo changes.\u001b[2J'] };
    const json = escapeJson(JSON.stringify(value, null, 2));
    expect(json).toContain('csi\\u009b2J report\\u202etxt in\\u200bvoices tag\\udb40\\udc41 a\\u2028b');
    expect(JSON.parse(json)).toStrictEqual(value);
  });

  it('never lets a raw control character through, and changes no value', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }))), (value) => {
        const json = escapeJson(JSON.stringify(value, null, 2));
        for (const line of json.split('\n')) expect(RAW.test(line)).toBe(false);
        expect(JSON.parse(json)).toStrictEqual(value);
      }),
    );
  });
});

describe('escaped output and the secret scrubber', () => {
  it('still masks a password that holds control or invisible characters once it is escaped', () => {
    const password = 'pa\u001bss\u202ewo\nrd';
    registerSecret(password);
    const text = scrubSecrets(`${escapeText(`error: ${password}`)}\n${escapeJson(JSON.stringify({ password }))}`);
    expect(text).toBe('error: ********\n{"password":"********"}');
  });
});

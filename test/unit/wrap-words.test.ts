import { describe, expect, it } from 'vitest';
import { ansiPaint } from '../../src/render/style.js';
import { wrapWords } from '../../src/render/wrap-words.js';

const visible = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

describe('wrapWords', () => {
  it('breaks between words at the width, hanging continuation lines under the text after the mark', () => {
    const line = '  ✗ billing: auth failed: could not connect to server "billing": password authentication failed for user "bill"';
    expect(wrapWords(line, 40).split('\n')).toStrictEqual([
      '  ✗ billing: auth failed: could not',
      '    connect to server "billing":',
      '    password authentication failed for',
      '    user "bill"',
    ]);
    expect(wrapWords('      hint: run datalinks apply, which replaces the mapping', 34).split('\n')).toStrictEqual([
      '      hint: run datalinks apply,',
      '            which replaces the',
      '            mapping',
    ]);
    // Too narrow to hang under the text: continuation lines start at the line's indentation.
    expect(wrapWords('      hint: run datalinks apply, which replaces the mapping', 26).split('\n')).toStrictEqual([
      '      hint: run datalinks',
      '      apply, which',
      '      replaces the mapping',
    ]);
  });

  it('leaves short lines, and a whole text, as they are; cuts only a word longer than a line', () => {
    expect(wrapWords('Check: 1 link: 1 ok.\n\nDatabase main', 60)).toBe('Check: 1 link: 1 ok.\n\nDatabase main');
    expect(wrapWords(`  ✗ ${'x'.repeat(40)}`, 30).split('\n')).toStrictEqual([`  ✗ ${'x'.repeat(26)}`, `    ${'x'.repeat(14)}`]);
  });

  it('gives colour no width and never cuts inside an escape sequence', () => {
    const line = `  ${ansiPaint('error', '✗')} billing: ${ansiPaint('error', 'unreachable')}: no answer from the remote within the statement timeout`;
    const wrapped = wrapWords(line, 36);
    for (const row of wrapped.split('\n')) expect([...visible(row)].length).toBeLessThanOrEqual(36);
    expect(visible(wrapped).replace(/\s+/g, ' ')).toBe(visible(line).replace(/\s+/g, ' '));
    expect(wrapped).not.toMatch(/\u001b(?!\[[0-9;]*m)/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytewise, linkDigestOf } from '../../src/introspect/link-digest.js';

describe('link digests', () => {
  it('orders names as PostgreSQL\'s COLLATE "C" does: by their UTF-8 bytes, not by UTF-16 code units', () => {
    expect(['😀', '\uFFFD', 'é', 'Z', 'a', ''].sort(compareBytewise)).toEqual(['', 'Z', 'a', 'é', '\uFFFD', '😀']);
    const text = fc.string({
      unit: fc.oneof(fc.constantFrom('a', 'é', '\uE000', '\uFFFD', '😀', '𝄞'), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })),
      maxLength: 6,
    });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareBytewise(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart tables whose names and signatures would run together unquoted', () => {
    const sig = 'a'.repeat(64);
    expect(linkDigestOf([{ name: 'a', signature: sig }])).not.toBe(linkDigestOf([{ name: `a,${sig}`, signature: sig }]));
    expect(linkDigestOf([{ name: 'a b', signature: sig }])).not.toBe(linkDigestOf([{ name: '"a b"', signature: sig }]));
    expect(linkDigestOf([])).not.toBe(linkDigestOf([{ name: '', signature: sig }]));
  });
});

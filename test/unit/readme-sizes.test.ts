import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatSize, isNear, readmeSizes } from '../../scripts/readme-sizes.mjs';

describe("README's package sizes, as the package check reads them", () => {
  it('README states the installed size and the tarball size, so the package check always has figures to measure against', () => {
    const sizes = readmeSizes(readFileSync('README.md', 'utf8'));
    expect(sizes.installed.length).toBeGreaterThanOrEqual(2);
    expect(sizes.tarball.length).toBe(sizes.installed.length);
    // One figure for each in every place: the quick start and Development say the same.
    expect(new Set(sizes.installed.map((s) => s.bytes)).size).toBe(1);
    expect(new Set(sizes.tarball.map((s) => s.bytes)).size).toBe(1);
  });

  it("reads only the package's pairs, never another size README mentions", () => {
    const text =
      'npm i # 5.0 MB installed, a 1.1 MB download\nembedded PostgreSQL (a 60 MB download)\nit is 480 kB installed: a 95 kB tarball';
    expect(readmeSizes(text)).toEqual({
      installed: [
        { bytes: 5_000_000, text: '5.0 MB installed, a 1.1 MB download' },
        { bytes: 480_000, text: '480 kB installed: a 95 kB tarball' },
      ],
      tarball: [
        { bytes: 1_100_000, text: '5.0 MB installed, a 1.1 MB download' },
        { bytes: 95_000, text: '480 kB installed: a 95 kB tarball' },
      ],
    });
    expect(readmeSizes('npm install -D datalinks   # about 2.5 MB, no dependencies')).toEqual({ installed: [], tarball: [] });
  });

  it('holds a figure to 20% of the measurement: the old "2.5 MB" against 4.9 MB fails', () => {
    expect(isNear(4_900_000, 2_500_000)).toBe(false);
    expect(isNear(5_037_477, 5_000_000)).toBe(true);
    expect(isNear(6_000_000, 5_000_000)).toBe(true);
    expect(isNear(6_000_001, 5_000_000)).toBe(false);
    expect(formatSize(5_037_477)).toBe('5.0 MB');
    expect(formatSize(489_600)).toBe('490 kB');
  });
});

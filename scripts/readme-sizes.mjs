// The package sizes README states, read from its text so that the package check measures against what
// users are told (scripts/check-package.mjs fails when a figure is off by more than 20%). README states
// them as pairs, on the install line of the quick start ("5.0 MB installed, a 1.1 MB download") and in
// the package paragraph of Development ("5.0 MB installed: a 1.1 MB tarball"). Units are npm's:
// 1 kB = 1,000 bytes, 1 MB = 1,000,000 bytes.

const UNITS = { kB: 1e3, MB: 1e6 };
const SIZE = String.raw`(\d+(?:\.\d+)?) (kB|MB)`;

/**
 * Every installed-size and tarball-size figure README states, with the text it was read from. Each is
 * stated as a pair, "N MB installed, a N MB download" or "N MB installed: a N kB tarball", so that no
 * other size in README (the embedded PostgreSQL's download) is read as the package's.
 * @param {string} readme
 * @returns {{ installed: { bytes: number, text: string }[], tarball: { bytes: number, text: string }[] }}
 */
export function readmeSizes(readme) {
  const pairs = [...readme.matchAll(new RegExp(`${SIZE} installed[,:] an? ${SIZE} (?:download|tarball)`, 'g'))];
  return {
    installed: pairs.map((m) => ({ bytes: Number(m[1]) * UNITS[m[2]], text: m[0] })),
    tarball: pairs.map((m) => ({ bytes: Number(m[3]) * UNITS[m[4]], text: m[0] })),
  };
}

/** Whether `measured` is within `tolerance` (a fraction) of `stated`. */
export function isNear(measured, stated, tolerance = 0.2) {
  return Math.abs(measured - stated) <= tolerance * stated;
}

/** A size as README writes it: MB with one decimal from 1 MB, whole kB below. */
export function formatSize(bytes) {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.round(bytes / 1e3)} kB`;
}

'use strict';
// Loads a CommonJS bundle of dist/cli (quick.cjs: --version and validate; main.cjs: every command) with
// the V8 code cache the build wrote beside it (NAME.cache): compiling a bundle was about a third of
// `validate`'s time beyond Node's own start, and of `plan`'s start-up. A cache begins with the sha256 of
// the source it was made from and is used only with that same source (V8 itself checks only the
// length); V8 rejects it under another V8 version or other flags, and the bundle then compiles as usual.
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const DIST = join(__dirname, '..', 'dist', 'cli');
const DIGEST_BYTES = 32;

const digestOf = (bytes) => createHash('sha256').update(bytes).digest();
const cachePath = (file) => `${file}.cache`;

/** The cache's V8 data when it was made from the bundle's `bytes`, else undefined (none, stale or unreadable). */
function cachedDataFor(file, bytes) {
  let cache;
  try {
    cache = readFileSync(cachePath(file));
  } catch {
    return undefined;
  }
  if (cache.length <= DIGEST_BYTES || !cache.subarray(0, DIGEST_BYTES).equals(digestOf(bytes))) return undefined;
  return cache.subarray(DIGEST_BYTES);
}

/**
 * Compiles and runs dist/cli/`name` as `require` would; `useCache: false` compiles it from source alone.
 * Code compiled this way cannot call import() on Node 20 (the bundles import ES modules through
 * dist/cli/import-esm.cjs instead, see scripts/bundle.mjs).
 */
function compileBundle(name, { useCache = true } = {}) {
  const file = join(DIST, name);
  const bytes = readFileSync(file);
  // The build writes the bundles in ASCII: read as Latin-1, one byte a character, not decoded as UTF-8.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cachedData = useCache ? cachedDataFor(file, bytes) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const bundle = new Module(file, module);
  bundle.filename = file;
  script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, dirname(file));
  bundle.loaded = true;
  return { exports: bundle.exports, script, bytes, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/** Writes the cache of dist/cli/`name` from `script` (compiled from `bytes`, then run, so that it holds what running compiled). */
function writeBundleCache(name, script, bytes) {
  writeFileSync(cachePath(join(DIST, name)), Buffer.concat([digestOf(bytes), script.createCachedData()]));
}

module.exports = { compileBundle, writeBundleCache };

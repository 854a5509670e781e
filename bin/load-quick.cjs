'use strict';
// Loads dist/cli/quick.cjs (--version and validate) with the V8 code cache the build wrote beside it:
// compiling the 400 KB file was about a third of `validate`'s time beyond Node's own start. The cache
// begins with the sha256 of the source it was made from and is used only with that same source; V8
// rejects it by itself under another V8 version or other flags, and the file is then compiled as usual.
const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const QUICK = join(__dirname, '..', 'dist', 'cli', 'quick.cjs');
const CACHE = `${QUICK}.cache`;
const DIGEST_BYTES = 32;

const digestOf = (source) => createHash('sha256').update(source).digest();

/** The cache's V8 data when it was made from `source`, else undefined (none, stale or unreadable). */
function cachedDataFor(source) {
  let cache;
  try {
    cache = readFileSync(CACHE);
  } catch {
    return undefined;
  }
  if (cache.length <= DIGEST_BYTES || !cache.subarray(0, DIGEST_BYTES).equals(digestOf(source))) return undefined;
  return cache.subarray(DIGEST_BYTES);
}

/** Compiles and runs quick.cjs as `require` would; `useCache: false` compiles it from source alone. */
function compileQuick({ useCache = true } = {}) {
  const source = readFileSync(QUICK, 'utf8');
  const cachedData = useCache ? cachedDataFor(source) : undefined;
  const script = new vm.Script(Module.wrap(source), {
    filename: QUICK,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const quickModule = new Module(QUICK, module);
  quickModule.filename = QUICK;
  quickModule.paths = Module._nodeModulePaths(dirname(QUICK));
  script.runInThisContext().call(quickModule.exports, quickModule.exports, Module.createRequire(QUICK), quickModule, QUICK, dirname(QUICK));
  quickModule.loaded = true;
  return { exports: quickModule.exports, script, source, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/** Writes the cache of `script` (compiled from `source`, then run, so that it holds what running compiled). */
function writeQuickCache(script, source) {
  writeFileSync(CACHE, Buffer.concat([digestOf(source), script.createCachedData()]));
}

module.exports = { compileQuick, writeQuickCache, QUICK_CACHE: CACHE };

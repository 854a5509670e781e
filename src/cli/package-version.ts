import { readFileSync } from 'node:fs';

/** Set by scripts/bundle.mjs from package.json: the bundle's chunks live at several depths of dist/. */
declare const DATALINKS_VERSION: string | undefined;

export function packageVersion(): string {
  if (typeof DATALINKS_VERSION === 'string') return DATALINKS_VERSION;
  // Unbundled (tests run the sources): src/cli/ is two levels below the manifest.
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

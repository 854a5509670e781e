/** Parses a catalog options array (`{name=value,...}`); values may contain '=' so split at the first. */
export function parseOptions(entries: readonly string[] | null | undefined): Record<string, string> {
  const options: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const at = entry.indexOf('=');
    if (at === -1) options[entry] = '';
    else options[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return options;
}

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

/**
 * Parses PostgreSQL's text form of a one-dimensional text[] ({a,b} or {"a b","c\\"d"}). Used for
 * columns read as ::text: at 100,000 foreign table columns, pg's generic array parser shows.
 */
export function parseTextArray(text: string | null): string[] {
  if (text === null || text.length <= 2) return [];
  if (!text.includes('"')) return text.slice(1, -1).split(',');
  const items: string[] = [];
  let i = 1;
  while (i < text.length - 1) {
    let item = '';
    if (text[i] === '"') {
      i++;
      while (text[i] !== '"') {
        if (text[i] === '\\') i++;
        item += text[i];
        i++;
      }
      i++;
    } else {
      while (text[i] !== ',' && i < text.length - 1) item += text[i++];
    }
    items.push(item);
    i++; // the comma
  }
  return items;
}

/** The column_name option of a foreign table column, from attfdwoptions::text, without allocating in the usual case. */
export function columnNameOption(text: string | null): string | null {
  if (text === null) return null;
  if (text.startsWith('{column_name=') && !text.includes(',') && !text.includes('"')) return text.slice(13, -1);
  return parseOptions(parseTextArray(text)).column_name ?? null;
}

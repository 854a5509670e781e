import pg from 'pg';

/** The one quoting path for generated SQL: pg's own escape functions, never hand-written quotes. */
export const ident = (name: string): string => pg.escapeIdentifier(name);
export const literal = (value: string): string => pg.escapeLiteral(value);
export const qualified = (schema: string, name: string): string => `${ident(schema)}.${ident(name)}`;

/** A role in GRANT or USER MAPPING position: the PUBLIC pseudo-role is a keyword, not a name. */
export const role = (name: string): string => (name === 'public' ? 'PUBLIC' : ident(name));

export function optionList(options: Record<string, string>): string {
  return Object.entries(options)
    .map(([name, value]) => `${ident(name)} ${literal(value)}`)
    .join(', ');
}

// sql/: pure SQL text (quoting, the expression lexer); it knows no plan and no wrapper.
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

/**
 * The SQL spellings format_type() gives built-in types that the grammar itself maps to pg_catalog
 * (`integer`, `character varying(10)`, `timestamp(3) with time zone`, `interval year to month`, ...):
 * they cannot be qualified, and need not be.
 */
const GRAMMAR_TYPE =
  /^(bit varying|bit|boolean|character varying|character|real|double precision|smallint|integer|bigint|numeric|interval|time|timestamp)(?=$|[ ([])/;

/**
 * A type as format_type() printed it (with search_path = pg_catalog, pg_temp), written so that it
 * means that type whatever the search_path: format_type() qualifies every type outside pg_catalog,
 * so a name it left bare (`text`, `date`, `"char"`, `text[]`) is pg_catalog's and is written
 * `pg_catalog.text`, except the grammar's own spellings, which already are.
 */
export function catalogQualifiedType(formatted: string): string {
  if (formatted === '' || GRAMMAR_TYPE.test(formatted) || hasQualifier(formatted)) return formatted;
  return `pg_catalog.${formatted}`;
}

/** Whether a formatted type name has a `schema.` part: a dot outside double quotes. */
function hasQualifier(formatted: string): boolean {
  let quoted = false;
  for (const c of formatted) {
    if (c === '"') quoted = !quoted;
    else if (c === '.' && !quoted) return true;
  }
  return false;
}

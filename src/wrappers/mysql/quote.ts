/**
 * A MySQL identifier, quoted: backticks, with a backtick inside doubled. The one quoting path for
 * MySQL names, in statements datalinks sends and in the SQL its hints show.
 */
export function mysqlIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1) and silently drops the rest. */
export const MAX_IDENTIFIER_BYTES = 63;

/** A name's length as PostgreSQL counts it: bytes of UTF-8. */
export function identifierBytes(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

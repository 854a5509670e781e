import pg from 'pg';

export { SQLSTATE } from '../sqlstate.js';

/** The SQLSTATE of an error PostgreSQL sent, or undefined for anything else (network, client). */
export function sqlstateOf(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}

/** The Node.js system error code (ECONNREFUSED, ENOTFOUND, ...) of a network error. */
export function systemCodeOf(error: unknown): string | undefined {
  if (error instanceof pg.DatabaseError || !(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : undefined;
}

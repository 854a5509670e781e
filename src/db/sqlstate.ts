import pg from 'pg';

/** The SQLSTATEs datalinks reacts to, named once (PostgreSQL documentation, appendix A). */
export const SQLSTATE = {
  /** lock_timeout expired, or pg_advisory_xact_lock gave up. */
  lockNotAvailable: '55P03',
  /** statement_timeout expired, or a cancel request (Ctrl-C) stopped the statement. */
  queryCanceled: '57014',
  insufficientPrivilege: '42501',
  /** A RESTRICT drop found objects that depend on what it drops. */
  dependentObjectsStillExist: '2BP01',
  undefinedObject: '42704',
  invalidCatalogName: '3D000',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
} as const;

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

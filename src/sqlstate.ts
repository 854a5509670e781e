// Shared by db/ (which reads errors) and render/ (which words them): names only, no client.

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
  undefinedTable: '42P01',
  invalidSchemaName: '3F000',
  /** A setting refused its value (set_config), or a parameter that does not exist (42704 above). */
  invalidParameterValue: '22023',
  cantChangeRuntimeParam: '55P02',
} as const;

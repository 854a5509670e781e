/**
 * Catalog queries for the local database: one per concern, never one per link or table.
 * They run with search_path = pg_catalog so that format_type() and pg_get_expr() qualify every
 * non-catalog name, exactly as postgres_fdw's IMPORT FOREIGN SCHEMA sees the remote.
 */

export const ENVIRONMENT_QUERY = `
SELECT pg_catalog.current_setting('server_version_num')::int AS version_num,
       current_user::text AS current_user,
       pg_catalog.current_database()::text AS database,
       coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false) AS is_superuser,
       (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'postgres_fdw') AS fdw_extension,
       EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions a WHERE a.name = 'postgres_fdw') AS fdw_available,
       (SELECT pg_catalog.has_foreign_data_wrapper_privilege(w.oid, 'USAGE')
          FROM pg_catalog.pg_foreign_data_wrapper w WHERE w.fdwname = 'postgres_fdw') AS fdw_usage,
       pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE') AS can_create_schema`;

export const SERVERS_QUERY = `
SELECT s.srvname::text AS name,
       w.fdwname::text AS wrapper,
       pg_catalog.pg_get_userbyid(s.srvowner)::text AS owner,
       coalesce(s.srvoptions, '{}') AS options,
       pg_catalog.obj_description(s.oid, 'pg_foreign_server') AS comment,
       coalesce((SELECT json_agg(json_build_object('role', m.usename, 'options', m.umoptions) ORDER BY m.usename)
                   FROM pg_catalog.pg_user_mappings m WHERE m.srvid = s.oid), '[]') AS mappings
  FROM pg_catalog.pg_foreign_server s
  JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
 ORDER BY s.srvname`;

const ACL_GRANTS = (acl: string) => `
coalesce((SELECT json_agg(json_build_object(
                   'grantee', CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END,
                   'privilege', a.privilege_type) ORDER BY 1, a.privilege_type)
            FROM pg_catalog.aclexplode(${acl}) a), '[]')`;

export const SCHEMAS_QUERY = `
SELECT n.nspname::text AS name,
       pg_catalog.pg_get_userbyid(n.nspowner)::text AS owner,
       ${ACL_GRANTS('n.nspacl')} AS grants
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
   AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
 ORDER BY n.nspname`;

export const FOREIGN_TABLES_QUERY = `
SELECT c.oid AS relid,
       n.nspname::text AS schema,
       c.relname::text AS name,
       s.srvname::text AS server,
       pg_catalog.pg_get_userbyid(c.relowner)::text AS owner,
       coalesce(ft.ftoptions, '{}') AS options,
       ${ACL_GRANTS('c.relacl')} AS grants
  FROM pg_catalog.pg_foreign_table ft
  JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
 ORDER BY n.nspname, c.relname`;

/** Columns of every foreign table, flat: at 10,000 tables, one row a column beats a JSON array a table. */
export const FOREIGN_TABLE_COLUMNS_QUERY = `
SELECT a.attrelid AS relid,
       a.attname::text AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       CASE WHEN co.oid IS NOT NULL THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END AS collation,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default,
       a.attgenerated::text AS generated,
       a.attfdwoptions::text AS options
  FROM pg_catalog.pg_foreign_table ft
  JOIN pg_catalog.pg_attribute a ON a.attrelid = ft.ftrelid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
 ORDER BY a.attrelid, a.attnum`;

/**
 * Objects that DROP ... CASCADE of a link's server, schema or foreign tables would take with them,
 * other than the link's own foreign tables: views over them (through pg_rewrite), functions, tables
 * or views made by hand inside the link's schema, foreign tables elsewhere on the link's server.
 */
export const DEPENDENTS_QUERY = `
WITH RECURSIVE roots(classid, objid, link, table_name) AS (
  SELECT 'pg_catalog.pg_foreign_server'::pg_catalog.regclass, s.oid, s.srvname::text, NULL::text
    FROM pg_catalog.pg_foreign_server s
  UNION ALL
  SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid, n.nspname::text, NULL::text
    FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_foreign_server s ON s.srvname = n.nspname
  UNION ALL
  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid, s.srvname::text, c.relname::text
    FROM pg_catalog.pg_foreign_table ft
    JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver AND s.srvname = n.nspname
),
reached(classid, objid, link, table_name, depth) AS (
  SELECT classid, objid, link, table_name, 0 FROM roots
  UNION
  SELECT CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN 'pg_catalog.pg_class'::pg_catalog.regclass ELSE d.classid END,
         CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN r.ev_class ELSE d.objid END,
         reached.link, reached.table_name, reached.depth + 1
    FROM reached
    JOIN pg_catalog.pg_depend d ON d.refclassid = reached.classid AND d.refobjid = reached.objid AND d.deptype IN ('n', 'a')
                               -- only what can hold a user's object: views (through their rules), relations, routines
                               AND d.classid IN ('pg_catalog.pg_rewrite'::pg_catalog.regclass, 'pg_catalog.pg_class'::pg_catalog.regclass,
                                                 'pg_catalog.pg_proc'::pg_catalog.regclass)
    LEFT JOIN pg_catalog.pg_rewrite r ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND r.oid = d.objid
   WHERE reached.depth < 8
)
SELECT DISTINCT x.link, x.table_name, pg_catalog.pg_describe_object(x.classid, x.objid, 0) AS description
  FROM reached x
  LEFT JOIN pg_catalog.pg_class c ON x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = x.objid
  LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid
  LEFT JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
  LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE x.depth > 0
   AND x.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass)
   AND NOT (s.srvname IS NOT NULL AND s.srvname = x.link AND n.nspname = x.link)
   AND NOT (c.oid IS NOT NULL AND c.relkind IN ('S', 'i', 'I', 't') AND x.depth > 1)
   AND pg_catalog.pg_describe_object(x.classid, x.objid, 0) IS NOT NULL
 ORDER BY 1, 2 NULLS FIRST, 3`;

export const EXISTING_ROLES_QUERY = `
SELECT r.rolname::text AS name FROM pg_catalog.pg_roles r WHERE r.rolname = ANY($1::text[]) ORDER BY 1`;

export const MISSING_TYPES_QUERY = `
SELECT t.name FROM pg_catalog.unnest($1::text[]) AS t(name)
 WHERE pg_catalog.to_regtype(t.name) IS NULL ORDER BY 1`;

/**
 * Catalog queries for the local database: one per concern, never one per link or table.
 * They run with search_path = pg_catalog, pg_temp (session-settings.ts) so that format_type() and
 * pg_get_expr() qualify every non-catalog name, exactly as postgres_fdw's IMPORT FOREIGN SCHEMA sees
 * the remote, and so that an unqualified name in them can only mean a catalog object.
 */
import { literal } from '../sql/quote.js';
import { EXTENSION_SCHEMA, WRAPPERS } from '../wrappers/index.js';
import { EMPTY_SIGNATURE, localSignatureOf } from './table-signature.js';
import { CATALOG_SCHEMAS, typeDefinitionSql } from './type-definitions.js';

/** Tells two connections to one database apart from two databases: server start time, port, database oid. */
const IDENTITY = `pg_catalog.pg_postmaster_start_time()::text || ' ' || pg_catalog.current_setting('port') || ' ' ||
         (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())::text`;

/** The identity alone, of a database of the file that this run does not plan (-d): is it one it does? */
export const IDENTITY_QUERY = `SELECT ${IDENTITY} AS identity`;
/**
 * Whether only the connecting role and superusers may create objects in schema `n`: every role that
 * can (its owner, and each role granted CREATE on it; PUBLIC is no role) is the connecting role or a
 * superuser. The owner pg_database_owner (PostgreSQL 15+'s `public`) stands for the database's owner.
 */
const SCHEMA_TRUSTED = (n: string) => `NOT EXISTS (
         SELECT 1
           FROM (SELECT ${n}.nspowner AS writer
                 UNION ALL
                 SELECT a.grantee FROM pg_catalog.aclexplode(${n}.nspacl) a WHERE a.privilege_type = 'CREATE') w
           LEFT JOIN pg_catalog.pg_roles r ON r.oid = w.writer
          WHERE NOT coalesce(r.rolname = current_user OR r.rolsuper
                             OR (r.rolname = 'pg_database_owner' AND EXISTS (
                                   SELECT 1 FROM pg_catalog.pg_database d JOIN pg_catalog.pg_roles o ON o.oid = d.datdba
                                    WHERE d.datname = pg_catalog.current_database() AND (o.rolname = current_user OR o.rolsuper))),
                             false))`;

/** The extension names of the wrappers datalinks knows, as SQL literals: 'postgres_fdw', 'mysql_fdw'. */
const WRAPPER_EXTENSIONS = WRAPPERS.map((wrapper) => literal(wrapper.fdw));

/**
 * The server and this session: version, role, database, what each wrapper's extension is here. The
 * extensions available are read once (pg_available_extensions() reads every control file on each call).
 */
export const ENVIRONMENT_QUERY = `
WITH available AS MATERIALIZED (
  SELECT a.name::text AS name FROM pg_catalog.pg_available_extensions a WHERE a.name IN (${WRAPPER_EXTENSIONS.join(', ')})
)
SELECT pg_catalog.current_setting('server_version_num')::int AS version_num,
       current_user::text AS current_user,
       pg_catalog.current_database()::text AS database,
       ${IDENTITY} AS identity,
       coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false) AS is_superuser,
       (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'postgres_fdw') AS fdw_extension,
       EXISTS (SELECT 1 FROM available a WHERE a.name = 'postgres_fdw') AS fdw_available,
       (SELECT pg_catalog.has_foreign_data_wrapper_privilege(w.oid, 'USAGE')
          FROM pg_catalog.pg_foreign_data_wrapper w WHERE w.fdwname = 'postgres_fdw') AS fdw_usage,
       pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE') AS can_create_schema,
       (SELECT pg_catalog.json_object_agg(v.name, pg_catalog.json_build_object(
                 'extension', (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = v.name),
                 'available', EXISTS (SELECT 1 FROM available a WHERE a.name = v.name),
                 'usage', (SELECT pg_catalog.has_foreign_data_wrapper_privilege(w.oid, 'USAGE')
                             FROM pg_catalog.pg_foreign_data_wrapper w WHERE w.fdwname = v.name),
                 'schema', (SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                             WHERE e.extname = v.name)))
          FROM (VALUES ${WRAPPER_EXTENSIONS.map((name) => `(${name})`).join(', ')}) v(name)) AS wrappers,
       (SELECT pg_catalog.json_object_agg(n.nspname, pg_catalog.json_build_object(
                 'owner', pg_catalog.pg_get_userbyid(n.nspowner), 'trusted', ${SCHEMA_TRUSTED('n')}))
          FROM pg_catalog.pg_namespace n
         WHERE n.nspname IN ('public', '${EXTENSION_SCHEMA}')
            OR n.oid IN (SELECT e.extnamespace FROM pg_catalog.pg_extension e WHERE e.extname IN (${WRAPPER_EXTENSIONS.join(', ')}))) AS extension_schemas`;

/**
 * The roles the connecting role is a member of (itself included), through explicit grants only:
 * pg_has_role() says yes to every role for a superuser, and a superuser must not take another
 * role's objects for its own.
 */
const MY_ROLES = `
WITH RECURSIVE my_roles(oid) AS (
  SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user
  UNION
  SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN my_roles ON m.member = my_roles.oid
)`;

export const SERVERS_QUERY = `${MY_ROLES}
SELECT s.srvname::text AS name,
       w.fdwname::text AS wrapper,
       pg_catalog.pg_get_userbyid(s.srvowner)::text AS owner,
       s.srvowner IN (SELECT oid FROM my_roles) AS owned,
       coalesce(s.srvoptions, '{}') AS options,
       pg_catalog.obj_description(s.oid, 'pg_foreign_server') AS comment,
       coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object('role', m.usename, 'options', m.umoptions) ORDER BY m.usename)
                   FROM pg_catalog.pg_user_mappings m WHERE m.srvid = s.oid), '[]') AS mappings
  FROM pg_catalog.pg_foreign_server s
  JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
 ORDER BY s.srvname`;

const ACL_GRANTS = (acl: string) => `
coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                   'grantee', CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END,
                   'privilege', a.privilege_type) ORDER BY 1, a.privilege_type)
            FROM pg_catalog.aclexplode(${acl}) a), '[]')`;

/**
 * Every schema, and for the schemas named like the file's links ($1) the names that a new foreign table
 * there would collide with (`taken`): relations that are not the link's own foreign tables (tables,
 * views, materialized views, sequences, indexes, composite types, foreign tables of other servers) and
 * types that are no relation's row type (enums, domains, ranges, base types). An array type made for
 * another type is left out: PostgreSQL moves it out of a new relation's way. One pass over pg_class and
 * pg_type, and only of those schemas, whatever the number of links.
 */
export const SCHEMAS_QUERY = `${MY_ROLES},
taken(nsp, name, kind) AS MATERIALIZED (
  SELECT c.relnamespace, c.relname::text, 'relation:' || c.relkind::text
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid
    LEFT JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver
   WHERE cn.nspname = ANY($1::text[]) AND fs.srvname IS DISTINCT FROM cn.nspname
  UNION ALL
  SELECT t.typnamespace, t.typname::text, 'type:' || t.typtype::text
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
    -- (a join, not a subquery per type: each foreign table's row type has an array type in the schema)
    LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND e.typarray = t.oid
   WHERE tn.nspname = ANY($1::text[]) AND t.typrelid = 0 AND e.oid IS NULL
)
SELECT n.nspname::text AS name,
       pg_catalog.pg_get_userbyid(n.nspowner)::text AS owner,
       n.nspowner IN (SELECT oid FROM my_roles) AS owned,
       pg_catalog.obj_description(n.oid, 'pg_namespace') AS comment,
       ${ACL_GRANTS('n.nspacl')} AS grants,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('name', x.name, 'kind', x.kind) ORDER BY x.name, x.kind)
          FROM taken x WHERE x.nsp = n.oid) AS taken
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
   AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
 ORDER BY n.nspname`;

/** In this order (read as arrays): options as text[]'s text, which parseTextArray() reads faster than pg's generic parser. */
const FOREIGN_TABLES_SELECT = `
SELECT c.oid AS relid,
       n.nspname::text AS schema,
       c.relname::text AS name,
       s.srvname::text AS server,
       pg_catalog.pg_get_userbyid(c.relowner)::text AS owner,
       coalesce(ft.ftoptions, '{}')::text AS options,
       ${ACL_GRANTS('c.relacl')} AS grants`;
const FOREIGN_TABLES_FROM = `
  FROM pg_catalog.pg_foreign_table ft
  JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver`;

/** Every foreign table, without its columns: what `list` and `export` read. */
export const FOREIGN_TABLES_QUERY = `${FOREIGN_TABLES_SELECT}${FOREIGN_TABLES_FROM}
 ORDER BY n.nspname, c.relname`;

/**
 * Every foreign table with the signature of its columns (`sig`, table-signature.ts): the plan reads
 * the columns of only those whose signature is not the one their link makes of the remote table.
 *
 * One row a table, except for a link ($1: the links' names) whose foreign tables are all alike: every
 * one is of the link's server and has the owner, privileges and `schema_name` option of the others,
 * and its own name as `table_name`, its only other option. Such a link is one row, of one of its
 * tables, whose owner, options and grants stand for all of them, with `tables`: each table's oid (a JSON number),
 * name and signature, in name order. At 10,000 foreign tables in 100 links a plan then decodes 100
 * rows, not 10,000: the rows it builds the tables from are the same.
 */
export const FOREIGN_TABLES_WITH_SIGNATURES_QUERY = `
WITH tables AS MATERIALIZED (
  SELECT c.oid AS relid, n.nspname::text AS schema, c.relname::text AS name, s.srvname::text AS server,
         c.relowner AS owner_oid, c.relacl AS acl, ft.ftoptions AS options,
         coalesce(sig.sig, ${EMPTY_SIGNATURE}) AS sig${FOREIGN_TABLES_FROM}
    LEFT JOIN ${localSignatureOf('c.oid')} ON true
),
links AS (
  SELECT t.schema, pg_catalog.min(t.relid) AS sample,
         pg_catalog.json_agg(pg_catalog.json_build_array(t.relid::pg_catalog.int8, t.name, t.sig) ORDER BY t.name COLLATE pg_catalog."C") AS tables
    FROM tables t
   WHERE t.schema = ANY($1::text[])
   GROUP BY t.schema
  HAVING pg_catalog.bool_and(coalesce(t.server = t.schema AND pg_catalog.cardinality(t.options) = 2
                                      AND pg_catalog.starts_with(t.options[1], 'schema_name=') AND t.options[2] = 'table_name=' || t.name,
                                      false))
     AND pg_catalog.count(DISTINCT ROW(t.owner_oid, t.acl::text, t.options[1])) = 1
)
SELECT t.relid, t.schema, t.name, t.server,
       pg_catalog.pg_get_userbyid(t.owner_oid)::text AS owner,
       coalesce(t.options, '{}')::text AS options,
       ${ACL_GRANTS('t.acl')} AS grants,
       t.sig,
       l.tables
  FROM tables t
  LEFT JOIN links l ON l.schema = t.schema
 WHERE l.schema IS NULL OR t.relid = l.sample
 ORDER BY t.schema COLLATE pg_catalog."C", t.name COLLATE pg_catalog."C"`;

/**
 * Columns of the given foreign tables ($1: their oids), flat: one row a column beats a JSON array a
 * table when many tables differ from their remote.
 */
export const FOREIGN_TABLE_COLUMNS_QUERY = `
SELECT a.attrelid AS relid,
       a.attname::text AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       cn.nspname::text AS collation_schema,
       co.collname::text AS collation_name,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default,
       a.attgenerated::text AS generated,
       a.attfdwoptions::text AS options
  FROM pg_catalog.pg_attribute a
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
 WHERE a.attrelid = ANY($1::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`;

/**
 * Objects outside a link that dropping part of it with CASCADE would take along: walked through
 * pg_depend from the given roots, following normal, automatic and internal dependencies (a view's
 * rule, a table's row type and its array type, columns of that type, functions returning it,
 * defaults and constraints using a function or type that lives in the link's schema, anything
 * created inside that schema, foreign tables of the server elsewhere). Reported: what is reached
 * through a normal dependency and is not the link's own (its foreign tables and their types and
 * defaults, its user mappings). `column_name` is the column of the link's table the dependent uses
 * (null: the whole table, or the server or schema); `in_schema` marks objects that live in the
 * link's schema. The roots are only what a plan may drop (introspect-local.ts says which):
 * $1 links walked whole (each server of that name, the schema of that name and the server's foreign
 * tables there), $2 schemas walked (a link's schema even without a server, for adoption), $3 foreign
 * tables walked (oids of links' own tables). A link's own tables are all known to the walk, rooted or not.
 */
export const DEPENDENTS_QUERY = `
WITH RECURSIVE
walked(link) AS (
  SELECT pg_catalog.unnest($1::text[]) UNION SELECT pg_catalog.unnest($2::text[])
  UNION
  SELECT s.srvname::text FROM pg_catalog.pg_foreign_table ft JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
   WHERE ft.ftrelid = ANY($3::pg_catalog.oid[])
),
own(relid, link) AS (
  SELECT c.oid, s.srvname::text
    FROM pg_catalog.pg_foreign_server s
    JOIN pg_catalog.pg_foreign_table ft ON ft.ftserver = s.oid
    JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.srvname
   WHERE s.srvname IN (SELECT link FROM walked)
),
roots(classid, objid, link, table_name, table_oid) AS (
  SELECT 'pg_catalog.pg_foreign_server'::pg_catalog.regclass, s.oid, s.srvname::text, NULL::text, NULL::oid
    FROM pg_catalog.pg_foreign_server s
   WHERE s.srvname = ANY($1::text[])
  UNION ALL
  SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid, n.nspname::text, NULL::text, NULL::oid
    FROM pg_catalog.pg_namespace n
   WHERE n.nspname = ANY($1::text[]) OR n.nspname = ANY($2::text[])
  UNION ALL
  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid, own.link, c.relname::text, c.oid
    FROM own JOIN pg_catalog.pg_class c ON c.oid = own.relid
   WHERE own.link = ANY($1::text[]) OR own.relid = ANY($3::pg_catalog.oid[])
),
reached(classid, objid, objsubid, link, table_name, table_oid, column_num, via, in_schema) AS (
  SELECT classid, objid, 0, link, table_name, table_oid, 0, ''::text, false FROM roots
  UNION
  SELECT CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN 'pg_catalog.pg_class'::pg_catalog.regclass ELSE d.classid END,
         -- a scalar subquery, not a join: it takes pg_rewrite's index instead of a scan per row
         CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
              THEN (SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid = d.objid) ELSE d.objid END,
         CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN 0 ELSE d.objsubid END,
         x.link, x.table_name, x.table_oid,
         CASE WHEN x.via = '' THEN d.refobjsubid ELSE x.column_num END,
         d.deptype::text,
         x.via = '' AND x.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
    FROM reached x
    JOIN pg_catalog.pg_depend d ON d.refclassid = x.classid AND d.refobjid = x.objid
                               AND (x.objsubid = 0 OR d.refobjsubid = x.objsubid)
                               AND d.deptype IN ('n', 'a', 'i')
   -- the link's own tables are roots of their own: reached from the schema or server, they are not walked again
   -- ((oid, link) IN (...) is uncorrelated, so PostgreSQL hashes it once instead of scanning own per row)
   WHERE NOT (x.via <> '' AND x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND (x.objid, x.link) IN (SELECT relid, link FROM own))
)
SELECT DISTINCT x.link, x.table_name, a.attname::text AS column_name, x.in_schema,
       pg_catalog.pg_describe_object(x.classid, x.objid, x.objsubid) AS description
  FROM reached x
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.table_oid AND a.attnum = x.column_num AND x.column_num > 0
  LEFT JOIN pg_catalog.pg_type t ON x.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = x.objid
  LEFT JOIN pg_catalog.pg_type te ON te.oid = t.typelem
  LEFT JOIN pg_catalog.pg_attrdef ad ON x.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND ad.oid = x.objid
 WHERE x.via = 'n'
   AND x.classid <> 'pg_catalog.pg_user_mapping'::pg_catalog.regclass
   AND NOT (x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND (x.objid, x.link) IN (SELECT relid, link FROM own))
   AND NOT coalesce((t.typrelid, x.link) IN (SELECT relid, link FROM own), false)
   AND NOT coalesce((te.typrelid, x.link) IN (SELECT relid, link FROM own), false)
   AND NOT coalesce((ad.adrelid, x.link) IN (SELECT relid, link FROM own), false)
   -- (in a CASE so that only normal dependencies are described, not every object the walk reached)
   AND CASE WHEN x.via = 'n' THEN pg_catalog.pg_describe_object(x.classid, x.objid, x.objsubid) IS NOT NULL ELSE false END
 ORDER BY 1, 2 NULLS FIRST, 3 NULLS FIRST, 5`;

/**
 * The roles named in grant_to ($1) that exist (`named`), and whether each may log in; and when one of
 * them does not exist, every other role too (not `named`), for the plan's did-you-mean.
 */
export const EXISTING_ROLES_QUERY = `
SELECT r.rolname::text AS name, r.rolname = ANY($1::text[]) AS named, r.rolcanlogin AS can_login
  FROM pg_catalog.pg_roles r
 WHERE r.rolname = ANY($1::text[])
    OR EXISTS (SELECT 1 FROM pg_catalog.unnest($1::text[]) w(name)
                WHERE w.name <> 'public' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles x WHERE x.rolname = w.name))
 ORDER BY 1`;

/**
 * Resolves what the remotes' columns need (remote-needs.ts) against this database: each type's
 * local format_type(), oid, own collation and, for a user-defined type, its definition (to compare
 * with the remote's: type-definitions.ts), and whether each collation (and its oid), relation,
 * function and type named by an expression exists here. Inputs are parallel arrays: kind, schema,
 * name, typmod.
 */
export const NEEDS_QUERY = `
SELECT r.kind, r.schema, r.name, r.typmod,
       pg_catalog.format_type(t.oid, r.typmod) AS type_text,
       t.oid AS type_oid,
       t.typcollation AS type_collation_oid,
       tcn.nspname::text AS type_collation_schema,
       tc.collname::text AS type_collation_name,
       CASE WHEN r.kind = 'collation' THEN (
         SELECT pg_catalog.min(c.oid) FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
          WHERE n.nspname = r.schema AND c.collname = r.name
            AND c.collencoding IN (-1, pg_catalog.pg_char_to_encoding(pg_catalog.getdatabaseencoding()))
         HAVING pg_catalog.count(*) = 1) END AS collation_oid,
       CASE r.kind
         WHEN 'type' THEN t.oid IS NOT NULL
         WHEN 'collation' THEN EXISTS (
           SELECT 1 FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
            WHERE n.nspname = r.schema AND c.collname = r.name
              AND c.collencoding IN (-1, pg_catalog.pg_char_to_encoding(pg_catalog.getdatabaseencoding())))
         WHEN 'relation' THEN EXISTS (
           SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = r.schema AND c.relname = r.name)
         WHEN 'function' THEN EXISTS (
           SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = r.schema AND p.proname = r.name)
         ELSE false
       END AS found,
       CASE WHEN r.kind = 'type' AND t.oid IS NOT NULL AND tn.nspname NOT IN (${CATALOG_SCHEMAS.map((s) => `'${s}'`).join(', ')})
            THEN ${typeDefinitionSql('t')} END AS definition
  FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[]),
                  pg_catalog.unnest($4::int[])) AS r(kind, schema, name, typmod)
  LEFT JOIN (pg_catalog.pg_type t JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace)
         ON r.kind = 'type' AND tn.nspname = r.schema AND t.typname = r.name
  LEFT JOIN pg_catalog.pg_collation tc ON tc.oid = t.typcollation
  LEFT JOIN pg_catalog.pg_namespace tcn ON tcn.oid = tc.collnamespace`;

/**
 * The remote schema, read the way postgres_fdw's IMPORT FOREIGN SCHEMA reads it (relkinds
 * r/v/f/m/p, columns in attnum order), for every linked schema of one remote in one query.
 * Names come back as separate raw parts (type schema and name, typmod, collation schema and name),
 * never as text the remote formatted or quoted: the local side resolves and quotes them itself.
 * The planner computes from them the signature each foreign table should have (table-signature.ts).
 */
export const REMOTE_TABLES_QUERY = `
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       c.relkind::text AS kind,
       c.relispartition AS is_partition,
       pg_catalog.has_table_privilege(c.oid, 'SELECT') AS readable,
       coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                          'name', a.attname,
                          'typeSchema', tn.nspname,
                          'typeName', t.typname,
                          'typmod', a.atttypmod,
                          'notNull', a.attnotnull,
                          'collationSchema', cn.nspname,
                          'collationName', co.collname,
                          'default', pg_catalog.pg_get_expr(d.adbin, d.adrelid),
                          'generated', a.attgenerated) ORDER BY a.attnum)
                   FROM pg_catalog.pg_attribute a
                   JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                   JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
                   LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                   LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
                   LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'v', 'f', 'm', 'p')
 ORDER BY n.nspname, c.relname`;

export const REMOTE_SCHEMAS_QUERY = `
SELECT n.nspname::text AS name FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY($1::text[]) ORDER BY 1`;

/**
 * The remote schema, read the way postgres_fdw's IMPORT FOREIGN SCHEMA reads it (search_path =
 * pg_catalog, relkinds r/v/f/m/p, columns in attnum order), for every linked schema of one remote
 * in one query.
 */
export const REMOTE_TABLES_QUERY = `
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       c.relkind::text AS kind,
       c.relispartition AS is_partition,
       coalesce((SELECT json_agg(json_build_object(
                          'name', a.attname,
                          'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                          'notNull', a.attnotnull,
                          'collation', CASE WHEN co.oid IS NOT NULL
                                            THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END,
                          'default', pg_catalog.pg_get_expr(d.adbin, d.adrelid),
                          'generated', a.attgenerated) ORDER BY a.attnum)
                   FROM pg_catalog.pg_attribute a
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

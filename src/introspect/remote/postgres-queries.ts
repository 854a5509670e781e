import { CATALOG_SCHEMAS, typeDefinitionSql } from '../type-definitions.js';

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

/**
 * The remote's schemas (not its catalogs' or temporary ones): those linked ($1) must exist, and the
 * others name what a `remote.schema` typo meant. For each linked schema, `types`: the definitions of
 * the user-defined types its tables' columns use, followed through arrays (element), domains (base)
 * and composites (attributes), for comparing with the local types of the same names
 * (type-definitions.ts). The server's own types are neither followed nor returned.
 */
export const REMOTE_SCHEMAS_QUERY = `
SELECT n.nspname::text AS name,
       n.nspname = ANY($1::text[]) AS linked,
       CASE WHEN n.nspname = ANY($1::text[]) THEN (
         WITH RECURSIVE used(oid) AS (
           SELECT a.atttypid
             FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'v', 'f', 'm', 'p')
           UNION
           SELECT r.ref
             FROM used u
             JOIN pg_catalog.pg_type t ON t.oid = u.oid
             JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
            CROSS JOIN LATERAL (
                   SELECT t.typelem WHERE t.typelem <> 0 AND t.typlen = -1
                   UNION ALL SELECT t.typbasetype WHERE t.typbasetype <> 0
                   UNION ALL SELECT a.atttypid FROM pg_catalog.pg_attribute a
                              WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) r(ref)
            WHERE tn.nspname NOT IN (${CATALOG_SCHEMAS.map((s) => `'${s}'`).join(', ')})
         )
         SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                  'schema', tn.nspname::text, 'name', t.typname::text, 'definition', ${typeDefinitionSql('t')}) ORDER BY tn.nspname, t.typname)
           FROM used u
           JOIN pg_catalog.pg_type t ON t.oid = u.oid
           JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
          WHERE tn.nspname NOT IN (${CATALOG_SCHEMAS.map((s) => `'${s}'`).join(', ')})) END AS types
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname = ANY($1::text[])
    OR (n.nspname NOT IN (${CATALOG_SCHEMAS.map((s) => `'${s}'`).join(', ')}, 'pg_toast') AND n.nspname NOT LIKE 'pg\\_%')
 ORDER BY 1`;

import type { QualifiedName, TypeDefinition } from './types.js';

/**
 * How a user-defined type is defined, as one JSON value, for comparing a local copy of a remote type
 * with the remote's own: an enum's labels in order, a domain's base type, NOT NULL, default and CHECK
 * constraints, a composite's attributes, an array's element. `t` is a pg_type row. The same SQL runs on
 * both sides, in sessions pinned to search_path = pg_catalog, so that every name outside pg_catalog is
 * written schema-qualified on both and the texts compare. Types of other kinds are `other` (not compared).
 */
export function typeDefinitionSql(t: string): string {
  const typeName = (oid: string, part: 'schema' | 'name') =>
    part === 'schema'
      ? `(SELECT xn.nspname::text FROM pg_catalog.pg_type xt JOIN pg_catalog.pg_namespace xn ON xn.oid = xt.typnamespace WHERE xt.oid = ${oid})`
      : `(SELECT xt.typname::text FROM pg_catalog.pg_type xt WHERE xt.oid = ${oid})`;
  return `CASE
  WHEN ${t}.typtype = 'e' THEN pg_catalog.json_build_object('kind', 'enum', 'labels',
    (SELECT coalesce(pg_catalog.json_agg(e.enumlabel::text ORDER BY e.enumsortorder), '[]')
       FROM pg_catalog.pg_enum e WHERE e.enumtypid = ${t}.oid))
  WHEN ${t}.typtype = 'd' THEN pg_catalog.json_build_object('kind', 'domain',
    'base', pg_catalog.format_type(${t}.typbasetype, ${t}.typtypmod),
    'baseSchema', ${typeName(`${t}.typbasetype`, 'schema')}, 'baseName', ${typeName(`${t}.typbasetype`, 'name')},
    'notNull', ${t}.typnotnull, 'default', pg_catalog.pg_get_expr(${t}.typdefaultbin, 0),
    'checks', (SELECT coalesce(pg_catalog.json_agg(d.def ORDER BY d.def), '[]')
                 FROM (SELECT pg_catalog.pg_get_constraintdef(c.oid) AS def FROM pg_catalog.pg_constraint c
                        WHERE c.contypid = ${t}.oid AND c.contype = 'c') d))
  WHEN ${t}.typtype = 'c' THEN pg_catalog.json_build_object('kind', 'composite', 'attributes',
    (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
              'name', a.attname::text, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
              'typeSchema', ${typeName('a.atttypid', 'schema')}, 'typeName', ${typeName('a.atttypid', 'name')}) ORDER BY a.attnum), '[]')
       FROM pg_catalog.pg_attribute a WHERE a.attrelid = ${t}.typrelid AND a.attnum > 0 AND NOT a.attisdropped))
  WHEN ${t}.typelem <> 0 AND ${t}.typlen = -1 THEN pg_catalog.json_build_object('kind', 'array',
    'elementSchema', ${typeName(`${t}.typelem`, 'schema')}, 'elementName', ${typeName(`${t}.typelem`, 'name')})
  ELSE pg_catalog.json_build_object('kind', 'other')
END`;
}

/** The schemas whose types are the server's own: the same on both sides for one major version, never compared. */
export const CATALOG_SCHEMAS = ['pg_catalog', 'information_schema'];

/** The key of a type's definition: schema and name (a definition has no typmod). */
export function definitionKey(type: QualifiedName): string {
  return `${type.schema}\0${type.name}`;
}

/**
 * A definition as typeDefinitionSql() wrote it, checked field by field: a remote's catalog is
 * untrusted, and a value of the wrong shape makes the type `other` (not compared) rather than a crash.
 */
export function toTypeDefinition(value: unknown): TypeDefinition {
  const raw = (value ?? {}) as Record<string, unknown>;
  const text = (v: unknown): v is string => typeof v === 'string';
  const texts = (v: unknown): v is string[] => Array.isArray(v) && v.every(text);
  const name = (schema: unknown, typeName: unknown): QualifiedName | null =>
    text(schema) && text(typeName) ? { schema, name: typeName } : null;
  switch (raw.kind) {
    case 'enum':
      return texts(raw.labels) ? { kind: 'enum', labels: raw.labels } : { kind: 'other' };
    case 'domain': {
      const baseType = name(raw.baseSchema, raw.baseName);
      if (!text(raw.base) || !baseType || typeof raw.notNull !== 'boolean' || !texts(raw.checks)) return { kind: 'other' };
      if (raw.default !== null && !text(raw.default)) return { kind: 'other' };
      return { kind: 'domain', base: raw.base, baseType, notNull: raw.notNull, default: raw.default, checks: raw.checks };
    }
    case 'composite': {
      if (!Array.isArray(raw.attributes)) return { kind: 'other' };
      const attributes = [];
      for (const attribute of raw.attributes as Record<string, unknown>[]) {
        const typeRef = name(attribute?.typeSchema, attribute?.typeName);
        if (!text(attribute?.name) || !text(attribute?.type) || !typeRef) return { kind: 'other' };
        attributes.push({ name: attribute.name, type: attribute.type, typeRef });
      }
      return { kind: 'composite', attributes };
    }
    case 'array': {
      const element = name(raw.elementSchema, raw.elementName);
      return element ? { kind: 'array', element } : { kind: 'other' };
    }
    default:
      return { kind: 'other' };
  }
}

import type { QualifiedName } from '../../introspect/types.js';

/** A column's type as MySQL's information_schema.COLUMNS describes it. */
export interface MysqlColumnType {
  /** DATA_TYPE: the bare type name (int, decimal, varchar, ...). */
  dataType: string;
  /** COLUMN_TYPE: the full declaration (int(10) unsigned, enum('a','b'), ...). */
  columnType: string;
  numericPrecision: number | null;
  numericScale: number | null;
  datetimePrecision: number | null;
  characterMaximumLength: number | null;
}

/** A local type: a pg_catalog type and its typmod, resolved and formatted by the local server. */
export type MappedType = { ok: true; type: QualifiedName & { typmod: number } } | { ok: false; reason: string };

const VARHDRSZ = 4;
const pgType = (name: string, typmod = -1): MappedType => ({ ok: true, type: { schema: 'pg_catalog', name, typmod } });
/** numeric(p,s)'s typmod, as PostgreSQL's numeric typmodin builds it. */
const numericTypmod = (precision: number, scale: number) => ((precision << 16) | scale) + VARHDRSZ;

/**
 * How a MySQL or MariaDB column type becomes a PostgreSQL column type that keeps every value
 * (DESIGN "MySQL remotes"). The remote's answer is data: only names in this table are mapped, and a
 * type outside it is refused with the reason, never passed on as text.
 */
export function mapMysqlType(column: MysqlColumnType): MappedType {
  const unsigned = /\bunsigned\b/i.test(column.columnType);
  const length = column.characterMaximumLength;
  const precision = column.datetimePrecision ?? 0;
  switch (column.dataType.toLowerCase()) {
    case 'tinyint':
      return pgType('int2');
    case 'smallint':
      return pgType(unsigned ? 'int4' : 'int2');
    case 'mediumint':
      return pgType('int4');
    case 'int':
    case 'integer':
      return pgType(unsigned ? 'int8' : 'int4');
    case 'bigint':
      return unsigned ? pgType('numeric', numericTypmod(20, 0)) : pgType('int8');
    case 'decimal':
    case 'numeric': {
      const p = column.numericPrecision;
      const s = column.numericScale ?? 0;
      if (p === null || p < 1 || p > 1000 || s < 0 || s > p)
        return { ok: false, reason: `decimal precision ${p ?? '?'} and scale ${s} out of range` };
      return pgType('numeric', numericTypmod(p, s));
    }
    case 'float':
      return pgType('float4');
    case 'double':
    case 'double precision':
    case 'real':
      return pgType('float8');
    case 'bit': {
      const bits = column.numericPrecision;
      if (bits === null || bits < 1 || bits > 64) return { ok: false, reason: 'bit length out of range' };
      return pgType('bit', bits);
    }
    case 'year':
      return pgType('int2');
    case 'date':
      return pgType('date');
    case 'datetime':
    case 'timestamp':
      if (precision < 0 || precision > 6) return { ok: false, reason: 'fractional seconds precision out of range' };
      return pgType('timestamp', precision);
    // MySQL's time runs from -838:59:59 to 838:59:59: an interval holds every value, a time would not.
    case 'time':
      return pgType('interval');
    case 'char':
      if (length === null || length < 1 || length > 255) return pgType('text');
      return pgType('bpchar', length + VARHDRSZ);
    case 'varchar':
      if (length === null || length < 1 || length > 10_485_760) return pgType('text');
      return pgType('varchar', length + VARHDRSZ);
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
    case 'enum':
    case 'set':
      return pgType('text');
    case 'json':
      return pgType('json');
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return pgType('bytea');
    case 'uuid':
      return pgType('uuid');
    case 'inet4':
    case 'inet6':
      return pgType('inet');
    default:
      return { ok: false, reason: 'no PostgreSQL type holds its values faithfully' };
  }
}

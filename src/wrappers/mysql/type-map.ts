import type { QualifiedName } from '../../sql/scan-expression.js';
import type { RemoteConversion, UnmappedReason } from '../types.js';

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

/**
 * A local type: a pg_catalog type and its typmod, resolved and formatted by the local server. With
 * `readLimit`, a value longer than that many bytes ends a read through the link without an error
 * (see MYSQL_FDW_BYTEA_BUFFER): the plan says so and `check` counts such rows.
 */
export type MappedType =
  | { ok: true; type: QualifiedName & { typmod: number }; readLimit: number | null }
  | { ok: false; reason: UnmappedReason; conversion: RemoteConversion | null };

/*
 * How mysql_fdw 2.8 reads a value (mysql_query.c, mysql_bind_result and mysql_convert_to_pg) decides
 * which local types keep every value. It fetches with a prepared statement, binding each column by
 * its LOCAL type:
 * - bytea: MYSQL_TYPE_BLOB into a buffer of MAX_BLOB_WIDTH bytes from the client library's headers:
 *   8,192 with MariaDB Connector/C (the build Debian ships), 16 MiB with MySQL's. The raw bytes are
 *   copied, so every byte string up to that length is exact.
 * - text: a string buffer sized to the longest value of the result (mysql_stmt_store_result with
 *   STMT_ATTR_UPDATE_MAX_LENGTH): any length reads whole.
 * - bit: the raw big-endian bytes are read as a host integer (BIT(9) holding 1 reads as 256) and
 *   printed in binary, dropping leading zeros; only bit(1) holds every value of its remote type.
 * - every other type: a 64 KiB string buffer (MAXDATALEN), read as a C string and passed to the
 *   type's input function. The client library formats the value into it: FLOAT with 6 significant
 *   digits (its FLT_DIG; 123456.789 reads as 123457), DOUBLE with as many as it needs to read back
 *   the same double, DECIMAL, dates and times as MySQL's own text.
 * A value that does not fit its buffer makes mysql_stmt_fetch return MYSQL_DATA_TRUNCATED, which
 * mysql_fdw takes as the end of the scan: the row and every row after it are silently missing.
 */

/** MAX_BLOB_WIDTH of MariaDB Connector/C, the smaller of the two builds: bytea values longer than this end a read. */
export const MYSQL_FDW_BYTEA_BUFFER = 8192;
/** MAXDATALEN: the string buffer of every local type but bytea and text; its last byte is needed for the C string's end. */
const MYSQL_FDW_STRING_BUFFER = 65_536;
/** Bytes a character takes at most once MySQL converts it to the link's character set (utf8mb4, or any other MySQL client set). */
const MAX_BYTES_PER_CHARACTER = 4;
/** The longest varchar(n) whose every value fits mysql_fdw's string buffer: longer ones are linked as text. */
export const MYSQL_VARCHAR_FITS = Math.floor((MYSQL_FDW_STRING_BUFFER - 1) / MAX_BYTES_PER_CHARACTER);

const VARHDRSZ = 4;
const pgType = (name: string, typmod = -1, readLimit: number | null = null): MappedType => ({
  ok: true,
  type: { schema: 'pg_catalog', name, typmod },
  readLimit,
});
const refuse = (reason: UnmappedReason, conversion: RemoteConversion | null = null): MappedType => ({ ok: false, reason, conversion });
/** numeric(p,s)'s typmod, as PostgreSQL's numeric typmodin builds it. */
const numericTypmod = (precision: number, scale: number) => ((precision << 16) | scale) + VARHDRSZ;
/** bytea for binary values of at most `maxBytes` (null: no bound): a read limit only where values can outgrow the buffer. */
const bytes = (maxBytes: number | null) =>
  pgType('bytea', -1, maxBytes !== null && maxBytes <= MYSQL_FDW_BYTEA_BUFFER ? null : MYSQL_FDW_BYTEA_BUFFER);

const SPATIAL = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

/**
 * How a MySQL or MariaDB column type becomes a PostgreSQL column type through which mysql_fdw returns
 * every value exactly (DESIGN "MySQL remotes"; the reasons are above). The remote's answer is data:
 * only names in this table are mapped, and a type outside it is refused, never passed on as text.
 */
export function mapMysqlType(column: MysqlColumnType): MappedType {
  const unsigned = /\bunsigned\b/i.test(column.columnType);
  const length = column.characterMaximumLength;
  const precision = column.datetimePrecision ?? 0;
  const dataType = column.dataType.toLowerCase();
  switch (dataType) {
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
      if (p === null || p < 1 || p > 1000 || s < 0 || s > p) return refuse('catalog_out_of_range');
      return pgType('numeric', numericTypmod(p, s));
    }
    // Read through the client's 6-digit text whatever the local type: a view with CAST(f AS DOUBLE) is exact.
    case 'float':
      return refuse('rounded', 'cast_double');
    case 'double':
    case 'double precision':
    case 'real':
      return pgType('float8');
    case 'bit': {
      const bits = column.numericPrecision;
      if (bits === null || bits < 1 || bits > 64) return refuse('catalog_out_of_range');
      // The value's bytes, big-endian, as MySQL sends them: b'101' in a bit(3) reads as \x05.
      return bits === 1 ? pgType('bit', 1) : bytes(8);
    }
    case 'year':
      return pgType('int2');
    case 'date':
      return pgType('date');
    case 'datetime':
    case 'timestamp':
      if (precision < 0 || precision > 6) return refuse('catalog_out_of_range');
      return pgType('timestamp', precision);
    // MySQL's time runs from -838:59:59 to 838:59:59: an interval holds every value, a time would not.
    case 'time':
      return pgType('interval');
    case 'char':
      if (length === null || length < 1 || length > 255) return pgType('text');
      return pgType('bpchar', length + VARHDRSZ);
    case 'varchar':
      if (length === null || length < 1 || length > MYSQL_VARCHAR_FITS) return pgType('text');
      return pgType('varchar', length + VARHDRSZ);
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
    case 'enum':
    case 'set':
    // MySQL's json (MariaDB's is longtext): a json column would be read into the 64 KiB buffer.
    case 'json':
      return pgType('text');
    case 'binary':
    case 'varbinary':
      return bytes(length);
    case 'tinyblob':
      return bytes(255);
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return bytes(null);
    case 'uuid':
      return pgType('uuid');
    case 'inet4':
    case 'inet6':
      return pgType('inet');
    default:
      return refuse('no_local_type', SPATIAL.has(dataType) ? 'spatial_text' : 'cast_char');
  }
}

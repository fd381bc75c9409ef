/**
 * Rows read from a target database, engine-independent and exact. Connectors produce them
 * (`Connector.readOnlyQuery`); export writers consume them (src/modules/exports/formats/).
 *
 * Nothing is lost on the way: values that a JS number cannot hold exactly stay strings, dates and
 * times stay the engine's text (no time-zone conversion by Node), NULL is `null` and never ''.
 */

/**
 * What a column holds, which decides how each format writes it (typed XLSX cells, SQL literals,
 * JSON numbers or strings). The representation of a non-null cell per kind:
 * - `integer`: decimal digits, `number` when it is a safe integer, else `string` ("-9223372036854775808");
 * - `decimal`: `string` exactly as the engine prints it ("12.30"; SQLite stores decimals as INTEGER
 *   or REAL, so its digits are those of the stored number: "12.3");
 * - `float`: `number` (double); PostgreSQL's special values as `string` ('NaN', 'Infinity', '-Infinity');
 * - `boolean`: `boolean` (PostgreSQL `boolean`; MySQL has none: `tinyint(1)` is `integer`);
 * - `date`: `string` 'YYYY-MM-DD';
 * - `datetime`: `string` 'YYYY-MM-DD HH:MM:SS[.ffffff]' (no time zone; a MySQL TIMESTAMP is shown
 *   in the session time zone, which the readers leave at the server's default);
 * - `timestamptz`: `string` 'YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]' (PostgreSQL, session in UTC);
 * - `time`: `string` 'HH:MM:SS[.ffffff]' (with an offset for `timetz`);
 * - `binary`: `Uint8Array` (a Buffer);
 * - `json`: `string`, the JSON text;
 * - `text`: `string`; everything else too (enums, uuid, intervals, arrays in the engine's text form).
 * SQLite has declared types only: the kind follows the declared type's affinity, and a cell whose
 * stored value does not fit the kind (SQLite is dynamically typed) is written as its own type.
 */
export type ColumnKind = 'integer' | 'decimal' | 'float' | 'boolean' | 'date' | 'datetime' | 'timestamptz' | 'time' | 'binary' | 'json' | 'text';

export interface ResultColumn {
  /** As the engine names it (duplicates possible: `select 1 a, 2 a`). */
  name: string;
  kind: ColumnKind;
  /** The engine's type name, for messages and SQL output (`numeric`, `varchar`, `BIGINT`). */
  dbType: string;
}

export type Cell = null | string | number | boolean | Uint8Array;

/**
 * A running read-only query: its columns, and its rows pulled in batches (the cursor follows the
 * pull). The first batch is read before `consume` is called, since the columns come with it.
 * Iterate `batches` once, inside `consume`.
 */
export interface QueryStream {
  readonly columns: readonly ResultColumn[];
  /** Each batch holds up to `batchRows` rows of one Cell per column. Not pulling = back-pressure. */
  readonly batches: AsyncIterable<Cell[][]>;
}

export interface ReadOnlyQueryOptions {
  /** The whole query, first row to last (the instance's ExportTimeout); then it fails with kind `timeout`. */
  timeoutMs: number;
  /** Aborting stops the query and releases its connection; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Rows per batch; default 1,000. */
  batchRows?: number | undefined;
}

/** A planner's (or a bounded count's) idea of how many rows a query returns or touches. */
export interface RowEstimate {
  rows: number;
  /** true: counted (`count(*)`); false: the planner's estimate. */
  exact: boolean;
}

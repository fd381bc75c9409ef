/**
 * What the reader's and the writer's PostgreSQL sessions share: the output formats they pin, cursor
 * batches, result columns and cells, and the cancel request that stops a backend.
 */
import net from 'node:net';
import type pg from 'pg';
import type Cursor from 'pg-cursor';
import type { Cell, ResultColumn } from '../result-set.js';
import { BUILTIN_TYPE_NAMES, pgCellConversion, pgKind } from './postgres-types.js';

/**
 * Settings that fix the server's text of the values (see postgres-types.ts): TimeZone/DateStyle
 * make timestamptz text `2024-01-02 03:04:05.123+00`; bytea_output, IntervalStyle and
 * extra_float_digits (3: exact round-trip digits, shortest form on PostgreSQL 12+) pin formats a
 * server config could change. Each as `name = value`, for `SET` or `SET LOCAL`.
 */
export const PG_FORMAT_SETTINGS: readonly string[] = [
  "TimeZone = 'UTC'",
  "DateStyle = 'ISO'",
  "IntervalStyle = 'postgres'",
  "bytea_output = 'hex'",
  'extra_float_digits = 3',
];

export interface PgBatch {
  rows: (string | null)[][];
  fields: pg.FieldDef[];
}

/** One batch of a cursor, with the fields (the callback form is the one that hands them over). */
export function readBatch(cursor: Cursor<(string | null)[]>, rows: number): Promise<PgBatch> {
  return new Promise((resolve, reject) => {
    cursor.read(rows, (err, batch, result) => (err ? reject(err) : resolve({ rows: batch, fields: result.fields })));
  });
}

/**
 * Rows of server text (RAW_TEXT_TYPES) → cells, by the type of each field, in place: the rows are
 * fresh arrays of pg's, and a new array per row (with a call per cell) was 1M arrays of garbage
 * per million rows. Only the columns whose text is not the cell already (integers, floats,
 * booleans, bytea) are visited.
 */
export function pgRowsToCells(fields: readonly pg.FieldDef[]): (rows: (string | null)[][]) => Cell[][] {
  const converted = fields.flatMap((f, i) => {
    const convert = pgCellConversion(f.dataTypeID);
    return convert ? [{ i, convert }] : [];
  });
  return (rows) => {
    const cells = rows as Cell[][];
    for (const { i, convert } of converted) {
      for (const row of cells) {
        const v = row[i];
        if (v !== null && v !== undefined) row[i] = convert(v as string);
      }
    }
    return cells;
  };
}

/** Result columns: names and kinds from the fields, type names from a cache or the catalog. */
export class PgResultColumns {
  readonly #metaPool: (database: string) => pg.Pool;
  /** OID → type name per database, for types outside BUILTIN_TYPE_NAMES (OIDs of a database are stable). */
  readonly #typeNames = new Map<string, Map<number, string>>();

  /** `metaPool`: where unknown type names are looked up (the session's own client is busy with its cursor). */
  constructor(metaPool: (database: string) => pg.Pool) {
    this.#metaPool = metaPool;
  }

  async of(database: string, fields: readonly pg.FieldDef[]): Promise<ResultColumn[]> {
    const known = this.#typeNames.get(database) ?? new Map<number, string>();
    this.#typeNames.set(database, known);
    const missing = [...new Set(fields.map((f) => f.dataTypeID))].filter((oid) => !BUILTIN_TYPE_NAMES.has(oid) && !known.has(oid));
    if (missing.length > 0) {
      try {
        const { rows } = await this.#metaPool(database).query<{ oid: number; name: string }>(
          'select oid::int as oid, format_type(oid, null) as name from pg_type where oid = any($1::oid[])',
          [missing],
        );
        for (const r of rows) known.set(r.oid, r.name);
      } catch {
        // Names are for messages and SQL output only; an unknown one is written as its OID below.
      }
    }
    return fields.map((f) => ({
      name: f.name,
      kind: pgKind(f.dataTypeID),
      dbType: BUILTIN_TYPE_NAMES.get(f.dataTypeID) ?? known.get(f.dataTypeID) ?? `oid ${f.dataTypeID}`,
    }));
  }
}

const ignore = () => {};

/**
 * Stops what a client's backend runs, with the protocol's CancelRequest on a new socket (what
 * psql's Ctrl-C sends): closing our socket alone would leave a backend busy in, say, pg_sleep
 * until it next writes. Best effort, not awaited; the 16-byte message needs no login.
 */
export function cancelBackend(host: string, port: number, client: pg.PoolClient): void {
  const { processID, secretKey } = client as unknown as { processID: number | null; secretKey: number | null };
  if (processID === null || secretKey === null) return;
  const socket = host.startsWith('/') ? net.connect(`${host}/.s.PGSQL.${port}`) : net.connect(port, host);
  socket.on('error', ignore);
  socket.setTimeout(5_000, () => socket.destroy());
  socket.on('connect', () => {
    const message = Buffer.alloc(16);
    message.writeInt32BE(16, 0);
    message.writeInt32BE(80877102, 4); // the CancelRequest code
    message.writeInt32BE(processID, 8);
    message.writeInt32BE(secretKey, 12);
    socket.end(message);
  });
}

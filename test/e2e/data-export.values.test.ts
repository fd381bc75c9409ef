/**
 * DATA_EXPORT of awkward values, per engine, in every file type: NULL vs '' (distinct everywhere),
 * 64-bit integer extremes, decimal(38,10) with all its digits, floats, dates, timestamps with
 * microseconds, timestamptz and boolean (PostgreSQL), binary with 0x00 bytes, a JSON column,
 * CJK/emoji/combining marks, text with quotes, commas, CR/LF, tabs and backslashes, and a
 * formula-looking text (escaped in CSV by default).
 *
 * CSV, JSON, TXT and XLSX are read back and compared cell by cell with the values the connector
 * must read (src/connectors/result-set.ts); SQL by running the exported INSERTs against an empty
 * copy of the table in a fresh schema (PostgreSQL), database (MariaDB) or file (SQLite) and
 * comparing the full table contents with the original.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithServer } from '../helpers/servers.js';
import {
  checkFile,
  exportThrough,
  mariaRoundTrip,
  parseCsv,
  parseTxt,
  pgRoundTrip,
  registerMaria,
  registerPg,
  registerSqlite,
  sqliteRoundTrip,
  startExportEnv,
  withMysql,
  withPg,
  type Cell,
  type Col,
  type ExportEnv,
  type MariaTarget,
  type PgTarget,
  type SqliteTarget,
} from '../helpers/export-flow.js';

const SQL = 'select * from awkward order by id';
const UNICODE = 'CJK 中文 emoji 😀 combining e\u0301 ✓';
const SPECIAL = 'quote " comma , CR\r LF\n CRLF\r\n tab\t backslash \\ \\N end';
const FORMULA = '=1+2';
const MAX = '9223372036854775807';
const MIN = '-9223372036854775807';
const DEC = '1234567890123456789012345678.1234567890';
const BIN = Buffer.from([0x00, 0xff, 0x00, 0x41]);
const BIN0 = Buffer.from([0x00, 0x00]);

let env: ExportEnv;
beforeAll(async () => {
  env = await startExportEnv();
});
afterAll(async () => {
  await env?.close();
});

interface Spec {
  dbId: number;
  cols: Col[];
  /** The cells as the connector must read them. */
  cells: Cell[][];
  roundTrip(sqlFile: string): Promise<{ original: unknown[]; copy: unknown[] }>;
}

function valueTests(spec: () => Spec): void {
  for (const fileType of ['CSV', 'JSON', 'TXT', 'XLSX', 'SQL'] as const) {
    it(`${fileType}: every value comes back exactly`, async () => {
      const s = spec();
      const r = await exportThrough(env, s.dbId, SQL, { fileType }, { expectRows: s.cells.length });
      const data = r.entries[0]!.data;
      if (fileType === 'SQL') {
        const { original, copy } = await s.roundTrip(data.toString('utf8'));
        expect(original).toHaveLength(s.cells.length);
        expect(copy).toEqual(original);
        return;
      }
      await checkFile(fileType, data, s.cols, s.cells);
      // The points that matter most, said once more in plain terms.
      const t = s.cols.findIndex((c) => c.name === 't');
      if (fileType === 'CSV') {
        const rows = parseCsv(data.toString('utf8'));
        expect(rows[1]![t]).toBeNull(); // NULL: an unquoted empty field
        expect(rows[2]![t]).toBe(''); // '': a quoted one ("")
        expect(rows[5]![t]).toBe(`'${FORMULA}`);
        expect(data.toString('utf8')).toContain(',"",');
      }
      if (fileType === 'TXT') {
        const text = data.toString('utf8');
        expect(text.split('\n')[1]!.split('\t')[t]).toBe('\\N');
        expect(text.split('\n')[2]!.split('\t')[t]).toBe('');
        expect(parseTxt(text)[4]![t]).toBe(SPECIAL);
        expect(text).toContain('backslash \\\\ \\\\N end');
      }
      if (fileType === 'JSON') {
        const rows = JSON.parse(data.toString('utf8'));
        expect(rows[0].t).toBeNull();
        expect(rows[1].t).toBe('');
        expect(rows[0].big).toBe(MAX); // beyond 2^53: text, exact
      }
    });
  }
}

describe('SQLite', () => {
  let t: SqliteTarget;
  const ddl = `create table awkward (id integer primary key, t text, big integer, dec decimal(38,10), flt real, d date, ts datetime, flag boolean, bin blob, j json)`;
  beforeAll(async () => {
    t = await registerSqlite(env, 'awkward', (db) => {
      db.exec(ddl);
      const ins = db.prepare('insert into awkward values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      ins.run(1, null, BigInt(MAX), DEC, 0.1, '2024-02-29', '2024-02-29 23:59:59.123456', 1, BIN, '{"a":[1,2.5,{"b":null}],"s":"é \\"q\\""}');
      ins.run(2, '', BigInt(MIN), '-0.0000000001', -1.5e-7, '1999-12-31', '2000-01-01 00:00:00', 0, BIN0, '[]');
      ins.run(3, UNICODE, 0, '12.30', 1e300, null, '2024-01-01 12:00:00.5', 2, null, null);
      ins.run(4, SPECIAL, -42, null, null, null, null, null, Buffer.alloc(0), null);
      ins.run(5, FORMULA, null, null, null, null, null, null, null, null);
      ins.run(6, null, null, null, null, null, null, null, null, null);
    });
  });
  valueTests(() => ({
    dbId: t.dbId,
    cols: [
      { name: 'id', kind: 'integer' },
      { name: 't', kind: 'text' },
      { name: 'big', kind: 'integer' },
      { name: 'dec', kind: 'decimal' },
      { name: 'flt', kind: 'float' },
      { name: 'd', kind: 'date' },
      { name: 'ts', kind: 'datetime' },
      { name: 'flag', kind: 'boolean' },
      { name: 'bin', kind: 'binary' },
      { name: 'j', kind: 'json' },
    ],
    // SQLite's NUMERIC affinity itself keeps only a double of a decimal (a REAL, 17 digits): the cell is
    // that number's exact text. A boolean column maps 0/1; a 2 stays the integer it is.
    cells: [
      [1, null, MAX, '1.2345678901234569e+27', 0.1, '2024-02-29', '2024-02-29 23:59:59.123456', true, BIN, '{"a":[1,2.5,{"b":null}],"s":"é \\"q\\""}'],
      [2, '', MIN, '-1e-10', -1.5e-7, '1999-12-31', '2000-01-01 00:00:00', false, BIN0, '[]'],
      [3, UNICODE, 0, '12.3', 1e300, null, '2024-01-01 12:00:00.5', 2, null, null],
      [4, SPECIAL, -42, null, null, null, null, null, Buffer.alloc(0), null],
      [5, FORMULA, null, null, null, null, null, null, null, null],
      [6, null, null, null, null, null, null, null, null, null],
    ],
    roundTrip: async (sqlFile) => sqliteRoundTrip(t.file, ddl, sqlFile, 'awkward', env.srv.server.deps.config.sqliteInstanceDir),
  }));
});

await describeWithServer('postgres', 'PostgreSQL', () => {
  let t: { awk: PgTarget };
  const ddl = `create table awkward (id integer primary key, t text, big bigint, dec numeric(38,10), flt double precision, d date,
    ts timestamp(6), tstz timestamptz, b boolean, bin bytea, j jsonb)`;
  const JSONB = '{"a": [1, 2.5, {"b": null}], "s": "é \\"q\\""}'; // as jsonb prints it
  beforeAll(async () => {
    t = await registerPg(env, { awk: ddl });
    await withPg(t.awk.url, async (c) => {
      const ins = 'insert into awkward values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)';
      await c.query(ins, [1, null, MAX, DEC, 0.1, '2024-02-29', '2024-02-29 23:59:59.123456', '2024-02-29 23:59:59.123456+00', true, BIN, JSONB]);
      await c.query(ins, [2, '', MIN, '-0.0000000001', -1.5e-7, '1999-12-31', '2000-01-01 00:00:00', '2000-01-01 00:00:00+08', false, BIN0, '[]']);
      await c.query(ins, [3, UNICODE, 0, '0.0000000000', 1e300, '2024-01-01', '2024-01-01 12:00:00.5', null, null, null, '"text"']);
      await c.query(ins, [4, SPECIAL, -42, '12.3000000000', 'NaN', null, null, null, null, Buffer.alloc(0), null]);
      await c.query(ins, [5, FORMULA, null, null, null, null, null, null, null, null, null]);
      await c.query(ins, [6, null, null, null, null, null, null, null, null, null, null]);
    });
  });
  valueTests(() => ({
    dbId: t.awk.dbId,
    cols: [
      { name: 'id', kind: 'integer' },
      { name: 't', kind: 'text' },
      { name: 'big', kind: 'integer' },
      { name: 'dec', kind: 'decimal' },
      { name: 'flt', kind: 'float' },
      { name: 'd', kind: 'date' },
      { name: 'ts', kind: 'datetime' },
      { name: 'tstz', kind: 'timestamptz' },
      { name: 'b', kind: 'boolean' },
      { name: 'bin', kind: 'binary' },
      { name: 'j', kind: 'json' },
    ],
    cells: [
      [1, null, MAX, DEC, 0.1, '2024-02-29', '2024-02-29 23:59:59.123456', '2024-02-29 23:59:59.123456+00', true, BIN, JSONB],
      [2, '', MIN, '-0.0000000001', -1.5e-7, '1999-12-31', '2000-01-01 00:00:00', '1999-12-31 16:00:00+00', false, BIN0, '[]'],
      [3, UNICODE, 0, '0.0000000000', 1e300, '2024-01-01', '2024-01-01 12:00:00.5', null, null, null, '"text"'],
      [4, SPECIAL, -42, '12.3000000000', 'NaN', null, null, null, null, Buffer.alloc(0), null],
      [5, FORMULA, null, null, null, null, null, null, null, null, null],
      [6, null, null, null, null, null, null, null, null, null, null],
    ],
    roundTrip: async (sqlFile) => pgRoundTrip(t.awk, ddl, sqlFile, 'awkward'),
  }));
});

await describeWithServer('mysql', 'MariaDB', () => {
  let t: { awk: MariaTarget };
  const ddl = `create table awkward (id int primary key, t text, big bigint, \`dec\` decimal(38,10), flt double, d date,
    ts datetime(6), flag tinyint(1), bin varbinary(16), j json) character set utf8mb4`;
  const JSON_TEXT = '{"a":[1,2.5,{"b":null}],"s":"é \\"q\\""}';
  beforeAll(async () => {
    t = await registerMaria(env, { awk: ddl });
    await withMysql(t.awk.name, async (c) => {
      const ins = 'insert into awkward values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
      await c.query(ins, [1, null, MAX, DEC, 0.1, '2024-02-29', '2024-02-29 23:59:59.123456', 1, BIN, JSON_TEXT]);
      await c.query(ins, [2, '', MIN, '-0.0000000001', -1.5e-7, '1999-12-31', '2000-01-01 00:00:00', 0, BIN0, '[]']);
      await c.query(ins, [3, UNICODE, 0, '0.0000000000', 1e300, '2024-01-01', '2024-01-01 12:00:00.5', null, null, null]);
      await c.query(ins, [4, SPECIAL, -42, '12.3000000000', null, null, null, null, Buffer.alloc(0), null]);
      await c.query(ins, [5, FORMULA, null, null, null, null, null, null, null, null]);
      await c.query(ins, [6, null, null, null, null, null, null, null, null, null]);
    });
  });
  valueTests(() => ({
    dbId: t.awk.dbId,
    cols: [
      { name: 'id', kind: 'integer' },
      { name: 't', kind: 'text' },
      { name: 'big', kind: 'integer' },
      { name: 'dec', kind: 'decimal' },
      { name: 'flt', kind: 'float' },
      { name: 'd', kind: 'date' },
      { name: 'ts', kind: 'datetime' },
      { name: 'flag', kind: 'integer' },
      { name: 'bin', kind: 'binary' },
      { name: 'j', kind: 'json' },
    ],
    cells: [
      [1, null, MAX, DEC, 0.1, '2024-02-29', '2024-02-29 23:59:59.123456', 1, BIN, JSON_TEXT],
      [2, '', MIN, '-0.0000000001', -1.5e-7, '1999-12-31', '2000-01-01 00:00:00.000000', 0, BIN0, '[]'],
      [3, UNICODE, 0, '0.0000000000', 1e300, '2024-01-01', '2024-01-01 12:00:00.500000', null, null, null],
      [4, SPECIAL, -42, '12.3000000000', null, null, null, null, Buffer.alloc(0), null],
      [5, FORMULA, null, null, null, null, null, null, null, null],
      [6, null, null, null, null, null, null, null, null, null],
    ],
    roundTrip: async (sqlFile) => mariaRoundTrip(t.awk.name, ddl, sqlFile, 'awkward'),
  }));
});

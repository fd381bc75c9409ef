import { Writable } from 'node:stream';
import { configure } from '@zip.js/zip.js';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TargetDbError } from '../../../connectors/connector.js';
import { createConnector, type Connector } from '../../../connectors/index.js';
import { createPgDatabase, describeWithServer, parsedPgUrl } from '../../../../test/helpers/servers.js';
import { ExportValueError } from './errors.js';
import { writeCopyCsv } from './pg-copy-csv.js';
import { writeCopyXlsx } from './pg-copy-xlsx.js';
import { writeXlsx, type XlsxLimits } from './xlsx.js';
import { zipTexts } from '../../../../test/helpers/export-flow.js';

configure({ useWebWorkers: false });


const collect = () => {
  const chunks: Buffer[] = [];
  const out = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
  return { out, bytes: () => Buffer.concat(chunks) };
};

/** The COPY fast path for XLSX must write, part for part, the XML the row path writes (real PostgreSQL). */
await describeWithServer('postgres', 'PostgreSQL COPY XLSX writer', () => {
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  let connector: Connector;

  beforeAll(async () => {
    db = await createPgDatabase('opendms_copyxlsx');
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`create table t (id int, "=name & <x>" text, b boolean, n numeric(38,10), f float8, d date, ts timestamp(6), tz timestamptz, bin bytea, j jsonb, iv interval, big bigint, r real, tm time, u uuid, arr int[])`);
    await c.query(`insert into t values
      (1, '=1+2', true, 12345678901234567890.0123456789, -1.5e-7, '2024-02-29', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+02', '\\x00ff10', '{"a": [1, "x,y"]}', '-1 day', 9223372036854775807, 1.5, '12:00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}'),
      (2, '', false, -0.5, 1e20, '0001-01-01', '1999-12-31 23:59:59', null, '\\x', '"=s"', '1 mon', -9223372036854775808, -0, '00:00', null, '{}'),
      (3, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null),
      (4, E'line1\\nline2\\r\\n"quoted", comma\\ttab\\\\back', true, 0, 'NaN', 'infinity', '-infinity', 'infinity', '\\x22', 'null', '00:00:01', 0, 'Infinity', '23:59:59.999999', null, null),
      (5, E'\\ttab', false, 1, '-Infinity', '2024-01-01', '2024-01-01', '2024-01-01 00:00:00+00', '\\x2c0a5c', '[]', '-00:00:01', 999999999999999, 3.4e38, null, null, null),
      (6, '"&<>_x0041_"', true, 1, 0.1, '1900-02-28', '1900-03-01 00:00:00.5', '2024-01-01', '\\x', '{}', '0', -999999999999999, null, null, null, null),
      (7, E'\\rcr \\x01ctl \\b\\f\\v', true, 123456789012345.123, '-0', '2024-01-01', '2024-01-01', '2024-01-01', '\\x', '"-x"', '0', 1000000000000000, null, null, null, null),
      (8, ' lead and trail ', true, 1.10, 1e15, '2024-01-01', '2024-01-01', '2024-01-01', '\\x', '1', '0', -1000000000000001, null, null, null, null),
      (9, '中文 😀 e\u0301 \uFFFD', true, 00001.5000, 1.7976931348623157e308, '2024-01-01', '2024-01-01', '2024-01-01', '\\x', '"中"', '0', 5, null, null, null, null)`);
    // Enough rows for several COPY chunks (and sheets, with a small rowsPerSheet).
    await c.query(`insert into t (id, "=name & <x>", b, n, f, ts, big, j, r) select g, case when g % 7 = 0 then null when g % 5 = 0 then 'a_b ' || g else 'note, "q" ' || md5(g::text) end,
      g % 2 = 0, g / 100.0, case when g % 3 = 0 then g / 7.0 else g / 8.0 - 1000 end, timestamp '2020-01-01' + g * interval '1 second', g * 7919, json_build_object('k', g), g * 0.25 - 7 from generate_series(10, 20009) g`);
    await c.end();
    const u = parsedPgUrl();
    connector = createConnector({ engine: 'postgresql', host: u.host, port: u.port, user: u.user, password: u.password, database: db.name }, { sqliteAllowedDir: '/tmp' });
  });
  afterAll(async () => {
    await connector?.close();
    await db?.drop();
  });

  async function both(sql: string, limits: XlsxLimits = {}): Promise<{ rowPath: Map<string, string>; copyPath: Map<string, string>; rows: [number, number] }> {
    const a = collect();
    const ra = await connector.readOnlyQuery(db.name, sql, { timeoutMs: 20_000 }, (s) => writeXlsx(s.columns, s.batches, a.out, undefined, limits));
    const b = collect();
    const rb = await connector.copyText!(db.name, sql, { timeoutMs: 20_000 }, (text, columns) => writeCopyXlsx(text, columns, b.out, undefined, limits));
    expect(rb.bytes).toBe(b.bytes().length);
    return { rowPath: await zipTexts(a.bytes()), copyPath: await zipTexts(b.bytes()), rows: [ra.rows, rb.rows] };
  }

  it('writes the same workbook parts as the row path, for every type, NULL, escapes and non-ASCII text', async () => {
    const r = await both('select * from t where id < 10 order by id');
    expect(r.rows).toEqual([9, 9]);
    expect([...r.copyPath.keys()]).toEqual([...r.rowPath.keys()]);
    for (const [name, xml] of r.rowPath) expect(r.copyPath.get(name), name).toBe(xml);
    expect(r.copyPath.get('xl/worksheets/sheet1.xml')).toContain('<c t="b"><v>1</v></c>'); // (and it is XML with cells at all)
  });

  it('gives the same sheets over many COPY chunks and sheet roll-overs, all cell references included', async () => {
    for (const limits of [{ rowsPerSheet: 7_000 }, { rowsPerSheet: 20_009, allReferences: true }]) {
      const r = await both('select * from t order by id', limits);
      expect(r.rows).toEqual([20_009, 20_009]);
      expect([...r.copyPath.keys()]).toEqual([...r.rowPath.keys()]);
      for (const [name, xml] of r.rowPath) expect(r.copyPath.get(name), name).toBe(xml);
    }
  });

  it('refuses a text longer than a cell holds with the row and column, as the row path does', async () => {
    const sql = `select id, case when id = 3 then repeat('x', 32768) else 'ok' end as long_text from t where id < 6 order by id`;
    const b = collect();
    const err = await connector.copyText!(db.name, sql, { timeoutMs: 20_000 }, (text, columns) => writeCopyXlsx(text, columns, b.out)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportValueError);
    expect({ row: (err as ExportValueError).row, column: (err as ExportValueError).column }).toEqual({ row: 3, column: 'long_text' });
  });

  it('a query that fails mid-COPY (CSV and XLSX) rejects with the engine error, normalized; the connector works on', async () => {
    const sql = 'select id, 1 / (id - 15000) as q from t order by id';
    const csv = await connector.copyCsv!(db.name, sql, { timeoutMs: 20_000 }, (text, columns) => writeCopyCsv(text, columns, collect().out, { csvFormulaEscape: true, csvBom: false })).catch((e: unknown) => e);
    const xlsx = await connector.copyText!(db.name, sql, { timeoutMs: 20_000 }, (text, columns) => writeCopyXlsx(text, columns, collect().out)).catch((e: unknown) => e);
    for (const err of [csv, xlsx]) {
      expect(err).toBeInstanceOf(TargetDbError);
      expect((err as Error).message).toMatch(/division by zero/);
    }
    const n = await connector.readOnlyQuery(db.name, 'select count(*) from t', { timeoutMs: 20_000 }, async (s) => {
      for await (const b of s.batches) return b[0]![0];
      return null;
    });
    expect(n).toBe(20_009);
  });
});

import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConnector, type Connector } from '../../../connectors/index.js';
import { createPgDatabase, describeWithServer, parsedPgUrl } from '../../../../test/helpers/servers.js';
import { defaultFormatOptions, writeRows } from './index.js';
import { PgCopyCsvAdapter } from './pg-copy-csv.js';

/** The COPY fast path must write, byte for byte, what the row path writes (real PostgreSQL). */
await describeWithServer('postgres', 'PostgreSQL COPY CSV adapter', () => {
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  let connector: Connector;

  beforeAll(async () => {
    db = await createPgDatabase('opendms_copycsv');
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`create table t (id int, "=name" text, b boolean, n numeric(38,10), f float8, d date, ts timestamp(6), tz timestamptz, bin bytea, j jsonb, iv interval, big bigint)`);
    await c.query(`insert into t values
      (1, '=1+2', true, 12345678901234567890.0123456789, -1.5e-7, '2024-02-29', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+02', '\\x00ff10', '{"a": [1, "x,y"]}', '-1 day', 9223372036854775807),
      (2, '', false, -0.5, 1e20, '0001-01-01', '1999-12-31 23:59:59', null, '\\x', '"=s"', '1 mon', -9223372036854775808),
      (3, null, null, null, null, null, null, null, null, null, null, null),
      (4, E'line1\\nline2\\r\\n"quoted", comma', true, 0, 'NaN', 'infinity', '-infinity', 'infinity', '\\x22', 'null', '00:00:01', 0),
      (5, E'\\ttab', false, 1, '-Infinity', '2024-01-01', '2024-01-01', '2024-01-01 00:00:00+00', '\\x2c0a', '[]', '-00:00:01', 1),
      (6, '"', true, 1, 0.1, '2024-01-01', '2024-01-01', '2024-01-01', '\\x', '{}', '0', 2),
      (7, E'\\rcr', true, 1, '-0', '2024-01-01', '2024-01-01', '2024-01-01', '\\x', '"-x"', '0', 3),
      (8, '-dash @at +plus', true, 1, 1e15, '2024-01-01', '2024-01-01', '2024-01-01', '\\x', '1', '0', 4),
      (9, '中文 😀 e\u0301', true, 1, 1.7976931348623157e308, '2024-01-01', '2024-01-01', '2024-01-01', '\\x', '"中"', '0', 5)`);
    await c.end();
    const u = parsedPgUrl();
    connector = createConnector({ engine: 'postgresql', host: u.host, port: u.port, user: u.user, password: u.password, database: db.name }, { sqliteAllowedDir: '/tmp' });
  });
  afterAll(async () => {
    await connector?.close();
    await db?.drop();
  });

  const collect = () => {
    const chunks: Buffer[] = [];
    const out = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
    return { out, text: () => Buffer.concat(chunks).toString('utf8') };
  };

  async function both(sql: string, formulaEscape: boolean): Promise<{ rowPath: string; copyPath: string; rows: number }> {
    const options = { ...defaultFormatOptions('t'), csvFormulaEscape: formulaEscape };
    const a = collect();
    await connector.readOnlyQuery(db.name, sql, { timeoutMs: 10_000 }, (s) => writeRows('CSV', s.columns, s.batches, a.out, options));
    const b = collect();
    let rows = 0;
    await connector.copyCsv!(db.name, sql, { timeoutMs: 10_000 }, async (csv, columns) => {
      const adapter = new PgCopyCsvAdapter(columns, formulaEscape);
      const tee = new PassThrough();
      tee.pipe(b.out);
      await pipeline(csv, adapter, tee);
      rows = adapter.rows;
    });
    return { rowPath: a.text(), copyPath: b.text(), rows };
  }

  it('writes the same bytes as the row path, formula escaping on and off', async () => {
    for (const escape of [true, false]) {
      const r = await both('select * from t order by id', escape);
      expect(r.copyPath).toBe(r.rowPath);
      expect(r.rows).toBe(9);
    }
  });

  it('keeps escaping right when the data arrives one byte at a time', async () => {
    const chunks: Buffer[] = [];
    await connector.copyCsv!(db.name, 'select * from t order by id', { timeoutMs: 10_000 }, async (csv) => {
      for await (const c of csv) chunks.push(c as Buffer);
    });
    const raw = Buffer.concat(chunks);
    const [columns] = await connector.readOnlyQuery(db.name, 'select * from t order by id', { timeoutMs: 10_000 }, async (s) => [s.columns]);
    const adapter = new PgCopyCsvAdapter(columns!, true);
    const out: Buffer[] = [];
    adapter.on('data', (c: Buffer) => out.push(c));
    for (let i = 0; i < raw.length; i++) adapter.write(raw.subarray(i, i + 1));
    adapter.end();
    await new Promise((r) => adapter.once('end', r));
    const whole = (await both('select * from t order by id', true)).rowPath;
    expect(Buffer.concat(out).toString('utf8')).toBe(whole);
  });
});

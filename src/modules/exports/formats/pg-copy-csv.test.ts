import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, type Connector } from '../../../connectors/index.js';
import { createPgDatabase, describeWithServer, parsedPgUrl } from '../../../../test/helpers/servers.js';
import { defaultFormatOptions, writeRows } from './index.js';
import type { ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { PgCopyCsvAdapter, PgCopyCsvConverter, writeCopyCsv } from './pg-copy-csv.js';

/** Without a server: COPY-shaped input, split every way, gives the expected bytes. */
describe('PgCopyCsvConverter', () => {
  const columns = (kinds: ColumnKind[]): ResultColumn[] => kinds.map((kind, i) => ({ name: `c${i}`, kind, dbType: 'x' }));
  const convertAll = (cols: ResultColumn[], parts: Buffer[], formulaEscape = true): { out: string; rows: number } => {
    const c = new PgCopyCsvConverter(cols, formulaEscape);
    const outs: Buffer[] = [];
    for (const p of parts) {
      const full = c.convert(p);
      if (full) outs.push(full);
    }
    c.end();
    const rest = c.flush();
    if (rest) outs.push(rest);
    return { out: Buffer.concat(outs).toString('utf8'), rows: c.rows };
  };

  // Header (formula-escaped names too), then rows of float, boolean, text, json, integer.
  const cols = columns(['float', 'boolean', 'text', 'json', 'integer']);
  const input = [
    '=f,+b,"-t,x",@j,n',
    '1e+20,t,plain,"{""a"": 1}",1',
    '-1.5e-07,f,"=1+2","""=not a formula""",-2',
    ',,,,',
    'NaN,t,"",null,3',
    '-Infinity,f,"line1\nline2\r\n""q"", c",@x,4',
    '0.1,t,"\ttab",-x,5',
    '1.7976931348623157e+308,f,"\rcr","中文 😀",6',
    '5e-324,t,+plus,"""",7',
    '',
  ].join('\n');
  const expected = [
    `'=f,'+b,"'-t,x",'@j,n`,
    '100000000000000000000,true,plain,"{""a"": 1}",1',
    `-1.5e-7,false,"'=1+2","""=not a formula""",-2`,
    ',,,,',
    'NaN,true,"",null,3',
    `-Infinity,false,"line1\nline2\r\n""q"", c",'@x,4`,
    `0.1,true,"'\ttab",'-x,5`,
    `1.7976931348623157e+308,false,"'\rcr","中文 😀",6`,
    `5e-324,true,'+plus,"""",7`,
    '',
  ].join('\r\n');

  it('adapts the COPY bytes: CRLF, true/false, formula escaping, float notation', () => {
    expect(convertAll(cols, [Buffer.from(input)])).toEqual({ out: expected, rows: 8 });
  });

  it('gives the same bytes however the input is split (every split point, and a few bytes at a time)', () => {
    const bytes = Buffer.from(input);
    for (let at = 0; at <= bytes.length; at++) {
      const got = convertAll(cols, [bytes.subarray(0, at), bytes.subarray(at)]);
      if (got.out !== expected) expect({ at, out: got.out }).toEqual({ at, out: expected });
    }
    for (const size of [1, 2, 3, 5]) {
      const parts = [];
      for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
      expect(convertAll(cols, parts).out).toBe(expected);
    }
  });

  it('leaves everything but CRLF and booleans alone when formula escaping is off', () => {
    const out = convertAll(columns(['text', 'json', 'boolean']), [Buffer.from('=h,@h,t\n=a,+b,t\n"=c",@d,f\n')], false).out;
    expect(out).toBe('=h,@h,t\r\n=a,+b,true\r\n"=c",@d,false\r\n');
  });

  it('hands on large output buffers, not one per input chunk, and the rest at flush', () => {
    const c = new PgCopyCsvConverter(columns(['integer', 'text']), true);
    const row = Buffer.from('12345,"some text, quoted"\n');
    let handed = 0;
    let bytes = 0;
    for (let k = 0; k < 20_000; k++) {
      const full = c.convert(row);
      if (full) {
        handed++;
        bytes += full.length;
      }
    }
    const rest = c.flush()!;
    expect(handed).toBeGreaterThan(0);
    expect(handed).toBeLessThan(5); // 20,000 inputs of 27 bytes: ~560 kB in 256 KiB buffers
    expect(bytes + rest.length).toBe(20_000 * (row.length + 1));
    expect(c.rows).toBe(19_999); // the first line is the header
  });

  it('fails when the input ends inside a field', () => {
    for (const cut of ['a,"open', 'a,1.5', 'a,b']) {
      const c = new PgCopyCsvConverter(columns(['text', 'float']), true);
      c.convert(Buffer.from(`h1,h2\n${cut}`));
      expect(() => c.end()).toThrow('COPY output ended inside a field');
    }
  });

  it('writeCopyCsv writes the BOM, the adapted bytes and the row count, and never ends the output', async () => {
    const source = new PassThrough();
    const chunks: Buffer[] = [];
    const out = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
    const writing = writeCopyCsv(source, cols, out, { csvFormulaEscape: true, csvBom: true });
    const bytes = Buffer.from(input);
    for (let i = 0; i < bytes.length; i += 7) source.write(bytes.subarray(i, i + 7));
    source.end();
    const r = await writing;
    expect(r.rows).toBe(8);
    const written = Buffer.concat(chunks);
    expect(written.equals(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(expected)]))).toBe(true);
    expect(r.bytes).toBe(written.length);
    expect(out.writableEnded).toBe(false);
  });
});

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

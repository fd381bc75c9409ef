import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../lib/sql/split.js';
import { csvRecordGroups } from './csv-rows.js';
import { decoderStream, detectEncoding, EncodingError } from './encoding.js';
import { fileStatements } from './sql-statements.js';

const chunked = (text: string, size: number): string[] => Array.from({ length: Math.ceil(text.length / size) }, (_, k) => text.slice(k * size, (k + 1) * size));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('fileStatements', () => {
  const sql = "-- head\nSET NAMES utf8mb4;\ninsert into t values ('a;b', \"c;\"), (1);\n/* x; */ update t set a = 1 -- ; no\n where b = ';';\n\n  delete from t;\ninsert into t values ('last')";
  it('gives what the splitter gives on the whole text, whatever the chunk size', async () => {
    const whole = splitStatements(sql, 'mysql').map((s) => ({ text: s.text, line: s.line }));
    for (const size of [1, 2, 3, 7, 16, 1000]) {
      const got = await collect(fileStatements(Readable.from(chunked(sql, size)), 'mysql'));
      expect(got.map((s) => ({ text: s.text, line: s.line })), `chunks of ${size}`).toEqual(whole);
      expect(got.map((s) => s.index)).toEqual(whole.map((_, k) => k + 1));
    }
  });
});

describe('csvRecordGroups', () => {
  for (const eol of ['\n', '\r\n']) {
    it(`tells NULL from '' and counts lines (${JSON.stringify(eol)})`, async () => {
      const text = ['a,b,c', '1,,""', '"multi', 'line",x,', '', '3,"q ""x""",'].join(eol) + eol;
      const got = (await collect(csvRecordGroups(Readable.from(chunked(text, 5)).pipe(decoderStream('UTF-8'))))).flat();
      expect(got).toEqual([
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['1', null, ''] },
        { line: 3, fields: [`multi${eol}line`, 'x', null] },
        { line: 6, fields: ['3', 'q "x"', null] },
      ]);
    });
  }
});

describe('encodings', () => {
  const text = 'id,名称\n1,中文 ✓\n';
  it('AUTO: a BOM or valid UTF-8 is UTF-8, anything else GBK', async () => {
    expect(await detectEncoding(Readable.from([Buffer.from(text)]))).toBe('UTF-8');
    expect(await detectEncoding(Readable.from([Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])]))).toBe('UTF-8');
    expect(await detectEncoding(Readable.from([iconv.encode('id,名称\n1,中文\n', 'gbk')]))).toBe('GBK');
  });
  it('decodes GBK in chunks that split characters, and refuses malformed UTF-8', async () => {
    const gbk = iconv.encode('名称,中文', 'gbk');
    const parts = await collect(Readable.from([gbk.subarray(0, 3), gbk.subarray(3)]).pipe(decoderStream('GBK')));
    expect(parts.join('')).toBe('名称,中文');
    await expect(collect(Readable.from([Buffer.from([0x61, 0xff, 0x62])]).pipe(decoderStream('UTF-8')))).rejects.toBeInstanceOf(EncodingError);
  });
});

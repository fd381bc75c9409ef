import { Writable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { Cell, ResultColumn } from '../../../connectors/result-set.js';
import { createEncoder, type ExportEncoding, iconvName } from './encoding.js';
import { defaultFormatOptions, type ExportFormat, ExportValueError, type FormatOptions, writeRows } from './index.js';

const columns: ResultColumn[] = [
  { name: 'id', kind: 'integer', dbType: 'int' },
  { name: '名称', kind: 'text', dbType: 'varchar' },
];

async function* batchesOf(rows: Cell[][]): AsyncIterable<Cell[][]> {
  for (let i = 0; i < rows.length; i += 2) yield rows.slice(i, i + 2);
}

async function write(format: ExportFormat, rows: Cell[][], options: Partial<FormatOptions>, cols = columns): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const result = await writeRows(format, cols, batchesOf(rows), out, { ...defaultFormatOptions('t'), ...options });
  const bytes = Buffer.concat(chunks);
  expect(result.bytes).toBe(bytes.length);
  return bytes;
}

describe('encodings', () => {
  it.each<ExportEncoding>(['GBK', 'GB2312'])('%s: Chinese text round-trips through iconv', async (encoding) => {
    const rows: Cell[][] = [
      [1, '中文文本，数据库导出'],
      [2, '繁體也行嗎? 是的'],
      [3, 'ascii only, with a ?'],
    ];
    const bytes = await write('CSV', rows, { encoding });
    expect(bytes.includes(Buffer.from('中', 'utf8'))).toBe(false); // really converted
    expect(iconv.decode(bytes, iconvName(encoding))).toBe('id,名称\r\n1,中文文本，数据库导出\r\n2,繁體也行嗎? 是的\r\n3,"ascii only, with a ?"\r\n');
  });

  it.each<ExportEncoding>(['ISO_8859_1', 'LATAIN1'])('%s: café works, € fails naming row, column and character', async (encoding) => {
    const cols: ResultColumn[] = [columns[0]!, { name: 'name', kind: 'text', dbType: 'text' }];
    expect(await write('TXT', [[1, 'café']], { encoding }, cols)).toEqual(Buffer.from([...Buffer.from('id\tname\n1\tcaf'), 0xe9, 0x0a]));
    const failing = write('TXT', [[1, 'café'], [2, 'café €']], { encoding }, cols);
    await expect(failing).rejects.toBeInstanceOf(ExportValueError);
    await expect(failing).rejects.toMatchObject({ row: 2, column: 'name', message: `Row 2, column "name": character U+20AC "€" cannot be written in ${encoding}` });
  });

  it('CP1252: café € works', async () => {
    const bytes = await write('TXT', [[1, 'café €']], { encoding: 'CP1252' }, [columns[0]!, { name: 'name', kind: 'text', dbType: 'text' }]);
    expect(bytes.subarray(-7)).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x0a]));
    expect(iconv.decode(bytes, 'windows-1252')).toBe('id\tname\n1\tcafé €\n');
  });

  it('GBK: an emoji fails naming U+1F600; replace mode writes ?', async () => {
    const rows: Cell[][] = [
      [1, '好'],
      [2, '好'],
      [3, '笑😀脸'],
    ];
    await expect(write('JSON', rows, { encoding: 'GBK' })).rejects.toThrow(new ExportValueError(3, '名称', 'character U+1F600 "😀" cannot be written in GBK'));
    const bytes = await write('JSON', rows, { encoding: 'GBK', unmappable: 'replace' });
    expect(JSON.parse(iconv.decode(bytes, 'gbk'))[2]).toEqual({ id: 3, 名称: '笑?脸' });
  });

  it('replace mode writes ? in single-byte encodings too (one per character)', async () => {
    const bytes = await write('CSV', [[1, 'a€😀b']], { encoding: 'ISO_8859_1', unmappable: 'replace' }, [columns[0]!, { name: 'n', kind: 'text', dbType: 'text' }]);
    expect(bytes.toString('latin1')).toMatch(/^id,n\r\n1,a\?+b\r\n$/);
  });

  it('a column name the encoding lacks fails as the header', async () => {
    await expect(write('CSV', [[1, 'x']], { encoding: 'CP1252' })).rejects.toMatchObject({ row: 0, column: '名称', message: 'Header, column "名称": the column name\'s character U+540D "名" cannot be written in CP1252' });
  });

  it('UTF-8: a lone surrogate (invalid UTF-16) fails, or becomes ?', async () => {
    const cols: ResultColumn[] = [{ name: 'n', kind: 'text', dbType: 'text' }];
    await expect(write('CSV', [['ok 😀'], ['bad \uD800 x']], { encoding: 'UTF8' }, cols)).rejects.toMatchObject({ row: 2, column: 'n', reason: 'character U+D800 cannot be written in UTF8' });
    expect((await write('CSV', [['ok 😀'], ['bad \uD800 x']], { encoding: 'UTF8MB4', unmappable: 'replace' }, cols)).toString()).toBe('n\r\nok 😀\r\nbad ? x\r\n');
  });

  it('writes the BOM for UTF-8 only', async () => {
    const cols: ResultColumn[] = [{ name: 'n', kind: 'text', dbType: 'text' }];
    expect([...(await write('CSV', [['é']], { encoding: 'UTF8', csvBom: true }, cols)).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect((await write('CSV', [['é']], { encoding: 'CP1252', csvBom: true }, cols)).toString('latin1')).toBe('n\r\né\r\n');
    expect((await write('JSON', [['é']], { encoding: 'UTF8', csvBom: true }, cols))[0]).toBe(0x5b); // '['
  });

  it('createEncoder: ASCII needs no conversion, `?` in the data is not mistaken for a replacement', () => {
    const gbk = createEncoder('GBK', 'error');
    expect(gbk.encode('plain ? ascii')).toEqual(Buffer.from('plain ? ascii'));
    expect(iconv.decode(gbk.encode('问? 答?')!, 'gbk')).toBe('问? 答?');
    expect(gbk.encode('问 😀')).toBeUndefined();
    expect(gbk.firstUnmappable('ok 中 😀')).toBe('U+1F600 "😀"');
    expect(gbk.firstUnmappable('ok 中')).toBeUndefined();
    expect(createEncoder('ISO_8859_1', 'error').firstUnmappable('a\u0085b\u2028')).toBe('U+2028');
  });
});

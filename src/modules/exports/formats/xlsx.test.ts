import { Writable } from 'node:stream';
import { configure } from '@zip.js/zip.js';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Cell, ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { defaultFormatOptions, ExportValueError, writeRows } from './index.js';
import { writeXlsx, type XlsxLimits } from './xlsx.js';
import { zipTexts } from '../../../../test/helpers/export-flow.js';

configure({ useWebWorkers: false });

// ---- writing and reading back --------------------------------------------------------------------

async function* batchesOf(rows: Cell[][], size: number): AsyncIterable<Cell[][]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}


async function xlsx(cols: ResultColumn[], rows: Cell[][], limits: XlsxLimits = {}): Promise<{ parts: Map<string, string>; rows: number }> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const result = await writeXlsx(cols, batchesOf(rows, 4), out, undefined, limits);
  expect(out.writableEnded, 'the caller ends the output (it is an entry of the export zip)').toBe(false);
  const bytes = Buffer.concat(chunks);
  expect(result.bytes).toBe(bytes.length);
  const parts = await zipTexts(bytes);
  for (const [name, xml] of parts) {
    expect(XMLValidator.validate(xml), name).toBe(true);
    expect(xml, `${name} holds a character XML 1.0 does not allow, or a raw CR`).not.toMatch(/[\x00-\x08\x0B\x0C\x0E-\x1F\r\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  }
  return { parts, rows: result.rows };
}

interface ReadCell {
  type: 'n' | 'b' | 'text';
  style: string | undefined;
  value: string;
}

const decodeXml = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );
/** Excel's reading of a string: XML first, then `_xHHHH_` (so `_x005F_` is a literal `_`). */
const decodeExcel = (s: string): string => decodeXml(s).replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of /^[A-Z]+/.exec(ref)![0]) n = n * 26 + ch.charCodeAt(0) - 64;
  return n - 1;
}

/** Sheet XML → rows (by Excel row number) of cells (by column index), positions resolved like Excel does. */
function parseSheet(xml: string): Map<number, Map<number, ReadCell>> {
  const rows = new Map<number, Map<number, ReadCell>>();
  for (const row of xml.matchAll(/<row r="(\d+)">([\s\S]*?)<\/row>/g)) {
    const cells = new Map<number, ReadCell>();
    let col = -1;
    for (const c of row[2]!.matchAll(/<c((?: [a-z:]+="[^"]*")*)>([\s\S]*?)<\/c>/g)) {
      const attrs = Object.fromEntries([...c[1]!.matchAll(/ ([a-z:]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
      col = attrs.r !== undefined ? columnIndex(attrs.r) : col + 1;
      if (attrs.r !== undefined) expect(attrs.r).toBe(`${attrs.r.replace(/\d+$/, '')}${row[1]}`);
      const inline = /^<is><t(?: xml:space="preserve")?>([\s\S]*)<\/t><\/is>$/.exec(c[2]!);
      const v = /^<v>([^<]*)<\/v>$/.exec(c[2]!);
      if (attrs.t === 'inlineStr' && inline) cells.set(col, { type: 'text', style: attrs.s, value: decodeExcel(inline[1]!) });
      else if (attrs.t === 'b' && v) cells.set(col, { type: 'b', style: attrs.s, value: v[1]! });
      else if (attrs.t === undefined && v) cells.set(col, { type: 'n', style: attrs.s, value: v[1]! });
      else throw new Error(`unexpected cell ${c[0]}`);
    }
    rows.set(Number(row[1]), cells);
  }
  return rows;
}

/** Excel serial → 'YYYY-MM-DD[ HH:MM:SS.ffffff]' (1900 system, with its fictitious 1900-02-29). */
function fromSerial(serial: number, withTime: boolean): string {
  let days = Math.floor(serial);
  const micros = Math.round((serial - days) * 86_400_000_000);
  if (days < 61) days += 1; // before 1900-03-01 the serial counts from 1899-12-31
  const date = new Date(Date.UTC(1899, 11, 30) + days * 86_400_000 + Math.floor(micros / 1000));
  const ymd = date.toISOString().slice(0, 10);
  if (!withTime) return ymd;
  return `${ymd} ${date.toISOString().slice(11, 19)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

const normTime = (s: string): string => (s.includes('.') ? s : `${s}.000000`).replace('T', ' ').replace(/\.(\d*)$/, (_, f: string) => `.${f.padEnd(6, '0')}`);

// ---- the sample ----------------------------------------------------------------------------------

const columns: ResultColumn[] = [
  { name: 'id', kind: 'integer', dbType: 'bigint' },
  { name: 'big', kind: 'integer', dbType: 'bigint unsigned' },
  { name: 'dec', kind: 'decimal', dbType: 'numeric' },
  { name: 'f', kind: 'float', dbType: 'float8' },
  { name: 'd', kind: 'date', dbType: 'date' },
  { name: 'dt', kind: 'datetime', dbType: 'timestamp' },
  { name: 'tz', kind: 'timestamptz', dbType: 'timestamptz' },
  { name: 'tm', kind: 'time', dbType: 'time' },
  { name: 'ok', kind: 'boolean', dbType: 'boolean' },
  { name: 'bin', kind: 'binary', dbType: 'bytea' },
  { name: 'j', kind: 'json', dbType: 'json' },
  { name: 'txt <&>', kind: 'text', dbType: 'text' },
];

/** [value, how it must read back]: 'n' a number, 'text' the exact text, 'date' / 'datetime' a date serial. */
type Expect = 'n' | 'text' | 'date' | 'datetime' | 'b';
const SAMPLES: [Cell, Expect][][] = [
  [[0, 'n'], [-1, 'n'], [123456789012345, 'n'], [9007199254740991, 'text'], [null, 'n']],
  [['9223372036854775807', 'text'], ['-123', 'n'], ['100000000000000000000', 'n'], [null, 'n']],
  [['12345678901234567890.1234567890', 'text'], ['12.30', 'n'], ['-0.000000000000001', 'n'], ['0.1234567890123456', 'text'], ['NaN', 'text'], ['1e-400', 'text'], ['00012.5', 'n'], ['+7', 'n'], ['.5', 'n'], ['1.5E3', 'n'], ['12a', 'text']],
  [[0.1, 'n'], [1 / 3, 'text'], [1e300, 'n'], [5e-324, 'text'], ['NaN', 'text'], ['-Infinity', 'text'], [-2.5e-8, 'n'], [null, 'n']],
  [['2024-02-29', 'date'], ['1900-01-01', 'date'], ['1900-02-28', 'date'], ['1900-03-01', 'date'], ['1899-12-31', 'text'], ['0001-01-01', 'text'], ['2023-02-29', 'text'], ['infinity', 'text'], ['9999-12-31', 'date'], ['2024-1-5', 'text']],
  [['2024-01-02 03:04:05.123456', 'datetime'], ['1970-01-01 00:00:00', 'datetime'], ['2024-12-31 23:59:59.999999', 'datetime'], ['1900-01-01 12:00:00', 'datetime'], ['0000-00-00 00:00:00', 'text'], ['2024-01-02T03:04:05.5', 'datetime'], ['2024-01-02 24:00:00', 'text'], ['2024-01-02 03:04:05.1234567', 'text']],
  [['2024-01-02 03:04:05.123456+05:30', 'text'], [null, 'text']],
  [['23:59:59.999999', 'text'], ['00:00:00', 'text']],
  [[true, 'b'], [false, 'b'], [null, 'b']],
  [[Buffer.from([0, 255, 16]), 'text'], [Buffer.alloc(0), 'text'], [null, 'text']],
  [['{"a":"<&>", "b": [1, 2]}', 'text'], ['[]', 'text']],
  [
    ['', 'text'],
    ['plain', 'text'],
    ['<tag attr="v">&amp; ]]> \'</tag>', 'text'],
    ['CJK 中文 日本語 emoji 😀👍🏽 e\u0301', 'text'],
    ['control \u0000\u0001\u0008\u000b\u000c\u001b\u001f end', 'text'],
    ['CR\rLF\nCRLF\r\n tab\t', 'text'],
    ['_x0041_ _x005F_ _X00e9_ a_xb _x12_ __x0041__', 'text'],
    ['lone \uD800 and \uDFFF, non-chars \uFFFE\uFFFF', 'text'],
    [' lead and trail space ', 'text'],
    ['\n', 'text'],
    ['=1+2', 'text'],
    ['x'.repeat(32_767), 'text'],
    [null, 'text'],
  ],
];

function sampleRows(): { rows: Cell[][]; expects: Expect[][] } {
  const n = Math.max(...SAMPLES.map((s) => s.length));
  const rows: Cell[][] = [];
  const expects: Expect[][] = [];
  for (let r = 0; r < n; r++) {
    rows.push(SAMPLES.map((s) => s[r % s.length]![0]));
    expects.push(SAMPLES.map((s) => s[r % s.length]![1]));
  }
  return { rows, expects };
}

function textOf(cell: Exclude<Cell, null>): string {
  if (cell instanceof Uint8Array) return `\\x${Buffer.from(cell).toString('hex')}`;
  return typeof cell === 'number' ? String(cell) : String(cell);
}

function checkCell(read: ReadCell | undefined, cell: Cell, expect_: Expect, where: string): void {
  if (cell === null) {
    expect(read, `${where}: NULL has no cell`).toBeUndefined();
    return;
  }
  expect(read, where).toBeDefined();
  const got = read!;
  switch (expect_) {
    case 'n':
      expect(got.type, where).toBe('n');
      expect(got.style, where).toBeUndefined();
      expect(Number(got.value), where).toBe(Number(cell));
      break;
    case 'b':
      expect(got, where).toEqual({ type: 'b', style: undefined, value: cell ? '1' : '0' });
      break;
    case 'date':
      expect(got.type, where).toBe('n');
      expect(got.style, where).toBe('2');
      expect(fromSerial(Number(got.value), false), where).toBe(cell);
      break;
    case 'datetime':
      expect(got.type, where).toBe('n');
      expect(got.style, where).toBe(String(cell).length > 19 ? '4' : '3');
      expect(fromSerial(Number(got.value), true), where).toBe(normTime(String(cell)));
      break;
    case 'text':
      expect(got.type, where).toBe('text');
      expect(got.value, where).toBe(textOf(cell));
  }
}

// ---- tests ---------------------------------------------------------------------------------------

describe('XLSX', () => {
  it('reads back exactly: typed numbers only when Excel holds them, date serials, text escaped', async () => {
    const { rows, expects } = sampleRows();
    const { parts, rows: count } = await xlsx(columns, rows);
    expect(count).toBe(rows.length);
    expect([...parts.keys()].sort()).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
    const sheet = parseSheet(parts.get('xl/worksheets/sheet1.xml')!);
    expect(sheet.size).toBe(rows.length + 1);
    const header = sheet.get(1)!;
    expect([...header.values()]).toEqual(columns.map((c) => ({ type: 'text', style: '1', value: c.name })));
    rows.forEach((row, r) => {
      const cells = sheet.get(r + 2)!;
      row.forEach((cell, c) => checkCell(cells.get(c), cell, expects[r]![c]!, `row ${r + 1} ${columns[c]!.name} ${JSON.stringify(cell)?.slice(0, 40)}`));
      expect([...cells.keys()].every((c) => row[c] !== null)).toBe(true);
    });
  });

  it('escapes the awkward text as Excel does', async () => {
    const cols: ResultColumn[] = [{ name: 'a', kind: 'text', dbType: 'text' }];
    const { parts } = await xlsx(cols, [['_x0041_ a&b\r\n\u0001'], [' x']]);
    const xml = parts.get('xl/worksheets/sheet1.xml')!;
    expect(xml).toContain('<row r="2"><c t="inlineStr"><is><t>_x005F_x0041_ a&amp;b_x000D_\n_x0001_</t></is></c></row>');
    expect(xml).toContain('<row r="3"><c t="inlineStr"><is><t xml:space="preserve"> x</t></is></c></row>');
  });

  it('gives a cell after a NULL its reference', async () => {
    const cols: ResultColumn[] = ['a', 'b', 'c', 'd'].map((name) => ({ name, kind: 'integer' as ColumnKind, dbType: 'int' }));
    const { parts } = await xlsx(cols, [[1, null, 3, 4], [null, null, null, 5]]);
    const xml = parts.get('xl/worksheets/sheet1.xml')!;
    expect(xml).toContain('<row r="2"><c><v>1</v></c><c r="C2"><v>3</v></c><c><v>4</v></c></row><row r="3"><c r="D3"><v>5</v></c></row>');
  });

  it('can give every cell its reference (for readers that need it), reading back the same', async () => {
    const { rows, expects } = sampleRows();
    const { parts } = await xlsx(columns, rows, { allReferences: true });
    const xml = parts.get('xl/worksheets/sheet1.xml')!;
    expect(xml.match(/<c r="[A-Z]+\d+"/g)!.length).toBe(xml.match(/<c[ >]/g)!.length - columns.length); // every data cell (not the header's)
    const sheet = parseSheet(xml);
    rows.forEach((row, r) => row.forEach((cell, c) => checkCell(sheet.get(r + 2)!.get(c), cell, expects[r]![c]!, `row ${r + 1} col ${c}`)));
  });

  it('starts a new sheet, with the header, every rowsPerSheet rows', async () => {
    const cols: ResultColumn[] = [
      { name: 'n', kind: 'integer', dbType: 'int' },
      { name: 's', kind: 'text', dbType: 'text' },
    ];
    const rows: Cell[][] = Array.from({ length: 25 }, (_, i) => [i + 1, `row ${i + 1}`]);
    const { parts } = await xlsx(cols, rows, { rowsPerSheet: 10 });
    const sheets = [1, 2, 3].map((n) => parseSheet(parts.get(`xl/worksheets/sheet${n}.xml`)!));
    expect(parts.has('xl/worksheets/sheet4.xml')).toBe(false);
    expect(sheets.map((s) => s.size)).toEqual([11, 11, 6]);
    let next = 1;
    for (const sheet of sheets) {
      expect([...sheet.get(1)!.values()].map((c) => c.value)).toEqual(['n', 's']);
      for (const [r, cells] of [...sheet].slice(1)) {
        expect(r).toBeGreaterThan(1);
        expect(cells.get(0)!.value).toBe(String(next));
        expect(cells.get(1)!.value).toBe(`row ${next}`);
        next++;
      }
    }
    expect(next).toBe(26);
    const workbook = parts.get('xl/workbook.xml')!;
    expect([...workbook.matchAll(/<sheet name="([^"]+)" sheetId="(\d+)" r:id="(rId\d+)"\/>/g)].map((m) => m.slice(1))).toEqual([
      ['Sheet1', '1', 'rId1'],
      ['Sheet2', '2', 'rId2'],
      ['Sheet3', '3', 'rId3'],
    ]);
    const rels = parts.get('xl/_rels/workbook.xml.rels')!;
    for (const n of [1, 2, 3]) expect(rels).toContain(`Id="rId${n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${n}.xml"`);
    expect(rels).toContain('Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"');
    expect(parts.get('[Content_Types].xml')!.match(/worksheet\+xml/g)).toHaveLength(3);
  });

  it('rolls over exactly at the limit (no empty sheet after a full one)', async () => {
    const cols: ResultColumn[] = [{ name: 'n', kind: 'integer', dbType: 'int' }];
    const { parts } = await xlsx(cols, Array.from({ length: 20 }, (_, i) => [i]), { rowsPerSheet: 10 });
    expect([...parts.keys()].filter((k) => k.startsWith('xl/worksheets/'))).toHaveLength(2);
  });

  it('writes a sheet with the header only for no rows', async () => {
    const { parts, rows } = await xlsx(columns.slice(0, 2), []);
    expect(rows).toBe(0);
    expect(parseSheet(parts.get('xl/worksheets/sheet1.xml')!).size).toBe(1);
    expect(parts.get('xl/worksheets/sheet1.xml')).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
  });

  it('refuses a cell over 32,767 characters, naming row and column', async () => {
    const cols: ResultColumn[] = [
      { name: 'n', kind: 'integer', dbType: 'int' },
      { name: 'long', kind: 'text', dbType: 'text' },
    ];
    const rows: Cell[][] = [[1, 'ok'], [2, 'x'.repeat(32_767)], [3, 'y'.repeat(32_768)]];
    await expect(xlsx(cols, rows, { rowsPerSheet: 2 })).rejects.toThrow(new ExportValueError(3, 'long', '32768 characters; an XLSX cell holds at most 32,767'));
    await expect(xlsx([cols[0]!, { name: 'b', kind: 'binary', dbType: 'blob' }], [[1, Buffer.alloc(20_000)]])).rejects.toMatchObject({ row: 1, column: 'b' });
  });

  it('is what writeRows writes for XLSX (encoding ignored), and rejects a failing source', async () => {
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    const cols: ResultColumn[] = [{ name: '名', kind: 'text', dbType: 'text' }];
    const result = await writeRows('XLSX', cols, batchesOf([['中文 😀']], 1), out, { ...defaultFormatOptions('t'), encoding: 'ISO_8859_1' });
    expect(result).toEqual({ rows: 1, bytes: Buffer.concat(chunks).length });
    const sheet = parseSheet((await zipTexts(Buffer.concat(chunks))).get('xl/worksheets/sheet1.xml')!);
    expect(sheet.get(2)!.get(0)!.value).toBe('中文 😀');

    async function* failing(): AsyncIterable<Cell[][]> {
      yield [['a']];
      throw new Error('connection lost');
    }
    await expect(writeRows('XLSX', cols, failing(), new Writable({ write: (_c, _e, cb) => cb() }), defaultFormatOptions('t'))).rejects.toThrow('connection lost');
  });

  it('rejects, without hanging, when the output is destroyed midway', async () => {
    const out = new Writable({
      highWaterMark: 1,
      write(_chunk, _e, cb) {
        setTimeout(cb, 5);
      },
    });
    out.on('error', () => undefined);
    setTimeout(() => out.destroy(), 30);
    async function* endless(): AsyncIterable<Cell[][]> {
      for (let i = 0; ; i++) yield Array.from({ length: 100 }, (_, j) => [`${i}-${j} ${Math.random()}`]);
    }
    await expect(writeXlsx([{ name: 's', kind: 'text', dbType: 'text' }], endless(), out)).rejects.toThrow();
  });
});

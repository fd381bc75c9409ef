import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Cell, ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { defaultFormatOptions, type ExportFormat, ExportValueError, type FormatOptions, writeRows } from './index.js';
import { csvWriter } from './csv.js';
import { uniqueKeys } from './json.js';

// ---- sample: every kind, the awkward values of each, NULL in every column -----------------------

const columns: ResultColumn[] = [
  { name: 'id', kind: 'integer', dbType: 'bigint' },
  { name: 'big', kind: 'integer', dbType: 'bigint unsigned' },
  { name: 'dec', kind: 'decimal', dbType: 'numeric' },
  { name: 'f', kind: 'float', dbType: 'float8' },
  { name: 'd', kind: 'date', dbType: 'date' },
  { name: 'dt', kind: 'datetime', dbType: 'timestamp' },
  { name: 'tz', kind: 'timestamptz', dbType: 'timestamptz' },
  { name: 'tm', kind: 'time', dbType: 'timetz' },
  { name: 'ok', kind: 'boolean', dbType: 'boolean' },
  { name: 'bin', kind: 'binary', dbType: 'bytea' },
  { name: 'j', kind: 'json', dbType: 'json' },
  { name: 'txt', kind: 'text', dbType: 'text' },
  { name: 'txt', kind: 'text', dbType: 'varchar' },
];

const TEXTS = [
  '',
  'plain',
  'CJK 中文 日本語 한국어',
  'emoji 😀👍🏽 flag 🇨🇳',
  'combining e\u0301 a\u0308',
  'quote " double "" and \'single\'',
  'comma, here',
  'CR\rLF\nCRLF\r\n',
  'tab\there',
  'back\\slash \\N \\x41 \\',
  '_x0041_ and _x and _X00E9_',
  'control \u0001\u0007\u001b\u001f\u007f\u0085 end',
  '=1+2',
  '+cmd',
  '-2+3',
  '@SUM(A1)',
  '\tlead tab',
  '\rlead cr',
  'NULL',
  '\\N',
  ' lead and trail space ',
  'x'.repeat(5000),
];

const VALUES: Cell[][] = [
  [0, -1, 9007199254740991, -9007199254740991, null],
  ['9007199254740993', '-9223372036854775808', '18446744073709551615', null],
  ['12345678901234567890.1234567890', '-0.000000000000000000000000000001', '12.30', '0', 'NaN', null],
  [0.1, -0, 1e-7, 1.7976931348623157e308, 5e-324, 'NaN', 'Infinity', '-Infinity', 0.30000000000000004, null, 123456789.125],
  ['2024-02-29', '1900-01-01', '0001-01-01', '9999-12-31', 'infinity', '-infinity', null],
  ['2024-01-02 03:04:05.123456', '1970-01-01 00:00:00', '2024-12-31 23:59:59.999999', null],
  ['2024-01-02 03:04:05.123456+05:30', '2024-01-02 03:04:05+00', '1999-12-31 23:59:59.5-08', null],
  ['23:59:59.999999', '00:00:00+05:30', '12:00:00', null],
  [true, false, null],
  [Buffer.from([0, 255, 16, 0]), Buffer.alloc(0), Buffer.from('hello'), new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4), null],
  ['{"a":[1,2,{"b":"x\\ny"}],"n":12345678901234567890}', '"just a string"', '[]', 'null', '{\n  "pretty": true\r\n}', '-5', '=not json', null],
  [...TEXTS, null],
  [null, ...TEXTS.slice().reverse()],
];

/** Row r takes each column's values cyclically; plus a row of NULLs and a row of ''. */
function sampleRows(): Cell[][] {
  const n = Math.max(...VALUES.map((v) => v.length)) + 3;
  const rows: Cell[][] = [];
  for (let r = 0; r < n; r++) rows.push(VALUES.map((values) => values[r % values.length]!));
  rows.push(columns.map(() => null));
  rows.push(columns.map((c) => (c.kind === 'text' ? '' : null)));
  return rows;
}

async function* batchesOf(rows: Cell[][], size: number): AsyncIterable<Cell[][]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

function sink(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks) };
}

async function run(format: ExportFormat, rows: Cell[][], options: Partial<FormatOptions> = {}, cols = columns): Promise<{ text: string; rows: number; bytes: number; raw: Buffer }> {
  const { out, bytes } = sink();
  const result = await writeRows(format, cols, batchesOf(rows, 7), out, { ...defaultFormatOptions('t'), ...options });
  const raw = bytes();
  expect(result.bytes).toBe(raw.length);
  return { text: raw.toString('utf8'), rows: result.rows, bytes: result.bytes, raw };
}

/** How CSV and TXT spell a non-null cell. */
function canonical(cell: Exclude<Cell, null>): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return Object.is(cell, -0) ? '-0' : String(cell);
  if (typeof cell === 'boolean') return String(cell);
  return `\\x${Buffer.from(cell).toString('hex')}`;
}

/** OWASP formula neutralisation as the brief states it: text/json starting with = + - @ TAB CR. */
function neutralised(kind: ColumnKind, cell: Exclude<Cell, null>): string {
  const text = canonical(cell);
  return (kind === 'text' || kind === 'json') && typeof cell === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

// ---- small parsers -------------------------------------------------------------------------------

/** RFC 4180 with the NULL convention: an unquoted empty field is null, `""` is ''. */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error('unterminated quote');
        if (text[q + 1] === '"') {
          value += text.slice(j, q + 1);
          j = q + 2;
        } else {
          value += text.slice(j, q);
          i = q + 1;
          break;
        }
      }
      row.push(value);
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\r') {
        if (text[j] === '"' || text[j] === '\n') throw new Error(`bare ${JSON.stringify(text[j])} in an unquoted field at ${j}`);
        j++;
      }
      row.push(j === i ? null : text.slice(i, j));
      i = j;
    }
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      i += 2;
      rows.push(row);
      row = [];
    } else throw new Error(`expected , or CRLF at ${i}`);
  }
  return rows;
}

function parseTxt(text: string): (string | null)[][] {
  expect(text.endsWith('\n')).toBe(true);
  const unescape: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) =>
      line.split('\t').map((field) => {
        expect(field).not.toMatch(/[\r]/);
        return field === '\\N' ? null : field.replace(/\\(.)/g, (_, c: string) => unescape[c] ?? expect.fail(`unknown escape \\${c}`));
      }),
    );
}

// ---- CSV ------------------------------------------------------------------------------------------

describe('CSV', () => {
  it('parses back to exactly the input, NULL apart from "", formulas neutralised in text and json only', async () => {
    const rows = sampleRows();
    const out = await run('CSV', rows);
    expect(out.rows).toBe(rows.length);
    expect(out.text.startsWith('id,big,dec,f,d,dt,tz,tm,ok,bin,j,txt,txt\r\n')).toBe(true);
    const parsed = parseCsv(out.text);
    expect(parsed[0]).toEqual(columns.map((c) => c.name));
    expect(parsed.slice(1)).toEqual(rows.map((row) => row.map((cell, i) => (cell === null ? null : neutralised(columns[i]!.kind, cell)))));
  });

  it('leaves numbers, dates and the text alone with formula escaping off', async () => {
    const rows = sampleRows();
    const parsed = parseCsv((await run('CSV', rows, { csvFormulaEscape: false })).text);
    expect(parsed.slice(1)).toEqual(rows.map((row) => row.map((cell) => (cell === null ? null : canonical(cell)))));
  });

  it('spells the conventions exactly: NULL empty, "" quoted, CRLF, booleans, \\x hex, numbers as given', async () => {
    const cols: ResultColumn[] = [
      { name: 'a', kind: 'text', dbType: 'text' },
      { name: 'b', kind: 'integer', dbType: 'int' },
      { name: 'c', kind: 'boolean', dbType: 'bool' },
      { name: 'd', kind: 'binary', dbType: 'blob' },
      { name: 'e', kind: 'decimal', dbType: 'numeric' },
    ];
    const out = await run(
      'CSV',
      [
        [null, 1, true, Buffer.from([0, 0xab]), '12.30'],
        ['', -5, false, Buffer.alloc(0), '-0.5'],
        ['a"b', null, null, null, null],
        ['-5', -5, null, null, '-1'],
      ],
      {},
      cols,
    );
    expect(out.text).toBe('a,b,c,d,e\r\n,1,true,\\x00ab,12.30\r\n"",-5,false,\\x,-0.5\r\n"a""b",,,,\r\n\'-5,-5,,,-1\r\n');
  });

  it('writes a UTF-8 BOM when asked', async () => {
    const out = await run('CSV', [[1]], { csvBom: true }, [{ name: 'x', kind: 'integer', dbType: 'int' }]);
    expect([...out.raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(out.raw.subarray(3).toString()).toBe('x\r\n1\r\n');
  });

  it('writes only the header for no rows', async () => {
    const out = await run('CSV', [], {}, columns.slice(0, 2));
    expect(out).toMatchObject({ text: 'id,big\r\n', rows: 0 });
  });

  it('writes the same bytes on its UTF-8 byte path as on its string path, and gives back batches with a lone surrogate', () => {
    const numbers = [0, -0, 1, -1, 9, 10, 99, 100, 2147483647, 2147483648, -2147483648, 1e21, 1e-7, 0.1, 1 / 3, -5.5, Number.MAX_SAFE_INTEGER];
    const pieces = ['a', ' ', '"', ',', '\r', '\n', '=', '+', '-', '@', '\t', '1', '.', 'é', '中', '😀', "'", 'e'];
    let seed = 7;
    const pick = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const text = (): string => Array.from({ length: pick(10) }, () => pieces[pick(pieces.length)]).join('');
    const fuzzed = Array.from({ length: 400 }, () => columns.map((c): Cell => {
      if (pick(5) === 0) return null;
      if (c.kind === 'integer' || c.kind === 'float') return pick(2) ? numbers[pick(numbers.length)]! : text();
      if (c.kind === 'boolean') return pick(2) === 0;
      if (c.kind === 'binary') return Buffer.from([pick(256), pick(256)]);
      return text();
    }));
    for (const formulaEscape of [true, false]) {
      const writer = csvWriter(columns, { csvFormulaEscape: formulaEscape });
      for (const batch of [sampleRows(), fuzzed]) {
        expect(writer.rowsUtf8!(batch, 1)!.toString('utf8')).toBe(writer.rows(batch, 1));
        expect(writer.rowsUtf8!(batch, 1)!.equals(Buffer.from(writer.rows(batch, 1), 'utf8'))).toBe(true);
      }
      const lone: Cell[] = columns.map(() => null);
      lone[11] = 'x\uD800y';
      expect(writer.rowsUtf8!([lone], 1)).toBeUndefined();
    }
  });
});

// ---- TXT ------------------------------------------------------------------------------------------

describe('TXT', () => {
  it('parses back to exactly the input with \\N for NULL', async () => {
    const rows = sampleRows();
    const out = await run('TXT', rows);
    const parsed = parseTxt(out.text);
    expect(parsed[0]).toEqual(columns.map((c) => c.name));
    expect(parsed.slice(1)).toEqual(rows.map((row) => row.map((cell) => (cell === null ? null : canonical(cell)))));
  });

  it('spells the escapes exactly', async () => {
    const out = await run('TXT', [['a\\b\tc\nd\re', null, ''], ['=x', 1.5, 'N']], {}, [
      { name: 'x', kind: 'text', dbType: 'text' },
      { name: 'y', kind: 'float', dbType: 'float' },
      { name: 'z', kind: 'text', dbType: 'text' },
    ]);
    expect(out.text).toBe('x\ty\tz\na\\\\b\\tc\\nd\\re\t\\N\t\n=x\t1.5\tN\n');
  });
});

// ---- JSON -----------------------------------------------------------------------------------------

const KEYS = ['id', 'big', 'dec', 'f', 'd', 'dt', 'tz', 'tm', 'ok', 'bin', 'j', 'txt', 'txt_2'];

function expectedJson(column: ResultColumn, cell: Cell): unknown {
  if (cell === null) return null;
  if (cell instanceof Uint8Array) return Buffer.from(cell).toString('base64');
  if (column.kind === 'json' && typeof cell === 'string') {
    try {
      return JSON.parse(cell);
    } catch {
      return cell; // not JSON: written as the string it is
    }
  }
  return cell;
}

function checkObject(object: Record<string, unknown>, row: Cell[]): void {
  expect(Object.keys(object)).toEqual(KEYS);
  KEYS.forEach((key, i) => {
    const expected = expectedJson(columns[i]!, row[i]!);
    if (typeof expected === 'number') expect(Object.is(object[key], expected), `${key}: ${String(object[key])} vs ${expected}`).toBe(true);
    else expect(object[key]).toEqual(expected);
  });
}

describe('JSON', () => {
  it('is one array document with typed values, exact big numbers as strings, JSON embedded', async () => {
    const rows = sampleRows();
    const out = await run('JSON', rows);
    const parsed = JSON.parse(out.text) as Record<string, unknown>[];
    expect(parsed).toHaveLength(rows.length);
    parsed.forEach((object, r) => checkObject(object, rows[r]!));
    // Embedded as is: the JSON text itself is in the document (its big number intact).
    expect(out.text).toContain('"j":{"a":[1,2,{"b":"x\\ny"}],"n":12345678901234567890}');
    expect(out.text).toContain('"j":{\n  "pretty": true\r\n}');
    expect(out.text).toContain('"big":"18446744073709551615"');
    expect(out.text).toContain('"dec":"12345678901234567890.1234567890"');
    expect(out.text).toContain('"f":-0,');
  });

  it('is one object per line as JSON Lines (line breaks inside JSON values become spaces)', async () => {
    const rows = sampleRows();
    const out = await run('JSON', rows, { jsonLines: true });
    const lines = out.text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(rows.length);
    lines.forEach((line, r) => checkObject(JSON.parse(line) as Record<string, unknown>, rows[r]!));
    expect(out.text).toContain('"j":{   "pretty": true }');
  });

  it('writes [] for no rows, and suffixes repeated names without colliding', async () => {
    expect(JSON.parse((await run('JSON', [])).text)).toEqual([]);
    expect((await run('JSON', [], { jsonLines: true })).text).toBe('');
    expect(uniqueKeys(['a', 'a', 'a_2', 'a', 'b'])).toEqual(['a', 'a_3', 'a_2', 'a_4', 'b']);
  });
});

// ---- the shared loop -----------------------------------------------------------------------------

describe('writeRows', () => {
  const cols: ResultColumn[] = [{ name: 'n', kind: 'integer', dbType: 'int' }];

  it('waits for drain: never more than one batch ahead of a slow output, progress per batch', async () => {
    let pulled = 0;
    let written = 0;
    let maxAhead = 0;
    async function* batches(): AsyncIterable<Cell[][]> {
      for (let b = 0; b < 20; b++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - written);
        yield Array.from({ length: 50 }, (_, i) => [b * 50 + i]);
      }
    }
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _e, cb) {
        setTimeout(() => {
          written++;
          cb();
        }, 2);
      },
    });
    const progress: number[] = [];
    const result = await writeRows('CSV', cols, batches(), out, defaultFormatOptions('t'), (n) => progress.push(n));
    expect(result.rows).toBe(1000);
    expect(maxAhead).toBeLessThanOrEqual(3); // the header, the batch being written, the one just pulled
    expect(progress).toEqual(Array.from({ length: 20 }, (_, b) => (b + 1) * 50));
  });

  it('rejects, without hanging, when the output is destroyed midway', async () => {
    const out = new Writable({
      highWaterMark: 1,
      write(_chunk, _e, cb) {
        setTimeout(cb, 5);
      },
    });
    out.on('error', () => undefined);
    setTimeout(() => out.destroy(), 20);
    async function* endless(): AsyncIterable<Cell[][]> {
      for (let i = 0; ; i++) yield [[i]];
    }
    await expect(writeRows('CSV', cols, endless(), out, defaultFormatOptions('t'))).rejects.toThrow();
  });

  it('propagates a failing source', async () => {
    async function* failing(): AsyncIterable<Cell[][]> {
      yield [[1]];
      throw new Error('connection lost');
    }
    await expect(writeRows('JSON', cols, failing(), sink().out, defaultFormatOptions('t'))).rejects.toThrow('connection lost');
  });

  it('names row, column and reason in ExportValueError', () => {
    const e = new ExportValueError(7, 'name', 'too long');
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'ExportValueError', row: 7, column: 'name', reason: 'too long', message: 'Row 7, column "name": too long' });
  });
});

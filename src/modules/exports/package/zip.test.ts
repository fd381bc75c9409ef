import { createHash } from 'node:crypto';
import { type Writable, Writable as WritableStream } from 'node:stream';
import { configure, type FileEntry, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { describe, expect, it } from 'vitest';
import type { Cell, ResultColumn } from '../../../connectors/result-set.js';
import { defaultFormatOptions, writeRows } from '../formats/index.js';
import { type Manifest, type PackagedFile, writeZip } from './index.js';

configure({ useWebWorkers: false });

function collector(): { out: Writable; bytes: () => Buffer; ended: () => boolean } {
  const chunks: Buffer[] = [];
  let ended = false;
  const out = new WritableStream({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk);
      // A consumer slower than the producer, so that back-pressure matters.
      setImmediate(cb);
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks), ended: () => ended };
}

async function entries(zip: Buffer, password?: string): Promise<Map<string, { data: Buffer; entry: FileEntry }>> {
  const reader = new ZipReader(new Uint8ArrayReader(zip), password === undefined ? {} : { password });
  const result = new Map<string, { data: Buffer; entry: FileEntry }>();
  for (const entry of await reader.getEntries()) {
    if (entry.directory) continue;
    result.set(entry.filename, { data: Buffer.from(await entry.getData(new Uint8ArrayWriter())), entry });
  }
  await reader.close();
  return result;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const cols: ResultColumn[] = [
  { name: 'id', kind: 'integer', dbType: 'int' },
  { name: 'name', kind: 'text', dbType: 'text' },
];

async function* rows(n: number): AsyncIterable<Cell[][]> {
  for (let i = 0; i < n; i += 500) yield Array.from({ length: Math.min(500, n - i) }, (_, j) => [i + j, `name ${i + j} ${'x'.repeat((i + j) % 50)}`]);
}

/** A file written by the real format writers, with a check that never two are produced at once. */
function exportFile(name: string, format: 'CSV' | 'JSON' | 'XLSX', n: number, active: { now: number; max: number }): PackagedFile {
  return {
    name,
    statement: `select id, name from t limit ${n}`,
    async write(out) {
      active.now++;
      active.max = Math.max(active.max, active.now);
      try {
        const r = await writeRows(format, cols, rows(n), out, defaultFormatOptions('t'));
        return { rows: r.rows };
      } finally {
        active.now--;
      }
    },
  };
}

function checkManifest(manifest: Manifest, files: Map<string, { data: Buffer }>, expected: { name: string; rows: number; statement: string }[]): void {
  expect(manifest.files.map((f) => f.name)).toEqual(expected.map((e) => e.name));
  for (const [i, f] of manifest.files.entries()) {
    const data = files.get(f.name)!.data;
    expect(f).toEqual({ name: expected[i]!.name, statement: expected[i]!.statement, rows: expected[i]!.rows, bytes: data.length, sha256: sha256(data) });
  }
  expect(new Date(manifest.createdAt).toISOString()).toBe(manifest.createdAt);
  // manifest.json in the zip says the same as the returned manifest.
  expect(JSON.parse(files.get('manifest.json')!.data.toString('utf8'))).toEqual(manifest);
}

describe('writeZip', () => {
  it('streams each file, one at a time, and the manifest last; sizes and hashes match the entries', async () => {
    const active = { now: 0, max: 0 };
    const files = [exportFile('export_1.csv', 'CSV', 20_000, active), exportFile('export_2.json', 'JSON', 3_000, active), exportFile('export_3.xlsx', 'XLSX', 2_000, active)];
    const { out, bytes, ended } = collector();
    const manifest = await writeZip(files, out, {});
    expect(ended()).toBe(true);
    expect(active.max).toBe(1);
    const zip = bytes();
    const read = await entries(zip);
    expect([...read.keys()]).toEqual(['export_1.csv', 'export_2.json', 'export_3.xlsx', 'manifest.json']);
    checkManifest(manifest, read, [
      { name: 'export_1.csv', rows: 20_000, statement: 'select id, name from t limit 20000' },
      { name: 'export_2.json', rows: 3_000, statement: 'select id, name from t limit 3000' },
      { name: 'export_3.xlsx', rows: 2_000, statement: 'select id, name from t limit 2000' },
    ]);
    expect(read.get('export_1.csv')!.data.toString('utf8').split('\r\n')[20_000]).toBe(`19999,name 19999 ${'x'.repeat(19_999 % 50)}`);
    expect(JSON.parse(read.get('export_2.json')!.data.toString('utf8'))).toHaveLength(3_000);
    // Deflated text; the XLSX (a zip already) stored as is.
    expect(read.get('export_1.csv')!.entry.compressedSize).toBeLessThan(read.get('export_1.csv')!.data.length / 3);
    expect(read.get('export_3.xlsx')!.entry.compressedSize).toBe(read.get('export_3.xlsx')!.data.length);
    expect((await entries(read.get('export_3.xlsx')!.data)).has('xl/worksheets/sheet1.xml')).toBe(true);
  });

  it('takes the compression level as a parameter (0: stored)', async () => {
    const active = { now: 0, max: 0 };
    const { out, bytes } = collector();
    await writeZip([exportFile('a.csv', 'CSV', 5_000, active)], out, { compressionLevel: 0 });
    const entry = (await entries(bytes())).get('a.csv')!;
    expect(entry.entry.compressedSize).toBe(entry.data.length);
  });

  it('encrypts with WinZip AES-256 when given a password: the right one opens it, a wrong one does not', async () => {
    const active = { now: 0, max: 0 };
    const { out, bytes } = collector();
    const manifest = await writeZip([exportFile('export_1.csv', 'CSV', 5_000, active), exportFile('export_2.xlsx', 'XLSX', 500, active)], out, { password: 'correct horse battery' });
    const zip = bytes();
    const read = await entries(zip, 'correct horse battery');
    checkManifest(manifest, read, [
      { name: 'export_1.csv', rows: 5_000, statement: 'select id, name from t limit 5000' },
      { name: 'export_2.xlsx', rows: 500, statement: 'select id, name from t limit 500' },
    ]);
    for (const { entry } of read.values()) expect(entry.encrypted).toBe(true);
    // AES: the method in the central directory is 99 with the AES extra field (0x9901).
    expect(zip.includes(Buffer.from([0x01, 0x99, 0x07, 0x00]))).toBe(true);
    expect(zip.includes(Buffer.from('name 4999'))).toBe(false);
    await expect(entries(zip, 'wrong password')).rejects.toThrow();
    await expect(entries(zip)).rejects.toThrow();
  });

  it('rejects when a file fails, without starting the next one or ending the output', async () => {
    const started: string[] = [];
    const files: PackagedFile[] = [
      { name: 'ok.csv', statement: 's1', write: async (o) => (started.push('ok'), { rows: (await writeRows('CSV', cols, rows(1_000), o, defaultFormatOptions('t'))).rows }) },
      {
        name: 'bad.csv',
        statement: 's2',
        async write(o) {
          started.push('bad');
          o.write('partial,');
          throw new Error('query failed: relation "t" does not exist');
        },
      },
      { name: 'never.csv', statement: 's3', write: async () => (started.push('never'), { rows: 0 }) },
    ];
    const { out, ended } = collector();
    await expect(writeZip(files, out, {})).rejects.toThrow('query failed');
    expect(started).toEqual(['ok', 'bad']);
    await new Promise((r) => setTimeout(r, 20));
    expect(ended()).toBe(false);
  });

  it('rejects when an XLSX source fails midway in an encrypted zip', async () => {
    async function* failing(): AsyncIterable<Cell[][]> {
      yield* rows(3_000);
      throw new Error('canceling statement due to statement timeout');
    }
    const file: PackagedFile = { name: 'x.xlsx', statement: 's', write: async (o) => ({ rows: (await writeRows('XLSX', cols, failing(), o, defaultFormatOptions('t'))).rows }) };
    await expect(writeZip([file], collector().out, { password: 'secret password' })).rejects.toThrow('statement timeout');
  });

  it('rejects when the output fails', async () => {
    const out = new WritableStream({
      write(_c, _e, cb) {
        cb(new Error('disk full'));
      },
    });
    out.on('error', () => undefined);
    const active = { now: 0, max: 0 };
    await expect(writeZip([exportFile('a.csv', 'CSV', 50_000, active)], out, {})).rejects.toThrow('disk full');
  });

  it('refuses repeated or reserved names', async () => {
    const f = (name: string): PackagedFile => ({ name, statement: '', write: async () => ({ rows: 0 }) });
    await expect(writeZip([f('a.csv'), f('a.csv')], collector().out, {})).rejects.toThrow('repeated or reserved');
    await expect(writeZip([f('manifest.json')], collector().out, {})).rejects.toThrow('repeated or reserved');
  });

  it('writes a zip with only the manifest for no files', async () => {
    const { out, bytes } = collector();
    const manifest = await writeZip([], out, {});
    expect(manifest.files).toEqual([]);
    expect([...(await entries(bytes())).keys()]).toEqual(['manifest.json']);
  });
});

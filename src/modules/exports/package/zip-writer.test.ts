import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { configure, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ZipEntryInfo, type ZipLimits, ZipWriter } from './zip-writer.js';

configure({ useWebWorkers: false });

/** Standard tools that read the zips back: Python's zipfile (CRC-checked) and Info-ZIP unzip. */
const hasPython = spawnSync('python3', ['-c', 'import zipfile'], { stdio: 'ignore' }).status === 0;
const hasUnzip = spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;
// CI must not silently skip the round trips: the test machines have both tools.
const requireTools = process.env.CI === 'true';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-zip-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A sink that takes its time (so that back-pressure matters) and records its largest backlog. */
function sink(slow = true): { out: Writable; bytes: () => Buffer; maxBacklog: () => number; ended: () => boolean } {
  const chunks: Buffer[] = [];
  let ended = false;
  let maxBacklog = 0;
  const out: Writable = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk);
      maxBacklog = Math.max(maxBacklog, out.writableLength);
      if (slow) setImmediate(cb);
      else cb();
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks), maxBacklog: () => maxBacklog, ended: () => ended };
}

interface Spec {
  name: string;
  level: number;
  /** The data, written in these pieces. */
  parts: Buffer[];
}

async function writeAll(specs: Spec[], out: Writable, limits?: Partial<ZipLimits>): Promise<ZipEntryInfo[]> {
  const zip = new ZipWriter(out, limits ? { limits } : {});
  const infos: ZipEntryInfo[] = [];
  for (const s of specs) {
    const entry = zip.entry(s.name, { level: s.level });
    for (const part of s.parts) {
      if (!entry.write(part)) await new Promise((r) => entry.once('drain', r));
    }
    entry.end();
    infos.push(await entry.done);
  }
  zip.finish();
  await new Promise((r) => out.once('finish', r));
  return infos;
}

interface PythonEntry {
  name: string;
  size: number;
  compressed: number;
  crc: number;
  method: number;
  sha256: string;
  utf8: boolean;
}

/** Opens the zip with Python's zipfile: testzip() checks every CRC; returns what it read. */
function readWithPython(file: string): { bad: string | null; entries: PythonEntry[] } {
  const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    entries = [{"name": i.filename, "size": i.file_size, "compressed": i.compress_size, "crc": i.CRC,
                "method": i.compress_type, "sha256": hashlib.sha256(z.read(i)).hexdigest(),
                "utf8": bool(i.flag_bits & 0x800)} for i in z.infolist()]
print(json.dumps({"bad": bad, "entries": entries}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, file], { maxBuffer: 64 * 1024 * 1024 }).toString('utf8')) as { bad: string | null; entries: PythonEntry[] };
}

/** `unzip -t` (tests every entry, CRC included); returns its exit code and output. */
function testWithUnzip(file: string): { status: number | null; output: string } {
  const r = spawnSync('unzip', ['-t', file], { maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout.toString()}${r.stderr.toString()}` };
}

function save(name: string, zip: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, zip);
  return file;
}

/** Checks a zip with every reader available: Python, unzip, zip.js (the e2e tests' reader). */
async function checkReadable(file: string, specs: Spec[]): Promise<void> {
  const expected = specs.map((s) => {
    const data = Buffer.concat(s.parts);
    return { name: s.name, size: data.length, sha256: sha256(data), crc: zlib.crc32(data) >>> 0 };
  });
  if (hasPython) {
    const r = readWithPython(file);
    expect(r.bad).toBeNull();
    expect(r.entries.map((e) => ({ name: e.name, size: e.size, sha256: e.sha256, crc: e.crc }))).toEqual(expected);
  } else expect(requireTools, 'python3 is required in CI').toBe(false);
  if (hasUnzip) {
    const r = testWithUnzip(file);
    expect(r.output).toContain('No errors detected');
    expect(r.status).toBe(0);
  } else expect(requireTools, 'unzip is required in CI').toBe(false);
  const reader = new ZipReader(new Uint8ArrayReader(fs.readFileSync(file)));
  const got = [];
  for (const entry of await reader.getEntries()) {
    if (entry.directory) continue;
    const data = Buffer.from(await entry.getData(new Uint8ArrayWriter(), { checkSignature: true }));
    got.push({ name: entry.filename, size: data.length, sha256: sha256(data), crc: zlib.crc32(data) >>> 0 });
  }
  await reader.close();
  expect(got).toEqual(expected);
}

describe('ZipWriter', () => {
  it('without hashing and with endOut false (an XLSX inside an export entry): same zip, no SHA-256, `out` left open', async () => {
    const text = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `<row r="${i}"><c><v>${i}</v></c></row>`).join(''));
    const s = sink();
    const zip = new ZipWriter(s.out, { hash: false, endOut: false, bufferBytes: 1 << 20 });
    const entry = zip.entry('xl/worksheets/sheet1.xml', { level: 1 });
    // With a 1 MiB buffer a write of 300 KB is taken at once (the next one is built meanwhile).
    expect(entry.write(text.subarray(0, 300_000))).toBe(true);
    entry.end(text.subarray(300_000));
    const info = await entry.done;
    expect(info.sha256).toBe('');
    expect(info.size).toBe(text.length);
    zip.finish();
    await new Promise((r) => setImmediate(r));
    expect(s.ended()).toBe(false);
    expect(s.out.writableEnded).toBe(false);
    s.out.end();
    await new Promise((r) => s.out.once('finish', r));
    await checkReadable(save('open.zip', s.bytes()), [{ name: 'xl/worksheets/sheet1.xml', level: 1, parts: [text] }]);
  });

  it('writes stored, deflated and empty entries that Python, unzip and zip.js read back, CRCs checked', async () => {
    const text = Buffer.from('id,name\r\n'.concat(Array.from({ length: 20_000 }, (_, i) => `${i},"name ${i}"\r\n`).join('')));
    const binary = randomBytes(300_000);
    const specs: Spec[] = [
      { name: 'export_1.csv', level: 0, parts: [text.subarray(0, 1000), text.subarray(1000, 70_000), text.subarray(70_000)] },
      { name: 'export_2.csv', level: 1, parts: [text] },
      { name: 'export_3.bin', level: 6, parts: [binary.subarray(0, 5), binary.subarray(5)] },
      { name: 'empty_stored.csv', level: 0, parts: [] },
      { name: 'empty_deflated.csv', level: 1, parts: [] },
      { name: 'one_byte.csv', level: 0, parts: [Buffer.from('x')] },
      { name: 'naïve_数据_😀.txt', level: 0, parts: [Buffer.from('UTF-8 name\n')] },
      { name: 'manifest.json', level: 1, parts: [Buffer.from('{"files":[]}\n')] },
    ];
    const s = sink();
    const infos = await writeAll(specs, s.out);
    expect(s.ended()).toBe(true);
    const file = save('mixed.zip', s.bytes());
    await checkReadable(file, specs);
    // What each entry reports is what a reader finds.
    for (const [k, info] of infos.entries()) {
      const data = Buffer.concat(specs[k]!.parts);
      expect(info).toMatchObject({ name: specs[k]!.name, size: data.length, crc32: zlib.crc32(data) >>> 0, sha256: sha256(data) });
      if (specs[k]!.level === 0) expect(info.compressedSize).toBe(data.length);
    }
    expect(infos[1]!.compressedSize).toBeLessThan(text.length / 3);
    if (hasPython) {
      const entries = readWithPython(file).entries;
      expect(entries.map((e) => e.method)).toEqual([0, 8, 8, 0, 8, 0, 0, 8]);
      expect(entries.map((e) => e.compressed)).toEqual(infos.map((i) => i.compressedSize));
      expect(entries.map((e) => e.utf8)).toEqual([false, false, false, false, false, false, true, false]);
    }
  });

  it('lays the records out as APPNOTE says (local header, data, data descriptor; central directory; end record)', async () => {
    const s = sink(false);
    const data = Buffer.from('hello, zip\n');
    await writeAll([{ name: 'a.csv', level: 0, parts: [data] }], s.out);
    const zip = s.bytes();
    // Local header: signature, needs 2.0, bit 3 (data descriptor), stored, CRC and sizes zero.
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(4)).toBe(20);
    expect(zip.readUInt16LE(6)).toBe(0x0008);
    expect(zip.readUInt16LE(8)).toBe(0);
    expect([zip.readUInt32LE(14), zip.readUInt32LE(18), zip.readUInt32LE(22)]).toEqual([0, 0, 0]);
    expect(zip.toString('utf8', 30, 35)).toBe('a.csv');
    expect(zip.subarray(35, 35 + data.length).equals(data)).toBe(true);
    // Data descriptor with signature, CRC, compressed and uncompressed size (4 bytes each).
    const d = 35 + data.length;
    expect([zip.readUInt32LE(d), zip.readUInt32LE(d + 4), zip.readUInt32LE(d + 8), zip.readUInt32LE(d + 12)]).toEqual([0x08074b50, zlib.crc32(data) >>> 0, data.length, data.length]);
    // Central directory header, then the end record pointing at it.
    const cd = d + 16;
    expect(zip.readUInt32LE(cd)).toBe(0x02014b50);
    expect(zip.readUInt16LE(cd + 4)).toBe(0x032d); // made by Unix, 4.5
    expect(zip.readUInt32LE(cd + 16)).toBe(zlib.crc32(data) >>> 0);
    expect(zip.readUInt32LE(cd + 38)).toBe(0x81a40020); // -rw-r--r--, archive bit
    expect(zip.readUInt32LE(cd + 42)).toBe(0); // local header offset
    const end = zip.length - 22;
    expect(zip.readUInt32LE(end)).toBe(0x06054b50);
    expect([zip.readUInt16LE(end + 8), zip.readUInt16LE(end + 10)]).toEqual([1, 1]);
    expect(zip.readUInt32LE(end + 12)).toBe(end - cd); // central directory size
    expect(zip.readUInt32LE(end + 16)).toBe(cd); // and offset
    expect(zip.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(false); // no ZIP64 end record
  });

  it('follows the output back-pressure: a slow output never gets a backlog of more than a chunk or two', async () => {
    const s = sink();
    const chunk = randomBytes(64 * 1024);
    const specs: Spec[] = [
      { name: 'big.csv', level: 0, parts: Array.from({ length: 64 }, () => chunk) },
      { name: 'big2.csv', level: 1, parts: Array.from({ length: 32 }, () => chunk) },
    ];
    await writeAll(specs, s.out);
    expect(s.maxBacklog()).toBeLessThanOrEqual(3 * chunk.length);
    await checkReadable(save('backpressure.zip', s.bytes()), specs);
  });

  it('more than 65,535 entries: the ZIP64 end of central directory record and locator', async () => {
    const n = 65_540;
    const specs: Spec[] = Array.from({ length: n }, (_, i) => ({ name: `f${i}.txt`, level: 0, parts: i % 1000 === 0 ? [Buffer.from(`file ${i}\n`)] : [] }));
    const s = sink(false);
    await writeAll(specs, s.out);
    const zip = s.bytes();
    const end = zip.length - 22;
    expect([zip.readUInt16LE(end + 8), zip.readUInt16LE(end + 10)]).toEqual([0xffff, 0xffff]);
    // The locator just before the end record points at the ZIP64 end record, which has the count.
    const locator = end - 20;
    expect(zip.readUInt32LE(locator)).toBe(0x07064b50);
    const end64 = Number(zip.readBigUInt64LE(locator + 8));
    expect(zip.readUInt32LE(end64)).toBe(0x06064b50);
    expect(zip.readBigUInt64LE(end64 + 32)).toBe(BigInt(n));
    const file = save('many.zip', zip);
    if (hasPython) {
      const r = readWithPython(file);
      expect(r.bad).toBeNull();
      expect(r.entries).toHaveLength(n);
      expect(r.entries[65_000]).toMatchObject({ name: 'f65000.txt', size: 'file 65000\n'.length });
    }
    if (hasUnzip) expect(testWithUnzip(file).status).toBe(0);
  }, 60_000);

  it('ZIP64 sizes, offsets and central directory (thresholds lowered to test them on small data)', async () => {
    const limits = { max32: 1000, maxEntries: 3 };
    const specs: Spec[] = [
      { name: 'small.csv', level: 0, parts: [Buffer.from('a,b\r\n')] }, // below: no ZIP64 for it, offset 0
      { name: 'big_stored.csv', level: 0, parts: [randomBytes(1500), randomBytes(700)] }, // size ≥ max32
      { name: 'big_deflated.csv', level: 6, parts: [Buffer.alloc(5000, 'x')] }, // size ≥, compressed < max32; offset ≥
      { name: 'late_small.csv', level: 0, parts: [Buffer.from('late\n')] }, // offset ≥ max32 only
      { name: 'empty.csv', level: 0, parts: [] },
    ];
    const s = sink();
    const infos = await writeAll(specs, s.out, limits);
    const zip = s.bytes();
    // Data descriptors: 8-byte sizes exactly for the entries of max32 or more.
    const descriptors: number[] = [];
    for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08])); at !== -1; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]), at + 4)) descriptors.push(at);
    const big = infos.map((i) => i.size >= limits.max32 || i.compressedSize >= limits.max32);
    expect(big).toEqual([false, true, true, false, false]);
    // (The random data could contain the signature by chance; the last descriptors are the real ones.)
    const real = descriptors.slice(-specs.length);
    for (const [k, at] of real.entries()) {
      const next = k + 1 < real.length ? zip.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), at) : zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at);
      expect(next - at).toBe(big[k] ? 24 : 16);
    }
    // Central directory: 0xFFFFFFFF markers and the ZIP64 extra field where needed.
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), real.at(-1)!);
    let at = cd;
    const seen = [];
    for (let k = 0; k < specs.length; k++) {
      expect(zip.readUInt32LE(at)).toBe(0x02014b50);
      const nameLength = zip.readUInt16LE(at + 28);
      const extraLength = zip.readUInt16LE(at + 30);
      const fields = { compressed: zip.readUInt32LE(at + 20), size: zip.readUInt32LE(at + 24), offset: zip.readUInt32LE(at + 42), needs: zip.readUInt16LE(at + 6), extra: extraLength };
      if (extraLength > 0) expect(zip.readUInt16LE(at + 46 + nameLength)).toBe(0x0001);
      seen.push(fields);
      at += 46 + nameLength + extraLength;
    }
    const M = 0xffffffff;
    expect(seen.map((f) => [f.size === M, f.compressed === M, f.offset === M, f.needs, f.extra])).toEqual([
      [false, false, false, 20, 0],
      [true, true, false, 45, 4 + 16], // offset 5 + header < 1000
      [true, false, true, 45, 4 + 16],
      [false, false, true, 45, 4 + 8],
      [false, false, true, 45, 4 + 8],
    ]);
    // ZIP64 end record and locator (the central directory is past max32, and 5 ≥ maxEntries).
    const end = zip.length - 22;
    expect(zip.readUInt32LE(end - 20)).toBe(0x07064b50);
    expect([zip.readUInt16LE(end + 8), zip.readUInt32LE(end + 12), zip.readUInt32LE(end + 16)]).toEqual([0xffff, end - 20 - 56 - cd, 0xffffffff]);
    await checkReadable(save('zip64.zip', zip), specs);
  });

  it('refuses an entry while another is open, finish() with one open, and an empty name', async () => {
    const zip = new ZipWriter(sink(false).out);
    expect(() => zip.entry('', { level: 0 })).toThrow('invalid entry name');
    const first = zip.entry('a', { level: 0 });
    expect(() => zip.entry('b', { level: 0 })).toThrow('previous entry');
    expect(() => zip.finish()).toThrow('entry still open');
    first.end('x');
    await first.done;
    zip.finish();
    expect(() => zip.entry('c', { level: 0 })).toThrow('after finish');
  });

  it('an entry destroyed midway writes nothing more and leaves the output open', async () => {
    const s = sink();
    const zip = new ZipWriter(s.out);
    const entry = zip.entry('x.csv', { level: 1 });
    entry.on('error', () => undefined);
    entry.write(randomBytes(100_000));
    let settled = false;
    void entry.done.then(() => (settled = true));
    entry.destroy(new Error('query failed'));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    expect(s.ended()).toBe(false);
  });
});

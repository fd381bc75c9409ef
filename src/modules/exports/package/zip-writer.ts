/**
 * A streaming zip writer (PKWARE APPNOTE 6.3): entries one after another, each streamed as it is
 * produced, never buffered and never read back, so it writes into any Writable (the file store's
 * `put` takes a stream and cannot seek).
 *
 * - Each entry: a local header with general purpose bit 3 (sizes and CRC follow the data in a
 *   data descriptor, as they are known only then), the data stored or deflated (zlib's raw
 *   deflate, in the thread pool), then the descriptor `PK\x07\x08`, CRC-32, compressed size, size.
 * - The CRC-32 is Node's native `zlib.crc32` (~1.8 GB/s here; archiver's JavaScript CRC ran at
 *   ~0.5 GB/s and was a tenth of a PostgreSQL CSV export's time). Each entry also counts its bytes
 *   and hashes them (SHA-256) on the way, for the export manifest: no extra stream for that.
 * - ZIP64 where the 32/16-bit fields do not suffice, and only there: an entry of 4 GiB or more
 *   gets 8-byte sizes in its data descriptor and a ZIP64 extra field (0x0001) in the central
 *   directory, as does an entry whose local header starts at 4 GiB or more; more than 65,534
 *   entries, or a central directory at or beyond 4 GiB or as large, add the ZIP64 end of central
 *   directory record and locator. (The local header cannot announce ZIP64, the size being unknown
 *   when it is written; readers take sizes from the central directory, as for Go's archive/zip
 *   and archiver, which do the same.) The thresholds can be lowered for tests (`limits`).
 * - The same header values as archiver wrote before (made by Unix/4.5, needs 2.0 or 4.5 with
 *   ZIP64, mode 0644, the MS-DOS archive bit, DOS local time), and bit 11 (UTF-8) for names that
 *   are not ASCII.
 *
 * Encryption is not here: AES zips go through archiver-zip-encrypted (zip.ts).
 */
import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';

/** Where ZIP64 starts: a size or offset at or above `max32`, or at least `maxEntries` entries. */
export interface ZipLimits {
  max32: number;
  maxEntries: number;
}

export const ZIP_LIMITS: ZipLimits = { max32: 0xffffffff, maxEntries: 0xffff };

export interface ZipEntryInfo {
  name: string;
  /** Bytes written into the entry (uncompressed). */
  size: number;
  /** Bytes of the entry's data in the zip (= size when stored). */
  compressedSize: number;
  crc32: number;
  /** SHA-256 (lowercase hex) of the uncompressed bytes. */
  sha256: string;
}

export interface CentralRecord {
  name: Buffer;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc32: number;
  size: number;
  compressedSize: number;
  offset: number;
}

const STORED = 0;
const DEFLATED = 8;
/** Bit 3: CRC and sizes in a data descriptor after the data; bit 11: the name is UTF-8. */
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const VERSION_MADE_BY = (3 << 8) | 45; // Unix, APPNOTE 4.5
const VERSION_NEEDED = 20;
const VERSION_NEEDED_ZIP64 = 45;
/** -rw-r--r-- (Unix mode in the high half) and the MS-DOS archive bit. */
const EXTERNAL_ATTRIBUTES = ((0o100644 << 16) | 0x20) >>> 0;
const U32 = 0xffffffff;
const U16 = 0xffff;

/** DOS date and time (local time, 2-second resolution; 1980 to 2107, the years it can hold). */
function dosDateTime(d: Date): { date: number; time: number } {
  if (d.getFullYear() < 1980) return { date: (1 << 5) | 1, time: 0 };
  if (d.getFullYear() > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  };
}

/**
 * Writes a zip into `out`: `entry()` for each file in turn (the previous one ended and `done`),
 * then `finish()`, which writes the central directory and ends `out`. `out`'s back-pressure is
 * followed: an entry's `write` calls back only once `out` has room. After a failure, simply stop
 * (and destroy the open entry): nothing more is written, `out` is not ended.
 */
export interface ZipWriterOptions {
  limits?: Partial<ZipLimits>;
  /** Default true: each entry's SHA-256 (ZipEntryInfo.sha256; '' when false, as for an XLSX's parts). */
  hash?: boolean;
  /** Default true: `finish()` ends `out`; false leaves it open (an XLSX written into an export zip's entry). */
  endOut?: boolean;
  /**
   * Bytes an entry takes before a write waits: its own buffer and, when deflated, deflate's input
   * (default 128 KiB). Larger lets the producer build the next chunk while deflate (in the thread
   * pool) still compresses the last one, instead of taking turns with it.
   */
  bufferBytes?: number;
}

export class ZipWriter {
  readonly #out: Writable;
  readonly #limits: ZipLimits;
  readonly #hash: boolean;
  readonly #endOut: boolean;
  readonly #bufferBytes: number;
  readonly #records: CentralRecord[] = [];
  #offset = 0;
  #open = false;
  #finished = false;

  constructor(out: Writable, options: ZipWriterOptions = {}) {
    this.#out = out;
    this.#limits = { ...ZIP_LIMITS, ...options.limits };
    this.#hash = options.hash ?? true;
    this.#endOut = options.endOut ?? true;
    this.#bufferBytes = options.bufferBytes ?? 128 * 1024;
  }

  /** Bytes written into `out` so far. */
  get bytesWritten(): number {
    return this.#offset;
  }

  /**
   * Starts the next entry: level 0 stores it, 1–9 deflates it. Write its bytes into the returned
   * stream and end it; `done` then resolves with its size, CRC and SHA-256.
   */
  entry(name: string, options: { level: number; date?: Date }): ZipEntry {
    if (this.#finished) throw new Error('zip: entry() after finish()');
    if (this.#open) throw new Error('zip: the previous entry is not complete');
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length === 0 || nameBytes.length > U16) throw new Error(`zip: invalid entry name "${name.slice(0, 80)}"`);
    const { date, time } = dosDateTime(options.date ?? new Date());
    const level = options.level;
    const record: CentralRecord = {
      name: nameBytes,
      flags: FLAG_DATA_DESCRIPTOR | (nameBytes.length === name.length ? 0 : FLAG_UTF8),
      method: level > 0 ? DEFLATED : STORED,
      time,
      date,
      crc32: 0,
      size: 0,
      compressedSize: 0,
      offset: this.#offset,
    };
    const header = Buffer.alloc(30 + nameBytes.length);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(VERSION_NEEDED, 4);
    header.writeUInt16LE(record.flags, 6);
    header.writeUInt16LE(record.method, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    // CRC-32 and sizes (14–25) zero: they are in the data descriptor. Extra field length (28) 0.
    header.writeUInt16LE(nameBytes.length, 26);
    nameBytes.copy(header, 30);
    this.#open = true;
    this.write(header);
    return new ZipEntry(this, record, level, this.#hash, this.#bufferBytes);
  }

  /** Writes the central directory and the end of central directory record(s), then ends `out` (unless `endOut: false`). */
  finish(): void {
    if (this.#open) throw new Error('zip: finish() with an entry still open');
    if (this.#finished) throw new Error('zip: finish() twice');
    this.#finished = true;
    const { max32, maxEntries } = this.#limits;
    const start = this.#offset;
    for (const r of this.#records) this.write(this.#centralHeader(r));
    const size = this.#offset - start;
    const count = this.#records.length;
    const zip64 = count >= maxEntries || start >= max32 || size >= max32;
    if (zip64) {
      const at = this.#offset;
      const end64 = Buffer.alloc(56 + 20);
      end64.writeUInt32LE(0x06064b50, 0);
      end64.writeBigUInt64LE(44n, 4); // size of the rest of this record
      end64.writeUInt16LE(VERSION_MADE_BY, 12);
      end64.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
      // 16: this disk (0); 20: disk where the central directory starts (0)
      end64.writeBigUInt64LE(BigInt(count), 24); // entries on this disk
      end64.writeBigUInt64LE(BigInt(count), 32); // entries in all
      end64.writeBigUInt64LE(BigInt(size), 40);
      end64.writeBigUInt64LE(BigInt(start), 48);
      // The locator.
      end64.writeUInt32LE(0x07064b50, 56);
      // 60: disk of the ZIP64 end record (0)
      end64.writeBigUInt64LE(BigInt(at), 64);
      end64.writeUInt32LE(1, 72); // disks in all
      this.write(end64);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    // 4: this disk (0); 6: disk where the central directory starts (0)
    end.writeUInt16LE(zip64 && count >= maxEntries ? U16 : count, 8);
    end.writeUInt16LE(zip64 && count >= maxEntries ? U16 : count, 10);
    end.writeUInt32LE(zip64 && size >= max32 ? U32 : size, 12);
    end.writeUInt32LE(zip64 && start >= max32 ? U32 : start, 16);
    // 20: comment length (0)
    this.write(end);
    if (this.#endOut) this.#out.end();
  }

  /**
   * (For ZipEntry.) Writes into `out`; `then` is called once `out` takes more (at once, or on its
   * 'drain'). Returns whether `out` has room now.
   */
  write(bytes: Buffer, then?: () => void): boolean {
    this.#offset += bytes.length;
    const room = this.#out.write(bytes);
    if (then) {
      if (room) then();
      else this.#out.once('drain', then);
    }
    return room;
  }

  /** (For ZipEntry.) Calls `then` on `out`'s next 'drain'. */
  whenDrained(then: () => void): void {
    this.#out.once('drain', then);
  }

  /** (For ZipEntry.) The entry's data descriptor is written: its central directory record is due. */
  closeEntry(record: CentralRecord): void {
    this.#records.push(record);
    this.#open = false;
  }

  /** The ZIP64 thresholds in force. */
  get limits(): ZipLimits {
    return this.#limits;
  }

  #centralHeader(r: CentralRecord): Buffer {
    const { max32 } = this.#limits;
    const big = [r.size >= max32, r.compressedSize >= max32, r.offset >= max32];
    const fields = big.filter(Boolean).length;
    const extra = fields === 0 ? 0 : 4 + 8 * fields;
    const h = Buffer.alloc(46 + r.name.length + extra);
    h.writeUInt32LE(0x02014b50, 0);
    h.writeUInt16LE(VERSION_MADE_BY, 4);
    h.writeUInt16LE(fields === 0 ? VERSION_NEEDED : VERSION_NEEDED_ZIP64, 6);
    h.writeUInt16LE(r.flags, 8);
    h.writeUInt16LE(r.method, 10);
    h.writeUInt16LE(r.time, 12);
    h.writeUInt16LE(r.date, 14);
    h.writeUInt32LE(r.crc32, 16);
    h.writeUInt32LE(big[1] ? U32 : r.compressedSize, 20);
    h.writeUInt32LE(big[0] ? U32 : r.size, 24);
    h.writeUInt16LE(r.name.length, 28);
    h.writeUInt16LE(extra, 30);
    // 32: comment length, 34: disk number start, 36: internal attributes (all 0)
    h.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
    h.writeUInt32LE(big[2] ? U32 : r.offset, 42);
    r.name.copy(h, 46);
    if (fields > 0) {
      // The ZIP64 extended information: only the fields that are 0xFFFFFFFF above, in this order.
      let p = 46 + r.name.length;
      h.writeUInt16LE(0x0001, p);
      h.writeUInt16LE(8 * fields, p + 2);
      p += 4;
      for (const [k, value] of [r.size, r.compressedSize, r.offset].entries()) {
        if (!big[k]) continue;
        h.writeBigUInt64LE(BigInt(value), p);
        p += 8;
      }
    }
    return h;
  }
}

/** One entry's bytes: write them, end it, await `done`. Created by {@link ZipWriter.entry}. */
export class ZipEntry extends Writable {
  /** Settles once the entry (its data descriptor) is written; never if it is destroyed first. */
  readonly done: Promise<ZipEntryInfo>;
  readonly #zip: ZipWriter;
  readonly #record: CentralRecord;
  readonly #hash: Hash | null;
  readonly #deflate: zlib.DeflateRaw | null;
  #crc = 0;
  #size = 0;
  #compressed = 0;
  #resolve!: (info: ZipEntryInfo) => void;

  constructor(zip: ZipWriter, record: CentralRecord, level: number, hash: boolean, bufferBytes: number) {
    // Room for a chunk or two of the producers (COPY's ~64 KiB), so that a write into an entry
    // whose output has room does not wait for 'drain' each time.
    super({ highWaterMark: bufferBytes });
    this.#zip = zip;
    this.#record = record;
    this.#hash = hash ? createHash('sha256') : null;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
    if (level > 0) {
      // 64 KiB output chunks, not zlib's 16 KiB: a quarter of the callbacks on the main thread
      // (each costs more than it looks: an XLSX sheet is hundreds of MB of XML to deflate).
      // (zlib streams take the stream options too; @types/node's ZlibOptions does not list them.)
      const deflate = zlib.createDeflateRaw({ level, chunkSize: 64 * 1024, writableHighWaterMark: bufferBytes } as zlib.ZlibOptions);
      deflate.on('data', (chunk: Buffer) => {
        this.#compressed += chunk.length;
        // Follow `out`'s back-pressure: no more compressed data until it drains.
        if (!zip.write(chunk)) {
          deflate.pause();
          zip.whenDrained(() => deflate.resume());
        }
      });
      deflate.on('error', (e) => this.destroy(e));
      this.#deflate = deflate;
    } else this.#deflate = null;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#crc = zlib.crc32(chunk, this.#crc);
    this.#hash?.update(chunk);
    this.#size += chunk.length;
    const deflate = this.#deflate;
    if (deflate === null) {
      this.#compressed += chunk.length;
      this.#zip.write(chunk, callback);
    } else if (deflate.write(chunk)) callback();
    else deflate.once('drain', callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const deflate = this.#deflate;
    if (deflate === null) {
      this.#close();
      callback();
      return;
    }
    deflate.once('end', () => {
      this.#close();
      callback();
    });
    deflate.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#deflate?.destroy();
    callback(error);
  }

  #close(): void {
    const r = this.#record;
    r.crc32 = this.#crc >>> 0;
    r.size = this.#size;
    r.compressedSize = this.#compressed;
    const zip64 = r.size >= this.#zip.limits.max32 || r.compressedSize >= this.#zip.limits.max32;
    const d = Buffer.alloc(zip64 ? 24 : 16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(r.crc32, 4);
    if (zip64) {
      d.writeBigUInt64LE(BigInt(r.compressedSize), 8);
      d.writeBigUInt64LE(BigInt(r.size), 16);
    } else {
      d.writeUInt32LE(r.compressedSize, 8);
      d.writeUInt32LE(r.size, 12);
    }
    this.#zip.write(d);
    this.#zip.closeEntry(r);
    this.#resolve({ name: r.name.toString('utf8'), size: r.size, compressedSize: r.compressedSize, crc32: r.crc32, sha256: this.#hash?.digest('hex') ?? '' });
  }
}

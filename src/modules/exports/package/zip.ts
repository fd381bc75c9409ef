/**
 * The export zip: each file streamed into its entry as it is produced, one file at a time, and
 * `manifest.json` (name, statement, rows, bytes, sha256 per file) as the last entry.
 * - Without a password: our own streaming writer (zip-writer.ts: native CRC-32, the manifest's
 *   size and SHA-256 taken on the same pass, ZIP64 when needed). It replaced archiver here, whose
 *   JavaScript CRC-32 and stream layers cost about a tenth of a PostgreSQL CSV export's time.
 * - With a password, WinZip AES-256 (archiver + archiver-zip-encrypted, as before): 7-Zip, WinZip,
 *   Keka, The Unarchiver and zip.js open it; Info-ZIP `unzip` and the Windows Explorer cannot (they
 *   only know ZipCrypto, which is broken and not offered).
 */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import archiver from 'archiver';
import { HashingStream } from './hashing-stream.js';
import { type ZipLimits, ZipWriter, type ZipEntry } from './zip-writer.js';
import { type Manifest, MANIFEST_NAME, type ManifestFile, type PackagedFile } from './manifest.js';
import { failureLatch } from '../formats/failure-latch.js';

export interface ZipOptions {
  /** WinZip AES-256 with this password; none: a plain zip. */
  password?: string | undefined;
  /** Deflate level 0–9; default 1 (fast: exports are big, and level 1 already gets most of the gain). */
  compressionLevel?: number;
  /** Tests only: lower ZIP64 thresholds (plain zips). */
  zip64Limits?: Partial<ZipLimits>;
}

export const DEFAULT_COMPRESSION_LEVEL = 1;

/** Entries that are compressed already (an XLSX is a zip) are stored: deflating them again only costs CPU. */
const COMPRESSED = /\.(?:xlsx|zip|gz|bz2|xz|zst|7z)$/i;

const require = createRequire(import.meta.url);

function createEncryptedArchive(options: ZipOptions & { password: string }): archiver.Archiver {
  const level = options.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL;
  const zlib = { level };
  const store = level === 0; // stored entries, not deflate's stored blocks
  // The plugin has no types; it registers once per process (a second registration throws).
  if (!archiver.isRegisteredFormat('zip-encrypted')) archiver.registerFormat('zip-encrypted', require('archiver-zip-encrypted') as () => void);
  return archiver.create('zip-encrypted', { zlib, store, encryptionMethod: 'aes256', password: options.password } as archiver.ArchiverOptions);
}

function checkNames(files: readonly PackagedFile[]): void {
  const names = new Set<string>([MANIFEST_NAME]);
  for (const file of files) {
    if (file.name === '' || names.has(file.name)) throw new Error(`export zip: the file name "${file.name}" is empty, repeated or reserved`);
    names.add(file.name);
  }
}

/**
 * Streams a zip with each file, produced one after another (never more than one in flight), plus
 * manifest.json ({files:[{name, statement, rows, bytes, sha256}], createdAt}) as the last entry.
 * With a password: WinZip AES-256 (archiver-zip-encrypted, encryptionMethod 'aes256'). Resolves
 * with the manifest once the zip is fully written to `out` (and `out` ended); rejects if any file
 * fails. On failure `out` is left as is, not ended: the caller destroys it (and discards what it
 * holds).
 */
export async function writeZip(files: readonly PackagedFile[], out: Writable, options: ZipOptions): Promise<Manifest> {
  checkNames(files);
  if (options.password !== undefined) return writeEncryptedZip(files, out, { ...options, password: options.password });
  const level = options.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL;
  const zip = new ZipWriter(out, options.zip64Limits === undefined ? {} : { limits: options.zip64Limits });
  const latch = failureLatch();
  const { failure, fail } = latch;
  const written = finished(out, { readable: false });
  written.catch(fail);

  let entry: ZipEntry | undefined;
  try {
    const listed: ManifestFile[] = [];
    for (const file of files) {
      if (latch.failed) await failure;
      entry = zip.entry(file.name, { level: COMPRESSED.test(file.name) ? 0 : level });
      entry.on('error', fail);
      const { rows } = await Promise.race([file.write(entry), failure]);
      if (!entry.writableEnded) entry.end();
      // Only the next file once this one is entirely in the zip.
      const { size, sha256 } = await Promise.race([entry.done, failure]);
      listed.push({ name: file.name, statement: file.statement, rows, bytes: size, sha256 });
    }
    const manifest: Manifest = { files: listed, createdAt: new Date().toISOString() };
    entry = zip.entry(MANIFEST_NAME, { level });
    entry.on('error', fail);
    entry.end(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
    await Promise.race([entry.done, failure]);
    entry = undefined;
    zip.finish();
    await Promise.race([written, failure]);
    return manifest;
  } catch (error) {
    fail(error);
    entry?.on('error', () => undefined).destroy();
    throw error;
  }
}

/** The AES-256 zip, through archiver and archiver-zip-encrypted. */
async function writeEncryptedZip(files: readonly PackagedFile[], out: Writable, options: ZipOptions & { password: string }): Promise<Manifest> {
  const archive = createEncryptedArchive(options);
  const latch = failureLatch();
  const { failure, fail } = latch;
  // Kept for good: the archive may still report an error after we gave up on it.
  archive.on('error', fail);
  archive.on('warning', fail);
  const written = finished(out, { readable: false });
  written.catch(fail);
  archive.pipe(out);

  let entry: HashingStream | undefined;
  try {
    const listed: ManifestFile[] = [];
    for (const file of files) {
      if (latch.failed) await failure;
      entry = new HashingStream();
      // (`store: false` would override the archive's own `store`, so only ever `true`.)
      archive.append(entry, COMPRESSED.test(file.name) ? { name: file.name, store: true } : { name: file.name });
      const { rows } = await Promise.race([file.write(entry), failure]);
      if (!entry.writableEnded) entry.end();
      // Only the next file once this one has gone through the hash entirely.
      const { bytes, sha256 } = await Promise.race([entry.digest, failure]);
      listed.push({ name: file.name, statement: file.statement, rows, bytes, sha256 });
    }
    entry = undefined;
    const manifest: Manifest = { files: listed, createdAt: new Date().toISOString() };
    archive.append(`${JSON.stringify(manifest, null, 2)}\n`, { name: MANIFEST_NAME });
    archive.finalize().catch(fail);
    await Promise.race([written, failure]);
    return manifest;
  } catch (error) {
    fail(error);
    archive.unpipe(out);
    entry?.on('error', () => undefined).destroy();
    archive.abort();
    archive.destroy();
    throw error;
  }
}

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertFileKey, FileTooLargeError, type ByteRange, type FileStat, type FileStore, type StoredFile } from './file-store.js';

/** Bytes written between two background flushes of a file being put (see `put`). */
const SYNC_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * The file store as a folder (default `<dataDir>/files`). A key `a/b/c` is the file `<root>/a/b/c`.
 * `put` writes `<root>/.tmp/<uuid>.part` (same file system, so the rename is atomic), flushes it to
 * disk (fsync; writeback starts every 16 MiB on the way), then renames it over the final name: a
 * crash leaves at most a `.part` file, which `removeIncomplete` deletes later, never a truncated
 * file under a key. Files are mode 0600.
 */
export class LocalFileStore implements FileStore {
  readonly #tmpDir: string;

  constructor(readonly root: string) {
    this.#tmpDir = path.join(root, '.tmp');
  }

  #path(key: string): string {
    assertFileKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Readable, options: { maxBytes?: number } = {}): Promise<StoredFile> {
    // The writer may destroy the body with an error before this reaches the stream (awaits below):
    // with no listener that error would be thrown as an uncaught exception. The pipeline still
    // sees it (the body's `errored`) and rejects the put with it.
    body.on('error', ignoreBodyError);
    const final = this.#path(key);
    await mkdir(this.#tmpDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(this.#tmpDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const handle = await open(tmp, 'wx', 0o600);
    // Start writing back to disk while the file is still being written (one fdatasync at a time,
    // every SYNC_EVERY_BYTES): the fsync before the rename then has little left to flush (for a
    // 143 MB export, ~10 ms instead of ~100 ms after the last byte). A failed background sync
    // fails the put: the error might not be reported again by the last one.
    let unsynced = 0;
    let syncing: Promise<void> | null = null;
    let syncError: Error | null = null;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (options.maxBytes !== undefined && size > options.maxBytes) return done(new FileTooLargeError(options.maxBytes));
        hash.update(chunk);
        unsynced += chunk.length;
        if (unsynced >= SYNC_EVERY_BYTES && syncing === null) {
          unsynced = 0;
          syncing = handle.datasync().then(
            () => void (syncing = null),
            (e: unknown) => {
              syncError = e as Error;
              syncing = null;
              meter.destroy(syncError);
            },
          );
        }
        done(null, chunk);
      },
    });
    // The stream leaves the handle open (autoClose false): the fsync and the close are ours, after
    // the last background sync. (Destroying the finished stream releases its hold on the handle.)
    const file = handle.createWriteStream({ autoClose: false });
    try {
      try {
        await pipeline(body, meter, file);
      } finally {
        await syncing; // never one in flight when the handle closes
      }
      if (syncError !== null) throw syncError;
      // fsync before the rename, so the rename never publishes data still only in the page cache.
      await handle.sync();
      file.destroy();
      await handle.close();
      await mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
      await rename(tmp, final);
    } catch (e) {
      file.destroy();
      await handle.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw e;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async get(key: string, range?: ByteRange): Promise<{ stream: Readable; size: number } | null> {
    const file = this.#path(key);
    // Open first, then stat the handle: a concurrent replace or delete cannot mix two versions.
    const handle = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'EISDIR') return null;
      throw e;
    });
    if (!handle) return null;
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        await handle.close();
        return null;
      }
      return { stream: handle.createReadStream(range ? { start: range.start, end: range.end } : {}), size: st.size };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async stat(key: string): Promise<FileStat | null> {
    try {
      const st = await stat(this.#path(key));
      return st.isFile() ? { size: st.size, modifiedAt: st.mtimeMs } : null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  async removeIncomplete(olderThan: number): Promise<number> {
    const names = await readdir(this.#tmpDir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[];
      throw e;
    });
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.#tmpDir, name);
      const st = await stat(file).catch(() => null);
      if (st && st.mtimeMs < olderThan) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

function ignoreBodyError(): void {}

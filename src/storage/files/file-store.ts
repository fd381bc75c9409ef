import type { Readable } from 'node:stream';

/**
 * Where uploaded files (attachments, later export results) live: a folder in the data dir by
 * default (`LocalFileStore`), an S3-compatible bucket later (issue 8). The interface is the common
 * ground of both: whole-object writes from a stream, streamed reads, metadata, delete.
 *
 * Guarantees every implementation keeps:
 * - `put` is atomic: readers see the old object, nothing, or the complete new object, never a
 *   partial one (local: temp file + rename; S3: a multipart upload completes or is aborted). A
 *   failed or aborted `put` leaves nothing under the key.
 * - `put` counts and hashes what it writes, so callers get size and SHA-256 without a second read.
 * - Keys are relative, `/`-separated names of `[A-Za-z0-9._-]` segments not starting with a dot (no
 *   leading slash); see {@link assertFileKey}. They map to paths and object names unchanged.
 */
export interface FileStore {
  /**
   * Writes the stream's bytes under `key`, replacing what was there. Rejects with
   * {@link FileTooLargeError} once more than `maxBytes` arrive (the source is then destroyed), and
   * with the source's error if it fails; in both cases nothing is left under the key.
   */
  put(key: string, body: Readable, options?: { maxBytes?: number }): Promise<StoredFile>;
  /**
   * The object's bytes (all, or the inclusive byte `range`, which the caller keeps within the
   * size) and its whole size, or null when there is no such object.
   */
  get(key: string, range?: ByteRange): Promise<{ stream: Readable; size: number } | null>;
  stat(key: string): Promise<FileStat | null>;
  /** Removes the object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Cleans up after `put`s interrupted by a crash (local: temp files; S3: incomplete multipart
   * uploads) started before `olderThan` (epoch ms). Returns how many were removed.
   */
  removeIncomplete(olderThan: number): Promise<number>;
}

/** Bytes `start` to `end`, both included (HTTP Range semantics). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredFile {
  size: number;
  /** Lower-case hex SHA-256 of the bytes written. */
  sha256: string;
}

export interface FileStat {
  size: number;
  modifiedAt: number;
}

/** The body was larger than the `maxBytes` given to `put`. */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than the limit of ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
  }
}

/** A segment starts with a letter, digit or `_`: no `.`/`..`, and dot-names stay free for internals. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

/** Throws unless `key` is a valid store key (checked by every implementation, before any I/O). */
export function assertFileKey(key: string): void {
  const segments = key.split('/');
  const ok = key.length <= 1024 && segments.every((s) => SEGMENT.test(s));
  if (!ok) throw new TypeError(`invalid file store key "${key.slice(0, 80)}"`);
}

import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through unchanged, counting them and hashing them (SHA-256) on the way. */
export class HashingStream extends Transform {
  readonly #hash = createHash('sha256');
  #bytes = 0;
  #resolve!: (result: { bytes: number; sha256: string }) => void;
  /** Settles once everything written has gone through (after `end()`); never if destroyed. */
  readonly digest = new Promise<{ bytes: number; sha256: string }>((resolve) => (this.#resolve = resolve));

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#resolve({ bytes: this.#bytes, sha256: this.#hash.digest('hex') });
    callback();
  }
}

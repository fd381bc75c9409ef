/**
 * Writing to the caller's stream with back-pressure: a write that the stream refuses (`false`)
 * waits for 'drain' before the next batch is even pulled from the database, so memory stays
 * at about one batch whatever the row count.
 */
import type { Writable } from 'node:stream';

export type Out = NodeJS.WritableStream | Writable;

export function isDestroyed(out: Out): boolean {
  return (out as Partial<Writable>).destroyed === true;
}

/** Resolves on 'drain'; rejects if the stream errors or closes first (it would never drain). */
export function drained(out: Out): Promise<void> {
  if (isDestroyed(out)) return Promise.reject(new Error('The output stream was closed before the export finished'));
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown): void => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = (): void => settle();
    const onError = (error: unknown): void => settle(error);
    const onClose = (): void => settle(new Error('The output stream was closed before the export finished'));
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}

/** Writes one chunk; the promise (only when the stream is full) waits for room. */
export async function writeChunk(out: Out, chunk: Buffer | string): Promise<void> {
  if (isDestroyed(out)) throw new Error('The output stream was closed before the export finished');
  if (!out.write(chunk)) await drained(out);
}

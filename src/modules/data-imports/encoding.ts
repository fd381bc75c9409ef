/**
 * How an import file's bytes become text. FileEncoding UTF-8, GBK or ISO-8859-1 is taken as
 * declared; AUTO decides once, at precheck, over the whole file (a byte scan, no parsing):
 * 1. a UTF-8 byte-order mark (EF BB BF) → UTF-8;
 * 2. else every byte sequence is valid UTF-8 (pure ASCII included) → UTF-8;
 * 3. else GBK (the other encoding DMS users upload; GBK covers GB2312).
 * UTF-8 is decoded strictly (a malformed sequence fails the import naming its byte offset)
 * with the WHATWG TextDecoder; GBK and ISO-8859-1 with iconv-lite's streaming decoders (every
 * ISO-8859-1 byte is a character; a GBK byte pair outside the table becomes U+FFFD). A leading
 * byte-order mark is dropped in every encoding.
 */
import { Transform, type Readable } from 'node:stream';
import iconv from 'iconv-lite';
import type { FileEncoding } from '../tickets/types/dc-big-file.type.js';

export type ResolvedEncoding = Exclude<FileEncoding, 'AUTO'>;

const BOM = [0xef, 0xbb, 0xbf];

/** Reads `bytes` to its end and applies the AUTO rule above. */
export async function detectEncoding(bytes: Readable): Promise<ResolvedEncoding> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  let valid = true;
  for await (const chunk of bytes) {
    const b = chunk as Buffer;
    if (first && b.length >= 3 && BOM.every((v, k) => b[k] === v)) {
      bytes.destroy();
      return 'UTF-8';
    }
    first = false;
    if (!valid) continue;
    try {
      decoder.decode(b, { stream: true });
    } catch {
      valid = false;
      bytes.destroy();
      break;
    }
  }
  if (valid) {
    try {
      decoder.decode();
    } catch {
      valid = false;
    }
  }
  return valid ? 'UTF-8' : 'GBK';
}

/** A malformed byte sequence in a file read as UTF-8. */
export class EncodingError extends Error {}

/** A Transform from the file's bytes to strings in `encoding`, without a byte-order mark. */
export function decoderStream(encoding: ResolvedEncoding): Transform {
  let offset = 0;
  let started = false;
  const dropBom = (s: string): string => {
    if (started) return s;
    if (s === '') return s;
    started = true;
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  };
  if (encoding === 'UTF-8') {
    const d = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const fail = () => new EncodingError(`the file is not valid UTF-8 (a malformed byte sequence after byte ${offset}); declare FileEncoding GBK or ISO-8859-1, or AUTO`);
    return new Transform({
      readableObjectMode: true,
      transform(chunk: Buffer, _enc, done) {
        try {
          const s = dropBom(d.decode(chunk, { stream: true }));
          offset += chunk.length;
          done(null, s === '' ? undefined : s);
        } catch {
          done(fail());
        }
      },
      flush(done) {
        try {
          const s = dropBom(d.decode());
          done(null, s === '' ? undefined : s);
        } catch {
          done(fail());
        }
      },
    });
  }
  const d = iconv.getDecoder(encoding === 'GBK' ? 'gbk' : 'latin1');
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      const s = dropBom(d.write(chunk));
      done(null, s === '' ? undefined : s);
    },
    flush(done) {
      const s = dropBom(d.end() ?? '');
      done(null, s === '' ? undefined : s);
    },
  });
}

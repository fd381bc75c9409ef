/**
 * Output encodings of text exports (CSV, TXT, JSON, SQL), named as DMS names them. iconv-lite does
 * the conversion; it writes `?` for a character the target cannot represent without saying so, so
 * every non-ASCII chunk is checked (see `createEncoder`) and the export fails, or writes `?` on
 * purpose, instead of losing characters silently.
 */
import iconv from 'iconv-lite';

/** The DMS spellings ('' from the API means UTF8; the caller maps it). `LATAIN1` (sic) is DMS's. */
export type ExportEncoding = 'UTF8' | 'UTF8MB4' | 'GB2312' | 'ISO_8859_1' | 'GBK' | 'LATAIN1' | 'CP1252';

export const EXPORT_ENCODINGS: readonly ExportEncoding[] = ['UTF8', 'UTF8MB4', 'GB2312', 'ISO_8859_1', 'GBK', 'LATAIN1', 'CP1252'];

/**
 * iconv-lite's name for each. Note iconv-lite's `gb2312` is an alias of cp936 (GBK), like the
 * WHATWG and Windows treat the label: a GB2312 file may hold GBK-only characters.
 */
const ICONV_NAMES: Record<ExportEncoding, string> = {
  UTF8: 'utf-8',
  UTF8MB4: 'utf-8',
  GB2312: 'gb2312',
  GBK: 'gbk',
  ISO_8859_1: 'ISO-8859-1',
  LATAIN1: 'ISO-8859-1',
  CP1252: 'windows-1252',
};

export function iconvName(encoding: ExportEncoding): string {
  return ICONV_NAMES[encoding];
}

export function isUtf8(encoding: ExportEncoding): boolean {
  return ICONV_NAMES[encoding] === 'utf-8';
}

/** Turns the text of one batch into bytes. */
export interface ChunkEncoder {
  readonly encoding: ExportEncoding;
  /**
   * The bytes of `text`. A character the encoding lacks becomes `?` in 'replace' mode; in 'error'
   * mode the result is `undefined` and the caller finds the culprit with `firstUnmappable`
   * (per cell, to name the row and column).
   */
  encode(text: string): Buffer | undefined;
  /** The first character of `text` the encoding cannot write, as `U+1F600 "😀"`; undefined if none. */
  firstUnmappable(text: string): string | undefined;
}

const NON_ASCII = /[^\x00-\x7F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const QUESTION = 0x3f;

/** ES2024's String.prototype.isWellFormed (Node ≥ 20), not in the ES2023 lib this project types against. */
export const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

export function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  // Show the character itself only when it is printable on its own.
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char) ? `${hex} "${char}"` : hex;
}

function countQuestionMarks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('?'); i !== -1; i = text.indexOf('?', i + 1)) n++;
  return n;
}

function countQuestionBytes(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(QUESTION); i !== -1; i = bytes.indexOf(QUESTION, i + 1)) n++;
  return n;
}

export function createEncoder(encoding: ExportEncoding, unmappable: 'error' | 'replace'): ChunkEncoder {
  const name = iconvName(encoding);
  if (name === 'utf-8') {
    // UTF-8 holds every character; only a lone surrogate (invalid UTF-16, which Buffer would turn
    // into U+FFFD silently) has no encoding.
    return {
      encoding,
      encode(text) {
        if (isWellFormed(text)) return Buffer.from(text, 'utf8');
        return unmappable === 'error' ? undefined : Buffer.from(text.replace(LONE_SURROGATE, '?'), 'utf8');
      },
      firstUnmappable(text) {
        LONE_SURROGATE.lastIndex = 0;
        const match = LONE_SURROGATE.exec(text);
        return match ? describeChar(match[0]) : undefined;
      },
    };
  }
  return {
    encoding,
    encode(text) {
      // All targets here are ASCII supersets: ASCII text is its own encoding, no conversion.
      if (!NON_ASCII.test(text)) return Buffer.from(text, 'latin1');
      const bytes = iconv.encode(text, name);
      // iconv-lite writes an unmappable character as `?` (in these encodings 0x3F is never part
      // of a multi-byte character: GBK trail bytes start at 0x40), so more `?` bytes out than `?`
      // characters in means something was replaced. Cheaper than decoding back, and exact.
      if (unmappable === 'error' && countQuestionBytes(bytes) !== countQuestionMarks(text)) return undefined;
      return bytes;
    },
    firstUnmappable(text) {
      if (!NON_ASCII.test(text)) return undefined;
      for (const char of text) {
        if (char.charCodeAt(0) < 0x80) continue;
        const bytes = iconv.encode(char, name);
        // (an astral character may come out as one `?` per UTF-16 half)
        if (bytes.includes(QUESTION)) return describeChar(char);
      }
      return undefined;
    },
  };
}

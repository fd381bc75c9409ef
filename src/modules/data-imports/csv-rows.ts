/**
 * The records of a CSV file as it streams in, parsed by csv-parse (RFC 4180: `"` quoting with
 * doubled quotes, fields over several lines, CRLF or LF) with the 1-based line where each record
 * starts. An unquoted empty field comes out as null (NULL), a quoted one as '' (see csv-values.ts).
 * A record may have any number of fields (the import reports a wrong count per row); a file
 * csv-parse cannot read on (an unclosed quote) throws CsvFileError naming the line.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';

export interface CsvRecord {
  line: number;
  fields: (string | null)[];
}

export class CsvFileError extends Error {}

/** `\n`s in a record's raw text. */
const newlines = (raw: string): number => {
  let n = 0;
  for (let k = raw.indexOf('\n'); k >= 0; k = raw.indexOf('\n', k + 1)) n++;
  return n;
};

const QUOTE = 34;

/**
 * Which fields of a record were quoted, read from its raw text: at each field start a `"` opens a
 * quoted field that runs to the quote not followed by another. Only asked for records that have an
 * empty field (csv-parse gives '' for both `,,` and `,"",`).
 */
function quotedFields(raw: string, count: number): boolean[] {
  const quoted = new Array<boolean>(count).fill(false);
  let i = 0;
  for (let f = 0; f < count && i <= raw.length; f++) {
    if (raw.charCodeAt(i) === QUOTE) {
      quoted[f] = true;
      i++;
      for (;;) {
        const q = raw.indexOf('"', i);
        if (q < 0) return quoted;
        if (raw.charCodeAt(q + 1) === QUOTE) i = q + 2;
        else {
          i = q + 1;
          break;
        }
      }
    }
    const comma = raw.indexOf(',', i);
    if (comma < 0) break;
    i = comma + 1;
  }
  return quoted;
}

/** Records per group handed over at once. */
const GROUP = 1000;

/**
 * The records in groups, as the parser has them ready. Lines are counted from each record's raw
 * text (one `\n` per record delimiter, CRLF or LF; a file with bare CR line ends reads, but its
 * line numbers count records). Blank lines are skipped.
 *
 * Measured choices (200,000 rows): csv-parse's `cast` would tell a quoted empty field from an
 * unquoted one directly, but building its context per field made parsing about 8× slower (8.8 s
 * against 1.5 s), so the raw text of the (rare) records with an empty field is looked at instead;
 * and the records are taken with `read()` in a loop, since an async iteration per record (`for
 * await` over the parser) added about 5 µs a record (2.4 s against 1.4 s).
 */
export async function* csvRecordGroups(text: Readable): AsyncGenerator<CsvRecord[]> {
  let line = 1;
  const parser = parse({ relax_column_count: true, raw: true });
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const poke = () => wake?.();
  parser.on('readable', poke);
  parser.on('end', () => {
    ended = true;
    poke();
  });
  parser.on('error', (e) => {
    failure = e;
    poke();
  });
  text.on('error', (e) => parser.destroy(e));
  text.pipe(parser);
  try {
    for (;;) {
      const group: CsvRecord[] = [];
      let r: { record: string[]; raw: string } | null;
      while (group.length < GROUP && (r = parser.read() as typeof r) !== null) {
        const at = line;
        // csv-parse's raw ends with the `\n` of an LF record end, but not of a CRLF one.
        line += newlines(r.raw) + (r.raw.endsWith('\n') ? 0 : 1);
        const fields: (string | null)[] = r.record;
        if (fields.length === 1 && fields[0] === '' && r.raw.charCodeAt(0) !== QUOTE) continue; // a blank line
        if (fields.includes('')) {
          const quoted = quotedFields(r.raw, fields.length);
          for (let k = 0; k < fields.length; k++) if (fields[k] === '' && !quoted[k]) fields[k] = null;
        }
        group.push({ line: at, fields });
      }
      if (group.length > 0) {
        yield group;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code?.startsWith('CSV_')) throw new CsvFileError(`line ${line}: the CSV cannot be read on: ${err.message}`);
    throw e;
  } finally {
    text.unpipe(parser);
    parser.destroy();
  }
}

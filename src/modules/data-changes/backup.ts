/**
 * Backup segments: one file-store file per executed statement that changed rows, written inside
 * the statement's transaction before it commits (so a committed change always has its backup).
 * JSON Lines: a header, then one JSON array of cells per row (binary cells as `{"$hex": …}`).
 * - UPDATE/DELETE: the rows' pre-image (`SELECT … FOR UPDATE` of the rows the statement changes);
 * - INSERT: the inserted rows' key values (`RETURNING <key>`).
 * rollback.ts turns segments into SQL; GetDataCorrectBackupFiles serves them per database.
 */
import { PassThrough, type Readable } from 'node:stream';
import readline from 'node:readline';
import type { Cell, ResultColumn } from '../../connectors/index.js';
import type { FileStore } from '../../storage/files/file-store.js';
import type { TableRef } from '../review/types.js';

export interface SegmentHeader {
  v: 1;
  position: number;
  kind: 'UPDATE' | 'DELETE' | 'INSERT';
  /** As the database resolved it (tableKeys). */
  table: TableRef & { schema: string };
  /** The key the rows are restored by; null: none (full row image). */
  keyColumns: string[] | null;
  /** UPDATE: the columns it assigns. */
  setColumns: string[] | null;
  /** The columns of the rows that follow (INSERT: the key columns). */
  columns: ResultColumn[];
  /** Columns the database computes (never written back). */
  generated: string[];
  /** PostgreSQL GENERATED ALWAYS identity columns (written back with OVERRIDING SYSTEM VALUE). */
  identityAlways: string[];
}

/** A statement's segment; a chunked statement has one per batch. */
export const segmentKey = (tenantId: number, ticketId: number, jobId: number, position: number, batch?: number): string =>
  `dc-backup/${tenantId}/${ticketId}/${jobId}/${position}${batch !== undefined ? `-${batch}` : ''}.jsonl`;

export function encodeCell(c: Cell): unknown {
  return c instanceof Uint8Array ? { $hex: Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('hex') } : c;
}

export function decodeCell(v: unknown): Cell {
  if (v !== null && typeof v === 'object' && '$hex' in v) return Buffer.from(String((v as { $hex: string }).$hex), 'hex');
  return v as Cell;
}

/**
 * Writes one segment as rows arrive; the file is started by the first non-empty batch, so a
 * statement that changes nothing leaves no file. `finish` resolves once the file is stored
 * completely (null: no rows, no file); `abort` discards it.
 */
export class SegmentWriter {
  private out: PassThrough | null = null;
  private stored: Promise<unknown> | null = null;
  rows = 0;

  constructor(
    private readonly files: FileStore,
    readonly key: string,
    private readonly header: Omit<SegmentHeader, 'columns'>,
  ) {}

  async add(batch: readonly Cell[][], columns: readonly ResultColumn[]): Promise<void> {
    if (batch.length === 0) return;
    if (!this.out) {
      this.out = new PassThrough();
      this.stored = this.files.put(this.key, this.out);
      this.stored.catch(() => undefined); // awaited in finish
      await this.push(`${JSON.stringify({ ...this.header, columns })}\n`);
    }
    this.rows += batch.length;
    await this.push(batch.map((r) => JSON.stringify(r.map(encodeCell))).join('\n') + '\n');
  }

  private async push(text: string): Promise<void> {
    const out = this.out!;
    if (!out.write(text)) {
      await new Promise<void>((resolve, reject) => {
        const done = (e?: Error) => {
          out.off('drain', done);
          out.off('error', done);
          if (e) reject(e);
          else resolve();
        };
        out.on('drain', done);
        out.on('error', done);
      });
    }
  }

  async finish(): Promise<string | null> {
    if (!this.out) return null;
    this.out.end();
    await this.stored;
    return this.key;
  }

  async abort(reason: Error): Promise<void> {
    if (!this.out) return;
    this.out.destroy(reason);
    await this.stored?.catch(() => undefined);
  }
}

export interface SegmentReader {
  header: SegmentHeader;
  /** The rows, in batches of up to 500. */
  batches: AsyncIterable<Cell[][]>;
}

/** Opens a stored segment; null when the file is gone. */
export async function readSegment(files: FileStore, key: string): Promise<SegmentReader | null> {
  const file = await files.get(key);
  if (!file) return null;
  const lines = readline.createInterface({ input: file.stream as Readable, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error(`backup segment ${key} is empty`);
  const header = JSON.parse(first.value) as SegmentHeader;
  async function* batches(): AsyncGenerator<Cell[][]> {
    let batch: Cell[][] = [];
    for (;;) {
      const next = await lines.next();
      if (next.done) break;
      if (next.value === '') continue;
      batch.push((JSON.parse(next.value) as unknown[]).map(decodeCell));
      if (batch.length === 500) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
  return { header, batches: batches() };
}

/** The raw bytes of a stored segment (downloads). */
export async function openSegment(files: FileStore, key: string): Promise<Readable | null> {
  return (await files.get(key))?.stream ?? null;
}

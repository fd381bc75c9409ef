/**
 * The loop shared by the text formats (CSV, TXT, JSON, SQL): each batch becomes one string, one
 * encode and one `out.write`, which is what makes them fast (a write or an encode per cell costs
 * more than building the cell text).
 */
import type { Cell, ResultColumn } from '../../../connectors/result-set.js';
import { type ChunkEncoder, isUtf8 } from './encoding.js';
import { ExportValueError } from './errors.js';
import { type Out, writeChunk } from './output.js';

export interface TextFormatWriter {
  /** What comes before the rows (header row, SQL comment); may be ''. */
  head(): string;
  /** The text of one batch; `firstRow` is the 1-based number of its first row. May throw ExportValueError. */
  rows(batch: readonly Cell[][], firstRow: number): string;
  /**
   * Optional fast path for UTF-8 output: the bytes `encode(rows(batch))` would give, written
   * directly; undefined when the batch needs the string path (a lone surrogate to report or replace).
   */
  rowsUtf8?(batch: readonly Cell[][], firstRow: number): Buffer | undefined;
  /** What comes after the last row (`]`, the open INSERT's `;`); may be ''. */
  tail(): string;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function unmappable(encoder: ChunkEncoder, columns: readonly ResultColumn[], batch: readonly Cell[][], firstRow: number, text: string): ExportValueError {
  const reason = (char: string): string => `character ${char} cannot be written in ${encoder.encoding}`;
  for (let r = 0; r < batch.length; r++) {
    const row = batch[r]!;
    for (let c = 0; c < columns.length; c++) {
      const value = row[c];
      if (typeof value !== 'string') continue;
      const char = encoder.firstUnmappable(value);
      if (char !== undefined) return new ExportValueError(firstRow + r, columns[c]!.name, reason(char));
    }
  }
  for (const column of columns) {
    const char = encoder.firstUnmappable(column.name);
    if (char !== undefined) return new ExportValueError(0, column.name, `the column name's ${reason(char)}`);
  }
  return new ExportValueError(firstRow > 0 ? firstRow : 0, '', reason(encoder.firstUnmappable(text) ?? 'unknown'));
}

export async function writeText(
  writer: TextFormatWriter,
  columns: readonly ResultColumn[],
  batches: AsyncIterable<Cell[][]>,
  out: Out,
  encoder: ChunkEncoder,
  bom: boolean,
  onProgress?: (rowsSoFar: number) => void,
): Promise<{ rows: number; bytes: number }> {
  let bytes = 0;
  let rows = 0;
  const emit = async (text: string, batch: readonly Cell[][], firstRow: number): Promise<void> => {
    if (text === '') return;
    const chunk = encoder.encode(text);
    if (chunk === undefined) throw unmappable(encoder, columns, batch, firstRow, text);
    bytes += chunk.length;
    await writeChunk(out, chunk);
  };

  if (bom) {
    bytes += UTF8_BOM.length;
    await writeChunk(out, UTF8_BOM);
  }
  await emit(writer.head(), [], 0);
  const utf8 = isUtf8(encoder.encoding) ? writer.rowsUtf8?.bind(writer) : undefined;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    const chunk = utf8?.(batch, rows + 1);
    if (chunk === undefined) {
      await emit(writer.rows(batch, rows + 1), batch, rows + 1);
    } else if (chunk.length > 0) {
      bytes += chunk.length;
      await writeChunk(out, chunk);
    }
    rows += batch.length;
    onProgress?.(rows);
  }
  await emit(writer.tail(), [], 0);
  return { rows, bytes };
}

/**
 * Rollback SQL generated from a job's backup segments (backup.ts), in the job's own engine:
 * statements undone in reverse order; per statement
 * - UPDATE: `UPDATE t SET <assigned columns> = <old values> WHERE <key> = <value>` per row;
 * - DELETE: the rows inserted again (without generated columns; PostgreSQL identity columns
 *   GENERATED ALWAYS with OVERRIDING SYSTEM VALUE), 100 rows per INSERT;
 * - INSERT: `DELETE FROM t WHERE <key> = <value>` per inserted row.
 * A statement whose change cannot be undone from its backup carries a rollback note
 * (`dc_statement.rollback_note`), written as a comment, and `complete` is false.
 */
import type { Cell, Engine, ResultColumn } from '../../connectors/index.js';
import { literal, quoteIdentifier, type SqlDialect } from '../exports/formats/sql.js';
import type { FileStore } from '../../storage/files/file-store.js';
import { readSegment, type SegmentHeader } from './backup.js';
import type { DcStatementRow } from './execution.repository.js';

const dialectOf = (engine: Engine): SqlDialect => (engine === 'mysql' || engine === 'mariadb' ? 'mysql' : engine);

export interface RollbackScript {
  /** Every change of the job can be undone by the script. */
  complete: boolean;
  /** Statements the script undoes. */
  undone: number;
  /** Why it is not complete, per statement. */
  notes: string[];
}

function tableName(d: SqlDialect, h: SegmentHeader): string {
  // PostgreSQL: schema-qualified, whatever the search_path of whoever runs it; MySQL/SQLite: the connection's database.
  return d === 'postgresql' ? `${quoteIdentifier(d, h.table.schema)}.${quoteIdentifier(d, h.table.name)}` : quoteIdentifier(d, h.table.name);
}

/** Column index by name in the segment's columns. */
function indexes(h: SegmentHeader, names: readonly string[]): number[] {
  return names.map((n) => {
    const i = h.columns.findIndex((c) => c.name === n);
    if (i < 0) throw new Error(`column ${n} is missing from the backup of statement ${h.position}`);
    return i;
  });
}

function keyCondition(d: SqlDialect, h: SegmentHeader, keyIdx: number[], row: readonly Cell[]): string {
  return h.keyColumns!.map((k, j) => `${quoteIdentifier(d, k)} = ${lit(d, h.columns[keyIdx[j]!]!, row[keyIdx[j]!])}`).join(' AND ');
}

const lit = (d: SqlDialect, c: ResultColumn, v: Cell | undefined): string => literal(d, c.kind, v ?? null);

/** Writes the rollback of one job's statements (executed ones, in reverse) through `write`. */
export async function writeRollback(
  files: FileStore,
  engine: Engine,
  statements: readonly DcStatementRow[],
  write: (text: string) => Promise<void>,
): Promise<RollbackScript> {
  const d = dialectOf(engine);
  const result: RollbackScript = { complete: true, undone: 0, notes: [] };
  const ran = statements.filter((s) => s.status === 'SUCCESS').sort((a, b) => b.position - a.position);
  for (const s of ran) {
    if ((s.affected_rows ?? 0) === 0 && s.backup_key === null) {
      await write(`-- statement ${s.position}: changed no rows, nothing to undo\n`);
      continue;
    }
    if (s.rollback_note !== null || s.backup_key === null) {
      const note = `statement ${s.position}: no rollback generated: ${s.rollback_note ?? 'it has no backup'}`;
      result.complete = false;
      result.notes.push(note);
      await write(`-- ${note}\n`);
      continue;
    }
    const seg = await readSegment(files, s.backup_key);
    if (!seg) {
      const note = `statement ${s.position}: no rollback generated: its backup file is missing`;
      result.complete = false;
      result.notes.push(note);
      await write(`-- ${note}\n`);
      continue;
    }
    const h = seg.header;
    const t = tableName(d, h);
    await write(`-- undo statement ${s.position} (${h.kind}, ${s.backup_rows ?? 0} rows): ${oneLine(s.sql)}\n`);
    if (h.kind === 'DELETE') {
      const cols = h.columns.map((c, i) => ({ c, i })).filter(({ c }) => !h.generated.includes(c.name) || h.identityAlways.includes(c.name));
      const overriding = d === 'postgresql' && cols.some(({ c }) => h.identityAlways.includes(c.name)) ? ' OVERRIDING SYSTEM VALUE' : '';
      const head = `INSERT INTO ${t} (${cols.map(({ c }) => quoteIdentifier(d, c.name)).join(', ')})${overriding} VALUES\n`;
      for await (const batch of seg.batches) {
        for (let k = 0; k < batch.length; k += 100) {
          const tuples = batch.slice(k, k + 100).map((row) => `(${cols.map(({ c, i }) => lit(d, c, row[i])).join(', ')})`);
          await write(`${head}${tuples.join(',\n')};\n`);
        }
      }
    } else if (h.kind === 'UPDATE') {
      const keyIdx = indexes(h, h.keyColumns!);
      const set = h.setColumns!.filter((c) => !h.generated.includes(c));
      const setIdx = indexes(h, set);
      for await (const batch of seg.batches) {
        let text = '';
        for (const row of batch) {
          text += `UPDATE ${t} SET ${set.map((c, j) => `${quoteIdentifier(d, c)} = ${lit(d, h.columns[setIdx[j]!]!, row[setIdx[j]!])}`).join(', ')} WHERE ${keyCondition(d, h, keyIdx, row)};\n`;
        }
        await write(text);
      }
    } else {
      const keyIdx = indexes(h, h.keyColumns!);
      for await (const batch of seg.batches) {
        let text = '';
        for (const row of batch) text += `DELETE FROM ${t} WHERE ${keyCondition(d, h, keyIdx, row)};\n`;
        await write(text);
      }
    }
    result.undone++;
  }
  return result;
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** The whole rollback of a job as text (CreateRollbackOrder files it as a ticket's SQL). */
export async function rollbackText(files: FileStore, engine: Engine, statements: readonly DcStatementRow[]): Promise<{ sql: string; script: RollbackScript }> {
  let sql = '';
  const script = await writeRollback(files, engine, statements, async (t) => {
    sql += t;
  });
  return { sql, script };
}

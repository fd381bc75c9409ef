/**
 * An import file as numbered batches of units, the same on every read of the same file (the
 * precheck's SAFE_MODE records, the execution, a resumed execution and GetDataImportSQL all count
 * batches alike; the batch sizes are fixed at precheck, dc_import):
 * - CSV: `batchRows` data rows per batch, or fewer once their fields reach `batchChars`; a row is its values, or bad (wrong field count, a
 *   value that does not fit its column) with the reason and its line;
 * - SQL: statements until `batchRows` of them or `batchChars` characters; a statement runs
 *   (INSERT, REPLACE, UPDATE, DELETE), is skipped (a client encoding statement: the file is
 *   decoded by OpenDMS, so `SET NAMES` / `SET client_encoding` of an exported file must not
 *   change the session) or is refused (anything else).
 * Batches before `materializeFrom` come without units (a resumed run only counts past them).
 */
import type { Readable } from 'node:stream';
import type { Cell, Engine } from '../../connectors/index.js';
import { classifyStatement } from '../../lib/sql/statement-kind.js';
import { tokenize } from '../../lib/sql/tokens.js';
import type { InsertType } from '../tickets/types/dc-big-file.type.js';
import { csvRecordGroups } from './csv-rows.js';
import { csvValue, ValueError } from './csv-values.js';
import { insertPlan, InsertPlanError, valuesTuple, type InsertPlan } from './insert-sql.js';
import { fileStatements } from './sql-statements.js';
import type { TargetColumn, TargetTable } from './target-table.js';

export type Unit =
  /** `tuple`: its VALUES tuple, rendered up front except on PostgreSQL (which sends `cells` as arrays; rowTuple renders it when needed). */
  | { kind: 'row'; line: number; cells: Cell[]; tuple: string | null }
  | { kind: 'statement'; line: number; sql: string; sqlType: string }
  | { kind: 'skip'; line: number; sql: string; sqlType: string }
  | { kind: 'bad'; line: number; message: string; sqlType: string }
  | { kind: 'refused'; line: number; message: string; sqlType: string };

export interface Batch {
  number: number;
  line: number;
  lastLine: number;
  /** Rows (CSV) or statements (SQL) in it. */
  size: number;
  units: Unit[] | null;
  /** CSV: how its rows are inserted. */
  plan: InsertPlan | null;
}

export type BatchSpec =
  | { fileType: 'CSV'; engine: Engine; table: TargetTable; header: boolean; insertType: InsertType; batchRows: number; batchChars: number }
  | { fileType: 'SQL'; engine: Engine; batchRows: number; batchChars: number };

/** The file does not fit the table (header, columns): the import cannot start. */
export class LayoutError extends Error {}

export const RUNNABLE = ['INSERT', 'REPLACE', 'UPDATE', 'DELETE'];

/** The columns a CSV's fields go to: the header's names, or every column the database does not compute, in table order. */
export function csvColumns(table: TargetTable, header: (string | null)[] | null): TargetColumn[] {
  const writable = table.columns.filter((c) => !c.generated);
  if (header === null) {
    if (writable.length === 0) throw new LayoutError(`table ${table.name} has no column an import can write`);
    return writable;
  }
  const seen = new Set<string>();
  return header.map((raw, k) => {
    const name = (raw ?? '').trim();
    if (name === '') throw new LayoutError(`line 1: column ${k + 1} of the header has no name`);
    const c = table.columns.find((x) => x.name === name) ?? table.columns.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!c) throw new LayoutError(`line 1: the header names ${JSON.stringify(name)}, which is not a column of table ${table.name} (its columns: ${table.columns.map((x) => x.name).join(', ')})`);
    if (c.generated) throw new LayoutError(`line 1: column ${c.name} is computed by the database and cannot be imported`);
    if (seen.has(c.name)) throw new LayoutError(`line 1: column ${c.name} is named twice in the header`);
    seen.add(c.name);
    return c;
  });
}

/** The VALUES tuple of a row unit. */
export const rowTuple = (plan: InsertPlan, u: Extract<Unit, { kind: 'row' }>): string => u.tuple ?? valuesTuple(plan, u.cells);

function rowUnit(plan: InsertPlan, line: number, fields: (string | null)[]): Unit {
  const cols = plan.columns;
  if (fields.length !== cols.length) {
    return { kind: 'bad', line, sqlType: 'INSERT', message: `line ${line}: ${fields.length} field(s), expected ${cols.length} (${cols.map((c) => c.name).join(', ')})` };
  }
  const cells = new Array<Cell>(cols.length);
  for (let i = 0; i < cols.length; i++) {
    try {
      cells[i] = csvValue(fields[i] ?? null, cols[i]!);
    } catch (e) {
      if (e instanceof ValueError) return { kind: 'bad', line, sqlType: 'INSERT', message: `line ${line}, column ${cols[i]!.name}: ${e.message}` };
      throw e;
    }
  }
  if (plan.arrays !== null) {
    // What valuesTuple would refuse on PostgreSQL, found without rendering it.
    const nul = cells.findIndex((c) => typeof c === 'string' && c.includes('\0'));
    if (nul >= 0) return { kind: 'bad', line, sqlType: 'INSERT', message: `line ${line}, column ${cols[nul]!.name}: PostgreSQL text cannot hold the character U+0000` };
    return { kind: 'row', line, cells, tuple: null };
  }
  try {
    return { kind: 'row', line, cells, tuple: valuesTuple(plan, cells) };
  } catch (e) {
    if (e instanceof InsertPlanError) return { kind: 'bad', line, sqlType: 'INSERT', message: `line ${line}, ${e.message}` };
    throw e;
  }
}

const ENCODING_SET = /^SET\s+(?:NAMES|CHARACTER\s+SET|CHARSET|CLIENT_ENCODING)\b/i;

/** What a statement of a SQL file is to the import; `strict` tokenizes all of it (precheck), else its start. */
export function statementUnit(engine: Engine, line: number, sql: string, strict: boolean): Unit {
  const t = tokenize(strict || sql.length <= 2048 ? sql : sql.slice(0, 2048), engine);
  const cls = classifyStatement(t.tokens);
  const keyword = cls.keyword ?? 'UNKNOWN';
  if (strict && t.unterminated) return { kind: 'refused', line, sqlType: keyword, message: `line ${line}: the statement has an unterminated ${t.unterminated.kind}` };
  if (cls.kind === 'dml' && RUNNABLE.includes(keyword)) return { kind: 'statement', line, sql, sqlType: keyword };
  if (keyword === 'SET' && ENCODING_SET.test(sql)) return { kind: 'skip', line, sql, sqlType: 'SET' };
  const what = cls.kind === 'unknown' ? `"${sql.trim().split(/\s+/)[0]?.slice(0, 40) ?? ''}" does not start a statement` : `${keyword} is not allowed in an import`;
  return { kind: 'refused', line, sqlType: keyword, message: `line ${line}: ${what}; an import runs only INSERT, REPLACE, UPDATE and DELETE (SET NAMES and SET client_encoding are skipped)` };
}

export async function* importBatches(text: Readable, spec: BatchSpec, opts: { materializeFrom: number; strict: boolean }): AsyncGenerator<Batch> {
  let number = 0;
  let units: Unit[] = [];
  let size = 0;
  let chars = 0;
  let first = 0;
  let last = 0;
  let plan: InsertPlan | null = null;
  const take = (line: number, unit: () => Unit, length: number): void => {
    if (size === 0) first = line;
    last = line;
    size++;
    chars += length;
    if (number + 1 >= opts.materializeFrom) units.push(unit());
  };
  const close = (): Batch => {
    number++;
    const b: Batch = { number, line: first, lastLine: last, size, units: number >= opts.materializeFrom ? units : null, plan };
    units = [];
    size = 0;
    chars = 0;
    return b;
  };
  if (spec.fileType === 'CSV') {
    let columns: TargetColumn[] | null = null;
    for await (const group of csvRecordGroups(text)) {
      for (const r of group) {
        if (!columns) {
          columns = csvColumns(spec.table, spec.header ? r.fields : null);
          try {
            plan = insertPlan(spec.engine, spec.table, columns, spec.insertType);
          } catch (e) {
            if (e instanceof InsertPlanError) throw new LayoutError(e.message);
            throw e;
          }
          if (spec.header) continue;
        }
        const p = plan!;
        let length = 0;
        for (const f of r.fields) length += f === null ? 0 : f.length;
        take(r.line, () => rowUnit(p, r.line, r.fields), length);
        if (size >= spec.batchRows || chars >= spec.batchChars) yield close();
      }
    }
    if (!columns) throw new LayoutError('the file holds no CSV record');
  } else {
    for await (const s of fileStatements(text as AsyncIterable<string>, spec.engine)) {
      take(s.line, () => statementUnit(spec.engine, s.line, s.text, opts.strict), s.text.length);
      if (size >= spec.batchRows || chars >= spec.batchChars) yield close();
    }
  }
  if (size > 0) yield close();
}

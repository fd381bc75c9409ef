/** Rules on how much a ticket changes or scans: estimated rows, full scans of large tables, statement count. */
import { refName } from '../table-refs.js';
import type { RuleDefinition } from '../types.js';

export const dmlTooManyRows: RuleDefinition = {
  id: 'dml-too-many-rows',
  level: 'WARNING',
  description: 'A statement is estimated to change more rows than `maxRows`.',
  params: { maxRows: 10_000 },
  check(s, { ctx, params }) {
    if (s.kind === 'OTHER') return [];
    const rows = ctx.estimatedRows(s.index);
    const max = params['maxRows']!;
    if (rows === null || !(rows > max)) return [];
    return [`this ${s.kind} is estimated to change about ${rows} rows, more than ${max}; narrow the WHERE clause or split the change into batches.`];
  },
};

export const dmlFullScanLargeTable: RuleDefinition = {
  id: 'dml-full-scan-large-table',
  level: 'WARNING',
  description: 'A statement whose plan scans a whole table of more than `minTableRows` rows (locks and time grow with the table).',
  params: { minTableRows: 100_000 },
  check(s, { ctx, params }) {
    if (s.kind === 'OTHER' || ctx.fullScan?.(s.index) !== true) return [];
    // The plan says "a full scan", not of which table: name the largest table the statement touches.
    const min = params['minTableRows']!;
    let largest: { name: string; rows: number } | null = null;
    for (const t of s.tables) {
      const rows = ctx.table(t.schema, t.name)?.rows;
      if (typeof rows === 'number' && rows > min && (!largest || rows > largest.rows)) largest = { name: refName(t), rows };
    }
    if (!largest) return [];
    return [`this ${s.kind} scans the whole of a table with about ${largest.rows} rows (${largest.name}, more than ${min}); filter on an indexed column, or add an index for the WHERE clause.`];
  },
};

export const tooManyStatements: RuleDefinition = {
  id: 'too-many-statements',
  level: 'ERROR',
  description: 'A ticket holds more than `maxStatements` statements.',
  params: { maxStatements: 1_000 },
  // Reported once, on the first statement over the limit.
  checkScript(stmts, { params }) {
    const max = params['maxStatements']!;
    if (stmts.length <= max) return [];
    return [
      {
        statementIndex: stmts[max]!.index,
        message: `the ticket has ${stmts.length} statements, more than the ${max} allowed in one ticket; split the script into several tickets.`,
      },
    ];
  },
};

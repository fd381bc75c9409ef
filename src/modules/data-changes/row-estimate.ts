/**
 * Rows a DML statement changes, without running it. MySQL and MariaDB refuse `EXPLAIN UPDATE/DELETE`
 * inside the read-only transaction every Connector read runs in, and SQLite has no planner estimate,
 * so UPDATE and DELETE are rewritten into the SELECT of the rows they change
 * (`UPDATE t SET … WHERE w` → `SELECT 1 FROM t WHERE w`), which is counted within a time budget,
 * else estimated by the planner. INSERT … VALUES has as many rows as tuples; INSERT … SELECT as
 * many as its SELECT. PostgreSQL also EXPLAINs the statement itself (EXPLAIN without ANALYZE does
 * not execute it), which proves the engine accepts it and gives the planner's estimate when the
 * statement has no SELECT form (`UPDATE … FROM`, `DELETE … USING`, WITH …).
 */
import type { Connector, Engine } from '../../connectors/index.js';
import type { RowEstimate } from '../../connectors/result-set.js';
import { isOp, isWord, leadingKeyword, topLevel } from '../../lib/sql/token-syntax.js';
import { tokenize, type SqlToken } from '../../lib/sql/tokens.js';

/** How long an exact count may take before the planner's estimate is used instead. */
export const COUNT_BUDGET_MS = 3_000;

export type SelectForm = { kind: 'select'; sql: string } | { kind: 'rows'; rows: number } | null;

/** The SELECT whose rows a DML statement changes, or its row count; null when there is no simple form. */
export function selectFormOf(sql: string, engine: Engine): SelectForm {
  const { tokens, unterminated } = tokenize(sql, engine);
  if (unterminated) return null;
  const lead = leadingKeyword(tokens);
  if (lead.withClause || lead.index !== 0) return null;
  const top = topLevel(tokens, lead.index + 1);
  const find = (after: number, ...words: string[]) => top.find((i) => i > after && isWord(tokens[i], ...words));
  const slice = (a: number, b: number) => sql.slice(tokens[a]!.start, tokens[b - 1]!.end);
  const end = find(lead.index, 'RETURNING') ?? tokens.length;
  if (lead.keyword === 'UPDATE') {
    let i = lead.index + 1;
    while (isWord(tokens[i], 'LOW_PRIORITY', 'IGNORE', 'ONLY')) i++;
    if (isWord(tokens[i], 'OR')) i += 2; // SQLite UPDATE OR REPLACE …
    const set = find(i - 1, 'SET');
    if (set === undefined || set <= i) return null;
    const where = find(set, 'WHERE', 'ORDER', 'LIMIT');
    // PostgreSQL/SQLite UPDATE … FROM joins other tables: no simple form.
    if (find(set, 'FROM') !== undefined && (where === undefined || find(set, 'FROM')! < where)) return null;
    return { kind: 'select', sql: `SELECT 1 FROM ${slice(i, set)}${where !== undefined && where < end ? ` ${slice(where, end)}` : ''}` };
  }
  if (lead.keyword === 'DELETE') {
    const from = find(lead.index, 'FROM');
    if (from === undefined || find(from, 'USING') !== undefined || from + 1 >= end) return null;
    return { kind: 'select', sql: `SELECT 1 FROM ${slice(from + 1, end)}` };
  }
  if (lead.keyword === 'INSERT' || lead.keyword === 'REPLACE') {
    const stop = find(lead.index, 'ON', 'RETURNING') ?? tokens.length;
    const select = top.find((i) => i > lead.index && i < stop && isWord(tokens[i], 'SELECT', 'WITH'));
    if (select !== undefined) return { kind: 'select', sql: slice(select, stop) };
    const values = find(lead.index, 'VALUES', 'VALUE');
    if (values !== undefined) {
      let rows = 0;
      let depth = 0;
      for (let i = values + 1; i < stop; i++) {
        if (isOp(tokens[i], '(') && depth++ === 0) rows++;
        else if (isOp(tokens[i], ')')) depth--;
      }
      return { kind: 'rows', rows };
    }
    // MySQL INSERT … SET a = 1: one row.
    if (find(lead.index, 'SET') !== undefined) return { kind: 'rows', rows: 1 };
  }
  return null;
}

/**
 * The statement's changed rows: exact when counted, the planner's otherwise, null when neither is
 * available. Rejects when the engine refuses the statement (syntax, missing table or column).
 */
export async function estimateChangedRows(connector: Connector, database: string, sql: string): Promise<RowEstimate | null> {
  const form = selectFormOf(sql, connector.engine);
  if (form?.kind === 'rows') return { rows: form.rows, exact: true };
  const planned = connector.engine === 'postgresql' ? await connector.explainRows(database, sql) : null;
  if (form?.kind === 'select') {
    const counted = await connector.countRows(database, form.sql, COUNT_BUDGET_MS);
    if (counted) return counted;
    return planned ?? (await connector.explainRows(database, form.sql));
  }
  return planned;
}

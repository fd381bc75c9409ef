/**
 * What a backup needs to know about one statement before it runs: which table it changes, the
 * SELECT of the rows it will change (its pre-image, read in the statement's own transaction) and
 * the columns an UPDATE assigns; for INSERT, whether the inserted rows can be told by key.
 * Derived from the statement's tokens, like row-estimate.ts: only single-table forms qualify;
 * anything else gets a reason, which becomes the statement's rollback note.
 */
import type { Engine } from '../../connectors/index.js';
import { bareStatement } from '../../connectors/read-session.js';
import { isOp, isWord, leadingKeyword, nameOf, readQualifiedName, topLevel } from '../../lib/sql/token-syntax.js';
import { tokenize, type SqlToken } from '../../lib/sql/tokens.js';
import type { TableRef } from '../review/types.js';

export type ChangePlan =
  | {
      kind: 'UPDATE' | 'DELETE';
      table: TableRef;
      /** `SELECT <t>.* FROM <table> [alias] [WHERE …] [ORDER BY …] [LIMIT …]`, without a locking clause. */
      select: string;
      /** UPDATE: the assigned column names (unqualified); null when they could not be read. */
      setColumns: string[] | null;
      /** The pieces a chunked run (chunk-plan.ts) rebuilds the statement from. */
      parts: {
        /** The table reference as written, with its alias (`orders o`), and where it is in the text. */
        target: string;
        targetStart: number;
        /** Where the statement's first keyword starts (after leading comments). */
        leadStart: number;
        alias: string | null;
        /** UPDATE: `SET …` as written; null for DELETE. */
        set: string | null;
        /** The WHERE condition as written (without WHERE); null when there is none. */
        condition: string | null;
        /** ORDER BY or LIMIT follows. */
        orderedOrLimited: boolean;
        returning: boolean;
      };
    }
  | {
      kind: 'INSERT';
      table: TableRef;
      /** The statement already has a RETURNING clause (its rows are whatever it asks for). */
      hasReturning: boolean;
    }
  | { kind: 'NONE'; reason: string };

const MODIFIERS = ['LOW_PRIORITY', 'QUICK', 'IGNORE', 'ONLY'];
/** Words that end a table reference (and cannot be an alias). */
const CLAUSE = ['SET', 'WHERE', 'ORDER', 'LIMIT', 'RETURNING', 'FROM', 'USING', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'NATURAL', 'STRAIGHT_JOIN', 'PARTITION'];

/** `name`, `schema.name`, optionally `[AS] alias`, at i; null when something else is there (joins, lists, subqueries). */
function singleTable(tokens: SqlToken[], i: number, end: number): { table: TableRef; alias: string | null; next: number } | null {
  const q = readQualifiedName(tokens, i);
  if (!q || q.parts.length > 2) return null;
  const names = q.parts.map(nameOf);
  const table: TableRef = q.parts.length === 2 ? { schema: names[0]!, name: names[1]! } : { schema: null, name: names[0]! };
  let j = q.next;
  let alias: string | null = null;
  if (isWord(tokens[j], 'AS')) j++;
  const a = tokens[j];
  if (j < end && a && (a.kind === 'quoted' || (a.kind === 'word' && !CLAUSE.includes(a.value)))) {
    alias = nameOf(a);
    j++;
  }
  return { table, alias, next: j };
}

export function planChange(sql: string, engine: Engine): ChangePlan {
  const { tokens, unterminated } = tokenize(sql, engine);
  if (unterminated) return { kind: 'NONE', reason: 'the statement could not be read' };
  const lead = leadingKeyword(tokens);
  if (lead.withClause) return { kind: 'NONE', reason: 'statements with a WITH clause are not backed up' };
  const top = topLevel(tokens, lead.index + 1);
  const find = (after: number, ...words: string[]) => top.find((i) => i > after && isWord(tokens[i], ...words));
  const text = (a: number, b: number) => sql.slice(tokens[a]!.start, tokens[b - 1]!.end);
  const returning = find(lead.index, 'RETURNING');
  const end = returning ?? tokens.length;
  const q = (name: string) => (engine === 'mysql' || engine === 'mariadb' ? `\`${name.replaceAll('`', '``')}\`` : `"${name.replaceAll('"', '""')}"`);

  if (lead.keyword === 'UPDATE' || lead.keyword === 'DELETE') {
    let i = lead.index + 1;
    while (isWord(tokens[i], ...MODIFIERS)) i++;
    if (lead.keyword === 'UPDATE' && isWord(tokens[i], 'OR')) return { kind: 'NONE', reason: 'UPDATE OR … may delete other rows' };
    if (lead.keyword === 'DELETE') {
      if (!isWord(tokens[i], 'FROM')) return { kind: 'NONE', reason: 'multi-table DELETE is not backed up' };
      i++;
      while (isWord(tokens[i], 'ONLY')) i++;
    }
    const stop = lead.keyword === 'UPDATE' ? find(i - 1, 'SET') : (find(i - 1, 'WHERE', 'ORDER', 'LIMIT', 'USING', 'RETURNING') ?? tokens.length);
    if (stop === undefined) return { kind: 'NONE', reason: 'the statement could not be read' };
    const ref = singleTable(tokens, i, stop);
    if (!ref || ref.next !== stop) return { kind: 'NONE', reason: `a ${lead.keyword} of several tables (a join or list) is not backed up` };
    const tail = lead.keyword === 'UPDATE' ? find(stop, 'WHERE', 'ORDER', 'LIMIT') : find(i - 1, 'WHERE', 'ORDER', 'LIMIT');
    const join = lead.keyword === 'UPDATE' ? find(stop, 'FROM') : find(i - 1, 'USING');
    if (join !== undefined && (tail === undefined || join < tail)) {
      return { kind: 'NONE', reason: `${lead.keyword} … ${lead.keyword === 'UPDATE' ? 'FROM' : 'USING'} joins other tables and is not backed up` };
    }
    const where = tail !== undefined && tail < end ? ` ${text(tail, end)}` : '';
    const from = text(i, stop);
    const star = ref.alias !== null ? `${q(ref.alias)}.*` : `${ref.table.schema !== null ? `${q(ref.table.schema)}.` : ''}${q(ref.table.name)}.*`;
    const select = `SELECT ${star} FROM ${from}${where}`;
    const whereAt = tail !== undefined && isWord(tokens[tail], 'WHERE') ? tail : undefined;
    const afterWhere = whereAt !== undefined ? find(whereAt, 'ORDER', 'LIMIT') : tail;
    const parts = {
      target: from,
      targetStart: tokens[i]!.start,
      leadStart: tokens[lead.index]!.start,
      alias: ref.alias,
      set: lead.keyword === 'UPDATE' ? text(stop, tail ?? end) : null,
      condition: whereAt !== undefined && whereAt + 1 < (afterWhere ?? end) ? text(whereAt + 1, afterWhere ?? end) : null,
      orderedOrLimited: afterWhere !== undefined && afterWhere < end,
      returning: returning !== undefined,
    };
    if (lead.keyword === 'DELETE') return { kind: 'DELETE', table: ref.table, select, setColumns: null, parts };
    return { kind: 'UPDATE', table: ref.table, select, setColumns: assignedColumns(tokens, stop, tail ?? end), parts };
  }

  if (lead.keyword === 'INSERT') {
    let i = lead.index + 1;
    while (isWord(tokens[i], 'LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE')) i++;
    if (isWord(tokens[i], 'OR')) return { kind: 'NONE', reason: 'INSERT OR REPLACE/IGNORE may change other rows' };
    if (!isWord(tokens[i], 'INTO')) return { kind: 'NONE', reason: 'the statement could not be read' };
    const r = readQualifiedName(tokens, i + 1);
    if (!r || r.parts.length > 2) return { kind: 'NONE', reason: 'the statement could not be read' };
    const names = r.parts.map(nameOf);
    const table: TableRef = r.parts.length === 2 ? { schema: names[0]!, name: names[1]! } : { schema: null, name: names[0]! };
    const on = find(r.next - 1, 'ON');
    if (on !== undefined) return { kind: 'NONE', reason: 'an INSERT with ON CONFLICT / ON DUPLICATE KEY UPDATE may change existing rows, which are not backed up' };
    return { kind: 'INSERT', table, hasReturning: returning !== undefined };
  }
  if (lead.keyword === 'REPLACE') return { kind: 'NONE', reason: 'REPLACE deletes the rows it replaces, which are not backed up' };
  return { kind: 'NONE', reason: 'not a data change' };
}

/** `SET a = …, t.b = …` between `set` and `end`: the column names; null for `(a, b) = …` or anything unreadable. */
function assignedColumns(tokens: SqlToken[], set: number, end: number): string[] | null {
  const out: string[] = [];
  let expectName = true;
  let depth = 0;
  for (let i = set + 1; i < end; i++) {
    const t = tokens[i]!;
    if (isOp(t, '(')) {
      if (expectName) return null;
      depth++;
    } else if (isOp(t, ')')) depth--;
    else if (depth === 0 && isOp(t, ',')) expectName = true;
    else if (expectName) {
      const r = readQualifiedName(tokens, i);
      if (!r || !isOp(tokens[r.next], '=')) return null;
      out.push(nameOf(r.parts[r.parts.length - 1]!));
      i = r.next;
      expectName = false;
    }
  }
  return out.length > 0 ? out : null;
}

/** The INSERT with `RETURNING <columns>` appended on a line of its own (a trailing `-- comment` cannot swallow it). */
export function withReturning(sql: string, engine: Engine, columns: readonly string[]): string {
  const q = (name: string) => (engine === 'mysql' || engine === 'mariadb' ? `\`${name.replaceAll('`', '``')}\`` : `"${name.replaceAll('"', '""')}"`);
  return `${bareStatement(sql)}\nRETURNING ${columns.map(q).join(', ')}`;
}

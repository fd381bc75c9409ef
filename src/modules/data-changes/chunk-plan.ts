/**
 * How one statement of a lock-free data change (DC_CHUNK) or a cleanup run (DC_CRON_CLEAR) is cut
 * into batches: the statement's own text, with a key-range condition added, walking the table
 * (for INSERT … SELECT: its source table) in key order. Each batch is
 *
 *   <the statement> WHERE (<its condition>) AND <key> > <lower> AND <key> <= <upper>
 *
 * where `upper` is the key of the n-th row after `lower` that meets the condition (a plain,
 * non-locking SELECT), so a batch changes at most n rows and locks only its own key range. The
 * last batch has no upper bound. Composite keys compare lexicographically, written out as
 * `a > ? OR (a = ? AND b > ?)` so every engine can use the key's index.
 *
 * What qualifies (anything else gets a reason, shown by the precheck): a single-table UPDATE or
 * DELETE without ORDER BY, LIMIT or RETURNING, that does not assign the key; INSERT … SELECT from
 * a single table without GROUP BY, HAVING, ORDER BY, LIMIT, DISTINCT, UNION or joins. The table
 * needs a primary key or a unique key on NOT NULL columns.
 */
import type { Cell, Engine, TableKeys } from '../../connectors/index.js';
import { isOp, isWord, leadingKeyword, nameOf, readQualifiedName, topLevel } from '../../lib/sql/token-syntax.js';
import { tokenize } from '../../lib/sql/tokens.js';
import type { TableRef } from '../review/types.js';
import { bareStatement } from '../../connectors/read-session.js';
import { planChange } from './backup-plan.js';

export interface ChunkShape {
  kind: 'UPDATE' | 'DELETE' | 'INSERT_SELECT';
  /** The table whose key ranges the batches walk (INSERT … SELECT: its source). */
  table: TableRef;
  /** INSERT … SELECT: the table it inserts into. */
  into: TableRef | null;
  /** Statement text before the walked table's reference (`DELETE FROM `, `INSERT INTO t2 (a) SELECT a, b FROM `). */
  head: string;
  /** The walked table's reference as written, with its alias. */
  target: string;
  alias: string | null;
  /** Between the table reference and WHERE (UPDATE: its SET clause); may be ''. */
  middle: string;
  /** The condition (without WHERE); null: every row. */
  condition: string | null;
  /** UPDATE: the columns it assigns. */
  setColumns: string[] | null;
}

export type ChunkShapeResult = { ok: true; shape: ChunkShape } | { ok: false; reason: string };

/** Whether `sql` can run in key-range batches, from its text alone (the key is checked against the table by `chunkKey`). */
export function chunkShape(statement: string, engine: Engine): ChunkShapeResult {
  const sql = bareStatement(statement);
  const { tokens } = tokenize(sql, engine);
  const lead = leadingKeyword(tokens);
  if (lead.keyword === 'INSERT' && !lead.withClause) return insertSelectShape(sql, engine);
  const plan = planChange(sql, engine);
  if (plan.kind === 'UPDATE' || plan.kind === 'DELETE') {
    const p = plan.parts;
    if (p.orderedOrLimited) return { ok: false, reason: `a chunked ${plan.kind} cannot have ORDER BY or LIMIT: the batches decide the order (by key) and the size` };
    if (p.returning) return { ok: false, reason: `a chunked ${plan.kind} cannot have RETURNING` };
    if (plan.kind === 'UPDATE' && plan.setColumns === null) return { ok: false, reason: 'the columns the UPDATE assigns could not be read (assign each column as `col = value`)' };
    return {
      ok: true,
      shape: {
        kind: plan.kind,
        table: plan.table,
        into: null,
        head: sql.slice(p.leadStart, p.targetStart),
        target: p.target,
        alias: p.alias,
        middle: plan.kind === 'UPDATE' ? ` ${p.set ?? ''}` : '',
        condition: p.condition,
        setColumns: plan.setColumns,
      },
    };
  }
  if (plan.kind !== 'NONE') return { ok: false, reason: 'it cannot run in batches' };
  return { ok: false, reason: plan.reason === 'not a data change' ? 'a lock-free change runs one UPDATE, DELETE or INSERT … SELECT' : `it cannot run in batches: ${plan.reason}` };
}

function insertSelectShape(sql: string, engine: Engine): ChunkShapeResult {
  const { tokens } = tokenize(sql, engine);
  const lead = leadingKeyword(tokens);
  let i = lead.index + 1;
  while (isWord(tokens[i], 'LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE')) i++;
  if (isWord(tokens[i], 'OR')) return { ok: false, reason: 'INSERT OR REPLACE/IGNORE may change other rows' };
  const name = isWord(tokens[i], 'INTO') ? readQualifiedName(tokens, i + 1) : null;
  if (!name || name.parts.length > 2) return { ok: false, reason: 'the statement could not be read' };
  const intoNames = name.parts.map(nameOf);
  const into: TableRef = name.parts.length === 2 ? { schema: intoNames[0]!, name: intoNames[1]! } : { schema: null, name: intoNames[0]! };
  const top = topLevel(tokens, lead.index + 1);
  const select = top.find((i) => isWord(tokens[i], 'SELECT'));
  if (select === undefined) return { ok: false, reason: 'an INSERT runs in batches only as INSERT … SELECT (an INSERT … VALUES is one statement already)' };
  const inSelect = top.filter((i) => i > select);
  const find = (...words: string[]) => inSelect.find((i) => isWord(tokens[i], ...words));
  if (isWord(tokens[select + 1], 'DISTINCT')) return { ok: false, reason: 'a chunked INSERT … SELECT cannot be DISTINCT' };
  const refused = find('GROUP', 'HAVING', 'ORDER', 'LIMIT', 'UNION', 'INTERSECT', 'EXCEPT', 'JOIN', 'WINDOW', 'FETCH', 'OFFSET', 'FOR');
  if (refused !== undefined) return { ok: false, reason: `a chunked INSERT … SELECT cannot have ${tokens[refused]!.value}: it must read one table, row by row` };
  if (find('ON', 'RETURNING') !== undefined) return { ok: false, reason: 'a chunked INSERT … SELECT cannot have ON CONFLICT / ON DUPLICATE KEY or RETURNING' };
  const from = find('FROM');
  if (from === undefined) return { ok: false, reason: 'the SELECT of a chunked INSERT … SELECT must read a table' };
  const q = readQualifiedName(tokens, from + 1);
  if (!q || q.parts.length > 2) return { ok: false, reason: 'the SELECT of a chunked INSERT … SELECT must read one named table' };
  const names = q.parts.map(nameOf);
  const table: TableRef = q.parts.length === 2 ? { schema: names[0]!, name: names[1]! } : { schema: null, name: names[0]! };
  let j = q.next;
  let alias: string | null = null;
  if (isWord(tokens[j], 'AS')) j++;
  const a = tokens[j];
  if (a && (a.kind === 'quoted' || (a.kind === 'word' && !isWord(a, 'WHERE')))) {
    alias = nameOf(a);
    j++;
  }
  const where = find('WHERE');
  const endOfRef = where ?? tokens.length;
  if (j !== endOfRef || tokens.slice(q.next, endOfRef).some((t) => isOp(t, ','))) return { ok: false, reason: 'the SELECT of a chunked INSERT … SELECT must read exactly one table (no list, join or subquery in FROM)' };
  const start = tokens[from + 1]!.start;
  const end = where !== undefined ? tokens[where]!.start : tokens[tokens.length - 1]!.end;
  return {
    ok: true,
    shape: {
      kind: 'INSERT_SELECT',
      table,
      into,
      head: sql.slice(tokens[lead.index]!.start, start),
      target: sql.slice(start, end).trimEnd(),
      alias,
      middle: '',
      condition: where !== undefined && where + 1 < tokens.length ? sql.slice(tokens[where + 1]!.start, tokens[tokens.length - 1]!.end) : null,
      setColumns: null,
    },
  };
}

export type ChunkKeyResult = { ok: true; columns: string[] } | { ok: false; reason: string };

/** The key the batches walk: the primary key, else the first unique key on NOT NULL columns. */
export function chunkKey(shape: ChunkShape, keys: TableKeys | null): ChunkKeyResult {
  if (!keys) return { ok: false, reason: `table ${shape.table.name} was not found (or is a view)` };
  const columns = keys.primaryKey.length > 0 ? keys.primaryKey : keys.uniqueKeys[0];
  if (!columns) return { ok: false, reason: `table ${keys.name} has neither a primary key nor a unique key on NOT NULL columns, so it cannot be walked in key ranges` };
  const assigned = (shape.setColumns ?? []).filter((c) => columns.some((k) => k.toLowerCase() === c.toLowerCase()));
  if (assigned.length > 0) return { ok: false, reason: `the UPDATE assigns the key (${assigned.join(', ')}) the batches walk by, so rows could be visited twice` };
  return { ok: true, columns };
}

/** SQL text and its bound values. */
export interface Bound {
  sql: string;
  params: Cell[];
}

/** The statements of one chunked statement on one engine. */
export class ChunkStatements {
  private readonly key: string[];

  constructor(
    readonly shape: ChunkShape,
    readonly engine: Engine,
    readonly keyColumns: string[],
  ) {
    const qualifier = shape.alias !== null ? `${this.q(shape.alias)}.` : '';
    this.key = keyColumns.map((k) => `${qualifier}${this.q(k)}`);
  }

  private q(name: string): string {
    return this.engine === 'mysql' || this.engine === 'mariadb' ? `\`${name.replaceAll('`', '``')}\`` : `"${name.replaceAll('"', '""')}"`;
  }

  /** The key of the `n`-th row after `lower` that meets the condition; no row: the rest is one batch. */
  boundary(lower: Cell[] | null, n: number): Bound {
    const b = new Binder(this.engine);
    const where = this.where(b, lower, null);
    return { sql: `SELECT ${this.key.join(', ')} FROM ${this.shape.target}${where} ORDER BY ${this.key.join(', ')} LIMIT 1 OFFSET ${Math.max(0, Math.floor(n) - 1)}`, params: b.params };
  }

  /** The batch itself. */
  batch(lower: Cell[] | null, upper: Cell[] | null): Bound {
    const b = new Binder(this.engine);
    const where = this.where(b, lower, upper);
    return { sql: `${this.shape.head}${this.shape.target}${this.shape.middle}${where}`, params: b.params };
  }

  /** UPDATE/DELETE: the batch's rows as they are before it, locked (SQLite: the write lock is the transaction's). */
  preImage(lower: Cell[] | null, upper: Cell[] | null): Bound {
    const b = new Binder(this.engine);
    const where = this.where(b, lower, upper);
    const star = this.shape.alias !== null ? `${this.q(this.shape.alias)}.*` : '*';
    return { sql: `SELECT ${star} FROM ${this.shape.target}${where}${this.engine === 'sqlite' ? '' : ' FOR UPDATE'}`, params: b.params };
  }

  private where(b: Binder, lower: Cell[] | null, upper: Cell[] | null): string {
    const parts: string[] = [];
    if (this.shape.condition !== null) parts.push(`(${this.shape.condition})`);
    if (lower !== null) parts.push(this.after(b, lower));
    if (upper !== null) parts.push(this.upTo(b, upper));
    return parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '';
  }

  /** key > v, lexicographically. */
  private after(b: Binder, v: Cell[]): string {
    if (this.key.length === 1) return `${this.key[0]} > ${b.bind(v[0]!)}`;
    const alts = this.key.map((col, i) => [...this.key.slice(0, i).map((c, j) => `${c} = ${b.bind(v[j]!)}`), `${col} > ${b.bind(v[i]!)}`].join(' AND '));
    return `(${alts.map((a) => `(${a})`).join(' OR ')})`;
  }

  /** key <= v, lexicographically. */
  private upTo(b: Binder, v: Cell[]): string {
    if (this.key.length === 1) return `${this.key[0]} <= ${b.bind(v[0]!)}`;
    const alts = this.key.map((col, i) => [...this.key.slice(0, i).map((c, j) => `${c} = ${b.bind(v[j]!)}`), `${col} ${i === this.key.length - 1 ? '<=' : '<'} ${b.bind(v[i]!)}`].join(' AND '));
    return `(${alts.map((a) => `(${a})`).join(' OR ')})`;
  }
}

class Binder {
  readonly params: Cell[] = [];
  constructor(private readonly engine: Engine) {}
  bind(v: Cell): string {
    this.params.push(v);
    return this.engine === 'postgresql' ? `$${this.params.length}` : '?';
  }
}

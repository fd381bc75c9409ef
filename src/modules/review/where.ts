/**
 * Is a WHERE clause always true? Evaluated over the node-sql-parser AST with three-valued logic
 * (true / false / unknown), so that `a = 1 OR 1 = 1` is caught while `a = 1 AND (b = 2 OR 1 = 1)`
 * is not. `x = x` counts as true: it is false only where x is NULL, which is never what the author
 * meant as a filter. Only literals and identical column references are compared; anything else
 * (functions, subqueries, parameters, `1 = '1'` across types) is unknown, never guessed.
 */
import type { AstNode } from '../../lib/sql/ast-walk.js';
import type { SqlToken } from '../../lib/sql/tokens.js';
import { isOp, isWord } from '../../lib/sql/token-syntax.js';

type Truth = boolean | null;
type Literal = number | string;

const STRING_TYPES = new Set(['single_quote_string', 'string', 'natural_string', 'hex_string', 'full_hex_string', 'bit_string']);

function literalOf(e: AstNode): Literal | undefined {
  const v = e['value'];
  if (e['type'] === 'number' && typeof v === 'number') return v;
  if (e['type'] === 'bool' && typeof v === 'boolean') return v ? 1 : 0;
  // MySQL "…" is a string; on PostgreSQL and SQLite it is an identifier (and reaches us as a column_ref).
  if ((STRING_TYPES.has(String(e['type'])) || e['type'] === 'double_quote_string') && typeof v === 'string') return v;
  return undefined;
}

function compare(op: string, a: Literal, b: Literal): Truth {
  if (typeof a !== typeof b) return null; // MySQL casts '1' to 1, PostgreSQL refuses: not guessed.
  switch (op) {
    case '=':
    case '==':
    case '<=>':
    case 'IS':
      return a === b;
    case '!=':
    case '<>':
    case 'IS NOT':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    default:
      return null;
  }
}

/** A column reference's identity without positions (`{table, column}` in every dialect's shape). */
function columnKey(e: AstNode): string | null {
  if (e['type'] !== 'column_ref') return null;
  return JSON.stringify({ t: e['table'] ?? null, c: e['column'] }, (k, v: unknown) => (k === 'loc' ? undefined : v));
}

export function truthOf(node: unknown): Truth {
  if (node === null || typeof node !== 'object') return null;
  const e = node as AstNode;
  const type = e['type'];
  if (type === 'bool' && typeof e['value'] === 'boolean') return e['value'];
  // A bare number is a truth value in MySQL and SQLite (`WHERE 1`); PostgreSQL refuses it anyway.
  if (type === 'number' && typeof e['value'] === 'number') return e['value'] !== 0;
  if (type === 'unary_expr' && String(e['operator']).toUpperCase() === 'NOT') {
    const t = truthOf(e['expr']);
    return t === null ? null : !t;
  }
  if (type !== 'binary_expr') return null;
  const op = String(e['operator']).toUpperCase();
  if (op === 'OR' || op === '||') {
    const l = truthOf(e['left']);
    const r = truthOf(e['right']);
    if (l === true || r === true) return true;
    return l === false && r === false ? false : null;
  }
  if (op === 'AND' || op === '&&') {
    const l = truthOf(e['left']);
    const r = truthOf(e['right']);
    if (l === false || r === false) return false;
    return l === true && r === true ? true : null;
  }
  const left = e['left'] as AstNode | null;
  const right = e['right'] as AstNode | null;
  if (!left || !right || typeof left !== 'object' || typeof right !== 'object') return null;
  const a = literalOf(left);
  const b = literalOf(right);
  if (a !== undefined && b !== undefined) return compare(op, a, b);
  const ka = columnKey(left);
  if (ka !== null && ka === columnKey(right)) {
    if (['=', '==', '<=>', '<=', '>=', 'IS'].includes(op)) return true;
    if (['!=', '<>', '<', '>', 'IS NOT'].includes(op)) return false;
  }
  return null;
}

// ---- token fallback (statements the parser cannot read) ----

/**
 * The same question over the tokens of a WHERE clause (from after WHERE to the end of the clause):
 * true when one of its top-level OR branches is, after removing wrapping parentheses, `TRUE`, a
 * non-zero number, or `A = A` with the same literal or name on both sides. Deliberately narrow.
 */
export function tokensAlwaysTrue(where: readonly SqlToken[]): boolean {
  const branches: SqlToken[][] = [[]];
  let depth = 0;
  for (const t of where) {
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) depth--;
    if (depth === 0 && isWord(t, 'OR')) branches.push([]);
    else branches[branches.length - 1]!.push(t);
  }
  return branches.some((b) => trivialTrue(unwrap(b)));
}

function unwrap(tokens: SqlToken[]): SqlToken[] {
  let t = tokens;
  while (t.length >= 2 && isOp(t[0], '(') && isOp(t[t.length - 1], ')')) t = t.slice(1, -1);
  return t;
}

function trivialTrue(t: SqlToken[]): boolean {
  if (t.length === 1) return isWord(t[0], 'TRUE') || (t[0]!.kind === 'number' && Number(t[0]!.text) !== 0);
  if (t.length !== 3 || !isOp(t[1], '=')) return false;
  const [a, , b] = t as [SqlToken, SqlToken, SqlToken];
  if (a.kind !== b.kind || !['number', 'string', 'word', 'quoted'].includes(a.kind)) return false;
  return a.kind === 'number' ? Number(a.text) === Number(b.text) : a.value === b.value;
}

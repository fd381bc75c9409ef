/**
 * SQL text that catalogs give back (index expressions, SQLite's stored CREATE INDEX): just enough
 * lexing to find the parentheses and commas that are not inside a quoted string, a quoted name
 * (`"…"`, `` `…` ``, `[…]`) or a comment.
 */

/** Just past the quoted string or name, or the comment, starting at `i`; `i` when none starts there. */
function skipQuoted(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"' || c === '`' || c === '[') {
    const close = c === '[' ? ']' : c;
    for (let j = i + 1; j < sql.length; j++) {
      if (sql[j] !== close) continue;
      // A doubled quote stands for itself (not in […], which has no escape).
      if (close !== ']' && sql[j + 1] === close) j++;
      else return j + 1;
    }
    return sql.length;
  }
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end + 1;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  return i;
}

/**
 * Calls `visit` for every `(`, `)` and `,` outside quotes and comments, with the nesting depth
 * outside it (a `(` at depth 0 opens depth 1; its `)` is visited at depth 0 too); stops when
 * `visit` returns true.
 */
function scan(sql: string, visit: (c: '(' | ')' | ',', i: number, depth: number) => boolean | void): void {
  let depth = 0;
  for (let i = 0; i < sql.length; ) {
    const next = skipQuoted(sql, i);
    if (next > i) {
      i = next;
      continue;
    }
    const c = sql[i];
    if (c === '(') {
      if (visit(c, i, depth++)) return;
    } else if (c === ')') {
      if (visit(c, i, --depth)) return;
    } else if (c === ',') {
      if (visit(c, i, depth)) return;
    }
    i++;
  }
}

/** Whether the whole text is one parenthesized expression: `(a + b)`, not `(a) + (b)` or `lower(a)`. */
export function isParenthesized(text: string): boolean {
  const t = text.trim();
  if (!t.startsWith('(')) return false;
  let closing = -1;
  scan(t, (c, i, depth) => {
    if (c === ')' && depth === 0) {
      closing = i;
      return true;
    }
    return false;
  });
  return closing === t.length - 1;
}

/** An index expression part as IndexInfo shows it: its SQL text in parentheses (added unless it has them). */
export function expressionPart(text: string): string {
  const t = text.trim();
  return isParenthesized(t) ? t : `(${t})`;
}

/**
 * The comma-separated terms of the first parenthesized list in `sql` (CREATE INDEX … ON t (a,
 * lower(b) desc) → [`a`, `lower(b) desc`]), trimmed; null when there is no complete list.
 */
export function firstListTerms(sql: string): string[] | null {
  let start = -1;
  let end = -1;
  const commas: number[] = [];
  scan(sql, (c, i, depth) => {
    if (c === '(' && depth === 0 && start < 0) start = i;
    else if (c === ',' && depth === 1 && start >= 0) commas.push(i);
    else if (c === ')' && depth === 0 && start >= 0) {
      end = i;
      return true;
    }
    return false;
  });
  if (start < 0 || end < 0) return null;
  const bounds = [start, ...commas, end];
  return bounds.slice(1).map((b, k) => sql.slice(bounds[k]! + 1, b).trim());
}

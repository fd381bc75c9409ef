/**
 * `SELECT … INTO OUTFILE | DUMPFILE` writes a file on the database server, and MariaDB (verified on
 * 10.11) and MySQL allow it inside a READ ONLY transaction: the transaction guards table data, not
 * the file system. Only the FILE privilege stops it, and logins often hold it. So the readers
 * refuse such a statement before sending it, by its tokens.
 *
 * The scan skips string literals, quoted identifiers and comments, but reads executable comments
 * (`/*! … *\/`, `/*M! … *\/`: the server runs their content). Whether a backslash escapes a quote
 * depends on the session's sql_mode (NO_BACKSLASH_ESCAPES), so the statement is scanned both ways
 * and refused if either reading finds the clause.
 */

/** true when the statement has `INTO OUTFILE` or `INTO DUMPFILE` outside strings and comments. */
export function writesServerFile(sql: string): boolean {
  return hasFileClause(sql, true) || hasFileClause(sql, false);
}

function hasFileClause(sql: string, backslashEscapes: boolean): boolean {
  let previous = '';
  for (const token of tokens(sql, backslashEscapes)) {
    if (previous === 'into' && (token === 'outfile' || token === 'dumpfile')) return true;
    previous = token;
  }
  return false;
}

/**
 * The statement's tokens, lower-cased: words, and a placeholder for every literal, quoted name or
 * punctuation mark (so that only adjacent words can form `into outfile`).
 */
function* tokens(sql: string, backslashEscapes: boolean): Generator<string> {
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"' || c === '`') {
      i = endOfQuoted(sql, i, c, backslashEscapes && c !== '`');
      yield '<quoted>';
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /\s/.test(sql[i + 2]!)))) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const executable = /^\/\*M?!\d*/.exec(sql.slice(i, i + 12));
      if (executable) {
        // Executable comment: its content is code; only the closing `*/` is dropped when met.
        i += executable[0].length;
      } else {
        const close = sql.indexOf('*/', i + 2);
        i = close < 0 ? n : close + 2;
      }
    } else if (c === '*' && sql[i + 1] === '/') {
      i += 2;
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      yield sql.slice(i, j).toLowerCase();
      i = j;
    } else {
      i++;
      yield c;
    }
  }
}

/** Index just past the literal opened by `quote` at `start` (a doubled quote stays inside). */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

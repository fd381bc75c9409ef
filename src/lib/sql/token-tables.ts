/**
 * Best-effort list of the tables a query reads, from tokens alone: the names after FROM, JOIN and
 * the commas of a FROM list (and PostgreSQL/MySQL `TABLE t`), without CTE names. Used when the
 * parser cannot parse a statement, and to complete the parser's list. Never reports a function
 * call or a subquery as a table; may miss tables in places no query grammar puts them.
 */
import type { Engine } from '../../connectors/connector.js';
import type { SqlToken } from './tokens.js';
import { afterParens, allCtes, isOp, isWord, nameOf, readQualifiedName } from './token-syntax.js';

export interface TableName {
  /** As written before the last dot (`shop`, `db.schema`); null when unqualified. */
  schema: string | null;
  name: string;
}

/** Words that end a table reference rather than alias it. */
const NOT_ALIAS = new Set(
  (
    'WHERE GROUP HAVING ORDER LIMIT OFFSET FETCH UNION INTERSECT EXCEPT MINUS JOIN INNER LEFT RIGHT FULL CROSS ' +
    'NATURAL STRAIGHT_JOIN OUTER ON USING WINDOW FOR LOCK INTO USE FORCE IGNORE PARTITION TABLESAMPLE INDEXED NOT ' +
    'WITH RETURNING SET VALUES QUALIFY WHEN THEN ELSE END AND OR SELECT FROM AS LATERAL ONLY'
  ).split(' '),
);

/** Words after which a comma no longer separates tables. */
const ENDS_FROM = new Set(
  'SELECT WHERE GROUP HAVING ORDER LIMIT OFFSET FETCH UNION INTERSECT EXCEPT MINUS WINDOW INTO LOCK QUALIFY RETURNING SET VALUES'.split(' '),
);

// Parenthesised groups starting with these hold statements whose FROM names tables (DELETE: PostgreSQL CTEs).
const QUERY_START = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'DELETE']);

/**
 * PostgreSQL folds unquoted names to lower case, so `Orders` names the table `orders`; MySQL and
 * SQLite names are kept as written (their case sensitivity depends on server settings / is none).
 */
export function tableNamePart(t: SqlToken, engine: Engine): string {
  return t.kind === 'word' && engine === 'postgresql' ? t.text.toLowerCase() : nameOf(t);
}

export function tablesFromTokens(tokens: SqlToken[], engine: Engine): TableName[] {
  const found: TableName[] = [];
  // One entry per open parenthesis (and the top level): does that group hold a query, so that
  // its FROM names tables? (`extract(year FROM d)`, `substring(a FROM 2)`, `trim(x FROM y)` do not.)
  // And is a FROM list open there, so that a comma starts another table (`JOIN b ON …, c`)?
  const groups: { query: boolean; from: boolean }[] = [{ query: true, from: false }];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const group = groups[groups.length - 1]!;
    if (isOp(t, '(')) {
      const next = tokens[i + 1];
      const prev = tokens[i - 1];
      // `FROM (a JOIN b ON …)`: a parenthesised join is a FROM list of its own.
      const joined =
        (isWord(prev, 'FROM') || (isWord(prev, 'JOIN') && !isWord(tokens[i - 2], 'FOR')) || (isOp(prev, ',') && group.from)) &&
        !(next?.kind === 'word' && QUERY_START.has(next.value));
      groups.push({ query: joined || isOp(next, '(') || (next?.kind === 'word' && QUERY_START.has(next.value)), from: joined });
      if (joined) readTableRef(tokens, i + 1, engine, found);
    } else if (isOp(t, ')')) {
      if (groups.length > 1) groups.pop();
    } else if (isOp(t, ',')) {
      if (group.from) readTableRef(tokens, i + 1, engine, found);
    } else if (t.kind !== 'word') {
      continue;
    } else if (t.value === 'FROM' || t.value === 'JOIN' || t.value === 'STRAIGHT_JOIN') {
      // Not `IS DISTINCT FROM`, not the MySQL index hint `USE INDEX FOR JOIN (…)`.
      if (group.query && !isWord(tokens[i - 1], 'DISTINCT', 'FOR')) {
        group.from = true;
        readTableRef(tokens, i + 1, engine, found);
      }
    } else if (t.value === 'TABLE' && startsQuery(tokens[i - 1])) {
      readTableRef(tokens, i + 1, engine, found);
    } else if (ENDS_FROM.has(t.value)) {
      group.from = false;
    }
  }
  const ctes = new Set(allCtes(tokens).map((c) => c.name.toLowerCase()));
  const seen = new Set<string>();
  return found.filter((tb) => {
    if (tb.schema === null && ctes.has(tb.name.toLowerCase())) return false;
    // MySQL's `FROM DUAL` is no table (as in the parser's list).
    if (tb.schema === null && (engine === 'mysql' || engine === 'mariadb') && tb.name.toLowerCase() === 'dual') return false;
    const key = `${tb.schema ?? ''}\u0000${tb.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `TABLE t` is a query at the start, after `(`, after a WITH clause's `)` or after a set operator. */
function startsQuery(prev: SqlToken | undefined): boolean {
  return prev === undefined || isOp(prev, '(') || isOp(prev, ')') || isWord(prev, 'UNION', 'INTERSECT', 'EXCEPT', 'ALL', 'DISTINCT');
}

/** Reads one table reference with its alias and hints; returns the index after it. */
function readTableRef(tokens: SqlToken[], j: number, engine: Engine, out: TableName[]): number {
  while (isWord(tokens[j], 'LATERAL', 'ONLY')) j++;
  if (isOp(tokens[j], '(')) {
    j = afterParens(tokens, j); // subquery or parenthesised join: its own FROMs are read on their own
  } else {
    const name = readQualifiedName(tokens, j);
    if (!name || (name.parts.length === 1 && name.parts[0]!.kind === 'word' && NOT_ALIAS.has(name.parts[0]!.value))) {
      return j;
    }
    j = name.next;
    if (isOp(tokens[j], '(')) return skipRefTail(tokens, afterParens(tokens, j)); // a table function: generate_series(…)
    const parts = name.parts.map((p) => tableNamePart(p, engine));
    out.push({ schema: parts.length > 1 ? parts.slice(0, -1).join('.') : null, name: parts[parts.length - 1]! });
    if (isOp(tokens[j], '*')) j++; // PostgreSQL `FROM t *` (with descendants)
  }
  return skipRefTail(tokens, j);
}

/** Alias, column aliases and table hints after a table reference. */
function skipRefTail(tokens: SqlToken[], j: number): number {
  for (let guard = 0; guard < 16; guard++) {
    const t = tokens[j];
    if (!t) return j;
    if (isWord(t, 'AS')) j++;
    else if (isWord(t, 'USE', 'FORCE', 'IGNORE') && isWord(tokens[j + 1], 'INDEX', 'KEY')) {
      j += 2;
      while (j < tokens.length && !isOp(tokens[j], '(')) j++; // FOR JOIN | ORDER BY | GROUP BY
      j = afterParens(tokens, j);
    } else if (isWord(t, 'PARTITION') && isOp(tokens[j + 1], '(')) j = afterParens(tokens, j + 1);
    else if (isWord(t, 'INDEXED') && isWord(tokens[j + 1], 'BY')) j += 3;
    else if (isWord(t, 'NOT') && isWord(tokens[j + 1], 'INDEXED')) j += 2;
    else if (isWord(t, 'TABLESAMPLE', 'REPEATABLE')) {
      j++;
      if (!isOp(tokens[j], '(')) j++;
      j = afterParens(tokens, j);
    } else if (isWord(t, 'WITH') && isWord(tokens[j + 1], 'ORDINALITY')) j += 2;
    else if ((t.kind === 'word' && !NOT_ALIAS.has(t.value)) || t.kind === 'quoted') {
      j++;
      if (isOp(tokens[j], '(')) j = afterParens(tokens, j); // AS x(a, b)
    } else return j;
  }
  return j;
}

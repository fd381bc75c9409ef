/**
 * The lexical rules of each engine's SQL that splitting and keyword scanning depend on: which
 * quotes delimit strings and identifiers, how they escape, and which comments exist. Shared by
 * `split.ts` and `tokens.ts` so that both see exactly the same strings and comments.
 *
 * Offsets are UTF-16 code-unit indexes into the JavaScript string.
 */
import type { Engine } from '../../connectors/connector.js';

export interface SqlDialect {
  engine: Engine;
  /** MySQL/MariaDB: `\` escapes inside '…' and "…" (the default sql_mode; NO_BACKSLASH_ESCAPES is not modelled). */
  backslashEscapes: boolean;
  /** MySQL/MariaDB: "…" is a string (the default sql_mode, no ANSI_QUOTES); elsewhere a quoted identifier. */
  doubleQuotedIsString: boolean;
  /** `…` identifiers: MySQL/MariaDB, and SQLite for MySQL compatibility. */
  backticks: boolean;
  /** [identifier]: SQLite (MS Access compatibility). PostgreSQL uses brackets for array subscripts. */
  brackets: boolean;
  /** `#` line comments: MySQL/MariaDB. In PostgreSQL `#` is an operator (bitwise xor, `#>` …). */
  hashComments: boolean;
  /** MySQL/MariaDB: `--` starts a comment only when followed by whitespace, a control character or the end (`1--1` is 1 - -1). */
  dashCommentNeedsSpace: boolean;
  /** PostgreSQL: block comments nest (`/* a /* b *\/ c *\/` is one comment). */
  nestedBlockComments: boolean;
  /** PostgreSQL: `$tag$ … $tag$` strings. */
  dollarQuotes: boolean;
  /** PostgreSQL: E'…' strings, where `\` escapes (standard '…' strings have no escapes but ''). */
  eStrings: boolean;
  /** MySQL `/*! … *\/` and MariaDB `/*M! … *\/`: comments whose content the server runs as SQL. */
  executableComments: boolean;
}

const DIALECTS: Record<Engine, SqlDialect> = {
  mysql: mysqlFamily('mysql'),
  mariadb: mysqlFamily('mariadb'),
  postgresql: {
    engine: 'postgresql',
    backslashEscapes: false,
    doubleQuotedIsString: false,
    backticks: false,
    brackets: false,
    hashComments: false,
    dashCommentNeedsSpace: false,
    nestedBlockComments: true,
    dollarQuotes: true,
    eStrings: true,
    executableComments: false,
  },
  sqlite: {
    engine: 'sqlite',
    backslashEscapes: false,
    doubleQuotedIsString: false,
    backticks: true,
    brackets: true,
    hashComments: false,
    dashCommentNeedsSpace: false,
    nestedBlockComments: false,
    dollarQuotes: false,
    eStrings: false,
    executableComments: false,
  },
};

function mysqlFamily(engine: 'mysql' | 'mariadb'): SqlDialect {
  return {
    engine,
    backslashEscapes: true,
    doubleQuotedIsString: true,
    backticks: true,
    brackets: false,
    hashComments: true,
    dashCommentNeedsSpace: true,
    nestedBlockComments: false,
    dollarQuotes: false,
    eStrings: false,
    executableComments: true,
  };
}

export function dialectOf(engine: Engine): SqlDialect {
  return DIALECTS[engine];
}

/** What `scanSpecial` found. `string` covers '…', E'…', $tag$…$tag$ and MySQL "…". */
export type SpecialKind = 'comment' | 'executable-comment' | 'string' | 'identifier';

export interface Special {
  kind: SpecialKind;
  /** Exclusive end; the input's length when unterminated. */
  end: number;
  terminated: boolean;
}

const SQ = 39; // '
const DQ = 34; // "
const BT = 96; // `
const LB = 91; // [
const DASH = 45;
const HASH = 35;
const SLASH = 47;
const STAR = 42;
const DOLLAR = 36;
const BACKSLASH = 92;
const LF = 10;
const CR = 13;

/** Letters, `_` and every non-ASCII character may start an identifier (all four engines accept Unicode names). */
export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

/** Identifier characters: also digits and `$` (MySQL, PostgreSQL and SQLite all allow `$` after the first character). */
export function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === DOLLAR;
}

/** End of the run of identifier characters from `i` (numbers are skipped the same way). */
export function identRunEnd(sql: string, i: number): number {
  const n = sql.length;
  while (i < n && isIdentPart(sql.charCodeAt(i))) i++;
  return i;
}

/**
 * If a comment, string or quoted identifier starts at `i`, where it ends; otherwise null. Call it
 * at any position outside strings and comments: the context it needs (is the `'` of an E'…'
 * string? is this `$` inside an identifier like `a$b`?) is read from the characters before `i`.
 * An E'…' string is reported from its quote; the `E` stays an ordinary character.
 */
export function scanSpecial(sql: string, i: number, d: SqlDialect): Special | null {
  const c = sql.charCodeAt(i);
  switch (c) {
    case SQ:
      return quoted(sql, i, SQ, d.backslashEscapes || (d.eStrings && isEStringQuote(sql, i)), 'string');
    case DQ:
      return d.doubleQuotedIsString
        ? quoted(sql, i, DQ, d.backslashEscapes, 'string')
        : quoted(sql, i, DQ, false, 'identifier');
    case BT:
      return d.backticks ? quoted(sql, i, BT, false, 'identifier') : null;
    case LB: {
      if (!d.brackets) return null;
      const k = sql.indexOf(']', i + 1);
      return k < 0 ? unterminated(sql, 'identifier') : { kind: 'identifier', end: k + 1, terminated: true };
    }
    case DASH:
      if (sql.charCodeAt(i + 1) !== DASH) return null;
      if (d.dashCommentNeedsSpace && i + 2 < sql.length && sql.charCodeAt(i + 2) > 32) return null;
      return lineComment(sql, i + 2);
    case HASH:
      return d.hashComments ? lineComment(sql, i + 1) : null;
    case SLASH:
      return sql.charCodeAt(i + 1) === STAR ? blockComment(sql, i, d) : null;
    case DOLLAR:
      return d.dollarQuotes && !(i > 0 && isIdentPart(sql.charCodeAt(i - 1))) ? dollarQuoted(sql, i) : null;
    default:
      return null;
  }
}

/** The quote at `i` follows a lone `E`/`e` (not the end of an identifier like `typE`). */
function isEStringQuote(sql: string, i: number): boolean {
  const e = sql.charCodeAt(i - 1) | 32;
  return i > 0 && e === 101 && !(i > 1 && isIdentPart(sql.charCodeAt(i - 2)));
}

function unterminated(sql: string, kind: SpecialKind): Special {
  return { kind, end: sql.length, terminated: false };
}

/** A quoted run from the quote at `i`: a doubled quote stands for itself; optionally `\` escapes the next character. */
function quoted(sql: string, i: number, q: number, backslash: boolean, kind: SpecialKind): Special {
  const n = sql.length;
  let j = i + 1;
  if (backslash) {
    while (j < n) {
      const c = sql.charCodeAt(j);
      if (c === BACKSLASH) j += 2;
      else if (c !== q) j++;
      else if (sql.charCodeAt(j + 1) === q) j += 2;
      else return { kind, end: j + 1, terminated: true };
    }
    return unterminated(sql, kind);
  }
  const quote = String.fromCharCode(q);
  for (;;) {
    const k = sql.indexOf(quote, j);
    if (k < 0) return unterminated(sql, kind);
    if (sql.charCodeAt(k + 1) !== q) return { kind, end: k + 1, terminated: true };
    j = k + 2;
  }
}

/** To the end of the line; the newline itself is left as whitespace. */
function lineComment(sql: string, j: number): Special {
  const n = sql.length;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (c === LF || c === CR) break;
    j++;
  }
  return { kind: 'comment', end: j, terminated: true };
}

function blockComment(sql: string, i: number, d: SqlDialect): Special {
  const third = sql.charCodeAt(i + 2);
  const executable =
    d.executableComments &&
    (third === 33 /* ! */ || (d.engine === 'mariadb' && third === 77 /* M */ && sql.charCodeAt(i + 3) === 33));
  const kind: SpecialKind = executable ? 'executable-comment' : 'comment';
  if (!d.nestedBlockComments) {
    const k = sql.indexOf('*/', i + 2);
    return k < 0 ? unterminated(sql, kind) : { kind, end: k + 2, terminated: true };
  }
  const n = sql.length;
  let depth = 1;
  let j = i + 2;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (c === STAR && sql.charCodeAt(j + 1) === SLASH) {
      j += 2;
      if (--depth === 0) return { kind, end: j, terminated: true };
    } else if (c === SLASH && sql.charCodeAt(j + 1) === STAR) {
      j += 2;
      depth++;
    } else j++;
  }
  return unterminated(sql, kind);
}

/** `$$…$$` or `$tag$…$tag$`; the tag is an identifier without `$`. `$1` (a parameter) is not a dollar quote. */
function dollarQuoted(sql: string, i: number): Special | null {
  let j = i + 1;
  const first = sql.charCodeAt(j);
  if (first !== DOLLAR) {
    if (!isIdentStart(first)) return null;
    while (j < sql.length && isIdentPart(sql.charCodeAt(j)) && sql.charCodeAt(j) !== DOLLAR) j++;
    if (sql.charCodeAt(j) !== DOLLAR) return null;
  }
  const tag = sql.slice(i, j + 1);
  const k = sql.indexOf(tag, j + 1);
  return k < 0 ? unterminated(sql, 'string') : { kind: 'string', end: k + tag.length, terminated: true };
}

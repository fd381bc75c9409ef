/**
 * A small SQL lexer: the tokens of one statement with strings, quoted identifiers and comments
 * recognised by the same rules as the splitter (`lexical.ts`). It knows no grammar; callers look at
 * the sequence of bare words (keywords and unquoted identifiers) when the parser cannot help.
 */
import type { Engine } from '../../connectors/connector.js';
import { dialectOf, identRunEnd, isIdentPart, isIdentStart, scanSpecial, type SqlDialect } from './lexical.js';

export type TokenKind =
  /** Keyword or unquoted identifier. */
  | 'word'
  /** "…", `…` or […] identifier (MySQL "…" is a string, not this). */
  | 'quoted'
  | 'string'
  | 'number'
  /** `?`, `$1`, `:name`, `@name`, `@@name`. */
  | 'param'
  /** One punctuation or operator character (`->>` is three tokens). */
  | 'op'
  /** MySQL/MariaDB `/*! … *\/`: the server runs its content. */
  | 'executable-comment';

export interface SqlToken {
  kind: TokenKind;
  /** The source text. */
  text: string;
  /** word: upper case; quoted: the name without quotes; others: the source text. */
  value: string;
  start: number;
  end: number;
}

export interface Tokenized {
  tokens: SqlToken[];
  /** The first string, quoted identifier or comment that has no end, if any (it runs to the end of input). */
  unterminated: { kind: 'string' | 'identifier' | 'comment'; start: number } | null;
}

export interface TokenizeOptions {
  /**
   * Overrides whether `\` escapes inside '…' (and MySQL "…"): false reads MySQL as the server does
   * with the NO_BACKSLASH_ESCAPES sql_mode; true reads PostgreSQL as with
   * standard_conforming_strings off. Default: the engine's default.
   */
  backslashEscapes?: boolean;
}

export function tokenize(sql: string, engine: Engine, options: TokenizeOptions = {}): Tokenized {
  const base = dialectOf(engine);
  const override = options.backslashEscapes;
  const d = override === undefined || override === base.backslashEscapes ? base : { ...base, backslashEscapes: override };
  const tokens: SqlToken[] = [];
  let unterminated: Tokenized['unterminated'] = null;
  const n = sql.length;
  const push = (kind: TokenKind, start: number, end: number, value?: string): void => {
    const text = sql.slice(start, end);
    tokens.push({ kind, text, value: value ?? text, start, end });
  };

  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c <= 32) {
      i++;
      continue;
    }
    const special = scanSpecial(sql, i, d);
    if (special) {
      if (!special.terminated && !unterminated) {
        unterminated = { kind: special.kind === 'executable-comment' ? 'comment' : special.kind, start: i };
      }
      if (special.kind === 'executable-comment') push('executable-comment', i, special.end);
      else if (special.kind === 'string') push('string', i, special.end);
      else if (special.kind === 'identifier') push('quoted', i, special.end, unquote(sql.slice(i, special.end)));
      i = special.end;
      continue;
    }
    if (isIdentStart(c)) {
      const end = identRunEnd(sql, i);
      if (end === i + 1 && d.eStrings && (c | 32) === 101 && sql.charCodeAt(end) === 39) {
        // E'…' (PostgreSQL): one string token, prefix included.
        const str = scanSpecial(sql, end, d)!;
        if (!str.terminated && !unterminated) unterminated = { kind: 'string', start: i };
        push('string', i, str.end);
        i = str.end;
        continue;
      }
      push('word', i, end, sql.slice(i, end).toUpperCase());
      i = end;
    } else if ((c >= 48 && c <= 57) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      const end = numberEnd(sql, i);
      push('number', i, end);
      i = end;
    } else {
      let end = paramEnd(sql, i, d);
      if (end > i) push('param', i, end);
      else {
        end = c === 58 && sql.charCodeAt(i + 1) === 58 ? i + 2 : i + 1; // `::` (cast) is one token
        push('op', i, end);
      }
      i = end;
    }
  }
  return { tokens, unterminated };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Digits, `.`, letters (hex `0x1F`, exponents `1e5`), and a sign right after an exponent `e`. */
function numberEnd(sql: string, i: number): number {
  const n = sql.length;
  let j = i;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (isIdentPart(c) || c === 46) j++;
    else if ((c === 43 || c === 45) && (sql.charCodeAt(j - 1) | 32) === 101 && isDigit(sql.charCodeAt(j + 1))) j++;
    else break;
  }
  return j;
}

/** End of a bind parameter or variable starting at `i`, or `i` when there is none. */
function paramEnd(sql: string, i: number, d: SqlDialect): number {
  const c = sql.charCodeAt(i);
  const next = sql.charCodeAt(i + 1);
  const mysqlish = d.engine === 'mysql' || d.engine === 'mariadb';
  if (c === 36 /* $ */ && (isDigit(next) || (d.engine === 'sqlite' && isIdentStart(next)))) {
    return identRunEnd(sql, i + 1);
  }
  if (c === 63 /* ? */ && (mysqlish || d.engine === 'sqlite')) {
    let j = i + 1;
    while (isDigit(sql.charCodeAt(j))) j++;
    return j;
  }
  if (c === 58 /* : */ && d.engine === 'sqlite' && isIdentStart(next)) return identRunEnd(sql, i + 1);
  if (c === 64 /* @ */ && (mysqlish || d.engine === 'sqlite')) {
    let j = i + 1;
    if (mysqlish && sql.charCodeAt(j) === 64) j++; // @@system_variable
    const quoted = mysqlish ? scanSpecial(sql, j, d) : null; // @'user var', @`x`
    if (quoted && quoted.kind !== 'comment') return quoted.end;
    const end = identRunEnd(sql, j);
    return end > j ? end : i;
  }
  return i;
}

/** The name inside "…", `…` or […]: a doubled closing quote stands for one. */
function unquote(text: string): string {
  const open = text[0]!;
  const close = open === '[' ? ']' : open;
  const inner = text.endsWith(close) && text.length > 1 ? text.slice(1, -1) : text.slice(1);
  return open === '[' ? inner : inner.split(close + close).join(close);
}

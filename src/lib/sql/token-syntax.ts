/**
 * Just enough SQL structure over the token list for the lexical fallbacks: parentheses, the WITH
 * clause (its CTE names and bodies) and qualified names. Best effort by design: the grammar lives
 * in the parser; this only has to be right for well-formed statements and must never loop.
 */
import type { SqlToken } from './tokens.js';

export function isWord(t: SqlToken | undefined, ...upper: string[]): boolean {
  return t !== undefined && t.kind === 'word' && upper.includes(t.value);
}

export function isOp(t: SqlToken | undefined, op: string): boolean {
  return t !== undefined && t.kind === 'op' && t.text === op;
}

/** Index just after the `)` matching the `(` at `i` (the end of the list when unbalanced). */
export function afterParens(tokens: SqlToken[], i: number): number {
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    if (isOp(tokens[j], '(')) depth++;
    else if (isOp(tokens[j], ')') && --depth === 0) return j + 1;
  }
  return tokens.length;
}

export interface CteSpan {
  /** As written (quotes removed). */
  name: string;
  /** Token index range of the body inside the parentheses: [bodyStart, bodyEnd). */
  bodyStart: number;
  bodyEnd: number;
}

/**
 * Reads `WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] ( … ) [, …]` from the WITH token at
 * `i`. Returns null when the tokens there are not a CTE list (e.g. `WITH ROLLUP`, `WITH ORDINALITY`).
 */
export function readWithClause(tokens: SqlToken[], i: number): { ctes: CteSpan[]; next: number } | null {
  if (!isWord(tokens[i], 'WITH')) return null;
  let j = i + 1;
  if (isWord(tokens[j], 'RECURSIVE')) j++;
  const ctes: CteSpan[] = [];
  for (;;) {
    const nameTok = tokens[j];
    if (!nameTok || (nameTok.kind !== 'word' && nameTok.kind !== 'quoted')) return null;
    j++;
    if (isOp(tokens[j], '(')) j = afterParens(tokens, j);
    if (!isWord(tokens[j], 'AS')) return null;
    j++;
    if (isWord(tokens[j], 'NOT')) j++;
    if (isWord(tokens[j], 'MATERIALIZED')) j++;
    if (!isOp(tokens[j], '(')) return null;
    const close = afterParens(tokens, j);
    ctes.push({ name: nameOf(nameTok), bodyStart: j + 1, bodyEnd: Math.max(j + 1, close - 1) });
    j = close;
    // PostgreSQL SEARCH … SET … / CYCLE … SET … clauses after a recursive CTE.
    while (isWord(tokens[j], 'SEARCH', 'CYCLE')) {
      while (j < tokens.length && !isOp(tokens[j], ',') && !isWord(tokens[j], 'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'VALUES', 'TABLE')) j++;
    }
    if (!isOp(tokens[j], ',')) return { ctes, next: j };
    j++;
  }
}

/** Every CTE in the statement, including those of nested WITH clauses. */
export function allCtes(tokens: SqlToken[]): CteSpan[] {
  const out: CteSpan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (isWord(tokens[i], 'WITH')) out.push(...(readWithClause(tokens, i)?.ctes ?? []));
  }
  return out;
}

/**
 * The statement's leading keyword: after any opening parentheses and, for WITH, after the CTE list,
 * so that `WITH x AS (…) DELETE …` reports DELETE. `withClause` is true when a WITH was skipped.
 */
export function leadingKeyword(tokens: SqlToken[]): { keyword: string | null; index: number; withClause: boolean } {
  let i = 0;
  while (isOp(tokens[i], '(')) i++;
  const first = tokens[i];
  if (!first || first.kind !== 'word') return { keyword: null, index: i, withClause: false };
  if (first.value === 'WITH') {
    const w = readWithClause(tokens, i);
    if (w) {
      let j = w.next;
      while (isOp(tokens[j], '(')) j++;
      const main = tokens[j];
      return { keyword: main?.kind === 'word' ? main.value : null, index: j, withClause: true };
    }
  }
  return { keyword: first.value, index: i, withClause: false };
}

export function nameOf(t: SqlToken): string {
  return t.kind === 'quoted' ? t.value : t.text;
}

/** `a`, `a.b` or `a.b.c` from `i` (words or quoted identifiers); null when no name starts there. */
export function readQualifiedName(tokens: SqlToken[], i: number): { parts: SqlToken[]; next: number } | null {
  const parts: SqlToken[] = [];
  let j = i;
  for (;;) {
    const t = tokens[j];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) break;
    parts.push(t);
    j++;
    if (!isOp(tokens[j], '.')) break;
    j++;
  }
  return parts.length ? { parts, next: j } : null;
}

/**
 * The identifier a word or quoted token at `i` names, and the index after it. Handles PostgreSQL
 * Unicode identifiers, `U&"\0070g_sleep"` [UESCAPE '!'], whose escapes would otherwise hide the name.
 */
export function identifierAt(tokens: SqlToken[], i: number): { name: string; next: number } | null {
  const t = tokens[i];
  if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) return null;
  if (t.kind === 'word') return { name: t.text, next: i + 1 };
  const amp = tokens[i - 1];
  const u = tokens[i - 2];
  const unicode = isOp(amp, '&') && amp!.end === t.start && isWord(u, 'U') && u!.end === amp!.start && t.text.startsWith('"');
  if (!unicode) return { name: t.value, next: i + 1 };
  let escape = '\\';
  let next = i + 1;
  const custom = tokens[i + 2];
  if (isWord(tokens[i + 1], 'UESCAPE') && custom?.kind === 'string' && custom.text.length === 3) {
    escape = custom.text[1]!;
    next = i + 3;
  }
  return { name: decodeUnicodeEscapes(t.value, escape), next };
}

function decodeUnicodeEscapes(s: string, e: string): string {
  let out = '';
  for (let k = 0; k < s.length; k++) {
    if (s[k] !== e) {
      out += s[k];
    } else if (s[k + 1] === e) {
      out += e;
      k++;
    } else {
      const long = s[k + 1] === '+';
      const hex = s.slice(k + (long ? 2 : 1), k + (long ? 8 : 5));
      const code = /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : NaN;
      if (Number.isNaN(code) || code > 0x10ffff) {
        out += s[k];
        continue;
      }
      out += String.fromCodePoint(code);
      k += long ? 7 : 4;
    }
  }
  return out;
}

/** Indexes of the tokens from `from` on that lie at parenthesis depth 0 (the clauses of a statement, not of its subqueries). */
export function topLevel(tokens: readonly SqlToken[], from: number): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) depth--;
    else if (depth === 0) out.push(i);
  }
  return out;
}

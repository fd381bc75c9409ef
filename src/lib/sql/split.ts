/**
 * Splits a script into statements on `;` outside strings, quoted identifiers and comments, with
 * each statement's position for messages. Pure and linear: one pass over character codes, strings
 * and comments skipped with indexOf where their syntax allows.
 *
 * Not modelled (documented limits): the mysql client's `DELIMITER` command, MySQL's
 * NO_BACKSLASH_ESCAPES and ANSI_QUOTES modes, PostgreSQL with standard_conforming_strings off,
 * and the bodies of CREATE PROCEDURE/TRIGGER … BEGIN … END (split at their inner `;`).
 */
import type { Engine } from '../../connectors/connector.js';
import { dialectOf, scanSpecial } from './lexical.js';

export interface SqlStatement {
  /**
   * From the statement's first to its last character of code: whitespace and comments before and
   * after are dropped (so the text can be wrapped, e.g. in a subquery, without a trailing `--`
   * comment swallowing what follows); comments inside are kept. MySQL executable comments
   * (`/*! … *\/`) count as code, so a mysqldump line made only of one is kept, and so does an
   * unterminated block comment (it runs to the end of the input).
   */
  text: string;
  /** Offset of `text` in the input. */
  start: number;
  /** Exclusive end offset of `text` in the input. */
  end: number;
  /** 1-based line of `start`. */
  line: number;
}

// Character classes below 128; everything else (including all non-ASCII) is PLAIN code.
const PLAIN = 0;
const SPACE = 1;
const SEMICOLON = 2;
const MAYBE_SPECIAL = 3; // may start a string, quoted identifier or comment: ' " ` [ - # / $
const CLASS = new Uint8Array(128);
for (let c = 0; c <= 32; c++) CLASS[c] = SPACE;
CLASS[59] = SEMICOLON;
for (const ch of '\'"`[-#/$') CLASS[ch.charCodeAt(0)] = MAYBE_SPECIAL;

export function splitStatements(sql: string, engine: Engine): SqlStatement[] {
  const d = dialectOf(engine);
  const out: SqlStatement[] = [];
  const n = sql.length;
  let codeStart = -1; // first code offset of the current statement, -1 while none
  let codeEnd = -1;
  // Lines are counted lazily up to each statement start; starts only move forward, so this is linear.
  let lineAt = 0;
  let line = 1;
  const flush = (): void => {
    if (codeStart < 0) return;
    for (let k = sql.indexOf('\n', lineAt); k >= 0 && k < codeStart; k = sql.indexOf('\n', k + 1)) line++;
    lineAt = codeStart;
    out.push({ text: sql.slice(codeStart, codeEnd), start: codeStart, end: codeEnd, line });
    codeStart = -1;
  };

  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    const cls = c < 128 ? CLASS[c] : PLAIN;
    if (cls === SPACE) {
      i++;
      continue;
    }
    if (cls === SEMICOLON) {
      flush();
      i++;
      continue;
    }
    let end = i + 1;
    if (cls === MAYBE_SPECIAL) {
      const special = scanSpecial(sql, i, d);
      if (special) {
        // An unterminated block comment is kept as code, so that the caller sees (and can report)
        // it instead of silently losing the statements it swallowed.
        if (special.kind === 'comment' && special.terminated) {
          i = special.end;
          continue;
        }
        end = special.end; // strings, quoted identifiers and executable comments are code
      }
    } else {
      // A run of ordinary code characters at once (the common case: keywords, names, numbers, operators).
      while (end < n) {
        const cc = sql.charCodeAt(end);
        if (cc < 128 && CLASS[cc] !== PLAIN) break;
        end++;
      }
    }
    if (codeStart < 0) codeStart = i;
    codeEnd = end;
    i = end;
  }
  flush();
  return out;
}

/** 1-based line and column of an offset (for messages; linear in the offset). */
export function positionAt(sql: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = sql.indexOf('\n'); k >= 0 && k < offset; k = sql.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

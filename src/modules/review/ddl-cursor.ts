/**
 * A cursor over the tokens of one DDL statement (or a part of it) for the token reader of
 * `analyzeDdl`: keyword tests, names folded as the engine resolves them, parenthesised groups,
 * top-level comma lists, and text as written. Best effort, never loops: every reader either
 * consumes a token or stops.
 */
import type { Engine } from '../../connectors/connector.js';
import { identifierAt, isOp, isWord } from '../../lib/sql/token-syntax.js';
import type { SqlToken } from '../../lib/sql/tokens.js';
import type { TableRef } from './types.js';

export class DdlCursor {
  i: number;

  constructor(
    readonly tokens: readonly SqlToken[],
    readonly sql: string,
    readonly engine: Engine,
    start = 0,
    readonly end = tokens.length,
  ) {
    this.i = start;
  }

  get mysqlish(): boolean {
    return this.engine === 'mysql' || this.engine === 'mariadb';
  }

  at(k = 0): SqlToken | undefined {
    const j = this.i + k;
    return j < this.end ? this.tokens[j] : undefined;
  }

  done(): boolean {
    return this.i >= this.end;
  }

  /** The current token is one of these words. */
  is(...words: string[]): boolean {
    return isWord(this.at(), ...words);
  }

  /** The tokens from here are these words, in order. */
  isSeq(...words: string[]): boolean {
    return words.every((w, k) => isWord(this.at(k), w));
  }

  isOp(op: string): boolean {
    return isOp(this.at(), op);
  }

  /** Consumes the current token when it is one of the words; returns the word (upper case) or null. */
  take(...words: string[]): string | null {
    const t = this.at();
    if (!isWord(t, ...words)) return null;
    this.i++;
    return t!.value;
  }

  /** Consumes the words when they all come next, in order. */
  takeSeq(...words: string[]): boolean {
    if (!this.isSeq(...words)) return false;
    this.i += words.length;
    return true;
  }

  takeOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }

  skip(n = 1): void {
    this.i = Math.min(this.end, this.i + n);
  }

  /** `IF NOT EXISTS` / `IF EXISTS`, consumed when present. */
  takeIfExists(): boolean {
    return this.takeSeq('IF', 'NOT', 'EXISTS') || this.takeSeq('IF', 'EXISTS');
  }

  /** A name token (a word or a quoted identifier; MySQL "…" is a string, not a name) is next. */
  isName(): boolean {
    const t = this.at();
    return t !== undefined && (t.kind === 'word' || t.kind === 'quoted');
  }

  /** An identifier, folded as the engine resolves it (PostgreSQL unquoted: lower case); null (nothing consumed) when none is next. */
  name(): string | null {
    if (!this.isName()) return null;
    const id = identifierAt(this.tokens as SqlToken[], this.i);
    if (!id || id.next > this.end) return null;
    const t = this.at()!;
    this.i = id.next;
    return t.kind === 'word' && this.engine === 'postgresql' ? id.name.toLowerCase() : id.name;
  }

  /** `a`, `a.b`, `a.b.c` as the parts' names. */
  qualified(): string[] | null {
    const parts: string[] = [];
    for (;;) {
      const n = this.name();
      if (n === null) break;
      parts.push(n);
      if (!(this.isOp('.') && this.isNameAt(1))) break;
      this.i++;
    }
    return parts.length ? parts : null;
  }

  private isNameAt(k: number): boolean {
    const t = this.at(k);
    return t !== undefined && (t.kind === 'word' || t.kind === 'quoted');
  }

  /** A table reference: the last part is the name, the parts before it the schema (`db.schema` for three). */
  ref(): TableRef | null {
    const parts = this.qualified();
    if (!parts) return null;
    return { schema: parts.length > 1 ? parts.slice(0, -1).join('.') : null, name: parts[parts.length - 1]! };
  }

  /**
   * At `(`: the token range inside the parentheses, and moves past the matching `)` (to the end
   * when unbalanced). Null, nothing consumed, when no `(` is next.
   */
  group(): { start: number; end: number } | null {
    if (!this.isOp('(')) return null;
    const start = this.i + 1;
    let depth = 0;
    for (let j = this.i; j < this.end; j++) {
      const t = this.tokens[j];
      if (isOp(t, '(')) depth++;
      else if (isOp(t, ')') && --depth === 0) {
        this.i = j + 1;
        return { start, end: j };
      }
    }
    this.i = this.end;
    return { start, end: this.end };
  }

  /** A cursor over tokens [start, end) of the same statement. */
  sub(start: number, end: number): DdlCursor {
    return new DdlCursor(this.tokens, this.sql, this.engine, start, end);
  }

  /** The rest of this cursor, split at top-level commas (empty parts dropped). */
  commaParts(): DdlCursor[] {
    const out: DdlCursor[] = [];
    let depth = 0;
    let from = this.i;
    for (let j = this.i; j <= this.end; j++) {
      const t = j < this.end ? this.tokens[j] : undefined;
      if (isOp(t, '(')) depth++;
      else if (isOp(t, ')')) depth--;
      else if (j === this.end || (depth === 0 && isOp(t, ','))) {
        if (j > from) out.push(this.sub(from, j));
        from = j + 1;
      }
    }
    this.i = this.end;
    return out;
  }

  /** Source text of tokens [from, to), as written. */
  text(from: number, to: number): string {
    if (to <= from) return '';
    return this.sql.slice(this.tokens[from]!.start, this.tokens[to - 1]!.end);
  }

  /** Source text from the current token to the end of this cursor. */
  rest(): string {
    return this.text(this.i, this.end);
  }

  /**
   * Moves past tokens until (not including) a top-level word for which `stop` is true (or the
   * end); returns the range passed. Parenthesised groups are passed whole.
   */
  until(stop: (c: DdlCursor) => boolean): { start: number; end: number } {
    const start = this.i;
    while (!this.done() && !stop(this)) {
      if (!this.group()) this.i++;
    }
    return { start, end: this.i };
  }

  /** A string literal's value (quotes removed, escapes read); null, nothing consumed, when no string is next. */
  string(): string | null {
    const t = this.at();
    if (!t || t.kind !== 'string') return null;
    this.i++;
    return stringValue(t.text, this.engine);
  }

  /** A table option or similar value: a string (unquoted), a name, a number, or a parenthesised group as written. */
  value(): string | null {
    const t = this.at();
    if (!t) return null;
    if (t.kind === 'string') return this.string();
    if (t.kind === 'quoted') return this.name();
    const g = this.group();
    if (g) return this.text(g.start - 1, g.end + 1);
    this.i++;
    return t.text;
  }
}

/** The value of a string token: '…' (doubled quotes; MySQL backslash escapes), E'…', $tag$…$tag$, MySQL "…". */
export function stringValue(text: string, engine: Engine): string {
  if (text.startsWith('$')) {
    const tag = text.slice(0, text.indexOf('$', 1) + 1);
    return text.slice(tag.length, text.length - tag.length);
  }
  const e = /^[eE]'/.test(text);
  const body = e ? text.slice(1) : text;
  const q = body[0]!;
  const inner = body.endsWith(q) && body.length > 1 ? body.slice(1, -1) : body.slice(1);
  const backslash = e || engine === 'mysql' || engine === 'mariadb';
  if (!backslash) return inner.split(q + q).join(q);
  const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', Z: '\x1a' };
  let out = '';
  for (let k = 0; k < inner.length; k++) {
    const c = inner[k]!;
    if (c === '\\' && k + 1 < inner.length) {
      const n = inner[++k]!;
      out += ESC[n] ?? n;
    } else if (c === q && inner[k + 1] === q) {
      out += q;
      k++;
    } else out += c;
  }
  return out;
}

/**
 * Tokens as a type is normalized: words in lower case, one space between words, none around
 * `(`, `)`, `,`, `[`, `]`, `.` (`numeric(10,2)`, `int(11) unsigned`, `timestamp(3) with time zone`, `text[]`).
 */
export function normalizedText(tokens: readonly SqlToken[], from: number, to: number): string {
  let out = '';
  let prev: SqlToken | undefined;
  for (let j = from; j < to; j++) {
    const t = tokens[j]!;
    const tight = t.kind === 'op' && /^[(),[\].]$/.test(t.text);
    const afterOpen = prev !== undefined && prev.kind === 'op' && /^[(,[.]$/.test(prev.text);
    if (out && !tight && !afterOpen) out += ' ';
    out += t.kind === 'word' ? t.text.toLowerCase() : t.text;
    prev = t;
  }
  return out;
}

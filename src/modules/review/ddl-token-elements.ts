/**
 * The parts of CREATE TABLE and ALTER TABLE that the token reader of `analyzeDdl` reads: column
 * definitions, table constraints and indexes, index key parts, REFERENCES clauses and MySQL table
 * options. Each reader takes a cursor over exactly its part (one element of a comma list).
 */
import { isOp, isWord } from '../../lib/sql/token-syntax.js';
import { DdlCursor, normalizedText } from './ddl-cursor.js';
import type { DdlColumn, DdlIndex } from './ddl-types.js';
import type { TableRef } from './types.js';

/** Words that end a column's type and start its attributes. */
const TYPE_END = new Set(
  (
    'NOT NULL DEFAULT PRIMARY KEY UNIQUE CHECK REFERENCES CONSTRAINT COLLATE COMMENT AUTO_INCREMENT AUTOINCREMENT ' +
    'GENERATED AS ON CHARSET VISIBLE INVISIBLE COLUMN_FORMAT STORAGE SRID ENGINE_ATTRIBUTE SECONDARY_ENGINE_ATTRIBUTE ' +
    'USING FIRST AFTER COMPRESSED'
  ).split(' '),
);

/** Words that end a DEFAULT expression (after its first token). */
const DEFAULT_END = new Set(
  (
    'NOT NULL PRIMARY KEY UNIQUE CHECK REFERENCES CONSTRAINT COLLATE COMMENT AUTO_INCREMENT AUTOINCREMENT GENERATED ' +
    'CHARSET VISIBLE INVISIBLE COLUMN_FORMAT STORAGE SRID FIRST AFTER ENGINE_ATTRIBUTE SECONDARY_ENGINE_ATTRIBUTE'
  ).split(' '),
);

const SERIAL_TYPES = new Set(['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8']);

/** A table element (CREATE TABLE) or ADD item (ALTER TABLE) that is a constraint or index, not a column. */
export function startsConstraint(c: DdlCursor): boolean {
  if (c.is('CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK')) return true;
  if (c.engine === 'postgresql' && c.is('EXCLUDE')) return true;
  return c.mysqlish && c.is('KEY', 'INDEX', 'FULLTEXT', 'SPATIAL');
}

export interface ColumnRead {
  column: DdlColumn;
  after: string | null;
  first: boolean;
  /** NOT NULL or NULL was written (MODIFY needs to know; PRIMARY KEY alone also makes it NOT NULL). */
  nullWritten: boolean;
}

/** `name type [attributes…] [FIRST | AFTER col]`; null when no name starts it. */
export function readColumn(c: DdlCursor): ColumnRead | null {
  const name = c.name();
  if (name === null) return null;
  const typeStart = c.i;
  while (!c.done()) {
    const t = c.at()!;
    if (t.kind === 'word' && c.i > typeStart && (TYPE_END.has(t.value) || (t.value === 'CHARACTER' && isWord(c.at(1), 'SET')) || (t.value === 'CHAR' && isWord(c.at(1), 'SET')))) break;
    if (t.kind === 'word' && c.i === typeStart && TYPE_END.has(t.value)) break;
    if (t.kind === 'op' && !/^[([\].]$/.test(t.text)) break;
    if (!c.group()) c.skip();
  }
  const type = normalizedText(c.tokens, typeStart, c.i);
  const column: DdlColumn = {
    name,
    type,
    nullable: true,
    defaultValue: null,
    comment: null,
    autoIncrement: SERIAL_TYPES.has(type),
    primaryKey: false,
    unique: false,
    charset: null,
    collate: null,
    generated: null,
    references: null,
  };
  const out: ColumnRead = { column, after: null, first: false, nullWritten: SERIAL_TYPES.has(type) };
  if (SERIAL_TYPES.has(type)) column.nullable = false;
  while (!c.done()) {
    const before = c.i;
    if (c.take('CONSTRAINT')) {
      if (!c.is('NOT', 'NULL', 'PRIMARY', 'UNIQUE', 'CHECK', 'REFERENCES', 'DEFAULT', 'GENERATED', 'COLLATE')) c.name();
    } else if (c.takeSeq('NOT', 'NULL')) {
      column.nullable = false;
      out.nullWritten = true;
    } else if (c.take('NULL')) {
      column.nullable = true;
      out.nullWritten = true;
    } else if (c.take('DEFAULT')) {
      column.defaultValue = readDefault(c);
    } else if (c.takeSeq('PRIMARY', 'KEY') || (c.mysqlish && c.take('KEY'))) {
      column.primaryKey = true;
      column.nullable = false;
      c.take('ASC', 'DESC');
    } else if (c.take('UNIQUE')) {
      c.take('KEY', 'INDEX');
      column.unique = true;
    } else if (c.take('CHECK')) {
      c.group();
      c.takeSeq('NOT', 'ENFORCED') || c.take('ENFORCED');
    } else if (c.take('REFERENCES')) {
      column.references = readReferences(c);
    } else if (c.take('COLLATE')) {
      column.collate = c.value();
    } else if (c.takeSeq('CHARACTER', 'SET') || c.takeSeq('CHAR', 'SET') || c.take('CHARSET')) {
      column.charset = c.value();
    } else if (c.take('COMMENT')) {
      column.comment = c.string() ?? c.value();
    } else if (c.take('AUTO_INCREMENT', 'AUTOINCREMENT')) {
      column.autoIncrement = true;
    } else if (c.take('GENERATED')) {
      readGenerated(c, column);
    } else if (c.take('AS')) {
      c.group();
      column.generated = c.take('STORED', 'PERSISTENT') ? 'STORED' : (c.take('VIRTUAL'), 'VIRTUAL');
    } else if (c.take('ON')) {
      // MySQL ON UPDATE CURRENT_TIMESTAMP[(n)], SQLite ON CONFLICT <algorithm>.
      c.skip(2);
      c.group();
    } else if (c.take('FIRST')) {
      out.first = true;
    } else if (c.take('AFTER')) {
      out.after = c.name();
    } else if (c.isOp('(')) {
      c.group();
    } else {
      c.skip(); // VISIBLE, COLUMN_FORMAT x, STORAGE x, SRID n, …
    }
    if (c.i === before) c.skip();
  }
  return out;
}

/** The DEFAULT expression as written: its first token, then up to the next attribute word at the top level. */
export function readDefault(c: DdlCursor): string | null {
  const start = c.i;
  if (c.done()) return null;
  if (!c.group()) c.skip();
  while (!c.done()) {
    const t = c.at()!;
    if (t.kind === 'word' && (DEFAULT_END.has(t.value) || (t.value === 'CHARACTER' && isWord(c.at(1), 'SET')) || (t.value === 'ON' && isWord(c.at(1), 'UPDATE', 'CONFLICT')))) break;
    if (!c.group()) c.skip();
  }
  return c.text(start, c.i);
}

/** After GENERATED: `ALWAYS|BY DEFAULT [ON NULL] AS IDENTITY [(…)]` or `[ALWAYS] AS (expr) [STORED|VIRTUAL]`. */
function readGenerated(c: DdlCursor, column: DdlColumn): void {
  c.take('ALWAYS') || c.takeSeq('BY', 'DEFAULT');
  c.takeSeq('ON', 'NULL');
  c.take('AS');
  if (c.take('IDENTITY')) {
    column.autoIncrement = true;
    column.nullable = false;
    c.group();
    return;
  }
  c.group();
  column.generated = c.take('STORED', 'PERSISTENT') ? 'STORED' : (c.take('VIRTUAL'), 'VIRTUAL');
}

/** After REFERENCES: `t [(cols)] [MATCH …] [ON DELETE|UPDATE action]… [[NOT] DEFERRABLE] [INITIALLY …]`. */
export function readReferences(c: DdlCursor): { table: TableRef; columns: string[] } | null {
  const table = c.ref();
  const g = c.group();
  const columns = g ? nameList(c.sub(g.start, g.end)) : [];
  for (;;) {
    if (c.take('MATCH')) c.skip();
    else if (c.take('ON')) {
      c.take('DELETE', 'UPDATE');
      if (!(c.takeSeq('SET', 'NULL') || c.takeSeq('SET', 'DEFAULT') || c.takeSeq('NO', 'ACTION'))) c.take('CASCADE', 'RESTRICT');
      if (c.isOp('(')) c.group(); // PostgreSQL ON DELETE SET NULL (cols)
    } else if (c.takeSeq('NOT', 'DEFERRABLE') || c.take('DEFERRABLE')) {
      /* nothing */
    } else if (c.take('INITIALLY')) c.take('DEFERRED', 'IMMEDIATE');
    else break;
  }
  return table ? { table, columns } : null;
}

/** `a, b, c` (names only; anything else in an element is skipped). */
export function nameList(c: DdlCursor): string[] {
  return c.commaParts().flatMap((p) => {
    const n = p.name();
    return n === null ? [] : [n];
  });
}

/**
 * Index key parts: `a`, `a(10)` (MySQL prefix), `a DESC`, `a NULLS LAST`, `a text_pattern_ops`,
 * `a COLLATE "C"` give the column name; an expression (`lower(a)`, `(a + b)`) gives its text in
 * parentheses.
 */
export function keyParts(c: DdlCursor): string[] {
  return c.commaParts().map((p) => {
    const start = p.i;
    if (p.isOp('(')) {
      const g = p.group()!;
      return p.text(g.start - 1, g.end + 1);
    }
    const n = p.name();
    if (n === null) return `(${p.text(start, p.end)})`;
    if (p.isOp('(')) {
      const prefix = p.mysqlish && p.at(1)?.kind === 'number' && isOp(p.at(2), ')');
      const g = p.group()!;
      if (!prefix) return `(${p.text(start, g.end + 1)})`; // a function call
    }
    // The rest may only be ordering, collation and operator-class words.
    while (!p.done()) {
      if (p.take('COLLATE')) p.value();
      else if (p.isName()) p.skip();
      else if (!p.group()) return `(${p.text(start, p.end)})`;
    }
    return n;
  });
}

export type ConstraintRead =
  | { kind: 'PRIMARY'; name: string | null; columns: string[] }
  | { kind: 'INDEX'; index: DdlIndex }
  | { kind: 'OTHER' };

/**
 * `[CONSTRAINT [name]] PRIMARY KEY (…) | UNIQUE [KEY|INDEX] [name] (…) | FOREIGN KEY [name] (…)
 * REFERENCES … [NOT VALID] | CHECK (…)`, and MySQL `KEY|INDEX [name] (…)`, `FULLTEXT|SPATIAL …`.
 */
export function readConstraint(c: DdlCursor): ConstraintRead {
  let constraintName: string | null = null;
  if (c.take('CONSTRAINT') && !c.is('PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK', 'EXCLUDE')) constraintName = c.name();
  /** MySQL: `[name] [USING method]` before the key parts. */
  const nameAndMethod = (): { name: string | null; method: string | null } => {
    let name: string | null = null;
    let method: string | null = null;
    c.takeIfExists();
    if (c.isName() && !c.is('USING')) name = c.name();
    if (c.take('USING')) method = c.value()?.toLowerCase() ?? null;
    return { name, method };
  };
  const parts = (): string[] => {
    const g = c.group();
    return g ? keyParts(c.sub(g.start, g.end)) : [];
  };
  const trailingMethod = (m: string | null): string | null => (c.mysqlish && c.take('USING') ? (c.value()?.toLowerCase() ?? m) : m);

  if (c.takeSeq('PRIMARY', 'KEY')) {
    if (c.take('USING')) c.value();
    return { kind: 'PRIMARY', name: constraintName, columns: parts() };
  }
  if (c.take('UNIQUE')) {
    if (c.take('USING')) {
      // PostgreSQL ADD CONSTRAINT c UNIQUE USING INDEX idx: the index exists already.
      return { kind: 'OTHER' };
    }
    c.takeSeq('NULLS', 'NOT', 'DISTINCT') || c.takeSeq('NULLS', 'DISTINCT');
    const mysqlKey = c.mysqlish && c.take('KEY', 'INDEX') !== null;
    const nm = c.mysqlish && (mysqlKey || !c.isOp('(')) ? nameAndMethod() : { name: null, method: null };
    const columns = parts();
    const method = trailingMethod(nm.method);
    return { kind: 'INDEX', index: { name: nm.name ?? constraintName, columns, unique: true, method } };
  }
  if (c.takeSeq('FOREIGN', 'KEY')) {
    const nm = c.isName() ? { name: c.name() } : { name: null };
    const g = c.group();
    const columns = g ? nameList(c.sub(g.start, g.end)) : [];
    const ref = c.take('REFERENCES') ? readReferences(c) : null;
    const notValid = c.takeSeq('NOT', 'VALID');
    const index: DdlIndex = { name: constraintName ?? nm.name, columns, unique: false, method: null };
    if (ref) index.foreignKey = ref;
    if (notValid) index.notValid = true;
    return { kind: 'INDEX', index };
  }
  if (c.mysqlish && c.is('KEY', 'INDEX', 'FULLTEXT', 'SPATIAL')) {
    const kind = c.take('FULLTEXT', 'SPATIAL');
    c.take('KEY', 'INDEX');
    const nm = nameAndMethod();
    const columns = parts();
    const method = kind ? kind.toLowerCase() : trailingMethod(nm.method);
    return { kind: 'INDEX', index: { name: nm.name, columns, unique: false, method } };
  }
  return { kind: 'OTHER' };
}

/** Lower-case option name for every spelling of the character set and collation options. */
function optionKey(words: string[]): string {
  const w = words.filter((x) => x !== 'DEFAULT');
  const joined = w.join(' ').toLowerCase();
  if (joined === 'charset' || joined === 'character set' || joined === 'char set') return 'charset';
  return joined;
}

/**
 * MySQL table options: `[DEFAULT] CHARSET [=] x`, `ENGINE=x`, `COMMENT [=] 'x'`, `AUTO_INCREMENT=n`,
 * …, separated by blanks or commas, until the end or a word in `stop` (AS/SELECT of CREATE … AS
 * SELECT, PARTITION BY). Returns the options and where it stopped.
 */
export function readTableOptions(c: DdlCursor, stop: ReadonlySet<string> = new Set()): Record<string, string> {
  const options: Record<string, string> = {};
  while (!c.done()) {
    if (c.takeOp(',')) continue;
    const t = c.at()!;
    if (t.kind !== 'word' || stop.has(t.value)) break;
    const words: string[] = [];
    if (c.take('DEFAULT')) words.push('DEFAULT');
    if (c.takeSeq('CHARACTER', 'SET')) words.push('CHARACTER', 'SET');
    else if (c.takeSeq('CHAR', 'SET')) words.push('CHAR', 'SET');
    else if (c.at()?.kind === 'word') {
      words.push(c.at()!.value);
      c.skip();
    }
    if (words.length === 0 || words[words.length - 1] === 'DEFAULT') break;
    c.takeOp('=');
    const key = optionKey(words);
    const v = c.value();
    if (v !== null) options[key] = v;
  }
  return options;
}

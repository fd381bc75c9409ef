import { describe, expect, it } from 'vitest';
import type { Engine } from '../../connectors/connector.js';
import { positionAt, splitStatements } from './split.js';

const ALL: Engine[] = ['mysql', 'mariadb', 'postgresql', 'sqlite'];
const texts = (sql: string, engine: Engine) => splitStatements(sql, engine).map((s) => s.text);

describe('splitStatements: basics', () => {
  it.each(ALL)('%s: splits on ; and keeps offsets and lines', (engine) => {
    const sql = 'select 1;\n\n  select 2 ;\r\nselect\n3';
    const out = splitStatements(sql, engine);
    expect(out.map((s) => s.text)).toEqual(['select 1', 'select 2', 'select\n3']);
    expect(out.map((s) => s.line)).toEqual([1, 3, 4]);
    for (const s of out) expect(sql.slice(s.start, s.end)).toBe(s.text);
  });

  it.each(ALL)('%s: drops empty statements (whitespace, comments, bare ;)', (engine) => {
    expect(texts(';;  ;\n-- only a comment\n;/* block */;\n\t', engine)).toEqual([]);
    expect(texts('', engine)).toEqual([]);
    expect(texts(';select 1;;', engine)).toEqual(['select 1']);
  });

  it.each(ALL)('%s: drops leading/trailing comments but keeps inner ones', (engine) => {
    const out = splitStatements('-- intro\n/* more */ select /* inner */ 1 -- trailing\n;', engine);
    expect(out).toEqual([{ text: 'select /* inner */ 1', start: 20, end: 40, line: 2 }]);
  });

  it.each(ALL)('%s: the last statement needs no ;', (engine) => {
    expect(texts('select 1; select 2', engine)).toEqual(['select 1', 'select 2']);
  });

  it('counts lines through strings and comments', () => {
    const sql = "select 'a\nb'; /* x\ny */ select 2;\n-- c\nselect 3";
    expect(splitStatements(sql, 'postgresql').map((s) => s.line)).toEqual([1, 3, 5]);
  });
});

describe('splitStatements: quoting', () => {
  // [engines, sql, expected statements]
  const cases: [Engine[], string, string[]][] = [
    [ALL, "select 'a;b'; select 2", ["select 'a;b'", 'select 2']],
    [ALL, "select 'it''s; fine'; select 2", ["select 'it''s; fine'", 'select 2']],
    [['mysql', 'mariadb'], "select 'a\\'; b'; select 2", ["select 'a\\'; b'", 'select 2']],
    [['mysql', 'mariadb'], "select 'a\\\\'; select 2", ["select 'a\\\\'", 'select 2']],
    // PostgreSQL and SQLite standard strings: a backslash is an ordinary character.
    [['postgresql', 'sqlite'], "select 'a\\'; select 2", ["select 'a\\'", 'select 2']],
    [['postgresql'], "select E'a\\'; b'; select 2", ["select E'a\\'; b'", 'select 2']],
    [['postgresql'], "select e'x\\\\'; select 2", ["select e'x\\\\'", 'select 2']],
    [['postgresql'], "select E'it''s;'; select 2", ["select E'it''s;'", 'select 2']],
    // `typE'…'` is an identifier followed by a standard string, not an E string.
    [['postgresql'], "select typE'a\\'; select 2", ["select typE'a\\'", 'select 2']],
    [ALL, 'select "a;b" from t; select 2', ['select "a;b" from t', 'select 2']],
    [ALL, 'select "a"";b" from t; select 2', ['select "a"";b" from t', 'select 2']],
    [['mysql', 'mariadb'], 'select "a\\";b"; select 2', ['select "a\\";b"', 'select 2']],
    [['mysql', 'mariadb', 'sqlite'], 'select `a;b` from t; select 2', ['select `a;b` from t', 'select 2']],
    [['mysql', 'mariadb', 'sqlite'], 'select `a``;b` from t; select 2', ['select `a``;b` from t', 'select 2']],
    [['sqlite'], 'select [a;b] from t; select 2', ['select [a;b] from t', 'select 2']],
    [['postgresql'], 'select arr[1]; select 2', ['select arr[1]', 'select 2']],
    [['postgresql'], 'select $$a;b$$; select 2', ['select $$a;b$$', 'select 2']],
    [['postgresql'], "select $fn$ it's; $$ $fn$; select 2", ["select $fn$ it's; $$ $fn$", 'select 2']],
    [['postgresql'], 'select $1, $2; select 3', ['select $1, $2', 'select 3']],
    [['postgresql'], 'select a$b$ from t; select 2', ['select a$b$ from t', 'select 2']],
    [ALL, 'select 1 -- a;b\n; select 2', ['select 1', 'select 2']],
    [ALL, 'select 1 /* a;b */ + 1; select 2', ['select 1 /* a;b */ + 1', 'select 2']],
    [['postgresql'], 'select 1 /* a /* b; */ c; */ + 1; select 2', ['select 1 /* a /* b; */ c; */ + 1', 'select 2']],
    [['mysql', 'mariadb', 'sqlite'], 'select 1 /* a /* b */ + 1; select 2', ['select 1 /* a /* b */ + 1', 'select 2']],
    [['mysql', 'mariadb'], 'select 1 # a;b\n; select 2', ['select 1', 'select 2']],
    [['postgresql'], 'select 5 # 3; select 2', ['select 5 # 3', 'select 2']],
    // MySQL: `--` needs a following space to be a comment: 1--1 is 1 - -1.
    [['mysql', 'mariadb'], 'select 1--1; select 2', ['select 1--1', 'select 2']],
    [['postgresql', 'sqlite'], 'select 1--1; select 2\n; select 3', ['select 1', 'select 3']],
    // A MySQL executable comment is code: a line made only of one is a statement.
    [['mysql', 'mariadb'], '/*!40101 SET NAMES utf8 */;\nselect 1', ['/*!40101 SET NAMES utf8 */', 'select 1']],
    [['mariadb'], '/*M!100100 SET x=1 */; select 1', ['/*M!100100 SET x=1 */', 'select 1']],
    // Unterminated: runs to the end of input, nothing is lost.
    [ALL, "select 'abc; select 2", ["select 'abc; select 2"]],
    [ALL, 'select 1 /* abc; select 2', ['select 1 /* abc; select 2']],
    [ALL, 'select 1; /* abc; select 2', ['select 1', '/* abc; select 2']],
  ];
  for (const [engines, sql, expected] of cases) {
    it.each(engines)(`%s: ${JSON.stringify(sql)}`, (engine) => {
      expect(texts(sql, engine)).toEqual(expected);
    });
  }
});

describe('splitStatements: size', () => {
  // A 15 MB script (the size a data-change ticket must take) splits completely and keeps its
  // line numbers. Its speed is measured by a benchmark, not asserted here.
  it('splits a 15 MB script into every statement, with line numbers', () => {
    const chunk =
      "INSERT INTO t (a, b, c) VALUES (1, 'it''s; a string', \"q;\"), (2, E'x', $$d;q$$); -- note; here\n" +
      '/* block; comment */ UPDATE t SET a = a + 1 WHERE b = \'x\';\n';
    const sql = chunk.repeat(Math.ceil((15 * 1024 * 1024) / chunk.length));
    const out = splitStatements(sql, 'postgresql');
    expect(out.length).toBe((sql.length / chunk.length) * 2);
    expect(out.at(-1)!.line).toBe(out.length);
  });
});

describe('positionAt', () => {
  it('gives 1-based line and column', () => {
    expect(positionAt('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(positionAt('ab\ncd\nef', 6)).toEqual({ line: 3, column: 1 });
  });
});

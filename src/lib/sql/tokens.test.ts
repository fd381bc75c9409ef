import { describe, expect, it } from 'vitest';
import type { Engine } from '../../connectors/connector.js';
import { classifyStatement, type StatementKind } from './statement-kind.js';
import { tablesFromTokens } from './token-tables.js';
import { tokenize } from './tokens.js';

const ALL: Engine[] = ['mysql', 'mariadb', 'postgresql', 'sqlite'];
const kinds = (sql: string, engine: Engine) => tokenize(sql, engine).tokens.map((t) => `${t.kind}:${t.value}`);
const words = (sql: string, engine: Engine) =>
  tokenize(sql, engine)
    .tokens.filter((t) => t.kind === 'word')
    .map((t) => t.value);

describe('tokenize', () => {
  it('gives words upper case with positions, and single-character operators', () => {
    const { tokens } = tokenize('select a.b, c::int from t', 'postgresql');
    expect(tokens.map((t) => `${t.kind}:${t.value}`)).toEqual([
      'word:SELECT', 'word:A', 'op:.', 'word:B', 'op:,', 'word:C', 'op:::', 'word:INT', 'word:FROM', 'word:T',
    ]);
    expect(tokens[1]).toMatchObject({ text: 'a', start: 7, end: 8 });
  });

  it.each(ALL)('%s: no words from strings or comments', (engine) => {
    expect(words("select 'delete from x' /* update t */ -- drop\n, 1", engine)).toEqual(['SELECT']);
  });

  it('quoted identifiers keep their name, without quotes', () => {
    expect(kinds('select "up""date", `x``y` from [my table]', 'sqlite')).toEqual([
      'word:SELECT', 'quoted:up"date', 'op:,', 'quoted:x`y', 'word:FROM', 'quoted:my table',
    ]);
    expect(kinds('select "update"', 'postgresql')).toEqual(['word:SELECT', 'quoted:update']);
  });

  it('MySQL "…" is a string (default sql_mode)', () => {
    expect(kinds('select "update"', 'mysql')).toEqual(['word:SELECT', 'string:"update"']);
  });

  it('PostgreSQL E strings, dollar quotes and parameters', () => {
    expect(kinds("select E'a\\'b', $$x$$, $t$y$t$, $1", 'postgresql')).toEqual([
      "word:SELECT", "string:E'a\\'b'", 'op:,', 'string:$$x$$', 'op:,', 'string:$t$y$t$', 'op:,', 'param:$1',
    ]);
  });

  it('parameters and variables per engine', () => {
    expect(kinds('select ?, :b, @c, $d', 'sqlite').filter((k) => k.startsWith('param'))).toEqual([
      'param:?', 'param::b', 'param:@c', 'param:$d',
    ]);
    expect(kinds("select @a, @@version, @'x y', ?", 'mysql').filter((k) => k.startsWith('param'))).toEqual([
      'param:@a', 'param:@@version', "param:@'x y'", 'param:?',
    ]);
  });

  it('MySQL: `--` without a space is not a comment; `#` is', () => {
    expect(words('select 1--1 for update', 'mysql')).toEqual(['SELECT', 'FOR', 'UPDATE']);
    expect(words('select 1 # for update', 'mysql')).toEqual(['SELECT']);
    expect(words('select 1 # 2 for update', 'postgresql')).toEqual(['SELECT', 'FOR', 'UPDATE']);
  });

  it('MySQL executable comments are one token', () => {
    expect(kinds('select 1 /*!50000 for update */', 'mysql')).toEqual([
      'word:SELECT', 'number:1', 'executable-comment:/*!50000 for update */',
    ]);
    expect(kinds('select 1 /*! x */', 'postgresql')).toEqual(['word:SELECT', 'number:1']);
  });

  it('reports the first unterminated string, identifier or comment', () => {
    expect(tokenize("select 'abc", 'postgresql').unterminated).toEqual({ kind: 'string', start: 7 });
    expect(tokenize('select "abc', 'postgresql').unterminated).toEqual({ kind: 'identifier', start: 7 });
    expect(tokenize('select 1 /* x', 'mysql').unterminated).toEqual({ kind: 'comment', start: 9 });
    expect(tokenize('select 1', 'mysql').unterminated).toBeNull();
  });

  it('numbers, including exponents and hex', () => {
    expect(kinds('select 1.5e-3, .5, 0x1F', 'mysql')).toEqual([
      'word:SELECT', 'number:1.5e-3', 'op:,', 'number:.5', 'op:,', 'number:0x1F',
    ]);
  });
});

describe('classifyStatement', () => {
  const cases: [string, StatementKind, string | null][] = [
    ['select 1', 'query', 'SELECT'],
    ['((select 1))', 'query', 'SELECT'],
    ['with x as (select 1), y (a) as (select 2) select * from x', 'query', 'SELECT'],
    ['with recursive x as (select 1) select * from x', 'query', 'SELECT'],
    ['with x as materialized (select 1) select * from x', 'query', 'SELECT'],
    ['with x as (select 1) delete from t', 'dml', 'DELETE'],
    ['values (1)', 'query', 'VALUES'],
    ['table t', 'query', 'TABLE'],
    ['insert into t values (1)', 'dml', 'INSERT'],
    ['create table t (a int)', 'ddl', 'CREATE'],
    ['grant select on t to u', 'privileges', 'GRANT'],
    ['set a = 1', 'session', 'SET'],
    ['begin', 'transaction', 'BEGIN'],
    ['call p()', 'routine', 'CALL'],
    ['copy t to stdout', 'data-transfer', 'COPY'],
    ['lock table t', 'lock', 'LOCK'],
    ['explain select 1', 'explain', 'EXPLAIN'],
    ['explain analyze select 1', 'explain-analyze', 'EXPLAIN'],
    ['explain (analyze, buffers) select 1', 'explain-analyze', 'EXPLAIN'],
    ['explain (analyze false) select 1', 'explain', 'EXPLAIN'],
    ['analyze select 1', 'explain-analyze', 'ANALYZE'],
    ['analyze t', 'maintenance', 'ANALYZE'],
    ['show tables', 'show', 'SHOW'],
    ['frobnicate', 'unknown', 'FROBNICATE'],
    ['42', 'unknown', null],
  ];
  it.each(cases)('%s → %s', (sql, kind, keyword) => {
    expect(classifyStatement(tokenize(sql, 'postgresql').tokens)).toMatchObject({ kind, keyword });
  });
});

describe('tablesFromTokens', () => {
  const cases: [Engine, string, string[]][] = [
    ['postgresql', 'select * from t', ['t']],
    ['postgresql', 'select * from Shop.Orders o, "Public"."X" x', ['shop.orders', 'Public.X']],
    ['mysql', 'select * from `shop`.`Orders` o join b on o.id = b.id left join c using (id)', ['shop.Orders', 'b', 'c']],
    ['postgresql', 'select * from only t, lateral (select * from u where u.id = t.id) x', ['t', 'u']],
    ['postgresql', 'select * from generate_series(1, 3) g(n), t', ['t']],
    ['postgresql', 'select extract(year from d), substring(a from 2 for 3) from t where a is distinct from b', ['t']],
    ['postgresql', 'with x as (select * from a) select * from x join b on true', ['a', 'b']],
    ['postgresql', 'select * from (select * from a) s where exists (select 1 from b)', ['a', 'b']],
    ['postgresql', 'table public.t', ['public.t']],
    ['postgresql', 'select 1 union table u', ['u']],
    ['mysql', 'select * from t use index (i1), u force key for join (i2), v', ['t', 'u', 'v']],
    ['mysql', 'select * from t partition (p1) as a', ['t']],
    ['sqlite', 'select * from [my table] indexed by i, main.u', ['my table', 'main.u']],
    ['postgresql', 'select * from a.b.c', ['a.b.c']],
    ['postgresql', 'select * from t tablesample system (10) repeatable (1), u', ['t', 'u']],
    ['postgresql', 'select * from a left join b on a.id = b.id, c join d using (id), e', ['a', 'b', 'c', 'd', 'e']],
    ['mysql', 'select * from (a join b on a.id = b.id), (c)', ['a', 'b', 'c']],
    ['mysql', 'select a, b from t where x in (1, 2) group by a, b order by a, b limit 1, 2', ['t']],
    ['postgresql', 'with x as (select 1), y as (select 2) select * from x, y, z', ['z']],
    ['mysql', 'select 1 from dual', []],
  ];
  it.each(cases)('%s: %s', (engine, sql, expected) => {
    const got = tablesFromTokens(tokenize(sql, engine).tokens, engine).map((t) => (t.schema ? `${t.schema}.${t.name}` : t.name));
    expect(got).toEqual(expected);
  });
});

import { describe, expect, it } from 'vitest';
import type { Engine } from '../../connectors/connector.js';
import { checkExportSql } from './read-only-check.js';

const ALL: Engine[] = ['mysql', 'mariadb', 'postgresql', 'sqlite'];
const MY: Engine[] = ['mysql', 'mariadb'];
const PG: Engine[] = ['postgresql'];
const LITE: Engine[] = ['sqlite'];

function one(sql: string, engine: Engine) {
  const r = checkExportSql(sql, engine);
  expect(r.statements).toHaveLength(1);
  return r.statements[0]!;
}

/** Read-only queries every check must accept. */
const ACCEPTED: [Engine[], string][] = [
  [ALL, 'select 1'],
  [ALL, 'select a, b from t where a > 1 order by b desc limit 10'],
  [ALL, 'select * from a join b on a.id = b.id left join c on c.id = b.cid'],
  [ALL, 'select * from t where id in (select id from u where u.x = 1)'],
  [ALL, 'select * from (select a from t) s'],
  [ALL, 'select (select max(a) from u) as m from t'],
  [ALL, 'with x as (select a from t) select * from x'],
  [ALL, 'with recursive r(n) as (select 1 union all select n + 1 from r where n < 10) select * from r'],
  [ALL, 'select a from t union select a from u'],
  [ALL, 'select a from t union all select a from u order by 1'],
  [ALL, '(select a from t) union (select b from u)'],
  [ALL, 'select a from t intersect select a from u'],
  [ALL, 'select a from t except select a from u'],
  [ALL, 'select count(*), b from t group by b having count(*) > 1'],
  [ALL, 'select a, row_number() over (partition by b order by c) as rn from t'],
  [ALL, "select case when a > 1 then 'x' else 'y' end from t"],
  [ALL, 'select coalesce(a, 0), cast(b as integer) from t'],
  [ALL, 'select a from t where exists (select 1 from u where u.id = t.id)'],
  [ALL, 'select distinct a from t'],
  [ALL, "select a from t where a like '%x%' and b between 1 and 2 and c is not null"],
  [ALL, "select replace(a, 'x', 'y') from t"],
  [ALL, 'select * from t1, t2 where t1.id = t2.id'],
  [ALL, 'select 1;'],
  [PG, "select data->>'name', data->'a'->>'b' from t"],
  [PG, "select (data->>'n')::int, a::text, b::numeric(10,2) from t"],
  [PG, "select * from t where ts > now() - '1 day'::interval"],
  [PG, 'select distinct on (a) a, b from t order by a, b'],
  [PG, 'select * from t, lateral (select * from u where u.id = t.id) x'],
  [PG, 'select * from t cross join lateral generate_series(1, t.n) g'],
  [PG, 'select sum(a) over (order by c rows between unbounded preceding and current row) from t'],
  [PG, "select sum(a) over (order by c range between interval '1 day' preceding and current row) from t"],
  [PG, 'select count(*) filter (where a > 1) from t'],
  [PG, 'select percentile_cont(0.5) within group (order by a) from t'],
  [PG, 'select a from t fetch first 10 rows only'],
  [PG, 'select a, b, count(*) from t group by grouping sets ((a), (b))'],
  [PG, 'select substring(a from 1 for 2) from t'],
  [PG, 'table t'],
  [PG, 'table public.t'],
  [PG, "values (1, 'a'), (2, 'b')"],
  [PG, 'select * from (values (1), (2)) v(x)'],
  [PG, 'select * from only t'],
  [PG, String.raw`select E'it\'s', $$dollar; quoted$$, 'a' || 'b'`],
  [PG, 'select "update", "delete" from "select"'],
  [PG, 'select * from unnest(array[1, 2]) with ordinality as u(x, n)'],
  [PG, "select a from t where tsv @@ to_tsquery('x')"],
  [PG, 'with a as materialized (select 1) select * from a'],
  [PG, 'select 1 as delete'],
  [PG, "select jsonb_path_query(data, '$.a') from t"],
  [PG, `select x from t where data ? 'a' and data @> '{"a":1}'`],
  [PG, "select now() - interval '1 day'"],
  [PG, 'select a from t order by a nulls last limit 10 offset 5'],
  [PG, 'select * from public.t join shop.orders o using (id)'],
  [PG, 'select count(distinct a) from t'],
  [PG, 'select a from t where a = any(array[1, 2])'],
  [PG, 'select pg_sleep(1)'],
  [PG, "select a from t where b ilike 'x%'"],
  [PG, 'select * from t tablesample system (10)'],
  [PG, 'select a from t where b is distinct from c'],
  [PG, 'select a, b from t order by a using <'],
  [PG, `select * from t where a = 'x' collate "C"`],
  [PG, 'select 5 # 3'],
  [PG, 'select jsonb_agg(t) from t'],
  [MY, 'select `a`, `b` from `shop`.`orders` limit 10, 20'],
  [['mysql'], "select j->>'$.name', j->'$.a' from t"],
  [MY, "select json_extract(j, '$.a') from t"],
  [MY, 'select a from t use index (i1)'],
  [MY, 'select * from t1 natural join t2'],
  [MY, `select * from json_table('[1]', '$[*]' columns (x int path '$')) as jt`],
  [MY, "select group_concat(a order by a separator ',') from t"],
  [MY, 'select a from t group by a with rollup'],
  [MY, 'select if(a, 1, 2), ifnull(b, 0) from t'],
  [MY, "select date_format(now(), '%Y') from dual"],
  [MY, String.raw`select 'a\'b', "x""y"`],
  [MY, 'select "update" from t'],
  [MY, 'select t.update from t'],
  [MY, 'select 1 # for update'],
  [MY, "select insert(a, 1, 2, 'x') from t"],
  [MY, 'select @@version'],
  [MY, "select * from t where a regexp '^x'"],
  [MY, 'select /*+ MAX_EXECUTION_TIME(1000) */ a from t'],
  [MY, 'select convert(a using utf8mb4) from t'],
  [MY, 'select sleep(1)'],
  [MY, 'select sum(a) over (order by c rows between 1 preceding and current row) from t'],
  [MY, 'select straight_join a from t'],
  [MY, 'select a from t partition (p1)'],
  [MY, 'select 1--1'],
  [['mysql'], 'values row(1, 2), row(3, 4)'],
  [['mysql'], 'table t'],
  [LITE, 'select a || b from t'],
  [LITE, 'select * from t limit 5, 10'],
  [LITE, 'select * from t limit 10 offset 5'],
  [LITE, "select json_extract(j, '$.a'), j ->> '$.a' from t"],
  [LITE, 'select [a b] from [my table]'],
  [LITE, 'select `a` from `t`'],
  [LITE, 'select row_number() over (order by a) from t'],
  [LITE, 'select * from t indexed by i'],
  [LITE, 'values (1), (2)'],
  [LITE, "select * from json_each('[1,2]')"],
  [LITE, "select printf('%d', a), iif(a, 1, 2) from t"],
  [LITE, "select strftime('%Y', 'now')"],
  [LITE, 'select * from main.t'],
  [LITE, 'select * from t where a is not distinct from b'],
  [LITE, "select * from t where a glob 'x*'"],
];

/**
 * node-sql-parser 5.4 cannot parse these (valid, read-only) statements, so they are accepted by the
 * lexical fallback with `parsed: false`. When an upgrade of the parser makes one parse, this test
 * fails: remove the line.
 */
const PARSER_GAPS: [Engine, string][] = [
  ['sqlite', 'select a from t intersect select a from u'],
  ['sqlite', 'select a from t except select a from u'],
  ['sqlite', 'select row_number() over (order by a) from t'],
  ['sqlite', 'select [a b] from [my table]'],
  ['sqlite', 'select * from t indexed by i'],
  ['sqlite', 'values (1), (2)'],
  ['sqlite', 'select * from t where a is not distinct from b'],
  ['postgresql', "select sum(a) over (order by c range between interval '1 day' preceding and current row) from t"],
  ['postgresql', 'select a from t fetch first 10 rows only'],
  ['postgresql', 'select a, b, count(*) from t group by grouping sets ((a), (b))'],
  ['postgresql', 'select substring(a from 1 for 2) from t'],
  ['postgresql', 'table t'],
  ['postgresql', 'table public.t'],
  ['postgresql', "values (1, 'a'), (2, 'b')"],
  ['postgresql', 'select * from unnest(array[1, 2]) with ordinality as u(x, n)'],
  ['postgresql', "select a from t where tsv @@ to_tsquery('x')"],
  ['postgresql', 'with a as materialized (select 1) select * from a'],
  ['postgresql', 'select 1 as delete'],
  ['postgresql', 'select a, b from t order by a using <'],
  ['postgresql', `select * from t where a = 'x' collate "C"`],
  ['postgresql', 'select 5 # 3'],
  ['mysql', 'select a from t use index (i1)'],
  ['mariadb', 'select a from t use index (i1)'],
  ['mysql', 'select * from t1 natural join t2'],
  ['mariadb', 'select * from t1 natural join t2'],
  ['mysql', `select * from json_table('[1]', '$[*]' columns (x int path '$')) as jt`],
  ['mariadb', `select * from json_table('[1]', '$[*]' columns (x int path '$')) as jt`],
  ['mysql', 'select straight_join a from t'],
  ['mysql', 'select a from t partition (p1)'],
  ['mariadb', 'select a from t partition (p1)'],
  ['mysql', 'values row(1, 2), row(3, 4)'],
  ['mysql', 'table t'],
];
const isGap = (engine: Engine, sql: string) => PARSER_GAPS.some(([e, s]) => e === engine && s === sql);

describe('checkExportSql: accepted read-only queries', () => {
  for (const [engines, sql] of ACCEPTED) {
    it.each(engines)(`%s: ${sql}`, (engine) => {
      const s = one(sql, engine);
      expect(s.reason).toBeUndefined();
      expect(s.ok).toBe(true);
      expect(s.parsed).toBe(!isGap(engine, sql));
    });
  }

  it('every parser gap is in the accepted list', () => {
    for (const [engine, sql] of PARSER_GAPS) {
      expect(ACCEPTED.some(([es, s]) => s === sql && es.includes(engine))).toBe(true);
    }
  });
});

describe('checkExportSql: words inside strings, comments and quoted identifiers', () => {
  const cases: [Engine[], string][] = [
    [ALL, "select 'delete from x' as note"],
    [ALL, "select 'select * from t for update' as sql_text"],
    [ALL, "select 'pg_terminate_backend(1); get_lock(1); load_extension(1)'"],
    [ALL, 'select 1 -- for update'],
    [ALL, 'select 1 /* insert into t values (1); drop table t */'],
    [ALL, "select a from t where b = 'INSERT INTO x VALUES (1)'"],
    [ALL, '-- drop table t\nselect 1'],
    [['postgresql', 'sqlite'], 'select "update", "into" from "delete"'],
    [['postgresql', 'sqlite'], 'select "pg_terminate_backend", "load_extension" from t'],
    [MY, 'select `update`, `into` from `delete`'],
    [MY, 'select "drop table t" as x'],
    [MY, 'select 1 # lock tables t write'],
    [LITE, 'select [delete] from [drop]'],
    [PG, "select $$ drop table t; $$, $x$ for update $x$"],
    [PG, String.raw`select E'\'; delete from t' as x`],
    [PG, "select a as \"for\" from t /* nested /* for update */ still a comment */"],
    // The parser fails on FETCH FIRST, so the lexical fallback runs: it must not see these words either.
    [PG, "select 'delete', \"update\" from t /* drop */ fetch first 1 rows only -- for update"],
  ];
  for (const [engines, sql] of cases) {
    it.each(engines)(`%s: ${JSON.stringify(sql)}`, (engine) => {
      const s = one(sql, engine);
      expect(s.reason).toBeUndefined();
      expect(s.ok).toBe(true);
    });
  }
});

/** [engines, sql, what the reason must mention] */
const REFUSED: [Engine[], string, string | RegExp][] = [
  // Data changes
  [ALL, 'insert into t values (1)', 'INSERT changes data'],
  [ALL, 'update t set a = 1', 'UPDATE changes data'],
  [ALL, 'delete from t', 'DELETE changes data'],
  [MY, 'replace into t values (1)', 'REPLACE changes data'],
  [LITE, 'insert or replace into t values (1)', 'INSERT changes data'],
  [PG, 'merge into t using u on t.id = u.id when matched then delete', 'MERGE changes data'],
  [PG, 'insert into t values (1) on conflict do nothing', 'INSERT changes data'],
  [ALL, 'with x as (select 1) delete from t', 'WITH … DELETE changes data'],
  [MY, 'with x as (select 1) update t set a = 1', 'WITH … UPDATE changes data'],
  // DDL
  [ALL, 'create table x (a int)', 'CREATE changes the database schema'],
  [ALL, 'create table x as select * from t', 'CREATE changes the database schema'],
  [ALL, 'drop table t', 'DROP changes the database schema'],
  [ALL, 'alter table t add column b int', 'ALTER changes the database schema'],
  [['mysql', 'mariadb', 'postgresql'], 'truncate table t', 'TRUNCATE deletes every row of the table'],
  [MY, 'rename table a to b', 'RENAME changes the database schema'],
  [PG, 'comment on table t is $$x$$', 'COMMENT changes the database schema'],
  // Privileges
  [['mysql', 'mariadb', 'postgresql'], 'grant select on t to u', 'GRANT changes privileges'],
  [['mysql', 'mariadb', 'postgresql'], 'revoke select on t from u', 'REVOKE changes privileges'],
  // Session and transactions
  [MY, 'set @a = 1', 'SET changes the session'],
  [MY, 'set names utf8mb4', 'SET changes the session'],
  [PG, 'set search_path = x', 'SET changes the session'],
  [PG, 'reset all', 'RESET changes the session'],
  [MY, 'use otherdb', 'USE changes the session'],
  [LITE, 'pragma writable_schema = 1', 'PRAGMA changes the session'],
  [LITE, "attach database '/tmp/x.db' as x", 'ATTACH changes the session'],
  [LITE, 'detach x', 'DETACH changes the session'],
  [ALL, 'begin', 'BEGIN controls transactions'],
  [ALL, 'commit', 'COMMIT controls transactions'],
  [ALL, 'rollback', 'ROLLBACK controls transactions'],
  [MY, 'start transaction', 'START controls transactions'],
  [PG, 'start transaction read write', 'START controls transactions'],
  [ALL, 'savepoint a', 'SAVEPOINT controls transactions'],
  // Routines, data transfer, locks
  [['mysql', 'mariadb', 'postgresql'], 'call p()', 'CALL runs stored or prepared code'],
  [PG, 'do $$ begin delete from t; end $$', 'DO runs stored or prepared code'],
  [MY, 'do sleep(1)', 'DO runs stored or prepared code'],
  [PG, 'execute p', 'EXECUTE runs stored or prepared code'],
  [MY, 'execute s using @a', 'EXECUTE runs stored or prepared code'],
  [PG, 'prepare p as select 1', 'PREPARE runs stored or prepared code'],
  [MY, "prepare s from 'delete from t'", 'PREPARE runs stored or prepared code'],
  [MY, 'handler t open', 'HANDLER moves data'],
  [MY, "load data infile '/tmp/x' into table t", 'LOAD moves data'],
  [PG, 'copy t to stdout', 'COPY moves data'],
  [PG, "copy (select 1) to '/tmp/x'", 'COPY moves data'],
  [MY, 'lock tables t read', 'LOCK takes or releases table locks'],
  [MY, 'unlock tables', 'UNLOCK takes or releases table locks'],
  [PG, 'lock table t in access exclusive mode', 'LOCK takes or releases table locks'],
  // Not exportable
  [['mysql', 'mariadb', 'postgresql'], 'explain select 1', 'EXPLAIN shows a query plan; it is not a query whose result can be exported'],
  [LITE, 'explain query plan select 1', 'EXPLAIN shows a query plan'],
  [MY, 'describe t', 'DESCRIBE describes a table or a query plan; it is not a query whose result can be exported'],
  [MY, 'desc select * from t', 'DESC describes'],
  [['mysql', 'postgresql'], 'explain analyze select 1', 'EXPLAIN ANALYZE runs the statement it explains'],
  [PG, 'explain (analyze, buffers) delete from t', 'EXPLAIN ANALYZE runs the statement it explains'],
  [['mariadb'], 'analyze select * from t', 'ANALYZE runs the statement it explains'],
  [MY, 'show tables', 'SHOW is not a query whose result can be exported'],
  [PG, 'vacuum t', 'VACUUM is a maintenance command'],
  [PG, 'notify ch', 'NOTIFY is a maintenance command'],
  [['postgresql', 'sqlite'], 'analyze t', 'ANALYZE is a maintenance command'],
  [ALL, 'frobnicate t', 'A statement starting with FROBNICATE is not a read-only query'],
  // Row locks
  [ALL, 'select * from t for update', 'FOR UPDATE locks the rows it reads'],
  [ALL, 'select * from t for share', 'FOR SHARE locks the rows it reads'],
  [PG, 'select * from t for no key update', 'FOR NO KEY UPDATE locks'],
  [PG, 'select * from t for key share', 'FOR KEY SHARE locks'],
  [['mysql', 'postgresql'], 'select * from t for update nowait', 'FOR UPDATE NOWAIT locks'],
  [['mysql', 'postgresql'], 'select * from t for share skip locked', 'FOR SHARE SKIP LOCKED locks'],
  [PG, 'select * from t for update of t skip locked', 'FOR UPDATE locks'],
  [MY, 'select * from t lock in share mode', 'LOCK IN SHARE MODE locks'],
  [MY, 'select * from (select * from t for update) s', 'FOR UPDATE locks'],
  [MY, 'select 1 from dual for update', 'FOR UPDATE locks'],
  // node-sql-parser reads `--1` as a comment; MySQL does not (it is minus minus one).
  [MY, 'select a from t where x = 1--1 for update', 'FOR UPDATE locks'],
  // INTO
  [PG, 'select a into newtable from t', 'SELECT … INTO newtable creates a table'],
  [PG, 'select a into temp newtable from t', 'SELECT … INTO TEMP newtable creates a table'],
  [PG, 'select * into unlogged table x from t', 'SELECT … INTO UNLOGGED TABLE x creates a table'],
  [MY, 'select a into @v from t', 'SELECT … INTO @v stores the result in variables'],
  [MY, 'select a from t into @v', 'SELECT … INTO @v stores the result in variables'],
  [MY, 'select a, b from t into @x, @y for update', 'INTO @x'],
  [MY, "select a from t into outfile '/tmp/x'", 'SELECT … INTO OUTFILE writes a file on the database server'],
  [MY, "select a into outfile '/tmp/x' fields terminated by ',' from t", 'SELECT … INTO OUTFILE'],
  [MY, "select a from t into dumpfile '/tmp/x'", 'SELECT … INTO DUMPFILE writes a file'],
  // PostgreSQL data-modifying CTEs
  [PG, 'with d as (delete from t returning *) select * from d', 'The WITH query "d" runs DELETE, which changes data'],
  [PG, 'with d as (insert into t values (1) returning *) select * from d', 'The WITH query "d" runs INSERT, which changes data'],
  [PG, 'with d as (update t set a = 1 returning *) select * from d', 'The WITH query "d" runs UPDATE, which changes data'],
  [PG, 'with x as (select 1), d as (delete from t returning *) select * from x', 'The WITH query "d" runs DELETE'],
  [PG, 'with a as (with d as (delete from t returning *) select * from d) select * from a', 'The WITH query "d" runs DELETE'],
  [PG, 'select * from (with d as (delete from t returning *) select * from d) s', 'The WITH query "d" runs DELETE'],
  [PG, 'with "D" as (delete from t returning *) select 1', 'The WITH query "D" runs DELETE'],
  [PG, 'with m as (merge into t using u on true when matched then delete returning *) select * from m', 'The WITH query "m" runs MERGE'],
  [PG, 'with d as (delete from t returning *) select * from d fetch first 1 rows only', 'The WITH query "d" runs DELETE'],
  [PG, 'with d as (insert into t values (1) returning *) select * from d fetch first 1 rows only', 'The WITH query "d" runs INSERT'],
  // Functions acting outside the query
  [PG, 'select pg_terminate_backend(123)', 'pg_terminate_backend() ends or cancels another session'],
  [PG, 'select pg_catalog.pg_terminate_backend(pid) from pg_stat_activity', 'pg_terminate_backend()'],
  [PG, 'select "pg_terminate_backend"(123)', 'pg_terminate_backend()'],
  [PG, 'select PG_CANCEL_BACKEND(123)', 'pg_cancel_backend()'],
  [PG, 'select pg_reload_conf()', 'pg_reload_conf() acts on the database server'],
  [PG, 'select pg_rotate_logfile()', 'pg_rotate_logfile()'],
  [PG, "select set_config('search_path', 'x', false)", 'set_config() changes a server setting'],
  [PG, 'select pg_advisory_lock(1)', 'pg_advisory_lock() takes or releases an advisory lock'],
  [PG, 'select pg_try_advisory_xact_lock_shared(1)', 'pg_try_advisory_xact_lock_shared()'],
  [PG, 'select pg_advisory_unlock_all()', 'pg_advisory_unlock_all()'],
  [PG, "select lo_import('/etc/passwd')", 'lo_import()'],
  [PG, "select lo_export(1, '/tmp/x')", 'lo_export()'],
  [PG, 'select lo_unlink(1)', 'lo_unlink()'],
  [PG, "select pg_read_file('postgresql.conf')", 'pg_read_file() reads files'],
  [PG, "select pg_read_binary_file('x')", 'pg_read_binary_file()'],
  [PG, "select * from pg_ls_dir('.')", 'pg_ls_dir()'],
  [PG, "select pg_stat_file('x')", 'pg_stat_file()'],
  [PG, "select * from dblink('host=x', 'select 1') as t(a int)", 'dblink() connects to another database'],
  [PG, "select dblink_exec('host=x', 'delete from t')", 'dblink_exec()'],
  [PG, "select nextval('s')", 'nextval() changes a sequence'],
  [MY, "select get_lock('a', 10)", 'get_lock() takes or releases a named lock'],
  [MY, "select release_lock('a')", 'release_lock()'],
  [MY, 'select release_all_locks()', 'release_all_locks()'],
  [MY, "select load_file('/etc/passwd')", 'load_file() reads a file'],
  [MY, "select benchmark(100000000, md5('a'))", 'benchmark() is a load-generation tool'],
  [MY, "select `get_lock`('a', 1)", 'get_lock()'],
  [LITE, "select load_extension('/tmp/x.so')", 'load_extension() loads native code'],
  [LITE, "select writefile('/tmp/x', 'y')", 'writefile() writes a file'],
  [LITE, "select readfile('/etc/passwd')", 'readfile() reads a file'],
  // A deny-listed function in a statement the parser cannot parse is still found.
  [PG, 'select pg_terminate_backend(pid) from pg_stat_activity fetch first 1 rows only', 'pg_terminate_backend()'],
  // Executable comments, unterminated input
  [MY, 'select a from t /*! for update */', 'The executable comment /*! … */ is run by the server as SQL'],
  [MY, 'select 1 /*!50000 , sleep(10) */', 'executable comment'],
  [['mariadb'], 'select 1 /*M! , 2 */', 'executable comment'],
  [ALL, "select 'abc", 'A string literal is never closed'],
  [['postgresql', 'sqlite'], 'select "abc', 'A quoted identifier is never closed'],
  [ALL, 'select 1 /* abc', 'A comment is never closed'],
  [ALL, '(1)', 'The statement does not start with a keyword'],
  [PG, 'with x as select 1', 'The WITH clause could not be read'],
];

describe('checkExportSql: refused statements', () => {
  for (const [engines, sql, mention] of REFUSED) {
    it.each(engines)(`%s: ${sql}`, (engine) => {
      const s = one(sql, engine);
      expect(s.ok).toBe(false);
      expect(s.reason).toMatch(/^Statement 1 \(line 1\): /);
      if (typeof mention === 'string') expect(s.reason).toContain(mention);
      else expect(s.reason).toMatch(mention);
    });
  }
});

describe('checkExportSql: lexical fallback (the parser failed)', () => {
  // All of these fail to parse (FETCH FIRST / USE INDEX / INDEXED BY are parser gaps), so only the words decide.
  const refused: [Engine, string, string][] = [
    ['postgresql', 'select a from t where a in (select b from u for update) fetch first 1 rows only', 'FOR UPDATE locks'],
    ['postgresql', 'select a into x from t fetch first 1 rows only', 'SELECT … INTO x creates a table'],
    ['mysql', 'select a from t use index (i) where b = (select copy from u)', 'The keyword COPY'],
    ['mysql', 'select a from t use index (i) lock in share mode', 'LOCK IN SHARE MODE'],
    ['sqlite', 'select a from t indexed by i where b = (select drop from u)', 'The keyword DROP'],
    ['postgresql', 'select update from t fetch first 1 rows only', 'UPDATE changes data'],
  ];
  it.each(refused)('%s: %s', (engine, sql, mention) => {
    const s = one(sql, engine);
    expect(s.parsed).toBe(false);
    expect(s.ok).toBe(false);
    expect(s.reason).toContain(mention);
  });

  it('tells how to quote a keyword used as a name', () => {
    expect(one('select update from t fetch first 1 rows only', 'postgresql').reason).toContain('quote it as "update"');
    expect(one('select a from t use index (i) where b = (select copy from u)', 'mysql').reason).toContain('quote it as `copy`');
  });

  it('accepts keywords after a dot or AS, and REPLACE()/INSERT() calls', () => {
    for (const sql of [
      'select t.update, t.delete from t fetch first 1 rows only',
      'select 1 as delete, 2 as update fetch first 1 rows only',
      "select replace(a, 'x', 'y') from t fetch first 1 rows only",
    ]) {
      expect(one(sql, 'postgresql')).toMatchObject({ ok: true, parsed: false });
    }
  });
});

describe('checkExportSql: several statements', () => {
  it('one check per statement, with 1-based index and line', () => {
    const sql = 'select 1;\nselect 2;\n\ndelete from t;\n  -- a comment\n  select 3';
    const r = checkExportSql(sql, 'mysql');
    expect(r.ok).toBe(false);
    expect(r.statements.map((s) => [s.index, s.line, s.ok, s.sql])).toEqual([
      [1, 1, true, 'select 1'],
      [2, 2, true, 'select 2'],
      [3, 4, false, 'delete from t'],
      [4, 6, true, 'select 3'],
    ]);
    expect(r.statements[2]!.reason).toBe(
      'Statement 3 (line 4): DELETE changes data. An export may only contain read-only queries (SELECT, WITH … SELECT, VALUES or TABLE).',
    );
  });

  it('all read-only: ok', () => {
    const r = checkExportSql('select * from a;\nselect * from b;', 'postgresql');
    expect(r.ok).toBe(true);
    expect(r.statements).toHaveLength(2);
  });

  it('a construct on a later line than its statement start names that line too', () => {
    const r = checkExportSql('select 1;\nselect a\nfrom t\nfor update', 'postgresql');
    expect(r.statements[1]!.reason).toMatch(/^Statement 2 \(line 2\): FOR UPDATE \(line 4\) locks/);
  });

  it('no statement at all: not ok, no checks', () => {
    expect(checkExportSql('', 'mysql')).toEqual({ statements: [], ok: false });
    expect(checkExportSql(' -- nothing\n;; /* here */ ', 'postgresql')).toEqual({ statements: [], ok: false });
  });

  it('a semicolon inside a string does not split', () => {
    const r = checkExportSql("select 'a; delete from t' as x; select 2", 'sqlite');
    expect(r.ok).toBe(true);
    expect(r.statements.map((s) => s.sql)).toEqual(["select 'a; delete from t' as x", 'select 2']);
  });
});

describe('checkExportSql: tables', () => {
  const cases: [Engine, string, string[], boolean][] = [
    ['mysql', 'select * from shop.orders o join customers c on c.id = o.cid', ['shop.orders', 'customers'], true],
    ['mariadb', 'select * from `shop`.`orders` where id in (select order_id from `shop`.`items`)', ['shop.items', 'shop.orders'], true],
    ['postgresql', 'with x as (select * from public.t) select * from x join u on true', ['public.t', 'u'], true],
    ['postgresql', 'select * from Public.Orders, "Mixed"."Case"', ['public.orders', 'Mixed.Case'], true],
    ['postgresql', 'select * from only t', ['t'], true],
    ['postgresql', 'select * from public.t fetch first 1 rows only', ['public.t'], false],
    ['postgresql', 'with x as materialized (select * from a) select * from x, b', ['a', 'b'], false],
    ['postgresql', 'table shop.orders', ['shop.orders'], false],
    ['postgresql', 'select * from generate_series(1, 3) g', [], true],
    ['sqlite', 'select * from main.t, u', ['main.t', 'u'], true],
    ['sqlite', 'select * from [my table] indexed by i', ['my table'], false],
    ['mysql', 'select * from t use index (i), shop.u', ['t', 'shop.u'], false],
    ['mysql', 'with x as (select 1) select * from x', [], true],
    ['mysql', 'select 1', [], true],
    // The PostgreSQL grammar reads `ON a = b, c` as a list in ON; the lexical scan still finds c.
    ['postgresql', 'select * from t left join s.k on t.id = k.id, s.l', ['t', 's.k', 's.l'], true],
    ['mysql', 'select (select max(x) from o1.a) from t where exists (select 1 from o2.b) order by (select 1 from o3.c)', ['t', 'o1.a', 'o2.b', 'o3.c'], true],
    ['mysql', 'select a from t union select a from o.h', ['t', 'o.h'], true],
  ];
  it.each(cases)('%s: %s', (engine, sql, expected, parsed) => {
    const s = one(sql, engine);
    expect(s.ok).toBe(true);
    expect(s.parsed).toBe(parsed);
    expect(s.tables.map((t) => (t.schema ? `${t.schema}.${t.name}` : t.name)).sort()).toEqual([...expected].sort());
  });
});

describe('checkExportSql: the other reading of backslashes', () => {
  it('MySQL: a construct hidden by \\\' under NO_BACKSLASH_ESCAPES is refused, with the reason', () => {
    const s = one(String.raw`select 'a\' for update -- '`, 'mysql');
    expect(s.ok).toBe(false);
    expect(s.reason).toContain('FOR UPDATE locks');
    expect(s.reason).toContain('NO_BACKSLASH_ESCAPES');
    expect(one(String.raw`select 'a\', get_lock('x', 1) -- '`, 'mariadb').reason).toContain('get_lock()');
  });

  it('PostgreSQL: a construct hidden by \\\' under standard_conforming_strings off is refused', () => {
    // Standard reading: one string ('' is a quote). With backslash escapes: "a'" then a call.
    const s = one(String.raw`select 'a\'', pg_terminate_backend(1) --'`, 'postgresql');
    expect(s.ok).toBe(false);
    expect(s.reason).toContain('standard_conforming_strings');
  });

  it('ordinary backslashes in strings are accepted', () => {
    expect(one(String.raw`select * from t where name = 'O\'Brien' or path like 'C:\\%'`, 'mysql').ok).toBe(true);
    expect(one(String.raw`select * from t where a ~ '\d+' and b = E'\n'`, 'postgresql').ok).toBe(true);
  });
});

describe('checkExportSql: deny-listed functions in disguise', () => {
  it.each([
    String.raw`select U&"\0070g_terminate_backend"(1)`,
    String.raw`select u&"!0070g_terminate_backend" uescape '!' (1)`,
    String.raw`select pg_catalog.U&"pg\+00005fterminate_backend"(1)`,
    'select pg_terminate_backend /* a comment */ (1)',
    'select * from t where pg_terminate_backend(pid)',
    'select * from rows from (pg_terminate_backend(1))',
  ])('postgresql: %s', (sql) => {
    expect(one(sql, 'postgresql').reason).toContain('pg_terminate_backend()');
  });

  it('a function merely named like one, but not called, is fine', () => {
    expect(one('select pg_terminate_backend from t', 'postgresql').ok).toBe(true);
    expect(one('select t.get_lock from t', 'mysql').ok).toBe(true);
  });
});

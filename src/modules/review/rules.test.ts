import { describe, expect, it } from 'vitest';
import type { Engine } from '../../connectors/connector.js';
import { reviewDml } from './engine.js';
import { keyed, testContext, type TestContextOptions } from './review-context.fixture.js';

const MYSQLISH: Engine[] = ['mysql', 'mariadb'];
const ALL: Engine[] = ['mysql', 'mariadb', 'postgresql', 'sqlite'];
const PG: Engine[] = ['postgresql'];
const SQLITE: Engine[] = ['sqlite'];
const NOT_MYSQL: Engine[] = ['postgresql', 'sqlite'];

interface Case {
  rule: string;
  engines: Engine[];
  sql: string;
  fires: boolean;
  options?: TestContextOptions;
}

const fire = (rule: string, engines: Engine[], sql: string, options?: TestContextOptions): Case => ({ rule, engines, sql, fires: true, ...(options ? { options } : {}) });
const quiet = (rule: string, engines: Engine[], sql: string, options?: TestContextOptions): Case => ({ rule, engines, sql, fires: false, ...(options ? { options } : {}) });

const CASES: Case[] = [
  // 1. dml-no-where
  fire('dml-no-where', ALL, 'delete from t'),
  fire('dml-no-where', ALL, 'update t set a = 1'),
  quiet('dml-no-where', ALL, 'delete from t where id = 1'),
  quiet('dml-no-where', ALL, 'update t set a = 1 where id = 2'),
  fire('dml-no-where', MYSQLISH, 'update t join u on u.id = t.id set t.a = 1'),
  quiet('dml-no-where', MYSQLISH, 'update t join u on u.id = t.id set t.a = 1 where u.k = 3'),
  fire('dml-no-where', MYSQLISH, 'delete from t order by id limit 10'),
  quiet('dml-no-where', MYSQLISH, 'delete from t where k = 1 order by id limit 10'),
  quiet('dml-no-where', PG, 'update t set a = u.a from u where u.id = t.id'),
  fire('dml-no-where', PG, 'delete from t using u'), // token fallback (parser gap)
  quiet('dml-no-where', PG, 'delete from t using u where u.id = t.id'),
  fire('dml-no-where', PG, 'with x as (select id from u where k = 1) delete from t'),
  quiet('dml-no-where', PG, 'with x as (select id from u) delete from t where id in (select id from x)'),
  quiet('dml-no-where', ALL, 'insert into t (id) values (1)'),

  // 2. dml-where-always-true
  fire('dml-where-always-true', ALL, 'update t set a = 1 where 1 = 1'),
  fire('dml-where-always-true', ALL, "delete from t where 'a' = 'a'"),
  fire('dml-where-always-true', ALL, 'delete from t where id = 3 or 1 = 1'),
  fire('dml-where-always-true', ALL, 'update t set a = 1 where (1 = 1)'),
  fire('dml-where-always-true', ALL, 'delete from t where a = a'),
  fire('dml-where-always-true', ALL, 'delete from t where 2 > 1'),
  fire('dml-where-always-true', [...MYSQLISH, ...SQLITE], 'delete from t where 1'),
  fire('dml-where-always-true', [...MYSQLISH, ...PG], 'delete from t where true'),
  fire('dml-where-always-true', PG, 'update t set a = 1 where not false'),
  fire('dml-where-always-true', PG, 'update t set a = 1 where "a" = "a"'),
  fire('dml-where-always-true', MYSQLISH, 'update t set a = 1 where `a` = `a`'),
  fire('dml-where-always-true', MYSQLISH, 'delete from t where 1 = 1 order by id limit 5'),
  fire('dml-where-always-true', PG, 'delete from t using u where 1 = 1'), // token fallback
  fire('dml-where-always-true', PG, 'delete from t using u where u.id = t.id or (1 = 1)'),
  quiet('dml-where-always-true', ALL, 'delete from t where id = 1'),
  quiet('dml-where-always-true', ALL, 'update t set a = 1 where id = 3 and 1 = 1'),
  quiet('dml-where-always-true', ALL, 'delete from t where 1 = 0 or id = 2'),
  quiet('dml-where-always-true', ALL, 'delete from t where a = b'),
  quiet('dml-where-always-true', ALL, "delete from t where a = 'a'"),
  quiet('dml-where-always-true', MYSQLISH, "delete from t where 1 = '1'"), // across types: not guessed
  quiet('dml-where-always-true', PG, 'delete from t using u where u.id = t.id'),

  // 3. dml-limit-without-order (MySQL/MariaDB only)
  fire('dml-limit-without-order', MYSQLISH, 'update t set a = 1 where k = 2 limit 10'),
  fire('dml-limit-without-order', MYSQLISH, 'delete from t where k = 2 limit 10'),
  quiet('dml-limit-without-order', MYSQLISH, 'update t set a = 1 where k = 2 order by id limit 10'),
  quiet('dml-limit-without-order', MYSQLISH, 'delete from t where k = 2 order by id limit 10'),
  quiet('dml-limit-without-order', MYSQLISH, 'delete from t where k = 2'),
  quiet('dml-limit-without-order', SQLITE, 'delete from t where k = 2 limit 10'), // not a MySQL engine
  quiet('dml-limit-without-order', PG, 'delete from t where id in (select id from t where k = 2 limit 10)'),

  // 4. dml-too-many-rows
  fire('dml-too-many-rows', ALL, 'update t set a = 1 where k = 2', { rows: { 1: 10_001 } }),
  fire('dml-too-many-rows', ALL, 'insert into t (id) select id from u', { rows: { 1: 50_000 } }),
  quiet('dml-too-many-rows', ALL, 'update t set a = 1 where k = 2', { rows: { 1: 10_000 } }),
  quiet('dml-too-many-rows', ALL, 'update t set a = 1 where k = 2'), // unknown estimate

  // 5. dml-full-scan-large-table
  fire('dml-full-scan-large-table', ALL, 'update t set a = 1 where b = 2', { fullScan: { 1: true }, tables: { t: keyed(['id'], 100_001) } }),
  fire('dml-full-scan-large-table', ALL, 'delete from t where id in (select id from u where b = 2)', { fullScan: { 1: true }, tables: { u: keyed(['id'], 500_000) } }),
  quiet('dml-full-scan-large-table', ALL, 'update t set a = 1 where b = 2', { fullScan: { 1: true }, tables: { t: keyed(['id'], 100_000) } }),
  quiet('dml-full-scan-large-table', ALL, 'update t set a = 1 where id = 2', { fullScan: { 1: false }, tables: { t: keyed(['id'], 5_000_000) } }),
  quiet('dml-full-scan-large-table', ALL, 'update t set a = 1 where b = 2', { tables: { t: keyed(['id'], 5_000_000) } }), // plan unknown

  // 6. dml-update-primary-key
  fire('dml-update-primary-key', ALL, 'update t set id = 5 where id = 4'),
  fire('dml-update-primary-key', ALL, 'update t set a = 1, id = id + 100 where a = 0'),
  fire('dml-update-primary-key', MYSQLISH, 'update t set ID = 5 where a = 4'), // MySQL columns are case-insensitive
  fire('dml-update-primary-key', MYSQLISH, 'update t x join u on u.id = x.id set x.a = 1, u.id = 7 where x.k = 2'),
  fire('dml-update-primary-key', MYSQLISH, 'update t, u set t.id = u.id where t.a = u.a'),
  fire('dml-update-primary-key', MYSQLISH, 'insert into t (id, a) values (1, 2) on duplicate key update id = 3'),
  fire('dml-update-primary-key', PG, 'insert into t (id, a) values (1, 2) on conflict (a) do update set id = 3'),
  fire('dml-update-primary-key', PG, 'update t set ID = 5 where a = 4'), // folds to id
  fire('dml-update-primary-key', PG, 'update t set id = 1 where current of c'), // token fallback
  fire('dml-update-primary-key', ALL, 'update t set a = 1 where id = 1', { tables: { t: keyed(['k', 'a']) } }),
  quiet('dml-update-primary-key', ALL, 'update t set a = 5 where id = 4'),
  quiet('dml-update-primary-key', PG, 'update t set "ID" = 5 where a = 4'), // a different column than id
  quiet('dml-update-primary-key', MYSQLISH, 'update t x join u on u.id = x.id set x.a = u.id where x.k = 2'),
  quiet('dml-update-primary-key', MYSQLISH, 'insert into t (id, a) values (1, 2) on duplicate key update a = 3'),
  quiet('dml-update-primary-key', ALL, 'delete from t where id = 1'),
  quiet('dml-update-primary-key', ALL, 'update t set id = 5 where id = 4', { tables: { t: keyed([]) } }),

  // 7. insert-no-column-list
  fire('insert-no-column-list', ALL, 'insert into t values (1, 2)'),
  fire('insert-no-column-list', ALL, 'insert into t select * from u'),
  fire('insert-no-column-list', MYSQLISH, 'replace into t values (1, 2)'),
  fire('insert-no-column-list', SQLITE, 'insert or replace into t values (1, 2)'),
  fire('insert-no-column-list', PG, 'insert into t values (1) on conflict do nothing'), // token fallback
  quiet('insert-no-column-list', ALL, 'insert into t (id, a) values (1, 2)'),
  quiet('insert-no-column-list', ALL, 'insert into t (id) select id from u'),
  quiet('insert-no-column-list', MYSQLISH, 'insert into t set id = 1, a = 2'),
  quiet('insert-no-column-list', PG, 'insert into t (id) values (1) on conflict do nothing'), // token fallback

  // 8. insert-select-same-table
  fire('insert-select-same-table', ALL, 'insert into t (id) select id + 100 from t'),
  fire('insert-select-same-table', ALL, 'insert into t (id) select u.id from u join t on t.a = u.a'),
  fire('insert-select-same-table', [...MYSQLISH, ...PG], 'insert into s.t (a) select a from s.t where a > 1'),
  fire('insert-select-same-table', MYSQLISH, 'insert into t (id) values ((select max(id) + 1 from t))'),
  quiet('insert-select-same-table', ALL, 'insert into t (id) select id from u'),
  quiet('insert-select-same-table', ALL, 'insert into t (id) values (1)'),

  // 10. table-not-found
  fire('table-not-found', ALL, 'update missing set a = 1 where id = 1'),
  fire('table-not-found', ALL, 'insert into t (id) select id from missing'),
  fire('table-not-found', ALL, 'delete from t where id in (select id from missing)'),
  fire('table-not-found', PG, 'delete from missing using u where u.id = missing.id'), // token fallback
  quiet('table-not-found', ALL, 'update t set a = 1 where id = 1'),
  quiet('table-not-found', ALL, 'update unlisted set a = 1 where id = 1'), // no facts: unknown, not missing
  quiet('table-not-found', ALL, 'with missing as (select id from u) delete from t where id in (select id from missing)'), // a CTE, not a table

  // 11. table-without-key
  fire('table-without-key', ALL, 'delete from nokey where a = 1'),
  fire('table-without-key', ALL, 'update nokey set a = 1 where b = 2'),
  quiet('table-without-key', ALL, 'update nokey set a = 1 where b = 2', { tables: { nokey: { exists: true, rows: 5, primaryKey: [], uniqueKeys: [['b']] } } }),
  quiet('table-without-key', ALL, 'delete from t where a = 1'),
  quiet('table-without-key', ALL, 'delete from v where a = 1'),
  quiet('table-without-key', ALL, 'insert into nokey (a) values (1)'),
];

describe.each(CASES.flatMap((c) => c.engines.map((engine) => ({ ...c, engine }))))('$rule on $engine', (c) => {
  it(`${c.fires ? 'fires on' : 'stays quiet on'}: ${c.sql}`, () => {
    const { findings } = reviewDml(c.sql, testContext(c.engine, c.options));
    const hits = findings.filter((f) => f.ruleId === c.rule);
    if (c.fires) {
      expect(hits, JSON.stringify(findings)).toHaveLength(1);
      expect(hits[0]!.message).toMatch(/^Statement 1 \(line 1\): /);
    } else {
      expect(hits, JSON.stringify(hits)).toEqual([]);
    }
  });
});

describe('too-many-statements', () => {
  it.each(ALL)('%s: fires past the default 1,000, on the first statement over the limit', (engine) => {
    const sql = Array.from({ length: 1001 }, (_, k) => `insert into t (id) values (${k})`).join(';\n');
    const { findings } = reviewDml(sql, testContext(engine));
    const hits = findings.filter((f) => f.ruleId === 'too-many-statements');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ level: 'ERROR', statementIndex: 1001, line: 1001 });
    expect(hits[0]!.message).toContain('1001 statements, more than the 1000');
  });

  it.each(ALL)('%s: quiet at exactly the limit', (engine) => {
    const sql = Array.from({ length: 1000 }, (_, k) => `delete from t where id = ${k}`).join(';');
    expect(reviewDml(sql, testContext(engine)).findings.filter((f) => f.ruleId === 'too-many-statements')).toEqual([]);
  });
});

describe('parse-fallback', () => {
  it('is a NOTICE on a statement the parser cannot read, and the statement still passes', () => {
    const r = reviewDml('delete from t using u where u.id = t.id', testContext('postgresql'));
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: 'parse-fallback', level: 'NOTICE', statementIndex: 1 })]);
    expect(r.findings[0]!.message).toContain('reviewed from its tokens only');
    expect(r.statements[0]).toMatchObject({ kind: 'DELETE', status: 'PASS', tables: [{ schema: null, name: 't' }, { schema: null, name: 'u' }] });
  });

  it.each(ALL)('%s: is quiet on a statement that parses', (engine) => {
    expect(reviewDml('delete from t where id = 1', testContext(engine)).findings).toEqual([]);
  });

  it('MariaDB UPDATE … ORDER BY … LIMIT parses (through the MySQL grammar), so no notice', () => {
    expect(reviewDml('update t set a = 1 where k = 2 order by id limit 10', testContext('mariadb')).findings).toEqual([]);
  });
});

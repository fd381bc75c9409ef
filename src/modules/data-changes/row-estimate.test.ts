import { describe, expect, it } from 'vitest';
import { selectFormOf } from './row-estimate.js';

describe('selectFormOf', () => {
  it('rewrites UPDATE and DELETE into the SELECT of their rows', () => {
    expect(selectFormOf("update items set name = 'a;b' where id in (select id from t where x = 1) order by id limit 3", 'mysql')).toEqual({
      kind: 'select',
      sql: "SELECT 1 FROM items where id in (select id from t where x = 1) order by id limit 3",
    });
    expect(selectFormOf('UPDATE LOW_PRIORITY IGNORE a JOIN b ON a.id = b.id SET a.x = (select max(y) from c where c.id = a.id)', 'mysql')).toEqual({ kind: 'select', sql: 'SELECT 1 FROM a JOIN b ON a.id = b.id' });
    expect(selectFormOf('update or replace t set a = 1 where b = 2', 'sqlite')).toEqual({ kind: 'select', sql: 'SELECT 1 FROM t where b = 2' });
    expect(selectFormOf('delete from items where qty > 3 returning id', 'postgresql')).toEqual({ kind: 'select', sql: 'SELECT 1 FROM items where qty > 3' });
    expect(selectFormOf('delete from items', 'sqlite')).toEqual({ kind: 'select', sql: 'SELECT 1 FROM items' });
    expect(selectFormOf('DELETE a FROM t a JOIN u ON u.id = a.id WHERE u.x = 1', 'mariadb')).toEqual({ kind: 'select', sql: 'SELECT 1 FROM t a JOIN u ON u.id = a.id WHERE u.x = 1' });
  });

  it('counts INSERT … VALUES tuples and takes the SELECT of INSERT … SELECT', () => {
    expect(selectFormOf("insert into t (a, b) values (1, '('), (2, f(3, 4)), (3, 4) on duplicate key update b = values(b)", 'mysql')).toEqual({ kind: 'rows', rows: 3 });
    expect(selectFormOf('insert into t set a = 1', 'mysql')).toEqual({ kind: 'rows', rows: 1 });
    expect(selectFormOf('insert into t (a) select a from u where a > 1 on conflict do nothing', 'postgresql')).toEqual({ kind: 'select', sql: 'select a from u where a > 1' });
  });

  it('has no simple form for joins PostgreSQL writes with FROM/USING, or WITH', () => {
    expect(selectFormOf('update t set a = u.a from u where u.id = t.id', 'postgresql')).toBeNull();
    expect(selectFormOf('delete from t using u where u.id = t.id', 'postgresql')).toBeNull();
    expect(selectFormOf('with x as (select 1) delete from t', 'postgresql')).toBeNull();
    expect(selectFormOf('alter table t add c int', 'mysql')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { ChunkStatements, chunkKey, chunkShape } from './chunk-plan.js';
import { nextBatchRows, DEFAULT_CHUNK_SETTINGS } from './chunk-runner.js';

const keys = (primaryKey: string[], uniqueKeys: string[][] = []) => ({ schema: 'public', name: 't', columns: [], primaryKey, uniqueKeys });

function shapeOf(sql: string, engine: 'postgresql' | 'mysql' | 'sqlite' = 'postgresql') {
  const r = chunkShape(sql, engine);
  if (!r.ok) throw new Error(r.reason);
  return r.shape;
}

describe('chunkShape', () => {
  it('reads DELETE, UPDATE and INSERT … SELECT', () => {
    expect(shapeOf("-- old rows\nDELETE FROM orders o WHERE o.status = 'x';")).toMatchObject({ kind: 'DELETE', head: 'DELETE FROM ', target: 'orders o', alias: 'o', condition: "o.status = 'x'", middle: '' });
    expect(shapeOf('update public.t set a = 1, b = b + 1 where c > 2')).toMatchObject({ kind: 'UPDATE', table: { schema: 'public', name: 't' }, middle: ' set a = 1, b = b + 1', condition: 'c > 2', setColumns: ['a', 'b'] });
    expect(shapeOf('delete from t')).toMatchObject({ condition: null });
    expect(shapeOf('insert into t2 (a, b) select a, b from t1 x where x.a > 5')).toMatchObject({ kind: 'INSERT_SELECT', table: { name: 't1' }, into: { name: 't2' }, head: 'insert into t2 (a, b) select a, b from ', target: 't1 x', alias: 'x', condition: 'x.a > 5' });
  });

  it('refuses what cannot be cut by key', () => {
    const reason = (sql: string) => {
      const r = chunkShape(sql, 'mysql');
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('delete from t where a = 1 order by id limit 10')).toMatch(/ORDER BY or LIMIT/);
    expect(reason('delete t1 from t1 join t2 on t1.id = t2.id')).toMatch(/cannot run in batches/);
    expect(reason('insert into t values (1)')).toMatch(/INSERT … SELECT/);
    expect(reason('insert into t select a, count(*) from u group by a')).toMatch(/GROUP/);
    expect(reason('insert into t select a from u, v')).toMatch(/exactly one table/);
    expect(reason('select 1')).toMatch(/one UPDATE, DELETE or INSERT/);
  });
});

describe('chunkKey', () => {
  it('takes the primary key, else a unique NOT NULL key, and refuses updates of the key', () => {
    expect(chunkKey(shapeOf('delete from t'), keys(['id']))).toEqual({ ok: true, columns: ['id'] });
    expect(chunkKey(shapeOf('delete from t'), keys([], [['code']]))).toEqual({ ok: true, columns: ['code'] });
    expect(chunkKey(shapeOf('delete from t'), keys([]))).toMatchObject({ ok: false, reason: expect.stringMatching(/neither a primary key nor a unique key/) });
    expect(chunkKey(shapeOf('update t set ID = 2'), keys(['id']))).toMatchObject({ ok: false, reason: expect.stringMatching(/assigns the key/) });
    expect(chunkKey(shapeOf('delete from t'), null)).toMatchObject({ ok: false });
  });
});

describe('ChunkStatements', () => {
  it('adds the key range to the statement, lexicographically for composite keys', () => {
    const one = new ChunkStatements(shapeOf("delete from t where k = 'x'"), 'postgresql', ['id']);
    expect(one.boundary(null, 500)).toEqual({ sql: `SELECT "id" FROM t WHERE (k = 'x') ORDER BY "id" LIMIT 1 OFFSET 499`, params: [] });
    expect(one.batch([10], [20])).toEqual({ sql: `delete from t WHERE (k = 'x') AND "id" > $1 AND "id" <= $2`, params: [10, 20] });
    expect(one.preImage([10], null)).toEqual({ sql: `SELECT * FROM t WHERE (k = 'x') AND "id" > $1 FOR UPDATE`, params: [10] });

    const two = new ChunkStatements(shapeOf('update t x set v = 1', 'mysql'), 'mysql', ['a', 'b']);
    expect(two.batch([1, 2], [3, 4])).toEqual({
      sql: 'update t x set v = 1 WHERE ((`x`.`a` > ?) OR (`x`.`a` = ? AND `x`.`b` > ?)) AND ((`x`.`a` < ?) OR (`x`.`a` = ? AND `x`.`b` <= ?))',
      params: [1, 1, 2, 3, 3, 4],
    });
    const lite = new ChunkStatements(shapeOf('delete from t', 'sqlite'), 'sqlite', ['id']);
    expect(lite.preImage(null, [5]).sql).toBe('SELECT * FROM t WHERE "id" <= ?');
  });
});

describe('nextBatchRows', () => {
  it('moves towards the target time, at most ×2 or ÷2 per batch, within bounds', () => {
    const s = DEFAULT_CHUNK_SETTINGS;
    expect(nextBatchRows(1000, 250, s)).toBe(2000);
    expect(nextBatchRows(1000, 10, s)).toBe(2000);
    expect(nextBatchRows(1000, 1000, s)).toBe(500);
    expect(nextBatchRows(1000, 600, s)).toBe(833);
    expect(nextBatchRows(80_000, 1, s)).toBe(s.maxRows);
    expect(nextBatchRows(12, 10_000, s)).toBe(s.minRows);
  });
});

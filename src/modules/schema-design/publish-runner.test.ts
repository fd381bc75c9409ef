import { describe, expect, it } from 'vitest';
import type { ChangeRow } from './design.repository.js';
import { groups } from './publish-runner.js';

const change = (position: number, table: string, sql: string): ChangeRow => ({
  id: position,
  project_id: 1,
  position,
  sql,
  kind: 'OTHER',
  table_name: table,
  tables: JSON.stringify([table]),
  findings: '[]',
  applied_to_base: 0,
  created_by: 1,
  created_at: 0,
  modified_at: 0,
});

const design = [
  change(1, 'a', 'create table a (id int primary key)'),
  change(2, 'a', 'create index a_x on a (id)'),
  change(3, 'b', 'alter table b add column y int'),
  change(4, 'b', 'create unique index b_y on b (y)'),
  change(5, 'a', 'create index concurrently a_z on a (id)'),
];

describe('publish groups', () => {
  it('PostgreSQL: consecutive changes of a table share a transaction; CONCURRENTLY runs alone, outside', () => {
    const g = groups(design, 'postgresql', false);
    expect(g.map((x) => [x.table, x.changes.map((c) => c.position), x.transactional])).toEqual([
      ['a', [1, 2], true],
      ['b', [3, 4], true],
      ['a', [5], false],
    ]);
    expect(g[0]!.rewrite(design[1]!.sql)).toBe('create index a_x on a (id)');
  });

  it('PostgreSQL with the tenant option: CREATE INDEX becomes CREATE INDEX CONCURRENTLY, each alone', () => {
    const g = groups(design, 'postgresql', true);
    expect(g.map((x) => [x.table, x.changes.map((c) => c.position), x.transactional])).toEqual([
      ['a', [1], true],
      ['a', [2], false],
      ['b', [3], true],
      ['b', [4], false],
      ['a', [5], false],
    ]);
    expect(g[1]!.rewrite(design[1]!.sql)).toBe('create index CONCURRENTLY a_x on a (id)');
    expect(g[3]!.rewrite(design[3]!.sql)).toBe('create unique index CONCURRENTLY b_y on b (y)');
    expect(g[4]!.rewrite(design[4]!.sql)).toBe('create index concurrently a_z on a (id)');
  });

  it('MySQL/MariaDB and SQLite: statement by statement (DDL commits by itself there)', () => {
    for (const engine of ['mariadb', 'mysql', 'sqlite'] as const) {
      const g = groups(design, engine, true);
      expect(g.every((x) => !x.transactional)).toBe(true);
      expect(g[0]!.rewrite(design[1]!.sql)).toBe(design[1]!.sql);
    }
  });
});

/** MySQL-only catalog behaviour that the MariaDB test server cannot show: functional key parts (MySQL ≥ 8.0.13). */
import { describe, expect, it } from 'vitest';
import { listMysqlIndexes, mysqlFunctionalKeyParts, type MysqlRun } from './mysql-introspector.js';

describe('mysql introspector: functional key parts from the version string', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1', false],
    ['5.7.44', false],
    ['8.0.12', false],
    ['8.0.13', true],
    ['8.0.36', true],
    ['8.4.0-0ubuntu0.24.04.1', true],
    ['9.1.0', true],
  ])('%s → %s', (version, expected) => {
    expect(mysqlFunctionalKeyParts(version)).toBe(expected);
  });
});

describe('mysql introspector: listIndexes() rows', () => {
  it('shows a functional key part as its expression in parentheses, and asks for the expression column only when the server has it', async () => {
    const statements: string[] = [];
    const run: MysqlRun = async (sql) => {
      statements.push(sql);
      if (sql.includes('information_schema.tables')) return [{ table_schema: 'shop', table_name: 'People', table_type: 'BASE TABLE' }];
      return [
        { index_name: 'PRIMARY', non_unique: 0, column_name: 'id', expression: null, index_type: 'BTREE' },
        { index_name: 'by_mail', non_unique: '0', column_name: null, expression: 'lower(`mail`)', index_type: 'BTREE' },
        { index_name: 'by_mail', non_unique: '0', column_name: null, expression: '(`a` + `b`)', index_type: 'BTREE' },
        { index_name: 'by_mail', non_unique: '0', column_name: 'id', expression: null, index_type: 'BTREE' },
        { index_name: 'ft', non_unique: 1, column_name: 'bio', expression: null, index_type: 'FULLTEXT' },
      ];
    };
    expect(await listMysqlIndexes(run, 'shop', 'people', true)).toEqual([
      { name: 'PRIMARY', columns: ['id'], unique: true, primary: true, where: null, method: 'btree' },
      { name: 'by_mail', columns: ['(lower(`mail`))', '(`a` + `b`)', 'id'], unique: true, primary: false, where: null, method: 'btree' },
      { name: 'ft', columns: ['bio'], unique: false, primary: false, where: null, method: 'fulltext' },
    ]);
    expect(statements[1]).toMatch(/\bexpression as expression\b/);
    statements.length = 0;
    await listMysqlIndexes(run, 'shop', 'people', false);
    expect(statements[1]).toMatch(/\bnull as expression\b/);
  });
});

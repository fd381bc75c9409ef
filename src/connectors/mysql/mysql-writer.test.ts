/** MySQL/MariaDB-only behaviour of write sessions: RETURNING detection, what a session leaves behind. */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatabase, describeWithServer, MYSQL_URL, parsedMysqlUrl } from '../../../test/helpers/servers.js';
import { createConnector, TargetDbError, type Connector } from '../index.js';
import { mysqlInsertReturning } from './mysql-writer.js';

describe('mysql writer: INSERT … RETURNING from the version string', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1', true],
    ['10.5.0-MariaDB', true],
    ['11.4.2-MariaDB', true],
    ['10.4.34-MariaDB', false],
    ['8.0.36', false],
    ['8.4.0-0ubuntu0.24.04.1', false],
  ])('%s → %s', (version, expected) => {
    expect(mysqlInsertReturning(version)).toBe(expected);
  });
});

await describeWithServer('mysql', 'mysql writer: sessions', () => {
  let db: Awaited<ReturnType<typeof createMysqlDatabase>>;
  let connector: Connector;

  beforeAll(async () => {
    db = await createMysqlDatabase('opendms_mywrite');
    const conn = await mysql.createConnection({ uri: MYSQL_URL, database: db.name });
    await conn.query('create table t (id int primary key, v int not null)');
    await conn.query('insert into t values (1, 0), (2, 0)');
    await conn.end();
    connector = createConnector({ engine: 'mariadb', ...parsedMysqlUrl() }, { sqliteAllowedDir: '/nonexistent' });
  });

  afterAll(async () => {
    await connector?.close();
    await db?.drop();
  });

  const settings = 'select @@autocommit, @@max_statement_time, @marker, database()';

  it('leaves no session state behind for the next session (COM_RESET_CONNECTION)', async () => {
    const first = await connector.writeSession(db.name, { statementTimeoutMs: 1_500 }, async (s) => {
      await s.execute('set autocommit = 0');
      await s.execute("set @marker = 'left behind'");
      await s.execute('update t set v = 1 where id = 1');
      return (await s.execute(settings)).rows;
    });
    expect(first).toEqual([[0, 1.5, 'left behind', db.name]]);
    // autocommit = 0 had opened a transaction: rolled back, not committed.
    const second = await connector.writeSession(db.name, { statementTimeoutMs: 5_000 }, async (s) => ({
      settings: (await s.execute(settings)).rows,
      v: (await s.execute('select v from t where id = 1')).rows,
    }));
    expect(second).toEqual({ settings: [[1, 5, null, db.name]], v: [[0]] });
  });

  it('counts changed rows, not matched ones, and refuses several statements at once', async () => {
    await connector.writeSession(db.name, { statementTimeoutMs: 5_000 }, async (s) => {
      expect((await s.execute('update t set v = 0')).affectedRows).toBe(0);
      expect((await s.execute('update t set v = 2 where id = 2')).affectedRows).toBe(1);
      const error = await s.execute('select 1; delete from t').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetDbError);
      expect(error).toMatchObject({ code: 'ER_PARSE_ERROR', kind: 'sql' });
    });
  });

  it('an unknown database fails with kind not_found', async () => {
    const error = await connector.writeSession('opendms_no_such_db', { statementTimeoutMs: 5_000 }, async () => 'never').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ER_BAD_DB_ERROR', kind: 'not_found' });
  });
});

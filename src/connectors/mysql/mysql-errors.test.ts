import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithServer, MYSQL_URL } from '../../../test/helpers/servers.js';
import { toMysqlError } from './mysql-errors.js';

await describeWithServer('mysql', 'mysql errors: normalized from real server errors', () => {
  let conn: mysql.Connection;
  const fail = (sql: string) => conn.query(sql).then(() => undefined, (e: unknown) => toMysqlError('mariadb', e, ''));

  beforeAll(async () => {
    conn = await mysql.createConnection({ uri: MYSQL_URL });
  });

  afterAll(async () => {
    await conn?.end();
  });

  it('keeps name, errno and SQLSTATE of a syntax error', async () => {
    expect(await fail('selec 1')).toMatchObject({ engine: 'mariadb', code: 'ER_PARSE_ERROR', errno: 1064, sqlState: '42000', kind: 'sql' });
  });

  it('classifies an unknown database as not_found', async () => {
    expect(await fail('use opendms_no_such_db')).toMatchObject({ code: 'ER_BAD_DB_ERROR', errno: 1049, kind: 'not_found' });
  });

  it('classifies a client-side query timeout as timeout', async () => {
    const error = await conn.query({ sql: 'select sleep(2)', timeout: 50 }).then(() => undefined, (e: unknown) => toMysqlError('mysql', e, ''));
    expect(error).toMatchObject({ code: 'PROTOCOL_SEQUENCE_TIMEOUT', kind: 'timeout' });
    conn = await mysql.createConnection({ uri: MYSQL_URL });
  });

  it('redacts the password from messages', () => {
    const error = toMysqlError('mysql', { code: 'ER_X', message: 'failed for mysql://u:s3cr3t-pw@h/db' }, 's3cr3t-pw');
    expect(error.message).toBe('failed for mysql://u:******@h/db');
  });
});

/** SQLite-only behaviour: the allowed-folder rule, read-only access, rowid aliases, statistics. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, TargetDbError, type Connector } from '../index.js';

let root: string;
let allowed: string;
const opened: Connector[] = [];

function connectorFor(host: string): Connector {
  const connector = createConnector({ engine: 'sqlite', host, port: 0, user: '', password: '' }, { sqliteAllowedDir: allowed });
  opened.push(connector);
  return connector;
}

async function errorOf(promise: Promise<unknown>): Promise<TargetDbError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TargetDbError);
  return error as TargetDbError;
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-sqlite-'));
  allowed = path.join(root, 'allowed');
  fs.mkdirSync(allowed);
  const inside = new SQLite(path.join(allowed, 'inside.db'));
  inside.exec(`
    create table plain (id integer primary key, v text);
    create table keyed (id integer primary key, v text) without rowid;
    create table big (id bigint primary key, v text);
    create index plain_expr on plain (lower(v) collate nocase desc, "v", (id + 1), (v || ')'), v collate nocase) where id > 0;
    insert into plain (v) values ('a'), ('b'), ('c');
    analyze;`);
  inside.close();
  new SQLite(path.join(root, 'outside.db')).close();
  fs.symlinkSync(path.join(root, 'outside.db'), path.join(allowed, 'escape.db'));
  fs.writeFileSync(path.join(allowed, 'not-a-db.db'), 'plain text, not SQLite '.repeat(20));
});

afterAll(async () => {
  for (const c of opened) await c.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('sqlite connector: allowed folder', () => {
  it.each([
    ['an absolute path outside', () => path.join(root, 'outside.db')],
    ['a relative path climbing out', () => '../outside.db'],
    ['a symbolic link pointing outside', () => path.join(allowed, 'escape.db')],
    ['the folder itself', () => allowed],
    ['a missing file outside (existence not revealed)', () => path.join(root, 'missing.db')],
  ])('refuses %s with PATH_NOT_ALLOWED', async (_label, host) => {
    const error = await errorOf(connectorFor(host()).test());
    expect(error).toMatchObject({ engine: 'sqlite', code: 'PATH_NOT_ALLOWED', kind: 'config' });
    expect(error.message).toContain('outside the folder allowed');
  });

  it('opens a path relative to the allowed folder', async () => {
    await expect(connectorFor('inside.db').test()).resolves.toEqual({ version: expect.stringMatching(/^3\./) });
  });

  it('reports a missing file inside the folder as not_found', async () => {
    const error = await errorOf(connectorFor('missing.db').test());
    expect(error).toMatchObject({ code: 'SQLITE_CANTOPEN', kind: 'not_found' });
    expect(fs.existsSync(path.join(allowed, 'missing.db'))).toBe(false);
  });

  it('reports a file that is not a database', async () => {
    const error = await errorOf(connectorFor('not-a-db.db').test());
    expect(error).toMatchObject({ code: 'SQLITE_NOTADB', kind: 'connection' });
  });
});

describe('sqlite connector: metadata', () => {
  it('never writes to the file', async () => {
    const file = path.join(allowed, 'inside.db');
    const before = fs.readFileSync(file);
    const connector = connectorFor(file);
    await connector.listTables('main');
    await connector.listColumns('main', 'main', 'plain');
    await connector.listIndexes('main', null, 'plain');
    await connector.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(allowed).filter((f) => f.startsWith('inside.db-'))).toEqual([]);
  });

  it('reads row estimates from ANALYZE statistics', async () => {
    const tables = await connectorFor('inside.db').listTables('main');
    expect(tables.find((t) => t.name === 'plain')?.estimatedRows).toBe(3);
  });

  it('marks only a rowid alias as auto-increment', async () => {
    const connector = connectorFor('inside.db');
    const autoIncrement = async (table: string) => (await connector.listColumns('main', 'main', table))[0]?.autoIncrement;
    expect(await autoIncrement('plain')).toBe(true);
    expect(await autoIncrement('keyed')).toBe(false);
    expect(await autoIncrement('big')).toBe(false);
  });

  it('listIndexes(): the rowid as PRIMARY, implicit key indexes, expression parts from the CREATE INDEX text', async () => {
    const connector = connectorFor('inside.db');
    const base = { unique: false, primary: false, where: null, method: null };
    expect(await connector.listIndexes('main', null, 'PLAIN')).toEqual([
      { ...base, name: 'PRIMARY', columns: ['id'], unique: true, primary: true },
      // Without COLLATE and DESC; a column with a collation is still the column.
      { ...base, name: 'plain_expr', columns: ['(lower(v))', 'v', '(id + 1)', "(v || ')')", 'v'] },
    ]);
    // A WITHOUT ROWID table's key and a non-INTEGER key are indexes of their own.
    expect(await connector.listIndexes('main', 'MAIN', 'keyed')).toEqual([{ ...base, name: 'sqlite_autoindex_keyed_1', columns: ['id'], unique: true, primary: true }]);
    expect(await connector.listIndexes('main', null, 'big')).toEqual([{ ...base, name: 'sqlite_autoindex_big_1', columns: ['id'], unique: true, primary: true }]);
    expect(await connector.listIndexes('main', 'temp', 'plain')).toEqual([]);
    expect((await errorOf(connector.listIndexes('other', null, 'plain'))).kind).toBe('not_found');
  });
});

describe('sqlite connector: write sessions and table keys', () => {
  const statementTimeoutMs = 5_000;

  it('keeps the allowed-folder rule and never creates a file', async () => {
    const outside = await errorOf(connectorFor(path.join(root, 'outside.db')).writeSession('main', { statementTimeoutMs }, async () => 'never'));
    expect(outside).toMatchObject({ code: 'PATH_NOT_ALLOWED', kind: 'config' });
    const missing = await errorOf(connectorFor('missing.db').writeSession('main', { statementTimeoutMs }, async () => 'never'));
    expect(missing).toMatchObject({ code: 'SQLITE_CANTOPEN', kind: 'not_found' });
    expect(fs.existsSync(path.join(allowed, 'missing.db'))).toBe(false);
    const other = await errorOf(connectorFor('inside.db').writeSession('other', { statementTimeoutMs }, async () => 'never'));
    expect(other).toMatchObject({ kind: 'not_found' });
  });

  it('writes through its own read-write connection, which the read-only reads then see', async () => {
    const connector = connectorFor('inside.db');
    await connector.writeSession('main', { statementTimeoutMs }, async (s) => {
      await s.begin();
      expect((await s.execute("insert into plain (v) values ('d') returning id")).rows).toEqual([[4]]);
      await s.commit();
    });
    expect(await connector.readOnlyQuery('main', 'select count(*) from plain', { timeoutMs: 5_000 }, async (q) => {
      for await (const batch of q.batches) return batch;
      return [];
    })).toEqual([[4]]);
  });

  it('tableKeys() compares names case-insensitively and marks only a rowid alias as auto-increment', async () => {
    const connector = connectorFor('inside.db');
    expect(await connector.tableKeys('main', null, 'PLAIN')).toMatchObject({ schema: 'main', name: 'plain', primaryKey: ['id'], columns: [{ name: 'id', autoIncrement: true }, { name: 'v' }] });
    expect(await connector.tableKeys('main', 'MAIN', 'keyed')).toMatchObject({ primaryKey: ['id'], columns: [{ name: 'id', autoIncrement: false }, { name: 'v' }] });
    expect((await connector.tableKeys('main', null, 'big'))?.columns[0]).toMatchObject({ name: 'id', autoIncrement: false });
    expect(await connector.tableKeys('main', 'temp', 'plain')).toBeNull();
  });
});

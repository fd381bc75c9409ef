/**
 * collectFacts against real databases: the same fixture (a keyed table, a composite-key table, a
 * keyless table and a view) on PostgreSQL, MariaDB/MySQL and SQLite, then the review with those facts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatabase, createPgDatabase, describeWithServer, MYSQL_URL, parsedMysqlUrl, parsedPgUrl } from '../../../test/helpers/servers.js';
import { createConnector, type ConnectionSpec, type Connector, type Engine } from '../../connectors/index.js';
import { analyzeDml } from './analyze.js';
import { reviewDml } from './engine.js';
import { collectFacts } from './facts.js';

const DDL = [
  'create table orders (id integer primary key, total integer)',
  'create table order_lines (order_id integer not null, line_no integer not null, qty integer, primary key (order_id, line_no))',
  'create table logs (msg varchar(100))',
  'create view v_orders as select id, total from orders',
];

const SCRIPT = [
  'update orders set id = 2 where id = 1',
  "delete from logs where msg = 'x'",
  'insert into order_lines (order_id, line_no) select id, 1 from orders',
  'update nosuch set a = 1 where id = 1',
  'delete from v_orders where id = 1',
].join(';\n');

interface Fixture {
  spec: ConnectionSpec;
  database: string;
  sqliteAllowedDir: string;
  drop(): Promise<void>;
}

function suite(engine: Engine, create: () => Promise<Fixture>, qualified: (database: string) => string): void {
  let fixture: Fixture;
  let connector: Connector;
  beforeAll(async () => {
    fixture = await create();
    connector = createConnector(fixture.spec, { sqliteAllowedDir: fixture.sqliteAllowedDir });
  });
  afterAll(async () => {
    await connector?.close();
    await fixture?.drop();
  });

  it('finds existing tables with their primary keys, views, and missing tables', async () => {
    const facts = await collectFacts(connector, fixture.database, analyzeDml(SCRIPT, engine));
    expect(facts.table(null, 'orders')).toMatchObject({ exists: true, primaryKey: ['id'], uniqueKeys: [], isView: false });
    expect(facts.table(null, 'order_lines')).toMatchObject({ exists: true, primaryKey: ['order_id', 'line_no'] });
    expect(facts.table(null, 'logs')).toMatchObject({ exists: true, primaryKey: [] });
    expect(facts.table(null, 'v_orders')).toMatchObject({ exists: true, isView: true, rows: null });
    expect(facts.table(null, 'nosuch')).toEqual({ exists: false, rows: null, primaryKey: [], uniqueKeys: [] });
    const rows = facts.table(null, 'orders')!.rows;
    expect(rows === null || typeof rows === 'number').toBe(true);
    expect(facts.table(null, 'never_asked')).toBeUndefined();
    expect(facts.entries).toHaveLength(5);
  });

  it('resolves schema-qualified names', async () => {
    const stmts = analyzeDml(`update ${qualified(fixture.database)}.orders set total = 1 where id = 1`, engine);
    const t = stmts[0]!.targets[0]!;
    const facts = await collectFacts(connector, fixture.database, stmts);
    expect(facts.table(t.schema, t.name)).toMatchObject({ exists: true, primaryKey: ['id'] });
  });

  it('feeds the review: primary-key change, keyless table and missing table are found', async () => {
    const stmts = analyzeDml(SCRIPT, engine);
    const facts = await collectFacts(connector, fixture.database, stmts);
    const r = reviewDml(stmts, { engine, settings: [], estimatedRows: () => null, table: facts.table });
    expect(r.findings.map((f) => [f.statementIndex, f.ruleId])).toEqual([
      [1, 'dml-update-primary-key'],
      [2, 'table-without-key'],
      [4, 'table-not-found'],
    ]);
    expect(r.statements.map((s) => s.status)).toEqual(['BLOCK', 'WARNING', 'PASS', 'BLOCK', 'PASS']);
  });
}

await describeWithServer('postgres', 'collectFacts on PostgreSQL', () => {
  suite(
    'postgresql',
    async () => {
      const db = await createPgDatabase('opendms_review');
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      for (const s of DDL) await c.query(s);
      await c.end();
      return { spec: { engine: 'postgresql', ...parsedPgUrl() }, database: db.name, sqliteAllowedDir: os.tmpdir(), drop: db.drop };
    },
    () => 'public',
  );
});

await describeWithServer('mysql', 'collectFacts on MariaDB/MySQL', () => {
  suite(
    'mariadb',
    async () => {
      const db = await createMysqlDatabase('opendms_review');
      const c = await mysql.createConnection({ uri: MYSQL_URL, database: db.name });
      for (const s of DDL) await c.query(s);
      await c.end();
      return { spec: { engine: 'mariadb', ...parsedMysqlUrl() }, database: db.name, sqliteAllowedDir: os.tmpdir(), drop: db.drop };
    },
    (database) => database,
  );

  it('leaves a table of another MySQL database unknown (not missing)', async () => {
    const connector = createConnector({ engine: 'mariadb', ...parsedMysqlUrl() }, { sqliteAllowedDir: os.tmpdir() });
    try {
      const db = await createMysqlDatabase('opendms_review');
      try {
        const facts = await collectFacts(connector, db.name, analyzeDml('delete from otherdb.t where id = 1', 'mariadb'));
        expect(facts.table('otherdb', 't')).toBeUndefined();
      } finally {
        await db.drop();
      }
    } finally {
      await connector.close();
    }
  });
});

describe('collectFacts on SQLite', () => {
  suite(
    'sqlite',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-review-'));
      const file = path.join(dir, 'target.db');
      const db = new SQLite(file);
      for (const s of DDL) db.exec(s);
      db.close();
      return {
        spec: { engine: 'sqlite', host: file, port: 0, user: '', password: '' },
        database: 'main',
        sqliteAllowedDir: dir,
        drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
    () => 'main',
  );
});

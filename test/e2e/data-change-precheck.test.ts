/**
 * The precheck of DC_COMMON (data change) tickets through the real clients, on SQLite (always),
 * PostgreSQL and MariaDB (when their test servers answer, always under CI): CreateDataCorrectOrder
 * (openapi-client V3, PascalCase Param) → the steps of GetDataCorrectOrderDetail → the statements
 * of ListDataCorrectPreCheckSQL/DB → SubmitOrderApproval only after success; a DELETE without WHERE
 * blocked by the review, DDL refused at SQL_TYPE_CHECK, a syntax error at SQL_PARSE, too many rows
 * at ROW_CHECK until SkipDataCorrectRowCheck, RetryDataCorrectPreCheck, SQL from an attachment
 * (POST /api/attachments), and the target's rows unchanged by all of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayError, ok, type Body, type Key } from '../helpers/server.js';
import { describeWithServer } from '../helpers/servers.js';
import { uploadSql as uploadAttachment } from '../helpers/attachments.js';
import { registerMaria, registerPg, registerSqlite, sleep, startExportEnv, withSqlite, type ExportEnv } from '../helpers/export-flow.js';
import type Database from 'better-sqlite3';

const ROWS = 20;
const SETUP = `create table items (id integer primary key, name varchar(40) not null, qty integer not null);
insert into items (id, name, qty) values ${Array.from({ length: ROWS }, (_, k) => `(${k + 1}, 'item ${k + 1}', ${k})`).join(', ')};`;

interface Target {
  dbId: number;
  /** Every row of `items`, ordered, as text: the precheck must leave it as it was. */
  snapshot(): Promise<string>;
  /** Runs DDL on the target as the test's superuser. */
  exec(sql: string): Promise<void>;
}

let env: ExportEnv;

beforeAll(async () => {
  env = await startExportEnv();
});
afterAll(async () => {
  await env?.close();
});

async function file(dbId: number, param: Record<string, unknown>, by: Key = env.ulla): Promise<number> {
  const body = ok(await env.v3(by)('CreateDataCorrectOrder', { Comment: 'data change for a test', Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ...param }) }));
  expect(body.CreateOrderResult).toHaveLength(1);
  return Number(body.CreateOrderResult[0]);
}

async function detail(orderId: number): Promise<Body> {
  return ok(await env.v3(env.ulla)('GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail;
}

/** Polls until the precheck settled; returns the detail. */
async function settled(orderId: number): Promise<Body> {
  const until = Date.now() + 30_000;
  for (;;) {
    const d = await detail(orderId);
    if (d.Status !== 'precheck') return d;
    if (Date.now() > until) throw new Error(`the precheck of ticket ${orderId} did not settle: ${JSON.stringify(d.PreCheckDetail)}`);
    await sleep(50);
  }
}

const steps = (d: Body): Record<string, string> => Object.fromEntries(d.PreCheckDetail.TaskCheckDO.map((s: Body) => [s.CheckStep, s.CheckStatus]));
const tip = (d: Body, step: string): string => d.PreCheckDetail.TaskCheckDO.find((s: Body) => s.CheckStep === step).UserTip;
const statements = async (orderId: number, extra: Record<string, unknown> = {}) => ok(await env.v3(env.ulla)('ListDataCorrectPreCheckSQL', { OrderId: orderId, ...extra }));
const submit = (orderId: number) => env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId });
const ALL_PASS = { SQL_PARSE: 'SUCCESS', SQL_TYPE_CHECK: 'SUCCESS', PERMISSION_CHECK: 'SUCCESS', ROW_CHECK: 'SUCCESS', SQL_REVIEW: 'SUCCESS' };

const uploadSql = (key: Key, name: string, sql: string) => uploadAttachment(env.srv.port, key, name, sql);

/** The same scenarios on each engine. */
function scenarios(engineName: string, target: () => Target) {
  let before: string;
  beforeAll(async () => {
    before = await target().snapshot();
  });

  it(`${engineName}: a good UPDATE passes every step, lists its statement, and can be submitted`, async () => {
    const id = await file(target().dbId, { ExecSQL: "update items set name = 'changed' where id = 1;", EstimateAffectRows: 5, Classify: 'fix' });
    const d = await settled(id);
    expect(d.Status, JSON.stringify(d.PreCheckDetail)).toBe('precheck_success');
    expect(steps(d)).toEqual(ALL_PASS);
    expect(tip(d, 'ROW_CHECK')).toMatch(/About 1 rows \(5 declared\)/);
    expect(d.ConfigDetail).toEqual({ DetailType: 'COMMON' });
    expect(d.ExecMode).toBe('COMMITOR');
    expect(d.DatabaseList.Database).toEqual([expect.objectContaining({ DbId: target().dbId, Logic: false, SearchName: expect.any(String), EnvType: 'dev' })]);
    expect(d.OrderDetail).toMatchObject({ SqlType: 'TEXT', EstimateAffectRows: 5, ActualAffectRows: 1, Classify: 'fix', IgnoreAffectRows: false, ExeSQL: expect.stringContaining('update items') });

    const list = await statements(id);
    expect(list.PreCheckSQLList).toEqual([
      expect.objectContaining({ DbId: target().dbId, SqlType: 'UPDATE', TableNames: 'items', AffectRows: 1, SqlReviewStatus: 'PASS', CheckSQL: "update items set name = 'changed' where id = 1", Line: 1, Position: 1 }),
    ]);
    const dbs = ok(await env.v3(env.ulla)('ListDataCorrectPreCheckDB', { OrderId: id }));
    expect(dbs.PreCheckDBList).toEqual([{ DbId: target().dbId, SearchName: expect.any(String), SqlNum: 1 }]);

    ok(await submit(id));
    expect((await detail(id)).Status).toBe('toaudit');
  });

  it(`${engineName}: a DELETE without WHERE is blocked by the review, with its finding`, async () => {
    const id = await file(target().dbId, { ExecSQL: "update items set qty = 1 where id = 2;\ndelete from items", EstimateAffectRows: 100 });
    const d = await settled(id);
    expect(d.Status).toBe('precheckFailed');
    expect(steps(d)).toMatchObject({ SQL_PARSE: 'SUCCESS', SQL_TYPE_CHECK: 'SUCCESS', ROW_CHECK: 'SUCCESS', SQL_REVIEW: 'FAIL' });
    expect(tip(d, 'SQL_REVIEW')).toMatch(/^Statement 2 \(line 2\): .*WHERE.*dml-no-where/);
    const list = (await statements(id)).PreCheckSQLList;
    expect(list.map((s: Body) => s.SqlReviewStatus)).toEqual(['PASS', 'BLOCK']);
    expect(list[1]).toMatchObject({ SqlType: 'DELETE', AffectRows: ROWS, Findings: [expect.objectContaining({ RuleId: 'dml-no-where', Level: 'ERROR' })] });
    expect(await submit(id)).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus', ErrorMessage: expect.stringMatching(/precheck failed: Statement 2/) });
  });

  it(`${engineName}: DDL is refused at SQL_TYPE_CHECK with the statement named`, async () => {
    const id = await file(target().dbId, { ExecSQL: "update items set qty = 1 where id = 2;\n\nalter table items add column extra integer;", EstimateAffectRows: 10 });
    const d = await settled(id);
    expect(d.Status).toBe('precheckFailed');
    expect(steps(d)).toEqual({ SQL_PARSE: 'SUCCESS', SQL_TYPE_CHECK: 'FAIL', PERMISSION_CHECK: 'WAITING', ROW_CHECK: 'WAITING', SQL_REVIEW: 'WAITING' });
    expect(tip(d, 'SQL_TYPE_CHECK')).toMatch(/^Statement 2 \(line 3\): ALTER is DDL; a data change ticket runs only INSERT, UPDATE, DELETE and REPLACE/);
    expect(d.PreCheckDetail.Message).toBe(tip(d, 'SQL_TYPE_CHECK'));
    const list = (await statements(id)).PreCheckSQLList;
    expect(list[1]).toMatchObject({ SqlType: 'ALTER', SqlReviewStatus: 'WAITING', Message: expect.stringMatching(/DDL/) });
  });

  it(`${engineName}: a syntax error fails SQL_PARSE naming the statement and line`, async () => {
    const id = await file(target().dbId, { ExecSQL: "update items set qty = 1 where id = 2;\nupdate items set name = where id = 3;", EstimateAffectRows: 10 });
    const d = await settled(id);
    expect(d.Status).toBe('precheckFailed');
    expect(steps(d)).toMatchObject({ SQL_PARSE: 'FAIL', SQL_TYPE_CHECK: 'WAITING' });
    expect(tip(d, 'SQL_PARSE')).toMatch(/^Statement 2 \(line 2\): it does not parse as (SQLite|PostgreSQL|MariaDB): /);
  });

  it(`${engineName}: rows above EstimateAffectRows fail ROW_CHECK until SkipDataCorrectRowCheck`, async () => {
    const id = await file(target().dbId, { ExecSQL: 'update items set qty = qty + 1 where id > 0', EstimateAffectRows: 5 });
    const d = await settled(id);
    expect(d.Status).toBe('precheckFailed');
    expect(steps(d)).toMatchObject({ ROW_CHECK: 'FAIL', SQL_REVIEW: 'SUCCESS' });
    expect(tip(d, 'ROW_CHECK')).toMatch(new RegExp(`about ${ROWS} rows, more than the 5 declared in EstimateAffectRows.*SkipDataCorrectRowCheck`));
    expect(await submit(id)).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });

    expect((await gatewayError(env.v3(env.ulla)('SkipDataCorrectRowCheck', { OrderId: id }))).code).toBe('MissingReason');
    expect(await env.v3(env.mike)('SkipDataCorrectRowCheck', { OrderId: id, Reason: 'not mine' })).toMatchObject({ Success: false });
    ok(await env.v3(env.ulla)('SkipDataCorrectRowCheck', { OrderId: id, Reason: 'all rows on purpose' }));
    const after = await detail(id);
    expect(after.Status).toBe('precheck_success');
    expect(steps(after)).toEqual(ALL_PASS);
    expect(tip(after, 'ROW_CHECK')).toMatch(new RegExp(`About ${ROWS} rows, more than the 5 declared.*skipped.*all rows on purpose`));
    expect(after.OrderDetail).toMatchObject({ IgnoreAffectRows: true, IgnoreAffectRowsReason: 'all rows on purpose' });
    ok(await submit(id));
  });

  it(`${engineName}: RetryDataCorrectPreCheck runs the precheck again`, async () => {
    await target().exec('drop table if exists later_tbl');
    const id = await file(target().dbId, { ExecSQL: "update later_tbl set name = 'x' where id = 1", EstimateAffectRows: 5 });
    const d = await settled(id);
    expect(d.Status).toBe('precheckFailed');
    expect(d.PreCheckDetail.Message).toMatch(/Statement 1 \(line 1\)/);
    expect(await env.v3(env.mike)('RetryDataCorrectPreCheck', { OrderId: id })).toMatchObject({ Success: false });
    await target().exec('create table later_tbl (id integer primary key, name varchar(20))');
    ok(await env.v3(env.ulla)('RetryDataCorrectPreCheck', { OrderId: id }));
    const again = await settled(id);
    expect(again.Status, JSON.stringify(again.PreCheckDetail)).toBe('precheck_success');
    expect(steps(again)).toEqual(ALL_PASS);
    const events = ok(await env.as(env.ulla)('ListOrderEvents', { OrderId: id })).Events.Event;
    expect(events.map((e: Body) => e.Action)).toEqual(['CREATE', 'PRECHECK_FAIL', 'PRECHECK_RETRY', 'PRECHECK_SUCCESS']);
  });

  it(`${engineName}: SQL from an attachment is checked the same way`, async () => {
    const key = await uploadSql(env.ulla, 'fix.sql', "-- a fix\nupdate items set name = 'a' where id = 3;\ninsert into items (id, name, qty) values (100, 'new', 1), (101, 'new', 2);\n");
    const id = await file(target().dbId, { SqlType: 'ATTACHMENT', AttachmentName: key, EstimateAffectRows: 3 });
    const d = await settled(id);
    expect(d.Status, JSON.stringify(d.PreCheckDetail)).toBe('precheck_success');
    expect(d.OrderDetail).toMatchObject({ SqlType: 'ATTACHMENT', AttachmentName: key, ExeSQL: '', ActualAffectRows: 3 });
    const list = (await statements(id)).PreCheckSQLList;
    expect(list.map((s: Body) => [s.SqlType, s.AffectRows, s.Line])).toEqual([['UPDATE', 1, 2], ['INSERT', 2, 3]]);
    expect((await statements(id, { PageSize: 1, PageNumber: 2 })).PreCheckSQLList.map((s: Body) => s.Position)).toEqual([2]);
    expect((await statements(id, { DbId: 424242 })).PreCheckSQLList).toEqual([]);
  });

  it(`${engineName}: the precheck left the target's rows as they were`, async () => {
    expect(await target().snapshot()).toBe(before);
  });
}

describe('SQLite', () => {
  let t: Target;
  beforeAll(async () => {
    const s = await registerSqlite(env, 'dc_precheck', (db) => db.exec(SETUP));
    const open = <T>(fn: (db: Database.Database) => T): T => withSqlite(s.file, fn);
    t = {
      dbId: s.dbId,
      snapshot: async () => JSON.stringify(open((db) => db.prepare('select * from items order by id').all())),
      exec: async (sql) => open((db) => void db.exec(sql)),
    };
  });
  scenarios('SQLite', () => t);

  it('submitting before the precheck succeeded is refused', async () => {
    const id = await file(t.dbId, { ExecSQL: 'delete from items where id = 1', EstimateAffectRows: 0 });
    const res = await submit(id);
    expect(res).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus', ErrorMessage: expect.stringMatching(/still running|precheck failed/) });
    expect((await settled(id)).Status).toBe('precheckFailed');
  });

  it('CreateOrder PluginType=DC_COMMON (lower camel) on two databases: one precheck over both', async () => {
    const other = await registerSqlite(env, 'dc_precheck_2', (db) => db.exec(SETUP));
    const body = ok(await env.as(env.ulla)('CreateOrder', {
      Comment: 'two databases',
      PluginType: 'DC_COMMON',
      PluginParam: JSON.stringify({ dbItemList: [{ dbId: t.dbId, logic: false }, { dbId: other.dbId, logic: false }], execSQL: 'delete from items where id = 7;\nupdate items set qty = 0 where id < 3;', estimateAffectRows: 6 }),
    }));
    const id = Number(body.CreateOrderResult.OrderIds[0]);
    const d = await settled(id);
    expect(d.Status, JSON.stringify(d.PreCheckDetail)).toBe('precheck_success');
    expect(d.DatabaseList.Database.map((x: Body) => x.DbId)).toEqual([t.dbId, other.dbId]);
    expect(d.OrderDetail.ActualAffectRows).toBe(6);
    const dbs = ok(await env.v3(env.ulla)('ListDataCorrectPreCheckDB', { OrderId: id }));
    expect(dbs.PreCheckDBList.map((x: Body) => [x.DbId, x.SqlNum])).toEqual([[t.dbId, 2], [other.dbId, 2]].sort((a, b) => a[0]! - b[0]!));
    expect(ok(await env.v3(env.ulla)('ListDataCorrectPreCheckDB', { OrderId: id, PageSize: 1, PageNumber: 2 })).PreCheckDBList).toHaveLength(1);
    const only = (await statements(id, { DbId: other.dbId })).PreCheckSQLList;
    expect(only.map((x: Body) => [x.DbId, x.SqlType, x.AffectRows])).toEqual([[other.dbId, 'DELETE', 1], [other.dbId, 'UPDATE', 2]]);
  });

  it('a DATA_EXPORT ticket is not a data change; another tenant does not see the ticket', async () => {
    const exp = ok(await env.as(env.ulla)('CreateOrder', { Comment: 'export', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId: t.dbId, exeSQL: 'select * from items' }) }));
    const expId = Number(exp.CreateOrderResult.OrderIds[0]);
    expect(await env.v3(env.ulla)('GetDataCorrectOrderDetail', { OrderId: expId })).toMatchObject({ Success: false, ErrorCode: 'InvalidOrderId' });
    const id = await file(t.dbId, { ExecSQL: 'delete from items where id = 1', EstimateAffectRows: 1 });
    expect(await env.v3(env.olaf)('GetDataCorrectOrderDetail', { OrderId: id })).toMatchObject({ Success: false });
    expect(await env.v3(env.olaf)('ListDataCorrectPreCheckSQL', { OrderId: id })).toMatchObject({ Success: false });
    expect(await env.v3(env.mike)('SkipDataCorrectRowCheck', { OrderId: id, Reason: 'x' })).toMatchObject({ Success: false });
  });
});

await describeWithServer('postgres', 'PostgreSQL', () => {
  let t: Target;
  beforeAll(async () => {
    const { dc } = await registerPg(env, { dc: SETUP });
    t = { dbId: dc.dbId, snapshot: async () => JSON.stringify((await dc.query('select * from items order by id')).rows), exec: async (sql) => void (await dc.query(sql)) };
  });
  scenarios('PostgreSQL', () => t);
});

await describeWithServer('mysql', 'MariaDB', () => {
  let t: Target;
  beforeAll(async () => {
    const { dc } = await registerMaria(env, { dc: SETUP });
    t = { dbId: dc.dbId, snapshot: async () => JSON.stringify(await dc.query('select * from items order by id')), exec: async (sql) => void (await dc.query(sql)) };
  });
  scenarios('MariaDB', () => t);
});

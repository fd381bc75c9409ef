/**
 * DC_CRON_CLEAR (scheduled historical-data cleanup) through the real clients, on SQLite, PostgreSQL
 * and MariaDB: create → precheck → submit → approve by a second user → the schedule armed → runs
 * every 2 seconds delete only the expired rows (a datetime column with a FilterSQL, an epoch-
 * milliseconds column with TimeUnit) → GetDataCronClearConfig / GetDataCronClearTaskDetailList /
 * GetDataCorrectOrderDetail show the runs → pause / resume → CloseOrder disarms it. Also: a slot
 * whose previous run is still going is skipped (runs never overlap); slots missed while no tick
 * ran collapse into one run; a run stops at its window (the job's end_at, set in the store) and
 * the next run deletes the rest; validation and precheck errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/modules/context.js';
import { startRun } from '../../src/modules/data-cron/runs.js';
import { sweepSchedules, tick } from '../../src/modules/data-cron/schedule.js';
import * as ticketRepo from '../../src/modules/tickets/ticket.repository.js';
import { createUser, ok, pop, startTestServer, type Body, type Key, type TestServer } from '../helpers/server.js';
import { createPgSchema, describeWithServer, PG_URL } from '../helpers/servers.js';
import { registerMaria, registerPg, registerSqlite, sleep, startExportEnv, ticketStatus, until, withSqlite, type ExportEnv } from '../helpers/export-flow.js';

let env: ExportEnv;
beforeAll(async () => {
  env = await startExportEnv();
});
afterAll(async () => {
  await env?.close();
});

const DAY = 86_400_000;
const NOW = Date.now();
/** `yyyy-MM-dd HH:mm:ss` in UTC (the service's default zone). */
const wall = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

type Engine = 'sqlite' | 'postgresql' | 'mariadb';

/** events: 10 expired debug, 5 expired audit, 6 fresh debug, 4 fresh audit. metrics: 8 expired, 7 fresh (epoch ms). */
function seed(engine: Engine): string {
  const ts = engine === 'postgresql' ? 'timestamptz' : 'datetime';
  const lit = (ms: number) => (engine === 'postgresql' ? `'${wall(ms)}+00'` : `'${wall(ms)}'`);
  const events: string[] = [];
  let id = 1;
  const add = (n: number, ageDays: number, kind: string) => {
    for (let k = 0; k < n; k++) events.push(`(${id++}, ${lit(NOW - ageDays * DAY - k * 60_000)}, '${kind}')`);
  };
  add(10, 40, 'debug');
  add(5, 40, 'audit');
  add(6, 5, 'debug');
  add(4, 5, 'audit');
  const metrics = [...Array.from({ length: 8 }, (_, k) => NOW - 10 * DAY - k), ...Array.from({ length: 7 }, (_, k) => NOW - DAY - k)].map((t, k) => `(${k + 1}, ${t})`);
  return [
    `create table events (id integer primary key, created_at ${ts} not null, kind varchar(10) not null)`,
    `insert into events (id, created_at, kind) values ${events.join(', ')}`,
    'create table metrics (id integer primary key, ts_ms bigint not null)',
    `insert into metrics (id, ts_ms) values ${metrics.join(', ')}`,
    'create table nokey (a integer, created_at varchar(20))',
    `create table big (id integer primary key, created_at ${ts} not null)`,
  ].join(';\n') + ';';
}

const ITEMS = [
  { TableName: 'events', ColumnName: 'created_at', RemainDays: 30, FilterSQL: "where kind = 'debug'" },
  { TableName: 'metrics', ColumnName: 'ts_ms', RemainDays: 7, TimeUnit: 'MILLISECONDS' },
];

interface Target {
  dbId: number;
  count(sql: string): Promise<number>;
  exec(sql: string): Promise<void>;
}

const EVERY_2S = '*/2 * * * * ?';

async function fileCleanup(dbIds: number[], param: Record<string, unknown> = {}, by: Key = env.ulla): Promise<Body> {
  return env.v3(by)('CreateDataCronClearOrder', {
    Comment: 'cleanup for a test',
    Param: JSON.stringify({ DbItemList: dbIds.map((DbId) => ({ DbId, Logic: false })), CronFormat: EVERY_2S, CronClearItemList: ITEMS, specifyDuration: false, ...param }),
  });
}

const orderDetail = async (orderId: number): Promise<Body> => ok(await env.v3(env.ulla)('GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail;
const config = async (orderId: number): Promise<Body> => ok(await env.v3(env.ulla)('GetDataCronClearConfig', { OrderId: orderId })).DataCronClearConfig;
const runs = async (orderId: number, extra: Record<string, unknown> = {}): Promise<Body> => ok(await env.v3(env.ulla)('GetDataCronClearTaskDetailList', { OrderId: orderId, ...extra }));

async function prechecked(orderId: number, want = 'precheck_success'): Promise<Body> {
  const d = await until('the precheck', async () => {
    const x = await orderDetail(orderId);
    return x.Status === 'precheck' ? undefined : x;
  });
  expect(d.Status, JSON.stringify(d.PreCheckDetail)).toBe(want);
  return d;
}

async function approve(orderId: number): Promise<void> {
  await prechecked(orderId);
  const wf = ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
  ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE', Comment: 'ok' }));
}

/** Waits until the ticket has `n` runs that all ended, and returns the list. */
async function settledRuns(orderId: number, n: number, timeoutMs = 30_000): Promise<Body[]> {
  return until(`${n} settled run(s) of ticket ${orderId}`, async () => {
    const r = await runs(orderId, { PageSize: 100 });
    const list = r.DataCronClearTaskDetailList as Body[];
    return list.length >= n && list.slice(-n).every((t) => ['SUCCESS', 'FAIL', 'PAUSE'].includes(t.jobStatus)) ? list : undefined;
  }, timeoutMs);
}

const deps = () => env.srv.server.deps;
const schedule = (orderId: number) => deps().db.selectFrom('cron_clear_schedule').selectAll().where('ticket_id', '=', orderId).executeTakeFirstOrThrow();
const tasks = (orderId: number) => deps().db.selectFrom('dc_task').selectAll().where('ticket_id', '=', orderId).orderBy('id').execute();

/** The cleanup on one engine: expired rows gone, fresh ones and those the filter spares kept, the views right. */
function cleanupOn(engine: Engine, target: () => Target): void {
  it(`deletes only the expired rows on ${engine}, run after run`, async () => {
    const t = target();
    const orderId = Number(ok(await fileCleanup([t.dbId])).CreateOrderResult[0]);
    const d = await prechecked(orderId);
    expect(d.ConfigDetail).toMatchObject({ DetailType: 'CRON_CLEAR_DATA', Cron: true, CronFormat: EVERY_2S, CronCallTimes: 0, CronStatus: '', CronExtConfig: { CurrentClearTaskCount: 0, OptimizeTableAfterEveryClearTimes: 0 } });
    expect(d.PreCheckDetail.TaskCheckDO.map((s: Body) => s.CheckStatus)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    const rowCheck = d.PreCheckDetail.TaskCheckDO.find((s: Body) => s.CheckStep === 'ROW_CHECK');
    expect(rowCheck.UserTip).toContain('About 18 rows are expired now');
    const sqls = ok(await env.v3(env.ulla)('ListDataCorrectPreCheckSQL', { OrderId: orderId })).PreCheckSQLList;
    expect(sqls).toHaveLength(2);
    expect(sqls[0]).toMatchObject({ SqlType: 'DELETE', TableNames: 'events', AffectRows: 10 });
    expect(sqls[0].CheckSQL).toMatch(/^DELETE FROM [`"]events[`"] WHERE [`"]created_at[`"] < :cutoff \/\* run start - 30 day\(s\) \*\/ AND \(kind = 'debug'\)$/);
    expect(sqls[1]).toMatchObject({ SqlType: 'DELETE', TableNames: 'metrics', AffectRows: 8 });
    expect(sqls[1].CheckSQL).toContain('in milliseconds since 1970-01-01 UTC');

    await approve(orderId);
    expect(await ticketStatus(env, orderId)).toBe('processing');
    const armed = await config(orderId);
    expect(armed).toMatchObject({ CronFormat: EVERY_2S, ScheduleStatus: 'ARMED', OptimizeTableAfterEveryClearTimes: 0 });
    expect(armed.CronNextCallTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const [first] = await settledRuns(orderId, 1);
    const all = await settledRuns(orderId, 2);
    // Newest first; the first run deleted the 18 expired rows, the later ones find none.
    const oldest = all.at(-1)!;
    expect(oldest, JSON.stringify(all)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 18 });
    expect(all[0]!.DBTaskGroupId).toBeGreaterThan(oldest.DBTaskGroupId);
    expect(all.at(-2)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 0 });
    expect(first!.CreateTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await t.count("select count(*) as n from events where kind = 'debug'")).toBe(6);
    expect(await t.count("select count(*) as n from events where kind = 'audit'")).toBe(9);
    expect(await t.count('select count(*) as n from metrics')).toBe(7);
    expect(await t.count(`select count(*) as n from metrics where ts_ms < ${NOW - 7 * DAY}`)).toBe(0);

    const c = await config(orderId);
    expect(Number(c.CronCallTimes)).toBeGreaterThanOrEqual(2);
    expect(c.CronLastCallStartTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(['SUCCESS', 'WAITING']).toContain(c.CronStatus);
    expect(c.Duration).toBeUndefined();

    // The shared execution Actions: the latest run, and any run's jobs and statements.
    const latest = ok(await env.v3(env.ulla)('GetDataCorrectTaskDetail', { OrderId: orderId })).DataCorrectTaskDetail;
    expect(latest.DBTaskGroupId).toBeGreaterThanOrEqual(all[0]!.DBTaskGroupId);
    const jobs = ok(await env.v3(env.ulla)('ListDBTaskSQLJob', { DBTaskGroupId: oldest.DBTaskGroupId })).DBTaskSQLJobList;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ DbId: t.dbId, Status: 'SUCCESS', AffectRows: 18, DbTaskGroupId: oldest.DBTaskGroupId });
    const statements = ok(await env.v3(env.ulla)('ListDBTaskSQLJobDetail', { JobId: jobs[0].JobId })).DBTaskSQLJobDetailList;
    expect(statements.map((s: Body) => [s.SqlType, s.Status, s.AffectRows])).toEqual([
      ['DELETE', 'SUCCESS', 10],
      ['DELETE', 'SUCCESS', 8],
    ]);
    expect(statements[1].CurrentSql).toMatch(/ < \d{13}$/);
    expect(statements[0].CurrentSql).toMatch(/ < '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\+00:00)?' AND \(kind = 'debug'\)$/);

    ok(await env.as(env.ulla)('CloseOrder', { OrderId: orderId, CloseReason: 'test done' }));
  });
}

describe('SQLite', () => {
  let t: Target;
  let file: string;
  beforeAll(async () => {
    const s = await registerSqlite(env, 'cron', (db: Database.Database) => db.exec(seed('sqlite')));
    file = s.file;
    t = {
      dbId: s.dbId,
      count: async (sql) => withSqlite(s.file, (db) => Number((db.prepare(sql).get() as { n: number }).n)),
      exec: async (sql) => void withSqlite(s.file, (db) => db.exec(sql)),
    };
  });

  cleanupOn('sqlite', () => t);

  it('pause and resume, call counts, and CloseOrder disarms the schedule', async () => {
    await t.exec('delete from events; delete from metrics;');
    const orderId = Number(ok(await fileCleanup([t.dbId])).CreateOrderResult[0]);
    await approve(orderId);
    await settledRuns(orderId, 1);

    // Only the committer, an ADMIN or a DBA.
    expect(await env.as(env.mike)('PauseDataCronClear', { OrderId: orderId })).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    ok(await env.as(env.ulla)('PauseDataCronClear', { OrderId: orderId }));
    expect(await env.as(env.ulla)('PauseDataCronClear', { OrderId: orderId })).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
    const paused = await config(orderId);
    expect(paused).toMatchObject({ CronStatus: 'PAUSE', ScheduleStatus: 'PAUSED' });
    expect(paused.CronNextCallTime).toBeUndefined();
    await until('no run in progress', async () => ((await config(orderId)).CurrentClearTaskCount === 0 ? true : undefined));
    const before = (await tasks(orderId)).length;
    await sleep(4_500);
    expect((await tasks(orderId)).length).toBe(before);
    expect(Number((await config(orderId)).CronCallTimes)).toBe(before);

    const resumed = ok(await env.as(env.dora)('ResumeDataCronClear', { OrderId: orderId }));
    expect(resumed.CronNextCallTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await settledRuns(orderId, before + 1);
    expect(Number((await config(orderId)).CronCallTimes)).toBeGreaterThanOrEqual(before + 1);

    ok(await env.as(env.ulla)('CloseOrder', { OrderId: orderId, CloseReason: 'no longer needed' }));
    expect(await ticketStatus(env, orderId)).toBe('closed');
    const closed = await config(orderId);
    expect(closed).toMatchObject({ CronStatus: 'PAUSE', ScheduleStatus: 'DISARMED' });
    expect(closed.CronNextCallTime).toBeUndefined();
    expect(await env.as(env.ulla)('ResumeDataCronClear', { OrderId: orderId })).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
    const atClose = (await tasks(orderId)).length;
    await sleep(4_500);
    expect((await tasks(orderId)).length).toBe(atClose);
    // A queued tick of the closed schedule does nothing.
    expect(await sweepSchedules(deps())).toBe(0);
  });

  it('a slot whose previous run is still going is skipped; missed slots collapse into one run', async () => {
    // Daily at 03:00: nothing runs by itself during the test; the store moves the next call.
    const orderId = Number(ok(await fileCleanup([t.dbId], { CronFormat: '0 0 3 * * ?' })).CreateOrderResult[0]);
    await approve(orderId);
    const armed = await schedule(orderId);
    expect(armed.status).toBe('ARMED');
    expect(armed.next_call_at! > Date.now()).toBe(true);

    // The service was down for three days: three slots passed.
    const missed = Date.now() - 3 * DAY - 60_000;
    await deps().db.updateTable('cron_clear_schedule').set({ next_call_at: missed, version: armed.version + 1 }).where('ticket_id', '=', orderId).execute();
    expect(await sweepSchedules(deps())).toBeGreaterThanOrEqual(1);
    await settledRuns(orderId, 1);
    await sleep(1_000);
    const after = await schedule(orderId);
    expect((await tasks(orderId)).length).toBe(1);
    expect(after.call_count).toBe(1);
    expect(after.next_call_at! > Date.now()).toBe(true);
    expect(after.next_call_at! - Date.now() < DAY).toBe(true);
    expect(JSON.parse((await tasks(orderId))[0]!.options)).toMatchObject({ cron: true, slotAt: missed });

    // A run still going: its job RUNNING (as the store says); the due slot is skipped, the next time moves on.
    const [job] = await deps().db.selectFrom('dc_job').selectAll().where('ticket_id', '=', orderId).execute();
    await deps().db.updateTable('dc_job').set({ status: 'RUNNING' }).where('id', '=', job!.id).execute();
    const again = Date.now() - 60_000;
    await deps().db.updateTable('cron_clear_schedule').set({ next_call_at: again, version: after.version + 1 }).where('ticket_id', '=', orderId).execute();
    await sweepSchedules(deps());
    const skipped = await until('the skipped slot', async () => {
      const s = await schedule(orderId);
      return s.next_call_at !== again ? s : undefined;
    });
    expect((await tasks(orderId)).length).toBe(1);
    expect(skipped.call_count).toBe(1);
    expect(skipped.last_message).toMatch(/was skipped: run \d+ was still going \(runs never overlap\)/);
    expect((await config(orderId)).Message).toBe(skipped.last_message);
    expect((await config(orderId)).CronStatus).toBe('WAITING');
    const log = ok(await env.v3(env.ulla)('GetDBTaskSQLJobLog', { JobId: job!.id })).Log;
    expect(log).toContain('runs never overlap');
    await deps().db.updateTable('dc_job').set({ status: 'SUCCESS' }).where('id', '=', job!.id).execute();
    ok(await env.as(env.ulla)('CloseOrder', { OrderId: orderId, CloseReason: 'test done' }));
  });

  it('a run stops when its window closes (DurationHour; end_at set in the store) and the next run deletes the rest', async () => {
    const rows = 20_000;
    withSqlite(file, (db) => {
      const insert = db.prepare('insert into big (id, created_at) values (?, ?)');
      db.transaction(() => {
        for (let k = 1; k <= rows; k++) insert.run(k, wall(NOW - 100 * DAY - k * 1000));
      })();
    });
    const orderId = Number(
      ok(await fileCleanup([t.dbId], { CronFormat: '0 0 3 * * ?', CronClearItemList: [{ TableName: 'big', ColumnName: 'created_at', RemainDays: 1 }], specifyDuration: true, DurationHour: 2 })).CreateOrderResult[0],
    );
    const d = await prechecked(orderId);
    expect(d.ConfigDetail).toMatchObject({ Duration: 2 });
    await approve(orderId);
    expect((await config(orderId)).Duration).toBe('2');

    // A run whose window ends 400 ms after it starts (DurationHour is whole hours: the store sets it).
    const taskId = await inTransaction(deps(), async (tx) => {
      const row = (await ticketRepo.findTicket(tx.db, env.srv.admin.tid, orderId))!;
      const id = await startRun(tx, row, Date.now(), 2);
      const [job] = await tx.db.selectFrom('dc_job').selectAll().where('task_id', '=', id).execute();
      expect(job!.end_at! - job!.created_at).toBe(2 * 3_600_000);
      await tx.db.updateTable('dc_job').set({ end_at: Date.now() + 400 }).where('task_id', '=', id).execute();
      return id;
    });
    const [stopped] = await settledRuns(orderId, 1);
    expect(stopped).toMatchObject({ DBTaskGroupId: taskId, jobStatus: 'PAUSE' });
    expect(stopped!.Message).toMatch(/DurationHour/);
    const left = await t.count('select count(*) as n from big');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(rows);
    expect(stopped!.ActualAffectRows).toBe(rows - left);

    // The next run (its slot due) deletes what is left.
    const s = await schedule(orderId);
    await deps().db.updateTable('cron_clear_schedule').set({ next_call_at: Date.now() - 1000, version: s.version + 1 }).where('ticket_id', '=', orderId).execute();
    await sweepSchedules(deps());
    const list = await settledRuns(orderId, 2, 60_000);
    expect(list[0]).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: left });
    expect(await t.count('select count(*) as n from big')).toBe(0);
    ok(await env.as(env.ulla)('CloseOrder', { OrderId: orderId, CloseReason: 'test done' }));
  });

  it('refuses bad parameters, naming them', async () => {
    const bad = async (param: Record<string, unknown>, via: 'dedicated' | 'CreateOrder' = 'dedicated') => {
      const r =
        via === 'dedicated'
          ? await fileCleanup([t.dbId], param)
          : await env.as(env.ulla)('CreateOrder', {
              Comment: 'cleanup',
              PluginType: 'DC_CRON_CLEAR',
              PluginParam: JSON.stringify({ dbItemList: [{ dbId: t.dbId, logic: false }], cronFormat: EVERY_2S, cronClearItemList: [{ tableName: 'events', columnName: 'created_at', remainDays: 30 }], ...param }),
            });
      expect(r.Success, JSON.stringify(r)).toBe(false);
      return `${r.ErrorCode}: ${r.ErrorMessage}`;
    };
    expect(await bad({ CronFormat: '0 0 2 * * *' })).toMatch(/^InvalidParam: .*cronFormat: day-of-month and day-of-week cannot both be given; one must be \?/);
    expect(await bad({ CronFormat: '0 0 2 ? * 0' })).toMatch(/cronFormat: day-of-week: 0 is out of range 1-7 \(1 = SUN … 7 = SAT\)/);
    expect(await bad({ CronFormat: '0 0 25 * * ?' })).toMatch(/cronFormat: hours: 25 is out of range 0-23/);
    expect(await bad({ CronFormat: '0 0 0 30 2 ?' })).toMatch(/cronFormat: the schedule never fires/);
    expect(await bad({ CronFormat: '0 0 2 * *' })).toMatch(/cronFormat: expected 6 or 7 fields/);
    expect(await bad({ specifyDuration: 'maybe' })).toMatch(/specifyDuration: expected true or false/);
    expect(await bad({ specifyDuration: true })).toMatch(/durationHour: is required when specifyDuration is true/);
    expect(await bad({ specifyDuration: true, DurationHour: 0 })).toMatch(/durationHour: at least 1 hour/);
    expect(await bad({ specifyDuration: true, DurationHour: 1.5 })).toMatch(/durationHour/);
    expect(await bad({ CronClearItemList: [] })).toMatch(/cronClearItemList: at least one table/);
    expect(await bad({ CronClearItemList: [{ TableName: 'events', RemainDays: 3 }] })).toMatch(/cronClearItemList\.0\.columnName: is required/);
    expect(await bad({ CronClearItemList: [{ TableName: 'events', ColumnName: 'created_at', RemainDays: -1 }] })).toMatch(/cronClearItemList\.0\.remainDays: must be 0 or more/);
    expect(await bad({ CronClearItemList: [{ TableName: 'events', ColumnName: 'created_at', RemainDays: 1, TimeUnit: 'HOURS' }] })).toMatch(/cronClearItemList\.0\.timeUnit: expected SECONDS or MILLISECONDS/);
    expect(await bad({ DbItemList: [] })).toMatch(/dbItemList: at least one database/);
    expect(await bad({ CronFormat: undefined })).toMatch(/cronFormat: is required/);
    expect(await bad({ execMode: 'COMMITOR' }, 'CreateOrder')).toMatch(/^InvalidPluginParam: .*execMode: a cleanup schedule runs by itself: only AUTO/);
    expect(await bad({ cronFormat: '0 0 2 L * MON' }, 'CreateOrder')).toMatch(/cronFormat: day-of-month and day-of-week cannot both be given/);
    // Lower camel keys through CreateOrder work.
    const created = ok(
      await env.as(env.ulla)('CreateOrder', {
        Comment: 'cleanup',
        PluginType: 'DC_CRON_CLEAR',
        PluginParam: JSON.stringify({ dbItemList: [{ dbId: t.dbId, logic: false }], cronFormat: '0 0 2 ? * 7,1', cronClearItemList: [{ tableName: 'events', columnName: 'created_at', remainDays: 30 }], specifyDuration: true, durationHour: 4 }),
      }),
    ).CreateOrderResult.OrderIds[0];
    expect((await prechecked(created)).ConfigDetail).toMatchObject({ CronFormat: '0 0 2 ? * 7,1', Duration: 4, DetailType: 'CRON_CLEAR_DATA' });
  });

  it('the precheck refuses tables without a key, wrong columns and filters that are not conditions', async () => {
    const failing = async (items: Record<string, unknown>[], step: string, tip: RegExp) => {
      const orderId = Number(ok(await fileCleanup([t.dbId], { CronClearItemList: items })).CreateOrderResult[0]);
      const d = await prechecked(orderId, 'precheckFailed');
      const s = d.PreCheckDetail.TaskCheckDO.find((x: Body) => x.CheckStatus === 'FAIL');
      expect(s.CheckStep).toBe(step);
      expect(s.UserTip).toMatch(tip);
      expect(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId })).toMatchObject({ Success: false });
    };
    await failing([{ TableName: 'missing', ColumnName: 'created_at', RemainDays: 1 }], 'SQL_TYPE_CHECK', /table missing does not exist/);
    await failing([{ TableName: 'nokey', ColumnName: 'created_at', RemainDays: 1 }], 'SQL_TYPE_CHECK', /neither a primary key nor a unique key/);
    await failing([{ TableName: 'events', ColumnName: 'nope', RemainDays: 1 }], 'SQL_TYPE_CHECK', /column nope does not exist/);
    await failing([{ TableName: 'events', ColumnName: 'kind', RemainDays: 1 }], 'SQL_TYPE_CHECK', /column kind is .*, not a date, datetime or timestamp column/i);
    await failing([{ TableName: 'metrics', ColumnName: 'ts_ms', RemainDays: 1 }], 'SQL_TYPE_CHECK', /give TimeUnit SECONDS or MILLISECONDS/);
    await failing([{ TableName: 'events', ColumnName: 'created_at', RemainDays: 1, TimeUnit: 'SECONDS' }], 'SQL_TYPE_CHECK', /not a number: TimeUnit SECONDS is for epoch numbers/);
    await failing([{ TableName: 'events', ColumnName: 'created_at', RemainDays: 1, FilterSQL: "kind = 'x'; drop table events" }], 'SQL_PARSE', /FilterSQL: it holds a statement separator/);
    await failing([{ TableName: 'events', ColumnName: 'created_at', RemainDays: 1, FilterSQL: 'where id in (delete from metrics returning id)' }], 'SQL_PARSE', /FilterSQL: DELETE is not allowed in a condition/);
    await failing([{ TableName: 'events', ColumnName: 'created_at', RemainDays: 1, FilterSQL: 'where kind = ' }], 'SQL_PARSE', /the DELETE does not parse as SQLite/);
  });
});

await describeWithServer('postgres', 'PostgreSQL', () => {
  let t: Target;
  beforeAll(async () => {
    const { cron } = await registerPg(env, { cron: seed('postgresql') });
    t = { dbId: cron.dbId, count: async (sql) => Number((await cron.query(sql)).rows[0].n), exec: async (sql) => void (await cron.query(sql)) };
  });
  cleanupOn('postgresql', () => t);
});

await describeWithServer('mysql', 'MariaDB', () => {
  let t: Target;
  beforeAll(async () => {
    const { cron } = await registerMaria(env, { cron: seed('mariadb') });
    t = { dbId: cron.dbId, count: async (sql) => Number((await cron.query(sql))[0].n), exec: async (sql) => void (await cron.query(sql)) };
  });
  cleanupOn('mariadb', () => t);
});

// The same on a PostgreSQL metadata store: ticks and runs on pg-boss (keys, startAfter, several workers).
await describeWithServer('postgres', 'on a PostgreSQL store', () => {
  let sqliteEnv: ExportEnv;
  let drop: () => Promise<void>;
  let t: Target;
  beforeAll(async () => {
    const schema = await createPgSchema('opendms_cron');
    drop = schema.drop;
    sqliteEnv = env;
    env = await startExportEnv({ OPENDMS_DATABASE_URL: PG_URL, OPENDMS_DATABASE_SCHEMA: schema.schema });
    const s = await registerSqlite(env, 'cron-pg-store', (db: Database.Database) => db.exec(seed('sqlite')));
    t = {
      dbId: s.dbId,
      count: async (sql) => withSqlite(s.file, (db) => Number((db.prepare(sql).get() as { n: number }).n)),
      exec: async (sql) => void withSqlite(s.file, (db) => db.exec(sql)),
    };
  });
  afterAll(async () => {
    await env?.close();
    await drop?.();
    env = sqliteEnv;
  });
  cleanupOn('sqlite', () => t);

  it('two processes ticking the same slot start one run (compare-and-set on the schedule)', async () => {
    const orderId = Number(ok(await fileCleanup([t.dbId], { CronFormat: '0 0 3 * * ?' })).CreateOrderResult[0]);
    await approve(orderId);
    const s = await schedule(orderId);
    const due = Date.now() - DAY;
    await deps().db.updateTable('cron_clear_schedule').set({ next_call_at: due, version: s.version + 1 }).where('ticket_id', '=', orderId).execute();
    await Promise.all([tick(deps(), orderId, due), tick(deps(), orderId, due), tick(deps(), orderId, due)]);
    expect((await tasks(orderId)).length).toBe(1);
    expect((await schedule(orderId)).call_count).toBe(1);
    await settledRuns(orderId, 1);
    ok(await env.as(env.ulla)('CloseOrder', { OrderId: orderId, CloseReason: 'test done' }));
  });
});

describe('the service down over several slots', () => {
  let srv: TestServer | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-cron-'));
  afterAll(async () => {
    await srv?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the missed slots once when it comes back, then on schedule', async () => {
    srv = await startTestServer({ dataDir });
    const ulla = await createUser(srv, 'ulla', 'USER');
    const dora = await createUser(srv, 'dora', 'DBA');
    const s = await registerSqlite({ srv, admin: pop(srv, srv.admin) } as unknown as ExportEnv, 'restart', (db: Database.Database) => db.exec(seed('sqlite')));
    const call = (key: Key) => (action: string, params: Record<string, unknown>) => pop(srv!, key)(action, params);
    const orderId = Number(
      ok(await call(ulla)('CreateDataCronClearOrder', { Comment: 'cleanup', Param: JSON.stringify({ DbItemList: [{ DbId: s.dbId, Logic: false }], CronFormat: EVERY_2S, CronClearItemList: ITEMS }) })).CreateOrderResult[0],
    );
    await until('the precheck', async () => ((await call(ulla)('GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail.Status === 'precheck_success' ? true : undefined));
    const wf = ok(await call(ulla)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
    ok(await call(dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    const runsNow = async () => ok(await call(ulla)('GetDataCronClearTaskDetailList', { OrderId: orderId, PageSize: 100 })).DataCronClearTaskDetailList as Body[];
    await until('a first run', async () => ((await runsNow()).some((r) => r.jobStatus === 'SUCCESS') ? true : undefined));

    await srv.close();
    const downAt = Date.now();
    srv = undefined;
    await sleep(7_000); // three slots of 2 s pass while it is down
    const upAt = Date.now();
    srv = await startTestServer({ dataDir });
    const slots = async () => (await srv!.server.deps.db.selectFrom('dc_task').select(['options', 'created_at']).where('ticket_id', '=', orderId).orderBy('id').execute()).map((t) => ({ ...(JSON.parse(t.options) as { slotAt: number }), createdAt: t.created_at }));
    await until('runs after the restart', async () => ((await slots()).filter((t) => t.createdAt >= upAt).length >= 2 ? true : undefined));
    const missed = (await slots()).filter((t) => t.slotAt > downAt && t.slotAt < upAt);
    // One run for all the slots of the downtime, started after the restart; the next ones are on schedule.
    expect(missed).toHaveLength(1);
    expect(missed[0]!.createdAt).toBeGreaterThanOrEqual(upAt);
    const later = (await slots()).filter((t) => t.slotAt >= upAt);
    expect(later.length).toBeGreaterThanOrEqual(1);
    ok(await call(ulla)('CloseOrder', { OrderId: orderId, CloseReason: 'test done' }));
  });
});

/**
 * Execution of DC_COMMON tickets through the real clients, on SQLite, PostgreSQL and MariaDB:
 * create → precheck → submit → approve → ExecuteDataCorrect → the target's rows changed exactly as
 * intended → backup, SQL and rollback files → CreateRollbackOrder → the rollback ticket runs →
 * every table back exactly as before (full-table checksums). Also: a double ExecuteDataCorrect
 * runs once; a multi-database ticket where one database fails, restarted alone from the failed
 * statement; one transaction per database; pause and restart; ExecMode AUTO; who may execute.
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, type Body, type Key } from '../helpers/server.js';
import { describeWithServer } from '../helpers/servers.js';
import { uploadSql } from '../helpers/attachments.js';
import { runDcJob } from '../../src/modules/data-changes/runner.js';
import { fetchBytes, registerMaria, registerPg, registerSqlite, sleep, ticketStatus, type User, until, withSqlite } from '../helpers/export-flow.js';
import { dcApprove, dcJobs, dcOrderDetail, dcPrecheckOver, dcSettled, dcTaskDetail, exportEnvHooks, type Engine } from '../helpers/data-change-flow.js';

const env = exportEnvHooks();

interface Target {
  dbId: number;
  /** SQLite: the database file. */
  file?: string;
  /** Rows of a table as text, ordered by id: equal text means an equal table. */
  rows(table: string): Promise<unknown[]>;
  exec(sql: string): Promise<void>;
}

const checksum = async (t: Target, tables: string[]): Promise<string> => {
  const h = crypto.createHash('sha256');
  for (const name of tables) h.update(JSON.stringify(await t.rows(name)));
  return h.digest('hex');
};

function setup(engine: Engine): string {
  const auto = engine === 'sqlite' ? 'integer primary key autoincrement' : engine === 'postgresql' ? 'integer generated always as identity primary key' : 'integer auto_increment primary key';
  const money = engine === 'sqlite' ? 'numeric' : 'decimal(12,2)';
  const accounts = Array.from({ length: 50 }, (_, k) => `(${k + 1}, 'owner ${k + 1}', ${(k * 3.25).toFixed(2)}, ${k % 7 === 0 ? 'null' : `'note ${k}'`})`).join(', ');
  return [
    `create table accounts (id integer primary key, owner varchar(40) not null, balance ${money} not null, note varchar(100) null)`,
    `insert into accounts (id, owner, balance, note) values ${accounts}`,
    `create table audit_log (id ${auto}, msg varchar(40) not null)`,
    `insert into audit_log (msg) values ('existing')`,
    'create table counters (id integer primary key, n integer not null)',
    "insert into counters (id, n) values (1, 0), (2, 0), (3, 0)",
    'create table loose (a integer not null, b varchar(10) not null)',
    "insert into loose (a, b) values (1, 'x'), (2, 'y')",
  ].join(';\n') + ';';
}

const TABLES = ['accounts', 'audit_log', 'counters', 'loose'];

const CHANGE = [
  "update accounts set balance = balance + 10, note = 'bonus' where id <= 10",
  'delete from accounts where id > 45',
  "insert into audit_log (msg) values ('first'), ('second')",
  "update accounts set owner = 'Zoë ✓ \"q\" ''s' where id = 20",
  'update counters set n = n + 1 where id = 1',
].join(';\n') + ';';

// ---------------------------------------------------------------------------------------------

async function fileChange(dbItems: { DbId: number; Logic?: boolean }[], sql: string, extra: Record<string, unknown> = {}, by: Key = env.ulla): Promise<number> {
  const body = ok(await env.v3(by)('CreateDataCorrectOrder', { Comment: 'data change for a test', Param: JSON.stringify({ DbItemList: dbItems.map((d) => ({ Logic: false, ...d })), SqlType: 'TEXT', ExecSQL: sql, EstimateAffectRows: 1000, ...extra }) }));
  return Number(body.CreateOrderResult[0]);
}

const orderDetail = (orderId: number): Promise<Body> => dcOrderDetail(env, orderId);

async function prechecked(orderId: number): Promise<void> {
  const d = await dcPrecheckOver(env, orderId);
  expect(d.Status, JSON.stringify(d.PreCheckDetail)).toBe('precheck_success');
}

/** Precheck passed → submitted by the committer → approved by the DBA. */
async function approved(orderId: number, committer: User = env.ulla): Promise<void> {
  await prechecked(orderId);
  await dcApprove(env, orderId, committer);
}

const execute = (orderId: number, actionDetail: Record<string, unknown> = {}, by: Key = env.ulla) => env.as(by)('ExecuteDataCorrect', { OrderId: orderId, ActionDetail: JSON.stringify(actionDetail) });

const taskDetail = (orderId: number): Promise<Body> => dcTaskDetail(env, orderId);
const settledTask = (orderId: number, wanted?: string[]): Promise<Body> => dcSettled(env, orderId, wanted);
const jobs = (orderId: number): Promise<Body[]> => dcJobs(env, orderId);

async function jobDetail(jobId: number): Promise<Body[]> {
  return ok(await env.v3(env.ulla)('ListDBTaskSQLJobDetail', { JobId: jobId, PageSize: 100 })).DBTaskSQLJobDetailList;
}

async function download(url: string): Promise<string> {
  const r = await fetchBytes(url);
  expect(r.status, r.body.toString()).toBe(200);
  return r.body.toString('utf8');
}

/** Files, approves and executes `sql`; returns the ticket once its execution settled. */
async function executed(dbItems: { DbId: number }[], sql: string, actionDetail: Record<string, unknown> = {}): Promise<number> {
  const id = await fileChange(dbItems, sql);
  await approved(id);
  ok(await execute(id, actionDetail));
  await settledTask(id);
  return id;
}

// ---------------------------------------------------------------------------------------------

function scenarios(engine: Engine, target: () => Target) {
  it(`${engine}: executes, backs up, and a rollback ticket restores every table exactly`, async () => {
    const t = target();
    const before = await checksum(t, TABLES);
    const id = await fileChange([{ DbId: t.dbId }], CHANGE, { Classify: 'fix' });
    await approved(id);
    expect((await orderDetail(id)).Status).toBe('Approved');
    const started = ok(await execute(id));
    expect(started.DBTaskGroupId).toEqual(expect.any(Number));
    const task = await settledTask(id);
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 10 + 5 + 2 + 1 + 1, DBTaskGroupId: started.DBTaskGroupId, CreateTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
    expect(await ticketStatus(env, id)).toBe('success');
    const d = await orderDetail(id);
    expect(d.Status).toBe('Success');
    expect(d.OrderDetail.ActualAffectRows).toBe(19);

    // The rows changed exactly as intended.
    const accounts = (await t.rows('accounts')) as Body[];
    expect(accounts).toHaveLength(45);
    expect(accounts.filter((a) => a.note === 'bonus').map((a) => Number(a.id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Number(accounts[3]!.balance)).toBeCloseTo(3 * 3.25 + 10, 2);
    expect(accounts[19]!.owner).toBe('Zoë ✓ "q" \'s');
    expect(((await t.rows('audit_log')) as Body[]).map((r) => r.msg)).toEqual(['existing', 'first', 'second']);
    expect(((await t.rows('counters')) as Body[]).map((r) => Number(r.n))).toEqual([1, 0, 0]);

    // Jobs and statements.
    const [job, ...more] = await jobs(id);
    expect(more).toEqual([]);
    expect(job).toMatchObject({ DbId: t.dbId, Status: 'SUCCESS', JobType: 'DATA_CORRECT', Transactional: false, Logic: false, AffectRows: 19, Comment: 'data change for a test' });
    const stmts = await jobDetail(job!.JobId);
    expect(stmts.map((s) => [s.SqlId, s.Status, s.AffectRows, s.ExecuteCount, s.SqlType])).toEqual([
      [1, 'SUCCESS', 10, 1, 'UPDATE'],
      [2, 'SUCCESS', 5, 1, 'DELETE'],
      [3, 'SUCCESS', 2, 1, 'INSERT'],
      [4, 'SUCCESS', 1, 1, 'UPDATE'],
      [5, 'SUCCESS', 1, 1, 'UPDATE'],
    ]);
    expect(stmts.map((s) => s.BackupRows)).toEqual([10, 5, 2, 1, 1]);
    const log = ok(await env.as(env.ulla)('GetDBTaskSQLJobLog', { JobId: job!.JobId })).Log as string;
    expect(log).toMatch(/\[INFO\] statement 2: 5 rows, 5 backed up/);
    expect(log).toMatch(/\[INFO\] finished: 19 rows changed/);

    // Files: the script as filed, the backup (JSON Lines), the generated rollback.
    expect(await download(ok(await env.v3(env.ulla)('GetDataCorrectSQLFile', { OrderId: id })).FileUrl)).toBe(CHANGE);
    const urls: string[] = ok(await env.v3(env.ulla)('GetDataCorrectBackupFiles', { OrderId: id })).DataCorrectBackupFiles.FileUrl;
    expect(urls).toHaveLength(1);
    const backup = (await download(urls[0]!)).trim().split('\n').map((l) => JSON.parse(l));
    const headers = backup.filter((l) => !Array.isArray(l));
    expect(headers.map((h) => [h.position, h.kind, h.table.name, h.keyColumns])).toEqual([
      [1, 'UPDATE', 'accounts', ['id']],
      [2, 'DELETE', 'accounts', ['id']],
      [3, 'INSERT', 'audit_log', ['id']],
      [4, 'UPDATE', 'accounts', ['id']],
      [5, 'UPDATE', 'counters', ['id']],
    ]);
    expect(backup.filter((l) => Array.isArray(l))).toHaveLength(19);
    const rollback = await download(ok(await env.v3(env.ulla)('GetDataCorrectRollbackFile', { OrderId: id })).FileUrl);
    expect(rollback).toMatch(/-- undo statement 5 \(UPDATE, 1 rows\)[\s\S]*-- undo statement 1 \(UPDATE, 10 rows\)/);
    expect(rollback).toMatch(/DELETE FROM .*audit_log.* WHERE .*id.* = \d+;/);
    expect(rollback).not.toMatch(/INCOMPLETE/);

    // The rollback ticket, through its own precheck, approval and execution.
    const rb = ok(await env.v3(env.ulla)('CreateRollbackOrder', { OrderId: id })).CreateOrderResult as number[];
    expect(rb).toHaveLength(1);
    await approved(rb[0]!);
    ok(await execute(rb[0]!));
    expect(await settledTask(rb[0]!)).toMatchObject({ jobStatus: 'SUCCESS' });
    expect(await checksum(t, TABLES)).toBe(before);
    const events = ok(await env.as(env.ulla)('ListOrderEvents', { OrderId: id })).Events ?? ok(await env.as(env.ulla)('ListOrderEvents', { OrderId: id }));
    expect(JSON.stringify(events)).toContain('ROLLBACK_FILED');
  });

  it(`${engine}: a double ExecuteDataCorrect in parallel starts one execution, which runs each statement once`, async () => {
    const t = target();
    const id = await fileChange([{ DbId: t.dbId }], 'update counters set n = n + 1 where id = 2;\nupdate counters set n = n + 10 where id = 2;');
    await approved(id);
    const results = await Promise.all([execute(id), execute(id), execute(id)]);
    expect(results.filter((r) => r.Success === true)).toHaveLength(1);
    for (const r of results.filter((x) => x.Success !== true)) expect(['InvalidStatus', 'ConcurrentModification']).toContain(r.ErrorCode);
    await settledTask(id);
    expect(((await t.rows('counters')) as Body[]).find((r) => Number(r.id) === 2)!.n).toEqual(expect.anything());
    expect(Number(((await t.rows('counters')) as Body[]).find((r) => Number(r.id) === 2)!.n)).toBe(11);
    const again = await execute(id);
    expect(again).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
  });

  it(`${engine}: a failed statement fails the job; the restart runs from it and never re-runs what committed`, async () => {
    const t = target();
    const sql = ['update counters set n = n + 1 where id = 3', "insert into accounts (id, owner, balance) values (1, 'duplicate', 0)", 'update counters set n = n + 100 where id = 3'].join(';\n');
    const id = await executed([{ DbId: t.dbId }], sql);
    expect(await ticketStatus(env, id)).toBe('fail');
    const [job] = await jobs(id);
    expect(job).toMatchObject({ Status: 'FAIL', Message: expect.stringMatching(/statement 2 failed/) });
    let stmts = await jobDetail(job!.JobId);
    expect(stmts.map((s) => [s.Status, s.ExecuteCount])).toEqual([['SUCCESS', 1], ['FAIL', 1], ['INIT', 0]]);
    expect(stmts[1]!.Log).not.toBe('');
    const n3 = async () => Number(((await t.rows('counters')) as Body[]).find((r) => Number(r.id) === 3)!.n);
    const before = await n3();

    // Executing again is refused; the restart is the way.
    expect(await execute(id)).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus', ErrorMessage: expect.stringContaining('RestartDataCorrectSQLJob') });
    await t.exec("update accounts set id = 1000 where id = 1");
    ok(await env.as(env.ulla)('RestartDataCorrectSQLJob', { OrderId: id, Type: 'SINGLE', JobId: job!.JobId }));
    expect(await settledTask(id)).toMatchObject({ jobStatus: 'SUCCESS' });
    expect(await ticketStatus(env, id)).toBe('success');
    stmts = await jobDetail(job!.JobId);
    expect(stmts.map((s) => [s.Status, s.ExecuteCount])).toEqual([['SUCCESS', 1], ['SUCCESS', 2], ['SUCCESS', 1]]);
    expect(await n3()).toBe(before + 100);
    await t.exec("delete from accounts where id = 1; update accounts set id = 1 where id = 1000");
  });

  it(`${engine}: a statement that committed before the store recorded it is settled from the marker, never run again`, async () => {
    const t = target();
    const id = await executed([{ DbId: t.dbId }], 'update counters set n = n + 1 where id = 1;\nupdate counters set n = n + 1 where id = 2;');
    const [job] = await jobs(id);
    const before = await t.rows('counters');
    // What a crash between the target's COMMIT and the store's update leaves behind.
    const deps = env.srv.server.deps;
    await deps.db.updateTable('dc_statement').set({ status: 'RUNNING' }).where('job_id', '=', job!.JobId).where('position', '=', 2).execute();
    await deps.db.updateTable('dc_job').set({ status: 'RUNNING' }).where('id', '=', job!.JobId).execute();
    await runDcJob(deps, job!.JobId, 1, { number: 2, signal: new AbortController().signal });
    expect(await t.rows('counters')).toEqual(before);
    expect((await jobDetail(job!.JobId)).map((s) => [s.Status, s.ExecuteCount, s.AffectRows])).toEqual([['SUCCESS', 1, 1], ['SUCCESS', 1, 1]]);
    expect(ok(await env.as(env.ulla)('GetDBTaskSQLJobLog', { JobId: job!.JobId })).Log).toMatch(/statement 2 had committed before the interruption \(1 rows\); it is not run again/);
  });

  if (engine !== 'sqlite') {
    it(`${engine}: two workers racing on the same job run each statement once`, async () => {
      const t = target();
      const sql = "insert into accounts (id, owner, balance) values (3, 'duplicate', 0);\nupdate counters set n = n + 1 where id = 3;\nupdate counters set n = n + 1 where id = 3;";
      const id = await executed([{ DbId: t.dbId }], sql);
      const [job] = await jobs(id);
      expect(job!.Status).toBe('FAIL');
      await t.exec('delete from accounts where id = 3');
      const n3 = async () => Number(((await t.rows('counters')) as Body[]).find((r) => Number(r.id) === 3)!.n);
      const before = await n3();
      const deps = env.srv.server.deps;
      // Two workers of one job, as after a lease that ran out while the first was still alive.
      await deps.db.updateTable('dc_job').set({ status: 'RUNNING' }).where('id', '=', job!.JobId).execute();
      await deps.db.updateTable('ticket').set({ status: 'processing' }).where('id', '=', id).execute();
      const signal = new AbortController().signal;
      await Promise.all([runDcJob(deps, job!.JobId, 1, { number: 2, signal }), runDcJob(deps, job!.JobId, 1, { number: 2, signal })]);
      expect(await n3()).toBe(before + 2);
      expect((await jobDetail(job!.JobId)).map((s) => s.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
      await t.exec('delete from accounts where id = 3');
      await t.exec("insert into accounts (id, owner, balance, note) values (3, 'owner 3', 6.50, 'note 2')");
    });
  }

  it(`${engine}: transaction true runs a database's statements all or nothing`, async () => {
    const t = target();
    const before = await checksum(t, TABLES);
    const sql = ['update counters set n = n + 1 where id = 1', "insert into accounts (id, owner, balance) values (2, 'duplicate', 0)"].join(';\n');
    const id = await executed([{ DbId: t.dbId }], sql, { transaction: true });
    const [job] = await jobs(id);
    expect(job).toMatchObject({ Status: 'FAIL', Transactional: true, Message: expect.stringMatching(/rolled back/) });
    expect((await jobDetail(job!.JobId)).map((s) => s.Status)).toEqual(['INIT', 'FAIL']);
    expect(await checksum(t, TABLES)).toBe(before);
  });
}

// ---------------------------------------------------------------------------------------------

describe('SQLite', () => {
  let t: Target;
  beforeAll(async () => {
    const s = await registerSqlite(env, 'dc_exec', (db) => db.exec(setup('sqlite')));
    const open = <R>(fn: (db: Database.Database) => R): R => withSqlite(s.file, fn);
    t = {
      dbId: s.dbId,
      file: s.file,
      rows: async (table) => open((db) => db.prepare(`select * from ${table} order by ${table === 'loose' ? 'a' : 'id'}`).all()),
      exec: async (sql) => open((db) => void db.exec(sql)),
    };
  });
  scenarios('sqlite', () => t);

  it('sqlite: SQL from an attachment, a table without key, backup off, AUTO mode, pause and restart, permissions', async () => {
    // A table without key: the UPDATE is backed up by full rows but cannot be rolled back by key.
    const noKey = await executed([{ DbId: t.dbId }], "update loose set b = 'z' where a = 1;");
    const [job] = await jobs(noKey);
    expect((await jobDetail(job!.JobId))[0]).toMatchObject({ Status: 'SUCCESS', BackupRows: 1, RollbackNote: expect.stringMatching(/no primary or unique key/) });
    expect(await env.v3(env.ulla)('CreateRollbackOrder', { OrderId: noKey })).toMatchObject({ Success: false, ErrorCode: 'NotSupported', ErrorMessage: expect.stringMatching(/no primary or unique key/) });
    expect(await download(ok(await env.v3(env.ulla)('GetDataCorrectRollbackFile', { OrderId: noKey })).FileUrl)).toMatch(/INCOMPLETE/);

    // Backup off: no backup files.
    const off = await executed([{ DbId: t.dbId }], 'update counters set n = n where id = 1;', { backupData: false });
    expect(ok(await env.v3(env.ulla)('GetDataCorrectBackupFiles', { OrderId: off })).DataCorrectBackupFiles.FileUrl).toEqual([]);

    // ExecMode AUTO: runs once approved, nobody calls ExecuteDataCorrect.
    const auto = await fileChange([{ DbId: t.dbId }], 'update counters set n = n + 5 where id = 1;', { ExecMode: 'AUTO' });
    await approved(auto);
    expect(await settledTask(auto)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 1 });
    expect(await execute(auto)).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });

    // Pause a scheduled job, then restart it.
    const later = await fileChange([{ DbId: t.dbId }], 'update counters set n = n + 1 where id = 1;');
    await approved(later);
    const start = new Date(Date.now() + 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    ok(await execute(later, { startTime: start }));
    expect((await taskDetail(later)).jobStatus).toBe('BE_SCHEDULED');
    ok(await env.as(env.ulla)('PauseDataCorrectSQLJob', { OrderId: later, Type: 'ALL' }));
    expect((await taskDetail(later)).jobStatus).toBe('PAUSE');
    expect(await ticketStatus(env, later)).toBe('processing');
    ok(await env.as(env.ulla)('RestartDataCorrectSQLJob', { OrderId: later, Type: 'ALL' }));
    expect(await settledTask(later)).toMatchObject({ jobStatus: 'SUCCESS' });

    // Only the executor may execute; another tenant sees nothing.
    const other = await fileChange([{ DbId: t.dbId }], 'update counters set n = n where id = 1;');
    expect(await execute(other)).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
    await approved(other);
    expect(await execute(other, {}, env.mike)).toMatchObject({ Success: false });
    expect(await execute(other, {}, env.olaf)).toMatchObject({ Success: false });
    expect(await execute(other, { endTime: '2001-01-01 00:00:00' })).toMatchObject({ Success: false, ErrorCode: 'InvalidActionDetail' });
    ok(await execute(other));
    await settledTask(other);

    // The SQL from an attachment.
    const key = await uploadSql(env.srv.port, env.ulla, 'change.sql', 'update counters set n = n + 7 where id = 3;\n');
    const att = ok(await env.v3(env.ulla)('CreateDataCorrectOrder', { Comment: 'from a file', Param: JSON.stringify({ DbItemList: [{ DbId: t.dbId, Logic: false }], SqlType: 'ATTACHMENT', AttachmentName: key }) })).CreateOrderResult[0];
    const n3 = Number(((await t.rows('counters')) as Body[])[2]!.n);
    await approved(att);
    ok(await execute(att));
    expect(await settledTask(att)).toMatchObject({ jobStatus: 'SUCCESS' });
    expect(Number(((await t.rows('counters')) as Body[])[2]!.n)).toBe(n3 + 7);
  });

  it('sqlite: a 15 MB script from an attachment is prechecked and executed completely', async () => {
    await t.exec('create table bulk (id integer primary key, name varchar(60) not null, amount numeric not null, created varchar(20) not null)');
    const statements: string[] = [];
    let size = 0;
    let id = 0;
    while (size < 15 * 1024 * 1024) {
      const rows = Array.from({ length: 500 }, () => {
        id++;
        return `(${id}, 'name ${id} with some text to make it longer ✓', ${(id * 1.25).toFixed(2)}, '2024-01-01 00:00:00')`;
      });
      const stmt = `insert into bulk (id, name, amount, created) values ${rows.join(', ')};`;
      statements.push(stmt);
      size += Buffer.byteLength(stmt) + 1;
    }
    const key = await uploadSql(env.srv.port, env.ulla, 'bulk.sql', statements.join('\n'));
    const order = ok(await env.v3(env.ulla)('CreateDataCorrectOrder', { Comment: 'bulk load', Param: JSON.stringify({ DbItemList: [{ DbId: t.dbId, Logic: false }], SqlType: 'ATTACHMENT', AttachmentName: key, EstimateAffectRows: id }) })).CreateOrderResult[0];
    // The server keeps answering while it parses the script.
    const slowest = { ms: 0 };
    const probe = setInterval(() => {
      const t0 = Date.now();
      void fetch(`${env.srv.url}/healthz`).then(() => (slowest.ms = Math.max(slowest.ms, Date.now() - t0)));
    }, 200);
    try {
      await until('the precheck of 15 MB', async () => ((await orderDetail(order)).Status === 'precheck' ? undefined : true), 180_000);
    } finally {
      clearInterval(probe);
    }
    expect(slowest.ms).toBeLessThan(2_000);
    await approved(order);
    ok(await execute(order));
    expect(await until('the execution of 15 MB', async () => {
      const x = await taskDetail(order);
      return ['SUCCESS', 'FAIL'].includes(x.jobStatus) ? x : undefined;
    }, 180_000)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: id });
    expect(withSqlite(t.file ?? '', (db) => db.prepare('select count(*) n, sum(id) s from bulk').get())).toEqual({ n: id, s: (id * (id + 1)) / 2 });
  }, 400_000);

  it('sqlite: ModifyDataCorrectExecSQL replaces the SQL before submission and prechecks it again', async () => {
    const id = await fileChange([{ DbId: t.dbId }], 'delete from counters;');
    await until('the precheck', async () => ((await orderDetail(id)).Status === 'precheck' ? undefined : true));
    expect((await orderDetail(id)).Status).toBe('precheckFailed');
    expect(await env.as(env.mike)('ModifyDataCorrectExecSQL', { OrderId: id, ExecSQL: 'update counters set n = 1 where id = 1' })).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    ok(await env.as(env.ulla)('ModifyDataCorrectExecSQL', { OrderId: id, ExecSQL: 'update counters set n = n where id = 1' }));
    await prechecked(id);
    expect((await orderDetail(id)).OrderDetail.ExeSQL).toBe('update counters set n = n where id = 1');
  });

  it('sqlite: a multi-database ticket where one database fails: the others succeed, the failed one restarts alone', async () => {
    const a = await registerSqlite(env, 'dc_exec_a', (db) => db.exec(setup('sqlite')));
    const b = await registerSqlite(env, 'dc_exec_b', (db) => db.exec(`${setup('sqlite')} insert into accounts (id, owner, balance) values (100, 'taken', 0);`));
    const sql = "update counters set n = n + 1 where id = 1;\ninsert into accounts (id, owner, balance) values (100, 'new', 1);\nupdate counters set n = n + 1 where id = 2;";
    const id = await fileChange([{ DbId: a.dbId }, { DbId: b.dbId }], sql);
    await approved(id);
    ok(await execute(id));
    expect(await settledTask(id)).toMatchObject({ jobStatus: 'FAIL' });
    expect(await ticketStatus(env, id)).toBe('fail');
    const list = await jobs(id);
    const ja = list.find((j) => j.DbId === a.dbId)!;
    const jb = list.find((j) => j.DbId === b.dbId)!;
    expect([ja.Status, jb.Status]).toEqual(['SUCCESS', 'FAIL']);
    expect((await jobDetail(jb.JobId)).map((s) => s.Status)).toEqual(['SUCCESS', 'FAIL', 'INIT']);

    withSqlite(b.file, (db) => db.exec('delete from accounts where id = 100'));
    expect(await env.as(env.ulla)('RestartDataCorrectSQLJob', { OrderId: id, Type: 'SINGLE', JobId: ja.JobId })).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
    ok(await env.as(env.ulla)('RestartDataCorrectSQLJob', { OrderId: id, Type: 'SINGLE', JobId: jb.JobId }));
    expect(await settledTask(id)).toMatchObject({ jobStatus: 'SUCCESS' });
    expect(await ticketStatus(env, id)).toBe('success');
    expect((await jobDetail(ja.JobId)).map((s) => s.ExecuteCount)).toEqual([1, 1, 1]);
    expect((await jobDetail(jb.JobId)).map((s) => s.ExecuteCount)).toEqual([1, 2, 1]);
    const counters = (file: string) => withSqlite(file, (db) => db.prepare('select n from counters order by id').all().map((r) => (r as { n: number }).n));
    expect(counters(a.file)).toEqual([1, 1, 0]);
    expect(counters(b.file)).toEqual([1, 1, 0]);
  });
});

await describeWithServer('postgres', 'PostgreSQL', () => {
  let t: Target;
  beforeAll(async () => {
    const { dc } = await registerPg(env, { dcx: setup('postgresql') }).then((r) => ({ dc: r.dcx }));
    t = {
      dbId: dc.dbId,
      rows: async (table) => (await dc.query(`select * from ${table} order by ${table === 'loose' ? 'a' : 'id'}`)).rows,
      exec: async (sql) => void (await dc.query(sql)),
    };
  });
  scenarios('postgresql', () => t);
});

await describeWithServer('mysql', 'MariaDB', () => {
  let t: Target;
  beforeAll(async () => {
    const { dcx } = await registerMaria(env, { dcx: setup('mariadb') });
    t = {
      dbId: dcx.dbId,
      rows: async (table) => dcx.query(`select * from ${table} order by ${table === 'loose' ? 'a' : 'id'}`),
      exec: async (sql) => void (await dcx.query(sql)),
    };
  });
  scenarios('mariadb', () => t);
});

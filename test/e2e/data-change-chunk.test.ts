/**
 * Lock-free data changes (DC_CHUNK) through the real clients, on SQLite, PostgreSQL and MariaDB:
 * CreateFreeLockCorrectOrder → precheck (with the chunking checks) → approval → ExecuteDataCorrect
 * → the statement runs in many key-range batches while another writer keeps changing the same
 * table under a 1 s lock timeout (so a wait longer than a second would fail that writer) → exactly
 * the intended rows changed → batches visible (ListDataCorrectChunkBatches) → backup and rollback.
 * Also: composite keys, INSERT … SELECT, pause and restart from the next batch, the end time, and
 * the statements the precheck refuses.
 */
import { spawn } from 'node:child_process';
import type Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, type Body, type Key } from '../helpers/server.js';
import { describeWithServer } from '../helpers/servers.js';
import { registerMaria, registerPg, registerSqlite, sleep, ticketStatus, until, withMysql, withPg, withSqlite } from '../helpers/export-flow.js';
import { dcApprove, dcJobs, dcOrderDetail, dcPrecheckOver, dcSettled, exportEnvHooks, type Engine } from '../helpers/data-change-flow.js';

const env = exportEnvHooks();

interface Target {
  engine: Engine;
  dbId: number;
  query(sql: string): Promise<Body[]>;
  /** Single-row writes on `items` from another connection with a 1 s lock timeout until `stop()`; resolves with their count and errors. */
  writer(stop: () => boolean): Promise<{ writes: number; errors: string[] }>;
}

/** Rows 1..n; every third one is 'old' (the ones to delete). */
const ROWS = 6000;
function setup(engine: Engine): string {
  const text = engine === 'mariadb' ? 'varchar(20)' : 'text';
  const series =
    engine === 'postgresql'
      ? `insert into items (id, kind, qty, touched) select g, case when g % 3 = 0 then 'old' else 'live' end, g, 0 from generate_series(1, ${ROWS}) g`
      : engine === 'sqlite'
        ? `with recursive g(n) as (select 1 union all select n + 1 from g where n < ${ROWS}) insert into items (id, kind, qty, touched) select n, case when n % 3 = 0 then 'old' else 'live' end, n, 0 from g`
        : `insert into items (id, kind, qty, touched) select seq, case when seq % 3 = 0 then 'old' else 'live' end, seq, 0 from seq_1_to_${ROWS}`;
  return [
    `create table items (id integer primary key, kind ${text} not null, qty integer not null, touched integer not null)`,
    series,
    `create table pairs (a integer not null, b integer not null, v integer not null, primary key (a, b))`,
    `insert into pairs (a, b, v) select qty % 7, qty, 0 from items`,
    `create table archive (id integer primary key, qty integer not null)`,
    'create table loose (a integer not null)',
    'insert into loose (a) values (1), (2)',
  ].join(';\n') + ';';
}

async function fileChunk(dbId: number, sql: string, extra: Record<string, unknown> = {}, by: Key = env.ulla): Promise<number> {
  const body = ok(await env.v3(by)('CreateFreeLockCorrectOrder', { Comment: 'chunked change for a test', Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: sql, SleepMillis: 0, BatchRows: 200, ...extra }) }));
  return Number(body.CreateOrderResult[0]);
}

const orderDetail = (orderId: number): Promise<Body> => dcOrderDetail(env, orderId);
const prechecked = (orderId: number): Promise<Body> => dcPrecheckOver(env, orderId);

async function approved(orderId: number): Promise<void> {
  const d = await prechecked(orderId);
  expect(d.Status, JSON.stringify(d.PreCheckDetail)).toBe('precheck_success');
  await dcApprove(env, orderId);
}

const execute = (orderId: number, actionDetail: Record<string, unknown> = {}) => env.as(env.ulla)('ExecuteDataCorrect', { OrderId: orderId, ActionDetail: JSON.stringify(actionDetail) });
const settledTask = (orderId: number, wanted?: string[]): Promise<Body> => dcSettled(env, orderId, wanted);

async function onlyJob(orderId: number): Promise<Body> {
  const list = await dcJobs(env, orderId);
  expect(list).toHaveLength(1);
  return list[0]!;
}

async function batches(jobId: number): Promise<Body[]> {
  const all: Body[] = [];
  for (let page = 1; ; page++) {
    const r = ok(await env.v3(env.ulla)('ListDataCorrectChunkBatches', { JobId: jobId, PageNumber: page, PageSize: 1000 }));
    all.push(...(r.ChunkBatchList as Body[]));
    if (all.length >= r.TotalCount) return all.reverse();
  }
}

const count = async (t: Target, where: string): Promise<number> => Number(Object.values((await t.query(`select count(*) as n from items where ${where}`))[0]!)[0]);

function scenarios(target: () => Target) {
  it('deletes exactly the intended rows in batches while another writer keeps writing, and rolls back', async () => {
    const t = target();
    const old = await count(t, "kind = 'old'");
    expect(old).toBe(ROWS / 3);
    const id = await fileChunk(t.dbId, "delete from items where kind = 'old'");
    await approved(id);
    let done = false;
    const writing = t.writer(() => done);
    await sleep(200);
    ok(await execute(id));
    const task = await settledTask(id);
    done = true;
    const w = await writing;
    expect(task, JSON.stringify(task)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: old });
    expect(await ticketStatus(env, id)).toBe('success');
    // The other writer never waited a second on a lock (its lock timeout would have failed it).
    expect(w.errors).toEqual([]);
    expect(w.writes).toBeGreaterThan(20);
    expect(await count(t, "kind = 'old'")).toBe(0);
    expect(await count(t, "kind = 'live'")).toBe(ROWS - old);

    const job = await onlyJob(id);
    const list = await batches(job.JobId);
    expect(list.length).toBeGreaterThanOrEqual(4); // 200, 400, 800 … as fast batches let the size grow
    expect(list.map((b) => b.BatchNo)).toEqual(list.map((_, k) => k + 1));
    expect(list.every((b) => b.Status === 'SUCCESS')).toBe(true);
    expect(list.reduce((n, b) => n + b.AffectRows, 0)).toBe(old);
    expect(list[0]!.LowerKey).toBeNull();
    expect(list[list.length - 1]!.UpperKey).toBeNull();
    for (let k = 1; k < list.length; k++) expect(list[k]!.LowerKey).toEqual(list[k - 1]!.UpperKey);
    expect((await orderDetail(id)).ConfigDetail.DetailType).toBe('CHUNK_DML');
    const stmts = ok(await env.v3(env.ulla)('ListDBTaskSQLJobDetail', { JobId: job.JobId })).DBTaskSQLJobDetailList as Body[];
    expect(stmts).toHaveLength(1);
    expect(stmts[0]).toMatchObject({ Status: 'SUCCESS', AffectRows: old, BackupRows: old });

    // The backup holds every deleted row once; the generated rollback puts them back.
    const urls: string[] = ok(await env.v3(env.ulla)('GetDataCorrectBackupFiles', { OrderId: id })).DataCorrectBackupFiles.FileUrl;
    expect(urls).toHaveLength(1);
    const rb = ok(await env.v3(env.ulla)('CreateRollbackOrder', { OrderId: id })).CreateOrderResult as number[];
    await approved(rb[0]!);
    ok(await execute(rb[0]!));
    expect(await settledTask(rb[0]!)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: old });
    expect(await count(t, "kind = 'old'")).toBe(old);
    expect(await count(t, "kind = 'old' and qty = id and touched = 0")).toBe(old);
  });

  it('updates a table with a composite key, and runs INSERT … SELECT in batches', async () => {
    const t = target();
    const id = await fileChunk(t.dbId, 'update pairs set v = v + 1 where b > 100', { BatchRows: 333 });
    await approved(id);
    ok(await execute(id));
    expect(await settledTask(id)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: ROWS - 100 });
    const v = await t.query('select v, count(*) as n from pairs group by v order by v');
    expect(v.map((r) => [Number(Object.values(r)[0]), Number(Object.values(r)[1])])).toEqual([[0, 100], [1, ROWS - 100]]);
    expect((await batches((await onlyJob(id)).JobId)).length).toBeGreaterThanOrEqual(4);

    const ins = await fileChunk(t.dbId, 'insert into archive (id, qty) select id, qty from items where qty <= 1000', { BatchRows: 100 });
    await approved(ins);
    ok(await execute(ins));
    expect(await settledTask(ins)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 1000 });
    expect(Number(Object.values((await t.query('select count(*) from archive'))[0]!)[0])).toBe(1000);
  });

  it('pauses between batches and goes on from the next one; an end time pauses it too', async () => {
    const t = target();
    const id = await fileChunk(t.dbId, 'update items set touched = touched + 100 where qty <= 3000', { BatchRows: 50, BatchMillis: 10_000, SleepMillis: 150 });
    await approved(id);
    ok(await execute(id));
    const job = await onlyJob(id);
    await until('a few batches', async () => ((await batches(job.JobId)).length >= 3 ? true : undefined));
    ok(await env.as(env.ulla)('PauseDataCorrectSQLJob', { OrderId: id, Type: 'ALL' }));
    const paused = await settledTask(id, ['PAUSE']);
    expect(paused.jobStatus).toBe('PAUSE');
    const before = await batches(job.JobId);
    expect(before.every((b) => b.Status === 'SUCCESS')).toBe(true);
    expect(before[before.length - 1]!.UpperKey).not.toBeNull();
    ok(await env.as(env.ulla)('RestartDataCorrectSQLJob', { OrderId: id, Type: 'ALL' }));
    expect(await settledTask(id, ['SUCCESS', 'FAIL'])).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 3000 });
    const after = await batches(job.JobId);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((b) => b.BatchNo)).toEqual(after.map((_, k) => k + 1));
    // Each row changed once: +100, never +200.
    expect(await count(t, 'touched >= 200')).toBe(0);
    expect(await count(t, 'qty <= 3000 and touched >= 100')).toBe(3000);

    // An end time a moment away: it pauses itself, RestartDataCorrectSQLJob finishes it.
    const late = await fileChunk(t.dbId, 'update items set touched = touched - 100 where qty <= 3000', { BatchRows: 50, BatchMillis: 10_000, SleepMillis: 1000 });
    await approved(late);
    ok(await execute(late, { endTime: formatIn(env.srv.server.deps.config.timezone, new Date(Date.now() + 3000)) }));
    const stopped = await settledTask(late, ['PAUSE', 'SUCCESS', 'FAIL']);
    expect(stopped.jobStatus).toBe('PAUSE');
    const lj = await onlyJob(late);
    expect(lj.Status).toBe('PAUSE');
    const log = ok(await env.as(env.ulla)('GetDBTaskSQLJobLog', { JobId: lj.JobId })).Log as string;
    expect(log).toMatch(/paused itself before batch \d+ of statement 1: its end time \(ActionDetail.endTime\) passed/);
    ok(await env.as(env.ulla)('RestartDataCorrectSQLJob', { OrderId: late, Type: 'ALL' }));
    expect(await settledTask(late, ['SUCCESS', 'FAIL'])).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 3000 });
    expect(await count(t, 'touched <> 0 and qty <= 3000')).toBe(0);
  });

  it('refuses at precheck what cannot run in key-range batches', async () => {
    const t = target();
    const cases: [string, RegExp][] = [
      ["delete from items where kind = 'old'; delete from items where qty = 1", /exactly one statement; this ticket has 2/],
      ['delete from loose where a = 1', /neither a primary key nor a unique key/],
      ...(t.engine === 'postgresql' ? [] : ([['delete from items order by id limit 10', /cannot have ORDER BY or LIMIT/]] as [string, RegExp][])),
      ['update items set id = id + 100000 where qty = 5', /assigns the key \(id\)/],
      ['insert into archive (id, qty) select i.id, p.v from items i join pairs p on p.b = i.id', /cannot have JOIN|exactly one table/],
      ["insert into archive (id, qty) values (1, 2)", /only as INSERT … SELECT/],
    ];
    for (const [sql, reason] of cases) {
      const id = await fileChunk(t.dbId, sql);
      const d = await prechecked(id);
      expect(d.Status, sql).toBe('precheckFailed');
      const step = (d.PreCheckDetail.TaskCheckDO as Body[]).find((s) => s.CheckStep === 'SQL_TYPE_CHECK')!;
      expect(step, sql).toMatchObject({ CheckStatus: 'FAIL', UserTip: expect.stringMatching(reason) });
    }
    // Filing errors name the parameter.
    expect(await env.v3(env.ulla)('CreateFreeLockCorrectOrder', { Comment: 'x', Param: JSON.stringify({ DbItemList: [{ DbId: t.dbId, Logic: false }], SqlType: 'ATTACHMENT', AttachmentName: 'a.sql' }) })).toMatchObject({ Success: false, ErrorMessage: expect.stringMatching(/sqlType must be TEXT/) });
    expect(await env.v3(env.ulla)('CreateFreeLockCorrectOrder', { Comment: 'x', Param: JSON.stringify({ DbItemList: [{ DbId: t.dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: 'delete from items', BatchRows: 0 }) })).toMatchObject({ Success: false, ErrorCode: 'InvalidParam', ErrorMessage: expect.stringMatching(/batchRows/i) });
  });
}

/** `yyyy-MM-dd HH:mm:ss` of `d` in `timeZone`. */
function formatIn(timeZone: string, d: Date): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Single-row updates of random live rows until `stop()`; each with a lock timeout of one second. */
async function writeLoop(stop: () => boolean, one: (id: number) => Promise<void>): Promise<{ writes: number; errors: string[] }> {
  let writes = 0;
  const errors: string[] = [];
  while (!stop()) {
    let id = 1 + Math.floor(Math.random() * ROWS);
    if (id % 3 === 0) id = Math.max(1, id - 1);
    try {
      await one(id);
      writes++;
    } catch (e) {
      errors.push((e as Error).message);
      if (errors.length > 5) break;
    }
    await sleep(5);
  }
  return { writes, errors };
}

describe('SQLite', () => {
  let t: Target;
  beforeAll(async () => {
    const s = await registerSqlite(env, 'dc_chunk', (db) => db.exec(setup('sqlite')));
    const open = <R>(fn: (db: Database.Database) => R): R => withSqlite(s.file, fn);
    t = {
      engine: 'sqlite',
      dbId: s.dbId,
      query: async (sql) => open((db) => db.prepare(sql).all() as Body[]),
      // Another process: a synchronous SQLite client waiting on a lock would stall this one's server.
      writer: (stop) =>
        new Promise((resolve, reject) => {
          const script = `
            const Database = require('better-sqlite3');
            const db = new Database(${JSON.stringify(s.file)}, { timeout: 1000 });
            const st = db.prepare('update items set touched = touched + 0 where id = ?');
            let writes = 0; const errors = [];
            const end = Date.now() + 60000;
            process.stdin.on('data', () => { console.log(JSON.stringify({ writes, errors })); process.exit(0); });
            (function loop() {
              if (Date.now() > end) return;
              let id = 1 + Math.floor(Math.random() * ${ROWS}); if (id % 3 === 0) id = Math.max(1, id - 1);
              try { st.run(id); writes++; } catch (e) { errors.push(String(e.message)); }
              setTimeout(loop, 5);
            })();`;
          const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.on('exit', () => {
            try {
              resolve(JSON.parse(out));
            } catch (e) {
              reject(new Error(`writer process: ${out} ${(e as Error).message}`));
            }
          });
          void (async () => {
            while (!stop()) await sleep(50);
            child.stdin.write('stop\n');
          })();
        }),
    };
  });
  scenarios(() => t);
});

await describeWithServer('postgres', 'PostgreSQL', () => {
  let t: Target;
  beforeAll(async () => {
    const { chunk } = await registerPg(env, { chunk: setup('postgresql') });
    t = {
      engine: 'postgresql',
      dbId: chunk.dbId,
      query: async (sql) => (await chunk.query(sql)).rows as Body[],
      writer: (stop) =>
        withPg(chunk.url, async (c) => {
          await c.query("set lock_timeout = '1s'");
          return writeLoop(stop, async (id) => void (await c.query('update items set touched = touched + 0 where id = $1', [id])));
        }),
    };
  });
  scenarios(() => t);
});

await describeWithServer('mysql', 'MariaDB', () => {
  let t: Target;
  beforeAll(async () => {
    const { chunk } = await registerMaria(env, { chunk: setup('mariadb') });
    t = {
      engine: 'mariadb',
      dbId: chunk.dbId,
      query: async (sql) => (await chunk.query(sql)) as Body[],
      writer: (stop) =>
        withMysql(chunk.name, async (c) => {
          await c.query('set session innodb_lock_wait_timeout = 1');
          return writeLoop(stop, async (id) => void (await c.query('update items set touched = touched + 0 where id = ?', [id])));
        }),
    };
  });
  scenarios(() => t);
});

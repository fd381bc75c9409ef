/**
 * Lock-free delete (DC_CHUNK) throughput through the real path, next to one unbatched DELETE of
 * the same rows measured in the same run on an identical copy of the table: CreateFreeLockCorrectOrder
 * → precheck → (no-approval route) → ExecuteDataCorrect → run-dc-job → polled until it settles, on a
 * table of `--rows` old rows among 20% live ones, per engine. While each runs, another connection
 * updates single rows of the same table (a fifth of them rows being deleted) and its latencies are
 * printed: the unbatched DELETE makes it wait for the whole statement, the batches only for one batch.
 * SQLite has no second writer here (its writers queue on the database lock either way).
 *
 *   npm run bench:chunk -- [--rows 1000000] [--engines postgresql,mariadb,sqlite] [--batch-millis 500] [--sleep-millis 0]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { call, fmt, freshPgDatabase, percentiles, registerTarget, startServer } from './lib.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const OLD = Number(args.get('rows') ?? 1_000_000);
const LIVE = Math.round(OLD / 4);
const ENGINES = (args.get('engines') ?? 'postgresql,mariadb,sqlite').split(',');
const BATCH_MILLIS = Number(args.get('batch-millis') ?? 500);
const SLEEP_MILLIS = Number(args.get('sleep-millis') ?? 0);
const PG_URL = process.env.OPENDMS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_URL = process.env.OPENDMS_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const DB = 'opendms_bench_chunk';
const DELETE = (table: string) => `delete from ${table} where kind = 'old'`;

interface Target {
  exec(sql: string): Promise<void>;
  /** Single-row updates until `stop()`, on another connection; latencies in ms. */
  writer?(table: string, stop: () => boolean): Promise<number[]>;
  close(): Promise<void>;
  url: string;
  sqliteFile: string;
}

/** Rows 1..OLD+LIVE; every fifth is live. */
const fill = (engine: string, table: string): string => {
  const n = OLD + LIVE;
  const kind = (v: string) => `case when ${v} % 5 = 0 then 'live' else 'old' end`;
  if (engine === 'postgresql') return `insert into ${table} select g, ${kind('g')}, md5(g::text), 0 from generate_series(1, ${n}) g`;
  if (engine === 'mariadb') return `insert into ${table} select seq, ${kind('seq')}, md5(seq), 0 from seq_1_to_${n}`;
  return `with recursive g(n) as (select 1 union all select n + 1 from g where n < ${n}) insert into ${table} select n, ${kind('n')}, hex(randomblob(16)), 0 from g`;
};

async function openTarget(engine: string, dir: string): Promise<Target> {
  if (engine === 'postgresql') {
    const dbUrl = await freshPgDatabase(PG_URL, DB);
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    return {
      url: PG_URL,
      sqliteFile: '',
      exec: async (sql) => void (await c.query(sql)),
      writer: async (table, stop) => {
        const w = new pg.Client({ connectionString: dbUrl });
        await w.connect();
        try {
          return await writeLoop(stop, (id) => w.query(`update ${table} set touched = touched + 1 where id = $1`, [id]));
        } finally {
          await w.end();
        }
      },
      close: () => c.end(),
    };
  }
  if (engine === 'mariadb') {
    const c = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
    await c.query(`drop database if exists ${DB}; create database ${DB}; use ${DB}`);
    await c.query(`create user if not exists 'opendms_bench'@'%' identified by 'opendms_bench'; grant all on ${DB}.* to 'opendms_bench'@'%'`);
    return {
      url: MYSQL_URL,
      sqliteFile: '',
      exec: async (sql) => void (await c.query(sql)),
      writer: async (table, stop) => {
        const w = await mysql.createConnection({ uri: MYSQL_URL, database: DB });
        try {
          return await writeLoop(stop, (id) => w.query(`update ${table} set touched = touched + 1 where id = ?`, [id]));
        } finally {
          await w.end();
        }
      },
      close: () => c.end(),
    };
  }
  const file = path.join(dir, 'chunk.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  return { url: '', sqliteFile: file, exec: async (sql) => void db.exec(sql), close: async () => void db.close() };
}

async function writeLoop(stop: () => boolean, one: (id: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  while (!stop()) {
    const live = 5 * (1 + Math.floor(Math.random() * (LIVE - 1)));
    const id = Math.random() < 0.2 ? live - 1 : live;
    const t = performance.now();
    await one(id);
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  return latencies;
}

const stats = (l: number[]): string => {
  if (l.length === 0) return '—';
  const { p50, p99 } = percentiles(l);
  return `p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms, max ${fmt(Math.max(...l))} ms (${l.length} writes)`;
};

async function measured<T>(t: Target, table: string, fn: () => Promise<T>): Promise<{ seconds: number; result: T; writes: number[] }> {
  let stop = false;
  const writes = t.writer ? t.writer(table, () => stop) : Promise.resolve([]);
  await new Promise((r) => setTimeout(r, 300));
  const start = performance.now();
  const result = await fn();
  const seconds = (performance.now() - start) / 1000;
  stop = true;
  return { seconds, result, writes: await writes };
}

async function bench(engine: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-bench-chunk-'));
  const t = await openTarget(engine, dir);
  try {
    for (const table of ['events', 'events_nobackup', 'events_ref']) {
      await t.exec(`create table ${table} (id bigint primary key, kind varchar(8) not null, payload varchar(40) not null, touched integer not null)`);
      await t.exec(fill(engine, table));
    }
    const ref = await measured(t, 'events_ref', () => t.exec(DELETE('events_ref')));

    const srv = await startServer();
    try {
      await call(srv.url, 'SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'bench: no approval', PluginTypes: ['DC_CHUNK'], Decision: 'NO_APPROVAL' }]) });
      const dbId = await registerTarget(srv, engine, { sqliteFile: t.sqliteFile, sqliteName: 'chunk.db', url: t.url, database: DB });
      const run = async (table: string, backupData: boolean) => {
        const created = await call(srv.url, 'CreateFreeLockCorrectOrder', {
          Comment: 'bench',
          Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: DELETE(table), BatchMillis: BATCH_MILLIS, SleepMillis: SLEEP_MILLIS }),
        });
        const orderId = String(created.CreateOrderResult[0]);
        for (;;) {
          const d = (await call(srv.url, 'GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail;
          if (d.Status === 'precheckFailed') throw new Error(JSON.stringify(d.PreCheckDetail));
          if (d.Status !== 'precheck') break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await call(srv.url, 'SubmitOrderApproval', { OrderId: orderId });
        // SQLite: the server changes its own copy of the file; no second writer.
        const target = engine === 'sqlite' ? { ...t, writer: undefined } : t;
        const ours = await measured(target, table, async () => {
          await call(srv.url, 'ExecuteDataCorrect', { OrderId: orderId, ActionDetail: JSON.stringify({ backupData }) });
          for (;;) {
            const task = (await call(srv.url, 'GetDataCorrectTaskDetail', { OrderId: orderId })).DataCorrectTaskDetail;
            if (['SUCCESS', 'FAIL', 'PAUSE'].includes(task.jobStatus)) return task;
            await new Promise((r) => setTimeout(r, 100));
          }
        });
        if (ours.result.jobStatus !== 'SUCCESS' || ours.result.ActualAffectRows !== OLD) throw new Error(`chunked delete: ${JSON.stringify(ours.result)}`);
        const job = (await call(srv.url, 'ListDBTaskSQLJob', { DBTaskGroupId: String(ours.result.DBTaskGroupId) })).DBTaskSQLJobList[0];
        const batches = (await call(srv.url, 'ListDataCorrectChunkBatches', { JobId: String(job.JobId), PageSize: '1' })).TotalCount;
        return { ...ours, batches };
      };
      const on = await run('events', true);
      const off = await run('events_nobackup', false);
      console.log(`${engine}: ${OLD} rows`);
      console.log(`  one DELETE            ${fmt(ref.seconds, 2)} s = ${fmt(OLD / ref.seconds / 1000)} k rows/s; other writer: ${stats(ref.writes)}`);
      for (const [name, r] of [['backup on ', on], ['backup off', off]] as const) {
        console.log(`  DC_CHUNK, ${name}  ${fmt(r.seconds, 2)} s = ${fmt(OLD / r.seconds / 1000)} k rows/s = ${fmt(ref.seconds / r.seconds, 2)}x of one DELETE, ${r.batches} batches; other writer: ${stats(r.writes)}`);
      }
    } finally {
      await srv.stop();
    }
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const engine of ENGINES) await bench(engine);

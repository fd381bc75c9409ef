/**
 * A bounded `count(*)` on a SQLite file. better-sqlite3 runs a statement synchronously, so a slow
 * count on the main thread would freeze the server; it runs in a worker thread instead, which is
 * terminated when the budget runs out.
 *
 * worker.terminate() only takes effect when the thread runs JavaScript, and SQLite can spend
 * seconds inside one native step. The count therefore calls a JavaScript function once per row
 * (`where opendms_continue()`), which gives terminate() a point to act on every row; a single
 * step that reads no rows for long (a large sort or aggregate inside the query) still ends only
 * when SQLite returns, but off the main thread, and the unref'd worker keeps nothing alive.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { TargetDbError } from '../connector.js';
import { integerCell } from '../cells.js';
import { bareStatement } from '../read-session.js';
import type { RowEstimate } from '../result-set.js';
import { toSqliteError } from './sqlite-errors.js';

interface CountJob {
  id: number;
  file: string;
  sql: string;
  busyTimeoutMs: number;
}

type CountReply = { id: number; ok: true; count: string } | { id: number; ok: false; code: string | undefined; message: string };

/**
 * CommonJS source of the worker (eval'd: no separate file to ship next to the compiled output). It
 * serves count jobs one after another, so a precheck does not pay for a new thread and isolate
 * each time (that cost ~30 ms of CPU per count and dominated filing tickets on SQLite targets).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
parentPort.on('message', (job) => {
  let db;
  try {
    db = new Database(job.file, { readonly: true, fileMustExist: true, timeout: job.busyTimeoutMs });
    db.pragma('cache_size = -2000'); // SQLite's default, not better-sqlite3's 16 MB: a count reads each page once
    db.function('opendms_continue', { deterministic: false }, () => 1);
    const row = db.prepare(job.sql).raw(true).safeIntegers(true).get();
    parentPort.postMessage({ id: job.id, ok: true, count: String(row[0]) });
  } catch (err) {
    parentPort.postMessage({ id: job.id, ok: false, code: err && typeof err.code === 'string' ? err.code : undefined, message: String((err && err.message) || err) });
  } finally {
    if (db) db.close();
  }
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

/** One worker kept for reuse; a count that finds it busy gets a worker of its own, dropped afterwards. */
let idle: Worker | undefined;
let nextId = 1;

function takeWorker(): Worker {
  const w = idle ?? new Worker(WORKER_SOURCE, { eval: true, workerData: { driver } });
  idle = undefined;
  w.removeAllListeners('exit');
  w.ref();
  return w;
}

function releaseWorker(w: Worker): void {
  w.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
  if (idle === undefined) {
    w.unref(); // an idle worker keeps nothing alive
    w.once('exit', () => {
      if (idle === w) idle = undefined;
    });
    idle = w;
  } else void w.terminate();
}

/** Exact row count of `sql` within budgetMs, or null when the budget ran out (that worker is then terminated). */
export function countSqliteRows(file: string, sql: string, budgetMs: number, busyTimeoutMs: number): Promise<RowEstimate | null> {
  const job: CountJob = { id: nextId++, file, sql: `select count(*) from (\n${bareStatement(sql)}\n) t where opendms_continue()`, busyTimeoutMs };
  return new Promise((resolve, reject) => {
    const worker = takeWorker();
    let settled = false;
    const settle = (fn: () => void, reusable: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (reusable) releaseWorker(worker);
      else {
        worker.removeAllListeners();
        void worker.terminate();
      }
      fn();
    };
    const timer = setTimeout(() => settle(() => resolve(null), false), budgetMs);
    worker.on('message', (reply: CountReply) => {
      if (reply.id !== job.id) return;
      if (reply.ok) settle(() => resolve({ rows: Number(integerCell(reply.count)), exact: true }), true);
      else settle(() => reject(toSqliteError({ code: reply.code, message: reply.message })), true);
    });
    worker.once('error', (err) => settle(() => reject(toSqliteError(err)), false));
    worker.once('exit', (code) => {
      const message = `the SQLite count worker stopped (exit code ${code}) before answering`;
      settle(() => reject(new TargetDbError('sqlite', { code: 'WORKER_EXIT', kind: 'sql', message })), false);
    });
    worker.postMessage(job);
  });
}

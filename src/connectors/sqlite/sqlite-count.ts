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
  /** Resolved path of better-sqlite3, so the worker loads the same driver wherever it runs from. */
  driver: string;
  file: string;
  sql: string;
  busyTimeoutMs: number;
}

type CountReply = { ok: true; count: string } | { ok: false; code: string | undefined; message: string };

/** CommonJS source of the worker (eval'd: no separate file to ship next to the compiled output). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true, timeout: workerData.busyTimeoutMs });
  db.function('opendms_continue', { deterministic: false }, () => 1);
  const row = db.prepare(workerData.sql).raw(true).safeIntegers(true).get();
  parentPort.postMessage({ ok: true, count: String(row[0]) });
} catch (err) {
  parentPort.postMessage({ ok: false, code: err && typeof err.code === 'string' ? err.code : undefined, message: String((err && err.message) || err) });
} finally {
  if (db) db.close();
}
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

/** Exact row count of `sql` within budgetMs, or null when the budget ran out (the worker is then terminated). */
export function countSqliteRows(file: string, sql: string, budgetMs: number, busyTimeoutMs: number): Promise<RowEstimate | null> {
  const job: CountJob = { driver, file, sql: `select count(*) from (\n${bareStatement(sql)}\n) t where opendms_continue()`, busyTimeoutMs };
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: job });
    worker.unref();
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      settle(() => resolve(null));
      void worker.terminate();
    }, budgetMs);
    worker.once('message', (reply: CountReply) => {
      if (reply.ok) settle(() => resolve({ rows: Number(integerCell(reply.count)), exact: true }));
      else settle(() => reject(toSqliteError({ code: reply.code, message: reply.message })));
    });
    worker.once('error', (err) => settle(() => reject(toSqliteError(err))));
    worker.once('exit', (code) => {
      const message = `the SQLite count worker stopped (exit code ${code}) before answering`;
      settle(() => reject(new TargetDbError('sqlite', { code: 'WORKER_EXIT', kind: 'sql', message })));
    });
  });
}

/**
 * DC_BIG_FILE at the size the issue names: a 1,000,000-row CSV with a few bad rows imported into
 * each engine through the real clients, IgnoreError skipping exactly the bad rows and naming
 * their lines: SQLite in SAFE_MODE (the whole file checked at precheck), PostgreSQL in FAST_MODE
 * from a GBK file (AUTO detects it; the names are Chinese), MariaDB in FAST_MODE from UTF-8. The
 * smaller cases of every option are in data-import.test.ts; the rate is in bench/imports.bench.ts.
 */
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, type Body } from '../helpers/server.js';
import { describeWithServer } from '../helpers/servers.js';
import { uploadSql } from '../helpers/attachments.js';
import { registerMaria, registerPg, registerSqlite, startExportEnv, until, withSqlite, type ExportEnv } from '../helpers/export-flow.js';

const ROWS = 1_000_000;
const BAD: Record<number, string> = { 17: 'abc', 500_001: '1.2.3', 999_999: 'x' };

let env: ExportEnv;
beforeAll(async () => {
  env = await startExportEnv();
});
afterAll(async () => {
  await env?.close();
});

function csv(name: (k: number) => string): string {
  const parts: string[] = ['id,name,price,qty\r\n'];
  for (let k = 1; k <= ROWS; k++) parts.push(`${k},${name(k)},${BAD[k] ?? ((k * 7) % 10000 / 100).toFixed(2)},${k % 50}\r\n`);
  return parts.join('');
}

const TABLE = (engine: string) => `create table items (id integer primary key, name varchar(100) not null, price ${engine === 'sqlite' ? 'numeric' : 'decimal(12,2)'} not null, qty integer not null)`;

async function importMillion(dbId: number, file: Buffer, mode: 'SAFE_MODE' | 'FAST_MODE', encoding: string): Promise<{ task: Body; log: string }> {
  const key = await uploadSql(env.srv.port, env.ulla, 'items.csv', file, 'big-file');
  const orderId = Number(
    ok(await env.v3(env.ulla)('CreateDataImportOrder', { Comment: 'a million rows', Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], AttachmentName: key, FileType: 'CSV', FileEncoding: encoding, TableName: 'items', CsvFirstRowIsColumnDef: true, InsertType: 'INSERT', ImportMode: mode, IgnoreError: true }) })).CreateOrderResult[0],
  );
  const d = await until('the precheck', async () => {
    const x = ok(await env.v3(env.ulla)('GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail;
    return x.Status === 'precheck' ? undefined : x;
  }, 300_000);
  expect(d.Status, JSON.stringify(d.PreCheckDetail)).toBe('precheck_success');
  const wf = ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
  ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
  ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: orderId }));
  const task = await until('the import', async () => {
    const t = ok(await env.v3(env.ulla)('GetDataCorrectTaskDetail', { OrderId: orderId })).DataCorrectTaskDetail;
    return ['SUCCESS', 'FAIL', 'PAUSE'].includes(t.jobStatus) ? t : undefined;
  }, 600_000);
  const j = ok(await env.as(env.ulla)('ListDBTaskSQLJob', { DBTaskGroupId: task.DBTaskGroupId })).DBTaskSQLJobList[0];
  const log: string = ok(await env.as(env.ulla)('GetDBTaskSQLJobLog', { JobId: j.JobId })).Log;
  return { task, log };
}

/** The skipped rows are named by their line in the file (the header is line 1). */
function expectSkipped(log: string): void {
  for (const row of Object.keys(BAD).map(Number)) expect(log).toMatch(new RegExp(`line ${row + 1}\\b`));
}

describe('SQLite: a million-row CSV in SAFE_MODE', () => {
  it('imports every good row once and names the bad ones', async () => {
    const s = await registerSqlite(env, 'million', (db) => db.exec(`${TABLE('sqlite')};`));
    const { task, log } = await importMillion(s.dbId, Buffer.from(csv((k) => `item ${k}`)), 'SAFE_MODE', 'AUTO');
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: ROWS - 3 });
    expectSkipped(log);
    const [row] = withSqlite(s.file, (db) => db.prepare('select count(*) as n, count(distinct id) as d, sum(id) as s from items').all()) as { n: number; d: number; s: number }[];
    expect(row).toEqual({ n: ROWS - 3, d: ROWS - 3, s: (ROWS * (ROWS + 1)) / 2 - 17 - 500_001 - 999_999 });
  }, 900_000);
});

await describeWithServer('postgres', 'PostgreSQL: a million-row GBK CSV in FAST_MODE', () => {
  it('detects GBK, imports every good row once with its Chinese name intact, and names the bad ones', async () => {
    const { million } = await registerPg(env, { million: `${TABLE('postgresql')};` });
    const { task, log } = await importMillion(million.dbId, iconv.encode(csv((k) => `商品${k}`), 'gbk'), 'FAST_MODE', 'AUTO');
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: ROWS - 3 });
    expectSkipped(log);
    const { rows } = await million.query("select count(*)::int as n, count(distinct id)::int as d, min(name) filter (where id = 123456) as name from items");
    expect(rows[0]).toEqual({ n: ROWS - 3, d: ROWS - 3, name: '商品123456' });
  }, 900_000);
});

await describeWithServer('mysql', 'MariaDB: a million-row CSV in FAST_MODE', () => {
  it('imports every good row once and names the bad ones', async () => {
    const { million } = await registerMaria(env, { million: `${TABLE('mariadb')};` });
    const { task, log } = await importMillion(million.dbId, Buffer.from(csv((k) => `item ${k}`)), 'FAST_MODE', 'UTF-8');
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: ROWS - 3 });
    expectSkipped(log);
    const [row] = (await million.query('select count(*) as n, count(distinct id) as d from items')) as { n: number; d: number }[];
    expect([Number(row!.n), Number(row!.d)]).toEqual([ROWS - 3, ROWS - 3]);
  }, 900_000);
});

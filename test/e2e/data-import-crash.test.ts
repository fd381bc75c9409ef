/**
 * A server killed (SIGKILL) in the middle of a CSV import, then started again on the same data:
 * the target holds exactly the batches that committed (whole batches, never a part of one), and
 * after the restart the job goes on from the first batch without a marker, so every row is
 * imported exactly once. Real child processes, a real PostgreSQL target (a table without a key,
 * so a batch imported twice would show as duplicate rows), pop-core.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uploadSql } from '../helpers/attachments.js';
import { ADMIN_KEY, ok, pop, type Body, type Key } from '../helpers/server.js';
import { registerPgTarget, startServerProcess, type ServerProcess } from '../helpers/process.js';
import { until } from '../helpers/export-flow.js';
import { createPgDatabase, describeWithServer } from '../helpers/servers.js';

const ROWS = 100_000;
const BATCH = 5_000;

await describeWithServer('postgres', 'an import survives SIGKILL of the server', () => {
  let dataDir: string;
  let server: ServerProcess;
  let target: Awaited<ReturnType<typeof createPgDatabase>>;
  let dba: Key & { userId: number };
  let dbId: number;

  const call = (key: Key) => (action: string, params: Record<string, unknown>) => pop(server, key)(action, params);
  const admin = (action: string, params: Record<string, unknown> = {}) => call(ADMIN_KEY)(action, params);
  const query = async (sql: string): Promise<Body[]> => {
    const c = new pg.Client({ connectionString: target.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-import-crash-'));
    target = await createPgDatabase('opendms_import_crash');
    // Each INSERT statement (one batch) sleeps 0.3 s, so the kill lands in the middle of the import.
    await query(`create table big (id integer not null, v text not null);
      create function slow_batch() returns trigger language plpgsql as $$ begin perform pg_sleep(0.3); return null; end $$;
      create trigger slow after insert on big for each statement execute function slow_batch();`);
    server = await startServerProcess({ dataDir });
    ({ dba, dbId } = await registerPgTarget(server, target.name));
  }, 120_000);

  afterAll(async () => {
    await server?.kill();
    await target?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps whole batches only, and imports every row exactly once after the restart', async () => {
    let csv = 'id,v\n';
    for (let k = 1; k <= ROWS; k++) csv += `${k},row ${k}\n`;
    const key = await uploadSql(server.port, ADMIN_KEY, 'big.csv', csv, 'big-file');
    const param = { DbItemList: [{ DbId: dbId, Logic: false }], AttachmentName: key, FileType: 'CSV', TableName: 'big', CsvFirstRowIsColumnDef: true, InsertType: 'INSERT', ImportMode: 'FAST_MODE' };
    const orderId: number = ok(await admin('CreateDataImportOrder', { Comment: 'crash test', Param: JSON.stringify(param) })).CreateOrderResult[0];
    await until('the precheck', async () => {
      const d = ok(await admin('GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail;
      if (d.Status === 'precheckFailed') throw new Error(JSON.stringify(d.PreCheckDetail));
      return d.Status === 'precheck_success' ? true : undefined;
    }, 60_000);
    const wf = ok(await admin('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
    ok(await call(dba)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    const { DBTaskGroupId } = ok(await admin('ExecuteDataCorrect', { OrderId: orderId }));
    const jobId: number = ok(await admin('ListDBTaskSQLJob', { DBTaskGroupId })).DBTaskSQLJobList[0].JobId;
    const progress = async (): Promise<number> => Number(ok(await admin('ListDBTaskSQLJobDetail', { JobId: jobId })).DBTaskSQLJobDetailList[0].AffectRows ?? 0);
    await until('a fifth of the rows', async () => ((await progress()) >= ROWS / 5 ? true : undefined), 60_000);

    await server.kill();
    const [afterKill] = await query('select count(*)::int as n, count(distinct id)::int as d, max(id) as hi from big');
    expect(afterKill!.n % BATCH, 'only whole batches committed').toBe(0);
    expect(afterKill!.d).toBe(afterKill!.n);
    expect(afterKill!.hi).toBe(afterKill!.n); // the first batches, in order
    expect(afterKill!.n).toBeGreaterThan(0);
    expect(afterKill!.n).toBeLessThan(ROWS);

    server = await startServerProcess({ dataDir });
    const task = await until('the import to finish after the restart', async () => {
      const t = ok(await admin('GetDataCorrectTaskDetail', { OrderId: orderId })).DataCorrectTaskDetail;
      return ['SUCCESS', 'FAIL'].includes(t.jobStatus) ? t : undefined;
    }, 120_000);
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: ROWS });
    const [final] = await query('select count(*)::int as n, count(distinct id)::int as d, min(id) as lo, max(id) as hi from big');
    expect(final).toEqual({ n: ROWS, d: ROWS, lo: 1, hi: ROWS });
    const log: string = ok(await admin('GetDBTaskSQLJobLog', { JobId: jobId })).Log;
    expect(log).toMatch(/resumed after an interruption/);
    expect(log).toMatch(new RegExp(`batches 1–${afterKill!.n / BATCH} had committed \\(${afterKill!.n} rows\\); they are not sent again`));
  }, 300_000);
});

/**
 * A server killed (SIGKILL) in the middle of a CSV import, then started again on the same data:
 * the target holds exactly the batches that committed (whole batches, never a part of one), and
 * after the restart the job goes on from the first batch without a marker, so every row is
 * imported exactly once. Real child processes, a real PostgreSQL target (a table without a key,
 * so a batch imported twice would show as duplicate rows), pop-core.
 */
import { expect, it } from 'vitest';
import { uploadSql } from '../helpers/attachments.js';
import { ADMIN_KEY, ok } from '../helpers/server.js';
import { crashEnv } from '../helpers/process.js';
import { until } from '../helpers/export-flow.js';
import { describeWithServer } from '../helpers/servers.js';

const ROWS = 100_000;
const BATCH = 5_000;

await describeWithServer('postgres', 'an import survives SIGKILL of the server', () => {
  // Each INSERT statement (one batch) sleeps 0.3 s, so the kill lands in the middle of the import.
  const e = crashEnv('import-crash', `create table big (id integer not null, v text not null);
      create function slow_batch() returns trigger language plpgsql as $$ begin perform pg_sleep(0.3); return null; end $$;
      create trigger slow after insert on big for each statement execute function slow_batch();`);
  const { admin, query } = e;

  it('keeps whole batches only, and imports every row exactly once after the restart', async () => {
    let csv = 'id,v\n';
    for (let k = 1; k <= ROWS; k++) csv += `${k},row ${k}\n`;
    const key = await uploadSql(e.server.port, ADMIN_KEY, 'big.csv', csv, 'big-file');
    const param = { DbItemList: [{ DbId: e.dbId, Logic: false }], AttachmentName: key, FileType: 'CSV', TableName: 'big', CsvFirstRowIsColumnDef: true, InsertType: 'INSERT', ImportMode: 'FAST_MODE' };
    const orderId: number = ok(await admin('CreateDataImportOrder', { Comment: 'crash test', Param: JSON.stringify(param) })).CreateOrderResult[0];
    await e.approve(orderId);
    const jobId = await e.execute(orderId);
    const progress = async (): Promise<number> => Number(ok(await admin('ListDBTaskSQLJobDetail', { JobId: jobId })).DBTaskSQLJobDetailList[0].AffectRows ?? 0);
    await until('a fifth of the rows', async () => ((await progress()) >= ROWS / 5 ? true : undefined), 60_000);

    await e.server.kill();
    const [afterKill] = await query('select count(*)::int as n, count(distinct id)::int as d, max(id) as hi from big');
    expect(afterKill!.n % BATCH, 'only whole batches committed').toBe(0);
    expect(afterKill!.d).toBe(afterKill!.n);
    expect(afterKill!.hi).toBe(afterKill!.n); // the first batches, in order
    expect(afterKill!.n).toBeGreaterThan(0);
    expect(afterKill!.n).toBeLessThan(ROWS);

    await e.restart();
    const task = await e.settled(orderId, 'the import to finish after the restart', 120_000);
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: ROWS });
    const [final] = await query('select count(*)::int as n, count(distinct id)::int as d, min(id) as lo, max(id) as hi from big');
    expect(final).toEqual({ n: ROWS, d: ROWS, lo: 1, hi: ROWS });
    const log: string = ok(await admin('GetDBTaskSQLJobLog', { JobId: jobId })).Log;
    expect(log).toMatch(/resumed after an interruption/);
    expect(log).toMatch(new RegExp(`batches 1–${afterKill!.n / BATCH} had committed \\(${afterKill!.n} rows\\); they are not sent again`));
  }, 300_000);
});

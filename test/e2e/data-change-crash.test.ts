/**
 * A server killed (SIGKILL) in the middle of a multi-statement data change, then started again
 * on the same data: no statement runs twice, the ticket shows which statements ran, and the job
 * completes the rest by itself. Real child processes, a real PostgreSQL target, pop-core.
 */
import { expect, it } from 'vitest';
import { ok, type Body } from '../helpers/server.js';
import { crashEnv } from '../helpers/process.js';
import { until } from '../helpers/export-flow.js';
import { describeWithServer } from '../helpers/servers.js';

const STATEMENTS = 150;

await describeWithServer('postgres', 'a data change survives SIGKILL of the server', () => {
  const e = crashEnv('dc-crash', `create table counters (id integer primary key, n integer not null); insert into counters select g, 0 from generate_series(1, ${STATEMENTS}) g`);
  const { admin } = e;
  const counters = async (): Promise<number[]> => (await e.query('select n from counters order by id')).map((r) => Number(r.n));


  const statuses = async (jobId: number): Promise<Body[]> => ok(await admin('ListDBTaskSQLJobDetail', { JobId: jobId, PageSize: 1000 })).DBTaskSQLJobDetailList;

  it('runs no statement twice, shows what ran, and completes the rest after the restart', async () => {
    // Each statement sleeps 40 ms inside its transaction, so the kill lands in the middle.
    const sql = Array.from({ length: STATEMENTS }, (_, k) => `update counters set n = n + 1 + 0 * length(pg_sleep(0.04)::text) where id = ${k + 1};`).join('\n');
    const orderId: number = ok(await admin('CreateDataCorrectOrder', { Comment: 'crash test', Param: JSON.stringify({ DbItemList: [{ DbId: e.dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: sql }) })).CreateOrderResult[0];
    await e.approve(orderId);
    const jobId = await e.execute(orderId);
    await until('a third of the statements to commit', async () => ((await statuses(jobId)).filter((s) => s.Status === 'SUCCESS').length >= STATEMENTS / 3 ? true : undefined), 60_000);

    await e.server.kill();
    const afterKill = await counters();
    expect(afterKill.every((n) => n === 0 || n === 1), 'no statement ran twice').toBe(true);
    const committed = afterKill.filter((n) => n === 1).length;
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(STATEMENTS);
    // Committed statements are the first ones, in order.
    expect(afterKill.slice(0, committed).every((n) => n === 1)).toBe(true);

    await e.restart();
    const shown = await statuses(jobId);
    const shownDone = shown.filter((s) => s.Status === 'SUCCESS').length;
    // The store knows what ran: every committed statement, except at most the one whose commit the kill cut off.
    expect(shownDone === committed || shownDone === committed - 1, `${shownDone} shown done, ${committed} committed`).toBe(true);
    expect(shown.slice(0, shownDone).every((s) => s.Status === 'SUCCESS' && s.ExecuteCount === 1)).toBe(true);

    const task = await e.settled(orderId, 'the job to finish after the restart', 120_000);
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: STATEMENTS });
    expect(await counters()).toEqual(Array.from({ length: STATEMENTS }, () => 1));
    const final = await statuses(jobId);
    expect(final.every((s) => s.Status === 'SUCCESS')).toBe(true);
    // Only the statement caught by the kill may have been sent twice, and it committed once.
    expect(final.filter((s) => s.ExecuteCount !== 1).length).toBeLessThanOrEqual(1);
    expect(ok(await admin('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.StatusCode).toBe('success');
    const log: string = ok(await admin('GetDBTaskSQLJobLog', { JobId: jobId })).Log;
    expect(log).toMatch(/resumed after an interruption/);
  }, 300_000);
});

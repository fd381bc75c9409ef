/**
 * A lock-free delete (DC_CHUNK) of 1,000,000 rows on PostgreSQL with another writer changing the
 * same table all along under a 1 s lock timeout, and the server killed (SIGKILL) in the middle,
 * then started again on the same data: the batches go on from the last one that committed, no
 * batch runs twice, the writer never waited a second on a lock, and exactly the intended rows are
 * gone. Real child processes, a real PostgreSQL target, pop-core.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { ok, type Body } from '../helpers/server.js';
import { crashEnv } from '../helpers/process.js';
import { sleep, until } from '../helpers/export-flow.js';
import { describeWithServer } from '../helpers/servers.js';

const OLD = 1_000_000;
const LIVE = 200_000;

// Every sixth row is live; the other five are old.
const SETUP = `create table events (id bigint primary key, kind text not null, payload text not null, touched integer not null default 0);
      insert into events (id, kind, payload) select g, case when g % 6 = 0 then 'live' else 'old' end, md5(g::text) from generate_series(1, ${OLD + LIVE}) g;
      analyze events`;

await describeWithServer('postgres', 'a lock-free delete of a million rows survives SIGKILL of the server', () => {
  const e = crashEnv('chunk-crash', SETUP);
  const { admin, query } = e;
  const batches = async (jobId: number): Promise<Body[]> => {
    const all: Body[] = [];
    for (let page = 1; ; page++) {
      const r = ok(await admin('ListDataCorrectChunkBatches', { JobId: jobId, PageNumber: page, PageSize: 1000 }));
      all.push(...(r.ChunkBatchList as Body[]));
      if (all.length >= r.TotalCount) return all.reverse();
    }
  };

  it('goes on after the restart from the last committed batch and deletes exactly the old rows', async () => {
    const orderId: number = ok(
      await admin('CreateFreeLockCorrectOrder', {
        Comment: 'crash test',
        Param: JSON.stringify({ DbItemList: [{ DbId: e.dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: "delete from events where kind = 'old'", BatchRows: 5000, BatchMillis: 300, SleepMillis: 20 }),
      }),
    ).CreateOrderResult[0];
    await e.approve(orderId);

    // Another writer: single-row updates of live rows, each allowed to wait at most a second on a lock.
    let stop = false;
    const writer = (async () => {
      const c = new pg.Client({ connectionString: e.target.url });
      await c.connect();
      await c.query("set lock_timeout = '1s'");
      let writes = 0;
      const errors: string[] = [];
      try {
        while (!stop) {
          const id = 6 * (1 + Math.floor(Math.random() * (LIVE - 1)));
          // And now and then a row the delete is about to take: it may have to wait for a batch.
          const other = id - 1 - Math.floor(Math.random() * 5);
          await c.query('update events set touched = touched + 1 where id = $1', [Math.random() < 0.2 ? other : id]).then(
            () => writes++,
            (e: Error) => errors.push(e.message),
          );
          await sleep(2);
        }
      } finally {
        await c.end();
      }
      return { writes, errors };
    })();

    const jobId = await e.execute(orderId);
    await until('a quarter of the rows to be deleted', async () => {
      const done = (await batches(jobId)).filter((b) => b.Status === 'SUCCESS').reduce((n, b) => n + b.AffectRows, 0);
      return done >= OLD / 4 ? true : undefined;
    }, 180_000);

    await e.server.kill();
    const markersAtKill = Number((await query(`select count(*) as n from _opendms_exec_log where job_id = ${jobId}`))[0]!.n);
    const leftAtKill = Number((await query("select count(*) as n from events where kind = 'old'"))[0]!.n);
    expect(leftAtKill).toBeGreaterThan(0);
    expect(leftAtKill).toBeLessThan(OLD);

    await e.restart();
    const shown = await batches(jobId);
    // The store knows every committed batch, except at most the one whose settling the kill cut off.
    const shownDone = shown.filter((b) => b.Status === 'SUCCESS').length;
    expect(shownDone === markersAtKill || shownDone === markersAtKill - 1, `${shownDone} shown done, ${markersAtKill} committed`).toBe(true);

    const task = await e.settled(orderId, 'the job to finish after the restart', 240_000, ['SUCCESS', 'FAIL', 'PAUSE']);
    stop = true;
    const w = await writer;
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: OLD });
    expect(Number((await query("select count(*) as n from events where kind = 'old'"))[0]!.n)).toBe(0);
    expect(Number((await query("select count(*) as n from events where kind = 'live'"))[0]!.n)).toBe(LIVE);
    expect(w.errors).toEqual([]);
    expect(w.writes).toBeGreaterThan(100);

    // Batches: contiguous key ranges, each committed once (one marker each), adding up to the rows deleted.
    const final = await batches(jobId);
    expect(final.length).toBeGreaterThan(10);
    expect(final.map((b) => b.BatchNo)).toEqual(final.map((_, k) => k + 1));
    for (let k = 1; k < final.length; k++) expect(final[k]!.LowerKey).toEqual(final[k - 1]!.UpperKey);
    expect(final.every((b) => b.Status === 'SUCCESS')).toBe(true);
    expect(final.reduce((n, b) => n + b.AffectRows, 0)).toBe(OLD);
    expect(final.reduce((n, b) => n + (b.BackupRows ?? 0), 0)).toBe(OLD);
    expect(Number((await query(`select count(*) as n from _opendms_exec_log where job_id = ${jobId}`))[0]!.n)).toBe(final.length);
    const log: string = ok(await admin('GetDBTaskSQLJobLog', { JobId: jobId })).Log;
    expect(log).toMatch(/resumed after an interruption/);
  }, 600_000);
});

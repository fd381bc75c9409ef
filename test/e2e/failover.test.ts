/**
 * A process killed in the middle of an export and of a data change, with another process on the
 * same PostgreSQL store and files folder taking the work over once the dead one's job leases
 * expire (issue 8 §1, §4): the data change runs every statement exactly once, the export ends
 * with one complete result, and each ticket succeeds. Real child processes; short job leases
 * (OPENDMS_EXPORT_MAX_RUN_SECONDS 40 s, OPENDMS_DC_MAX_RUN_SECONDS 20 s: leases of 60 and 30 s, checked every 2 s).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_KEY, ok, pop, type Body, type Key } from '../helpers/server.js';
import { registerPgTarget, startServerProcess, type ServerProcess } from '../helpers/process.js';
import { fetchBytes, parseCsv, unzip, until } from '../helpers/export-flow.js';
import { createPgDatabase, createPgSchema, describeWithServer } from '../helpers/servers.js';

const PG_URL = process.env.OPENDMS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const STATEMENTS = 120;
const ROWS = 60_000;

await describeWithServer('postgres', 'another process takes over the work of one killed mid-job', () => {
  let schema: Awaited<ReturnType<typeof createPgSchema>>;
  let target: Awaited<ReturnType<typeof createPgDatabase>>;
  let dataDir: string;
  let env: Record<string, string>;
  const servers: ServerProcess[] = [];
  let dba: Key;
  let dbId: number;

  const query = async (sql: string) => {
    const c = new pg.Client({ connectionString: target.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    schema = await createPgSchema('opendms_failover');
    target = await createPgDatabase('opendms_failover_t');
    await query(`create table counters (id integer primary key, n integer not null); insert into counters select g, 0 from generate_series(1, ${STATEMENTS}) g;
      create table events (id integer primary key, payload text not null); insert into events select g, md5(g::text) from generate_series(1, ${ROWS}) g`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-failover-'));
    env = {
      OPENDMS_DATABASE_URL: PG_URL,
      OPENDMS_DATABASE_SCHEMA: schema.schema,
      OPENDMS_MASTER_KEY: Buffer.alloc(32, 5).toString('base64'),
      OPENDMS_EXPORT_MAX_RUN_SECONDS: '40',
      OPENDMS_DC_MAX_RUN_SECONDS: '20',
      OPENDMS_JOB_LEASE_CHECK_SECONDS: '2',
    };
    servers.push(await startServerProcess({ dataDir, env }));
    ({ dba, dbId } = await registerPgTarget(servers[0]!, target.name));
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) await s.kill().catch(() => undefined);
    await target?.drop();
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const live = () => servers[servers.length - 1]!;
  const admin = (action: string, params: Record<string, unknown>) => pop(live(), ADMIN_KEY)(action, params);

  async function approved(orderId: number, detail: () => Promise<boolean>): Promise<void> {
    await until('the precheck', async () => ((await detail()) ? true : undefined), 60_000);
    const wf = ok(await admin('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
    ok(await pop(live(), dba)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
  }

  it('finishes the export and the data change after a SIGKILL, running nothing twice', async () => {
    // A data change whose statements take 80 ms each, and an export that takes a while.
    const sql = Array.from({ length: STATEMENTS }, (_, k) => `update counters set n = n + 1 + 0 * length(pg_sleep(0.08)::text) where id = ${k + 1};`).join('\n');
    const dc: number = ok(await admin('CreateDataCorrectOrder', { Comment: 'failover', Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: sql }) })).CreateOrderResult[0];
    await approved(dc, async () => ok(await admin('GetDataCorrectOrderDetail', { OrderId: dc })).DataCorrectOrderDetail.Status === 'precheck_success');
    const ex: number = ok(await admin('CreateOrder', { Comment: 'failover', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId, exeSQL: 'select id, payload from events where (id % 400 <> 0 or pg_sleep(0.05) is not null)', ignoreAffectRows: true, ignoreAffectRowsReason: 'test' }) })).CreateOrderResult.OrderIds[0];
    const exportDetail = async (): Promise<Body> => ok(await admin('GetDataExportOrderDetail', { OrderId: ex })).DataExportOrderDetail;
    await approved(ex, async () => (await exportDetail()).KeyInfo.JobStatus !== 'PRE_CHECKING');

    const { DBTaskGroupId } = ok(await admin('ExecuteDataCorrect', { OrderId: dc }));
    const jobId: number = ok(await admin('ListDBTaskSQLJob', { DBTaskGroupId })).DBTaskSQLJobList[0].JobId;
    ok(await admin('ExecuteDataExport', { OrderId: ex, ActionDetail: JSON.stringify({ fileType: 'CSV' }) }));
    const done = async () => (ok(await admin('ListDBTaskSQLJobDetail', { JobId: jobId, PageSize: 1000 })).DBTaskSQLJobDetailList as Body[]).filter((s) => s.Status === 'SUCCESS').length;
    await until('a fifth of the statements and some exported rows', async () => ((await done()) >= STATEMENTS / 5 && Number((await exportDetail()).OrderDetail?.ActualAffectRows ?? 0) > 0 ? true : undefined), 60_000);

    // The process running both dies; another one starts on the same store and folder.
    await servers[0]!.kill();
    const atKill = (await query('select n from counters order by id')).map((r) => Number(r.n));
    expect(atKill.every((n) => n <= 1)).toBe(true);
    expect(atKill.filter((n) => n === 1).length).toBeLessThan(STATEMENTS);
    servers.push(await startServerProcess({ dataDir, env }));

    const task = await until('the data change to finish on the other process', async () => {
      const t = ok(await admin('GetDataCorrectTaskDetail', { OrderId: dc })).DataCorrectTaskDetail;
      return ['SUCCESS', 'FAIL'].includes(t.jobStatus) ? t : undefined;
    }, 180_000);
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: STATEMENTS });
    expect((await query('select n from counters order by id')).map((r) => Number(r.n))).toEqual(Array.from({ length: STATEMENTS }, () => 1));

    const finished = await until('the export to finish on the other process', async () => {
      const d = await exportDetail();
      return ['EXPORT_SUCCESS', 'EXPORT_FAIL'].includes(d.KeyInfo.JobStatus) ? d : undefined;
    }, 180_000);
    expect(finished.KeyInfo.JobStatus, JSON.stringify(finished.KeyInfo)).toBe('EXPORT_SUCCESS');
    expect(finished.OrderDetail.ActualAffectRows).toBe(ROWS);
    const link = ok(await admin('GetDataExportDownloadURL', { OrderId: ex })).DownloadURLResult.URL as string;
    const zip = await unzip((await fetchBytes(link)).body);
    const rows = parseCsv(zip.files.get('export_1.csv')!.toString('utf8'));
    expect(rows.length).toBe(ROWS + 1);
    const ids = new Set(rows.slice(1).map((r) => Number(r[0])));
    expect(ids.size).toBe(ROWS);
    expect(Math.min(...ids)).toBe(1);
    expect(Math.max(...ids)).toBe(ROWS);

    for (const id of [dc, ex]) expect(ok(await admin('GetOrderBaseInfo', { OrderId: id })).OrderBaseInfo.StatusCode).toBe('success');
    const events = async (id: number) => ((ok(await admin('ListOrderEvents', { OrderId: id })).Events?.Event ?? []) as Body[]).map((e) => e.Action);
    expect((await events(dc)).filter((a) => a === 'START_EXECUTION')).toHaveLength(1);
    expect((await events(ex)).filter((a) => a === 'START_EXECUTION')).toHaveLength(1);
  }, 600_000);
});

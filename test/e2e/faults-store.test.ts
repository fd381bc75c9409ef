/**
 * The metadata PostgreSQL goes away under a running server (issue 8 §4): a private cluster is the
 * OpenDMS store of a real server process (pg-boss jobs included) and is stopped as in a crash
 * (`pg_ctl stop -m immediate`), then started again. During the outage every request gets the
 * reference's `ServiceUnavailable` (HTTP 503, a well-formed gateway error) and /healthz says
 * unavailable; the process stays up; a ticket filed around the outage exists fully or not at all;
 * once the store is back the same process serves requests and runs jobs again, without a restart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/export-flow.js';
import { describeWithPrivatePg, startPrivatePg, type PrivatePg } from '../helpers/private-pg.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { ADMIN_KEY, awaitPrecheck, createUser, gatewayError, ok, openapi, pop, type Body, type Key } from '../helpers/server.js';

const ACROSS_ROWS = 20_000;

describeWithPrivatePg('the metadata store restarts under a running server', () => {
  let store: PrivatePg;
  /** A PostgreSQL target (a cluster of its own too), for an export that runs across the outage. */
  let targetPg: PrivatePg;
  let pgDbId: number;
  let server: ServerProcess;
  let dataDir: string;
  let dba: Key;
  let dbId: number;
  const admin = (action: string, params: Record<string, unknown> = {}) => pop(server, ADMIN_KEY)(action, params);

  beforeAll(async () => {
    store = await startPrivatePg();
    targetPg = await startPrivatePg();
    await targetPg.query('create database shop');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-faults-store-'));
    fs.mkdirSync(path.join(dataDir, 'sqlite'));
    const file = path.join(dataDir, 'sqlite', 'shop.db');
    const db = new Database(file);
    db.exec("create table items (id integer primary key, name text); insert into items values (1, 'one'), (2, 'two'), (3, 'three')");
    db.close();
    server = await startServerProcess({
      dataDir,
      env: { OPENDMS_DATABASE_URL: store.url(), OPENDMS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), OPENDMS_JOB_LEASE_CHECK_SECONDS: '2' },
    });
    dba = await createUser({ url: server.url, port: server.port, admin: ADMIN_KEY }, 'dora', 'DBA');
    ok(await admin('RegisterInstance', { InstanceType: 'sqlite', Host: file, InstanceAlias: 'shop', EnvType: 'dev', DbaUid: 'dora', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', NetworkType: 'VPC', SafeRule: 'default' }));
    dbId = Number(ok(await admin('GetDatabase', { Host: file, Port: 0, SchemaName: 'main' })).Database.DatabaseId);
    ok(await admin('RegisterInstance', { InstanceType: 'postgresql', Host: '127.0.0.1', Port: targetPg.port, DatabaseUser: 'postgres', DatabasePassword: 'x', InstanceAlias: 'pg', EnvType: 'dev', DbaUid: 'dora', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', NetworkType: 'VPC', SafeRule: 'default' }));
    pgDbId = Number(ok(await admin('GetDatabase', { Host: '127.0.0.1', Port: targetPg.port, SchemaName: 'shop' })).Database.DatabaseId);
  }, 120_000);

  afterAll(async () => {
    await server?.kill();
    await store?.destroy();
    await targetPg?.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const fileExport = (comment: string) => admin('CreateOrder', { Comment: comment, PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId, exeSQL: 'select id, name from items' }) });
  const exportPhase = async (orderId: number): Promise<string> => ok(await admin('GetDataExportOrderDetail', { OrderId: orderId })).DataExportOrderDetail.KeyInfo.JobStatus;
  const prechecked = (orderId: number) => awaitPrecheck(admin, orderId, 30_000);

  async function approveAndRun(orderId: number): Promise<void> {
    const wf = ok(await admin('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
    ok(await pop(server, dba)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    ok(await admin('ExecuteDataExport', { OrderId: orderId, ActionDetail: JSON.stringify({ fileType: 'CSV' }) }));
  }
  const exportEnded = (orderId: number) => until(`the export of ${orderId}`, async () => (['EXPORT_SUCCESS', 'EXPORT_FAIL'].includes(await exportPhase(orderId)) ? true : undefined), 60_000);

  it('answers ServiceUnavailable during the outage, stays up, and serves again and runs jobs once the store is back', async () => {
    const before: number = ok(await fileExport('before the outage')).CreateOrderResult.OrderIds[0];
    await prechecked(before);
    expect(await exportPhase(before)).toBe('PRE_CHECK_SUCCESS');
    await approveAndRun(before);
    await exportEnded(before);
    const download = ok(await admin('GetDataExportDownloadURL', { OrderId: before })).DownloadURLResult.URL as string;
    expect((await fetch(download)).status).toBe(200);

    // An export that is running when the store goes away, and whose query ends during the outage.
    const across: number = ok(await admin('CreateOrder', { Comment: 'across the outage', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId: pgDbId, exeSQL: `select g as id, md5(g::text) as t from generate_series(1, ${ACROSS_ROWS}) g where (g % 200 <> 0 or pg_sleep(0.04) is not null)`, ignoreAffectRows: true, ignoreAffectRowsReason: 'test' }) })).CreateOrderResult.OrderIds[0];
    await prechecked(across);
    await approveAndRun(across);
    await until('the export under way', async () => {
      const d = ok(await admin('GetDataExportOrderDetail', { OrderId: across })).DataExportOrderDetail;
      return d.KeyInfo.JobStatus === 'DOING_EXPORT' && Number(d.OrderDetail.ActualAffectRows ?? 0) > 0 ? true : undefined;
    }, 30_000);

    // Tickets filed one after another while the store goes away: each answer is a ticket or a 503.
    const answers: { comment: string; orderId?: number; error?: string }[] = [];
    let filing = true;
    const filer = (async () => {
      for (let i = 0; filing; i++) {
        const comment = `around the outage ${i}`;
        try {
          answers.push({ comment, orderId: ok(await fileExport(comment)).CreateOrderResult.OrderIds[0] });
        } catch (e) {
          answers.push({ comment, error: (e as { code?: string }).code ?? String(e) });
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await until('a few tickets filed', async () => (answers.length >= 3 ? true : undefined), 30_000);
    await store.stop('immediate');
    await until('a request refused during the outage', async () => (answers.some((a) => a.error) ? true : undefined), 30_000);

    // During the outage: the reference's error, for both clients; health says unavailable.
    const e1 = await gatewayError(admin('GetUserActiveTenant'));
    expect(server.child.exitCode, `the server process is still running: ${server.output().slice(-3000)}`).toBeNull();
    expect(e1.code).toBe('ServiceUnavailable');
    expect(e1.data?.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(e1.data?.HostId).toBe(`127.0.0.1:${server.port}`);
    expect(e1.message).toContain('metadata store');
    const e2 = await gatewayError(openapi(server, ADMIN_KEY)('ListOrders', { PageSize: 10 }));
    expect(e2).toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
    expect(e1.data?.Recommend).toBe('docs/api/errors.md#serviceunavailable');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
    // A download link needs the store too: the same error, not an internal one.
    const refused = await fetch(download);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ Code: 'ServiceUnavailable', RequestId: expect.stringMatching(/^[0-9A-F-]{36}$/), HostId: `127.0.0.1:${server.port}` });
    filing = false;
    await filer;
    // The export's query finishes on its database while the store is still down: its result cannot be recorded.
    await until('the export query to end on the target', async () => {
      const [r] = await targetPg.query("select count(*) as n from pg_stat_activity where datname = 'shop' and state = 'active' and query like '%generate_series%' and pid <> pg_backend_pid()");
      return Number(r!.n) === 0 ? true : undefined;
    }, 30_000);
    expect(answers.filter((a) => a.error).map((a) => a.error)).toEqual(answers.filter((a) => a.error).map(() => 'ServiceUnavailable'));
    expect(server.child.exitCode, `the server process is still running: ${server.output().slice(-3000)}`).toBeNull();

    // Back: the same process serves again, without a restart.
    await store.start();
    await until('the first request served after the outage', async () => admin('GetUserActiveTenant').then(() => true, () => undefined), 30_000);
    expect(ok(await admin('GetUserActiveTenant')).Tenant.Tid).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(download)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();

    // Nothing half-applied: every ticket confirmed exists; one refused exists fully or not at all.
    const listed = (ok(await admin('ListOrders', { PageSize: 100, SearchContent: 'around the outage' })).Orders?.Order ?? []) as Body[];
    const confirmed = answers.filter((a) => a.orderId !== undefined);
    for (const a of confirmed) expect(listed.map((o) => Number(o.OrderId))).toContain(a.orderId);
    // In the store itself: each ticket filed around the outage has its database, its filing event
    // and its precheck, or the ticket is not there at all.
    const rows = await store.query(`select t.id,
        (select count(*) from ticket_database d where d.ticket_id = t.id) as dbs,
        (select count(*) from ticket_event e where e.ticket_id = t.id) as events,
        (select count(*) from export_precheck p where p.ticket_id = t.id) as prechecks
      from ticket t where t.comment like 'around the outage %' order by t.id`);
    expect(rows.map((r) => Number(r.id))).toEqual(listed.map((o) => Number(o.OrderId)).sort((a, b) => a - b));
    for (const r of rows) expect({ dbs: Number(r.dbs), events: Number(r.events) > 0, prechecks: Number(r.prechecks) }).toEqual({ dbs: 1, events: true, prechecks: 1 });
    for (const o of listed) {
      expect(answers.map((a) => a.comment)).toContain(o.Comment);
      // A ticket in the store is complete: its precheck job was committed with it and runs.
      await prechecked(Number(o.OrderId));
      expect(await exportPhase(Number(o.OrderId))).toBe('PRE_CHECK_SUCCESS');
    }

    // The export caught by the outage is run again (its attempt failed as soon as the store was back) and completes.
    await exportEnded(across);
    const acrossDetail = ok(await admin('GetDataExportOrderDetail', { OrderId: across })).DataExportOrderDetail;
    expect(acrossDetail.KeyInfo.JobStatus, JSON.stringify(acrossDetail.KeyInfo)).toBe('EXPORT_SUCCESS');
    expect(acrossDetail.OrderDetail.ActualAffectRows).toBe(ACROSS_ROWS);

    // pg-boss works again: a new ticket's precheck, and an export through approval to its file.
    const after: number = ok(await fileExport('after the outage')).CreateOrderResult.OrderIds[0];
    await prechecked(after);
    expect(await exportPhase(after)).toBe('PRE_CHECK_SUCCESS');
    await approveAndRun(after);
    await exportEnded(after);
    expect(await exportPhase(after)).toBe('EXPORT_SUCCESS');
    expect(server.child.exitCode).toBeNull();
  }, 150_000);
});

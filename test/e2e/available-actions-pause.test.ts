/**
 * GetOrderAvailableActions offers stopping running work, through @alicloud/pop-core, with the
 * rules of the Actions that do it:
 * - an export job waiting (scheduled) or running: PAUSE (PauseDataExportJob) and SUSPEND
 *   (SuspendDataExportJob), with the JobId, to the committer, the executor, an ADMIN or a DBA;
 * - data-change jobs waiting or running: PAUSE (PauseDataCorrectSQLJob Type ALL), same parties;
 *   once paused, RESUME (RestartDataCorrectSQLJob Type ALL) to the executor.
 * Never before execution or after it ended, and never to a member who sees the ticket but may not
 * stop it (an owner of the database), whom the Action itself refuses. The offered Action, called
 * with the offered parameters, does it. The running export on PostgreSQL is held by a lock on
 * its table, so "running" does not depend on timing. In Chromium, the ticket page shows Stop
 * and Suspend for the scheduled export, asks to confirm, and then offers "Run again"
 * (screenshots: test-artifacts/available-actions-pause/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { setPassword } from '../../src/modules/identity/sessions.js';
import { ConsoleBrowser, describeInBrowser, logIn } from '../helpers/browser.js';
import { ok, type Body, type Key } from '../helpers/server.js';
import { approvedExport, executeExport, exportDetail, registerPg, registerSqlite, startExportEnv, ticketStatus, until, waitPhase, type ExportEnv } from '../helpers/export-flow.js';
import { describeWithServer } from '../helpers/servers.js';

let env: ExportEnv;
let dbId: number;

beforeAll(async () => {
  env = await startExportEnv();
  dbId = (await registerSqlite(env, 'pause', (db) => db.exec("create table t (id integer primary key, v text); insert into t values (1, 'a'), (2, 'b'), (3, 'c');"))).dbId;
  // mike owns the database: he sees its tickets, but may not stop their work.
  ok(await env.admin('SetOwners', { ResourceId: String(dbId), OwnerType: 'DATABASE', OwnerIds: String(env.mike.userId) }));
});
afterAll(async () => env?.close());

const actions = async (by: Key, orderId: number): Promise<Body[]> => ok(await env.as(by)('GetOrderAvailableActions', { OrderId: orderId })).Actions.Action;
const names = async (by: Key, orderId: number): Promise<string[]> => (await actions(by, orderId)).map((a) => (a.Enabled ? a.Name : `${a.Name}(disabled)`));
const named = async (by: Key, orderId: number, name: string): Promise<Body | undefined> => (await actions(by, orderId)).find((a) => a.Name === name);
const STOPS = ['PAUSE', 'SUSPEND', 'RESUME'];
const stops = async (by: Key, orderId: number): Promise<string[]> => (await names(by, orderId)).filter((n) => STOPS.includes(n.replace('(disabled)', '')));
/** A time the server (zone UTC) reads as `ms` from now, as ActionDetail.startTime. */
const later = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 19).replace('T', ' ');
const jobStatus = async (orderId: number): Promise<string> => (await exportDetail(env, orderId)).KeyInfo.JobStatus;

describe('exports (SQLite, a scheduled job)', () => {
  it('PAUSE and SUSPEND appear while the job waits, only for those who may stop it, and do it', async () => {
    const id = await approvedExport(env, dbId, 'select id, v from t order by id');
    expect(await stops(env.ulla, id)).toEqual([]);
    const jobId = ok(await executeExport(env, id, { fileType: 'CSV', startTime: later(120_000) })).JobId;
    expect(await jobStatus(id)).toBe('WAITING_EXPORT');
    expect(await ticketStatus(env, id)).toBe('processing');

    // The committer (also the executor), a DBA and an ADMIN may stop it.
    for (const by of [env.ulla, env.dora, env.srv.admin]) expect(await stops(by, id)).toEqual(['PAUSE', 'SUSPEND']);
    expect(await named(env.ulla, id, 'PAUSE')).toMatchObject({ ApiAction: 'PauseDataExportJob', Params: { OrderId: id, JobId: jobId }, Enabled: true });
    expect(await named(env.dora, id, 'SUSPEND')).toMatchObject({ ApiAction: 'SuspendDataExportJob', Params: { OrderId: id, JobId: jobId }, Enabled: true });
    // The owner sees the ticket but is offered neither, and the Action refuses him.
    expect(await stops(env.mike, id)).toEqual([]);
    expect(await env.as(env.mike)('PauseDataExportJob', { OrderId: id, JobId: jobId })).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });

    // The offered SUSPEND, as offered: the job ends, and what is left is running it again.
    const suspend = (await named(env.dora, id, 'SUSPEND'))!;
    ok(await env.as(env.dora)(suspend.ApiAction, suspend.Params));
    expect((await exportDetail(env, id)).KeyInfo).toMatchObject({ JobStatus: 'EXPORT_FAIL', Message: expect.stringContaining('suspended') });
    expect(await stops(env.ulla, id)).toEqual([]);
    expect(await stops(env.dora, id)).toEqual([]);
    expect(await names(env.ulla, id)).toContain('RESTART');
  });

  it('a finished export offers no stop', async () => {
    const id = await approvedExport(env, dbId, 'select id from t order by id');
    ok(await executeExport(env, id, { fileType: 'CSV' }));
    await waitPhase(env, id, 'EXPORT_SUCCESS');
    expect(await stops(env.ulla, id)).toEqual([]);
    expect(await stops(env.srv.admin, id)).toEqual([]);
  });
});

describe('data changes (SQLite, scheduled jobs)', () => {
  async function approvedChange(sql: string): Promise<number> {
    const id = Number(ok(await env.as(env.ulla)('CreateDataCorrectOrder', { Comment: 'pause me', Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: sql, EstimateAffectRows: 10 }) })).CreateOrderResult[0]);
    const phase = await until(`precheck of ${id}`, async () => {
      const s = ok(await env.as(env.ulla)('GetDataCorrectOrderDetail', { OrderId: id })).DataCorrectOrderDetail.Status as string;
      return s === 'precheck' ? undefined : s;
    });
    expect(phase).toBe('precheck_success');
    const wf = ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: id })).WorkflowInstanceId;
    ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    return id;
  }
  const jobStatuses = async (id: number): Promise<string[]> => {
    const task = ok(await env.as(env.ulla)('GetDataCorrectTaskDetail', { OrderId: id })).DataCorrectTaskDetail;
    return ok(await env.as(env.ulla)('ListDBTaskSQLJob', { DBTaskGroupId: task.DBTaskGroupId })).DBTaskSQLJobList.map((j: Body) => j.Status);
  };

  it('PAUSE while the jobs wait, for those who may pause; then RESUME for the executor, which runs them', async () => {
    const id = await approvedChange("update t set v = 'z' where id = 1");
    expect(await stops(env.ulla, id)).toEqual([]);
    ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: id, ActionDetail: JSON.stringify({ startTime: later(120_000) }) }));
    expect(await ticketStatus(env, id)).toBe('processing');

    for (const by of [env.ulla, env.dora, env.srv.admin]) expect(await stops(by, id)).toEqual(['PAUSE']);
    expect(await stops(env.mike, id)).toEqual([]);
    expect(await env.as(env.mike)('PauseDataCorrectSQLJob', { OrderId: id, Type: 'ALL' })).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });

    const pause = (await named(env.dora, id, 'PAUSE'))!;
    expect(pause).toMatchObject({ ApiAction: 'PauseDataCorrectSQLJob', Params: { OrderId: id, Type: 'ALL' }, Enabled: true });
    ok(await env.as(env.dora)(pause.ApiAction, pause.Params));
    expect(await jobStatuses(id)).toEqual(['PAUSE']);
    expect(await ticketStatus(env, id)).toBe('processing');

    // Paused: nothing to pause; the executor (the committer, ExecMode COMMITOR) may resume, the DBA not.
    expect(await stops(env.ulla, id)).toEqual(['RESUME']);
    expect(await stops(env.dora, id)).toEqual([]);
    expect(await stops(env.mike, id)).toEqual([]);
    const resume = (await named(env.ulla, id, 'RESUME'))!;
    expect(resume).toMatchObject({ ApiAction: 'RestartDataCorrectSQLJob', Params: { OrderId: id, Type: 'ALL' }, Enabled: true });
    ok(await env.as(env.ulla)(resume.ApiAction, resume.Params));
    await until('the resumed change', async () => ((await ticketStatus(env, id)) === 'processing' ? undefined : true));
    expect(await ticketStatus(env, id)).toBe('success');
    expect(await stops(env.ulla, id)).toEqual([]);
    expect(await stops(env.srv.admin, id)).toEqual([]);
  });

  it('a job that will run in one transaction can still be paused before it starts', async () => {
    const id = await approvedChange("update t set v = 'y' where id = 2");
    ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: id, ActionDetail: JSON.stringify({ startTime: later(120_000), transaction: true }) }));
    expect(await named(env.ulla, id, 'PAUSE')).toMatchObject({ Enabled: true });
    ok(await env.as(env.ulla)('PauseDataCorrectSQLJob', { OrderId: id, Type: 'ALL' }));
    expect(await stops(env.ulla, id)).toEqual(['RESUME']);
  });
});

await describeWithServer('postgres', 'a running export (PostgreSQL, its table locked)', () => {
  let target: Awaited<ReturnType<typeof registerPg<'run'>>>['run'];
  let locker: pg.Client | undefined;

  beforeAll(async () => {
    target = (await registerPg(env, { run: "create table t (id integer primary key, v text not null); insert into t select g, 'v' || g from generate_series(1, 50) g;" })).run;
    ok(await env.admin('SetOwners', { ResourceId: String(target.dbId), OwnerType: 'DATABASE', OwnerIds: String(env.mike.userId) }));
  });
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
  });

  it('offers PAUSE and SUSPEND while DOING_EXPORT; the offered PAUSE ends it and they go', async () => {
    const id = await approvedExport(env, target.dbId, 'select id, v from t order by id');
    // The export's read waits for this lock: the job stays DOING_EXPORT until it is stopped.
    locker = new pg.Client({ connectionString: target.url });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table t in access exclusive mode');
    const jobId = ok(await executeExport(env, id, { fileType: 'JSON' })).JobId;
    await waitPhase(env, id, 'DOING_EXPORT');

    expect(await stops(env.ulla, id)).toEqual(['PAUSE', 'SUSPEND']);
    expect(await stops(env.dora, id)).toEqual(['PAUSE', 'SUSPEND']);
    expect(await stops(env.mike, id)).toEqual([]);
    const pause = (await named(env.ulla, id, 'PAUSE'))!;
    expect(pause).toMatchObject({ ApiAction: 'PauseDataExportJob', Params: { OrderId: id, JobId: jobId } });
    ok(await env.as(env.ulla)(pause.ApiAction, pause.Params));
    await until('the stopped export', async () => ((await jobStatus(id)) === 'EXPORT_FAIL' ? true : undefined));
    await locker.query('rollback');
    expect((await exportDetail(env, id)).KeyInfo.Message).toContain('terminated');
    expect(await stops(env.ulla, id)).toEqual([]);
    expect(await names(env.ulla, id)).toContain('RESTART');
  });
});

describeInBrowser('the ticket page shows the stop buttons (Chromium)', () => {
  let browser: ConsoleBrowser;
  const PASSWORD = 'Ulla-pause-pass-1';

  beforeAll(async () => {
    await setPassword(env.srv.server.deps, 'ulla', PASSWORD);
    browser = await ConsoleBrowser.launch('available-actions-pause');
  }, 60_000);
  afterAll(async () => browser?.close());

  it('Stop and Suspend on a scheduled export; Stop asks to confirm, then "Run again" is offered', async () => {
    const id = await approvedExport(env, dbId, 'select id from t order by id');
    ok(await executeExport(env, id, { fileType: 'CSV', startTime: later(120_000) }));
    const { ctx, page } = await browser.open();
    await page.goto(`${env.srv.url}/console/#/tickets/${id}`);
    await logIn(page, 'ulla', PASSWORD);
    const group = page.getByRole('group', { name: 'Actions' });
    await group.getByRole('button', { name: 'Stop' }).waitFor();
    expect(await group.getByRole('button', { name: 'Suspend' }).isEnabled()).toBe(true);
    await browser.shot(page, '01-export-waiting');
    await group.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('The running work stops;').waitFor();
    await page.getByRole('button', { name: 'Confirm: Stop' }).click();
    await group.getByRole('button', { name: 'Run again' }).waitFor();
    expect(await group.getByRole('button', { name: 'Stop' }).count()).toBe(0);
    expect(await jobStatus(id)).toBe('EXPORT_FAIL');
    await browser.shot(page, '02-export-stopped');
    browser.expectNoPageErrors();
    await ctx.close();
  }, 60_000);
});

/**
 * A lock-free change (DC_CHUNK) on a MariaDB primary that waits while its replica falls behind:
 * a real primary and replica (two mariadbd processes started by the test), both registered; the
 * ticket names the replica (`ReplicaInstanceId`, `MaxReplicaLagSeconds`). With the replica's SQL
 * thread stopped no batch runs and the job log says why; once it runs again the change completes
 * and the replica ends up with the same rows. The precheck refuses an instance that is no replica.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ok, type Body } from '../helpers/server.js';
import { sleep, startExportEnv, until, type ExportEnv } from '../helpers/export-flow.js';
import { caughtUp, startMariaDbPair, type MariaDbPair } from '../helpers/mariadb-pair.js';
import { describeWithServer } from '../helpers/servers.js';

await describeWithServer('mysql', 'a lock-free change waits for a lagging MariaDB replica', () => {
  let env: ExportEnv;
  let pair: MariaDbPair;
  let primaryDbId: number;
  let replicaId: number;
  let primaryId: number;

  const INSTANCE = { ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', SafeRule: 'default', NetworkType: 'VPC', EnvType: 'dev', DbaUid: 'dora', InstanceType: 'MariaDB', Host: '127.0.0.1' };

  beforeAll(async () => {
    env = await startExportEnv();
    pair = await startMariaDbPair();
    await pair.primary.query(`create database shop; use shop; create table shop.events (id integer primary key, kind varchar(8) not null);
      insert into shop.events select seq, if(seq % 2 = 0, 'old', 'live') from seq_1_to_3000`);
    await caughtUp(pair);
    for (const [server, alias] of [[pair.primary, 'primary'], [pair.replica, 'replica']] as const) {
      ok(await env.admin('RegisterInstance', { ...INSTANCE, Port: server.port, DatabaseUser: pair.user, DatabasePassword: pair.password, InstanceAlias: alias }));
    }
    primaryId = Number(ok(await env.admin('GetInstance', { Host: '127.0.0.1', Port: pair.primary.port })).Instance.InstanceId);
    replicaId = Number(ok(await env.admin('GetInstance', { Host: '127.0.0.1', Port: pair.replica.port })).Instance.InstanceId);
    primaryDbId = Number(ok(await env.admin('GetDatabase', { Host: '127.0.0.1', Port: pair.primary.port, SchemaName: 'shop' })).Database.DatabaseId);
  }, 120_000);

  afterAll(async () => {
    await env?.close();
    await pair?.stop();
  });

  const file = async (extra: Record<string, unknown>) =>
    Number(ok(await env.v3(env.ulla)('CreateFreeLockCorrectOrder', { Comment: 'replica test', Param: JSON.stringify({ DbItemList: [{ DbId: primaryDbId, Logic: false }], SqlType: 'TEXT', ExecSQL: "delete from events where kind = 'old'", BatchRows: 100, BatchMillis: 10_000, SleepMillis: 50, ...extra }) })).CreateOrderResult[0]);
  const detail = async (id: number): Promise<Body> => ok(await env.v3(env.ulla)('GetDataCorrectOrderDetail', { OrderId: id })).DataCorrectOrderDetail;
  const prechecked = (id: number) => until('the precheck', async () => ((await detail(id)).Status === 'precheck' ? undefined : detail(id)));
  const count = async (server: MariaDbPair['primary']) => Number((await server.query("select count(*) as n from shop.events where kind = 'old'"))[0].n);

  it('waits while replication is stopped, goes on once it runs, and refuses an instance that is not a replica', async () => {
    const id = await file({ ReplicaInstanceId: replicaId, MaxReplicaLagSeconds: 1 });
    const d = await prechecked(id);
    expect(d.Status, JSON.stringify(d.PreCheckDetail)).toBe('precheck_success');
    const wf = ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: id })).WorkflowInstanceId;
    ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));

    await pair.replica.query('stop slave sql_thread');
    const { DBTaskGroupId } = ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: id }));
    const jobId: number = ok(await env.as(env.ulla)('ListDBTaskSQLJob', { DBTaskGroupId })).DBTaskSQLJobList[0].JobId;
    const log = () => env.as(env.ulla)('GetDBTaskSQLJobLog', { JobId: jobId }).then((r) => ok(r).Log as string);
    await until('the job to wait for the replica', async () => (/waiting before batch 1 of statement 1: replication on 127\.0\.0\.1:\d+ is not running/.test(await log()) ? true : undefined));
    await sleep(2000);
    expect(await count(pair.primary)).toBe(1500);
    expect(ok(await env.v3(env.ulla)('ListDataCorrectChunkBatches', { JobId: jobId })).TotalCount).toBe(0);
    expect(ok(await env.v3(env.ulla)('GetDataCorrectTaskDetail', { OrderId: id })).DataCorrectTaskDetail.jobStatus).toBe('RUNNING');

    await pair.replica.query('start slave sql_thread');
    const task = await until('the change to finish', async () => {
      const t = ok(await env.v3(env.ulla)('GetDataCorrectTaskDetail', { OrderId: id })).DataCorrectTaskDetail;
      return ['SUCCESS', 'FAIL', 'PAUSE'].includes(t.jobStatus) ? t : undefined;
    }, 60_000);
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 1500 });
    expect(await log()).toMatch(/the replica caught up after \d+ s; batch 1 of statement 1 goes on/);
    expect(ok(await env.v3(env.ulla)('ListDataCorrectChunkBatches', { JobId: jobId })).TotalCount).toBeGreaterThan(3);
    await caughtUp(pair);
    expect(await count(pair.primary)).toBe(0);
    expect(await count(pair.replica)).toBe(0);

    // The primary is no replica: the precheck says so.
    const wrong = await file({ ReplicaInstanceId: primaryId });
    const w = await prechecked(wrong);
    expect(w.Status).toBe('precheckFailed');
    expect((w.PreCheckDetail.TaskCheckDO as Body[]).find((s) => s.CheckStep === 'SQL_TYPE_CHECK')).toMatchObject({ CheckStatus: 'FAIL', UserTip: expect.stringMatching(/replicaInstanceId: instance 127\.0\.0\.1:\d+ is not a replica/) });
  }, 180_000);
});

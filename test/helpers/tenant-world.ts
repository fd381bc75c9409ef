/**
 * A tenant filled with one of everything, through the real clients, for the security tests
 * (test/e2e/security-matrix.test.ts, secrets.test.ts): a member per system role, a SQLite target
 * database, tickets of every type (an export and a data change executed), an attachment, an upload
 * job, an approval node and template, a logical database, a webhook. Every name, comment, SQL text
 * and row the tenant holds carries `marker`, so a response can be searched for another tenant's data.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { uploadSql } from './attachments.js';
import { until } from './export-flow.js';
import { createUser, ok, pop, type Body, type Key, type Target, type TestServer } from './server.js';

/** Where a world is built: a server, its bootstrap admin, and its folder of SQLite targets. */
export interface WorldServer extends Target {
  admin: Key & { tid: number };
  sqliteDir: string;
}

export const worldServer = (srv: TestServer): WorldServer => ({ url: srv.url, port: srv.port, admin: srv.admin, sqliteDir: srv.server.deps.config.sqliteInstanceDir });

export type Role = 'ADMIN' | 'DBA' | 'USER' | 'SECURITY_ADMIN' | 'STRUCT_READ_ONLY';
export const ROLE_NAMES: readonly Role[] = ['ADMIN', 'DBA', 'USER', 'SECURITY_ADMIN', 'STRUCT_READ_ONLY'];

export type Member = Key & { userId: number; uid: string };
export type Call = (action: string, params?: Record<string, unknown>) => Promise<Body>;

export interface World {
  tid: number;
  marker: string;
  /** One member per role; `USER` files every ticket, `DBA` is the instance's DBA and approves. */
  members: Record<Role, Member>;
  as(key: Key): Call;
  file: string;
  instanceId: number;
  dbId: number;
  tableId: number;
  logicDbId: number;
  orders: { export: number; change: number; chunk: number; cron: number; import: number; design: number };
  exportJobId: number;
  exportWorkflowId: number;
  changeTaskGroupId: number;
  changeJobId: number;
  designChangeId: number;
  attachmentKey: string;
  uploadJobKey: string;
  nodeId: number;
  templateId: number;
  webhookId: number;
}

/**
 * Builds the world in tenant `tid` (the bootstrap admin's tenant when absent). `marker`: a short
 * lower-case word unique to this tenant (used in uids, names and data).
 */
export async function buildWorld(srv: WorldServer, marker: string, tid?: number): Promise<World> {
  const members = {} as Record<Role, Member>;
  for (const role of ROLE_NAMES) {
    const uid = `${marker}-${role.toLowerCase().replaceAll('_', '-')}`;
    members[role] = { ...(await createUser(srv, uid, role, tid)), uid };
  }
  const as = (key: Key): Call => (action, params = {}) => pop(srv, key)(action, params);
  const admin = as(members.ADMIN);
  const user = as(members.USER);
  const dba = as(members.DBA);

  const dir = srv.sqliteDir;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${marker}.db`);
  const db = new Database(file);
  db.exec(`create table items (id integer primary key, name text not null, created_at text not null);
    create table items_copy (id integer primary key, name text not null, created_at text not null);`);
  const ins = db.prepare('insert into items values (?, ?, ?)');
  for (let i = 1; i <= 20; i++) ins.run(i, `${marker}-row-${i}`, '2020-01-01 00:00:00');
  db.close();
  ok(await admin('RegisterInstance', {
    InstanceType: 'sqlite', Host: file, InstanceAlias: `${marker}-alias`, EnvType: 'dev', DbaUid: members.DBA.uid,
    ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', NetworkType: 'VPC', SafeRule: 'default',
  }));
  const d = ok(await admin('GetDatabase', { Host: file, Port: 0, SchemaName: 'main' })).Database;
  const dbId = Number(d.DatabaseId);
  const instanceId = Number(d.InstanceId);
  const tables: Body[] = ok(await admin('ListTables', { DatabaseId: dbId })).TableList.Table;
  const tableId = Number(tables.find((t) => t.TableName === 'items')!.TableId);
  const logicDbId = Number(ok(await admin('CreateLogicDatabase', { Alias: `${marker}-logic`, DatabaseIds: JSON.stringify([dbId]) })).LogicDbId);

  // The approvers' objects first, so the tickets below route as by default.
  const nodeId = Number(ok(await admin('CreateWorkFlowNode', { NodeName: `${marker}-node`, AuditUserIdList: JSON.stringify([members.DBA.userId]) })).NodeId);
  const templateId = Number(ok(await admin('CreateWorkFlowTemplate', { TemplateName: `${marker}-template`, NodeIdList: JSON.stringify([nodeId]) })).TemplateId);

  // An executed export.
  const exportId = Number(ok(await user('CreateOrder', {
    Comment: `${marker} export comment`, PluginType: 'DATA_EXPORT',
    PluginParam: JSON.stringify({ dbId, exeSQL: `select * from items where name like '${marker}%'`, logic: false, classify: marker, ignoreAffectRows: false }),
  })).CreateOrderResult.OrderIds[0]);
  const exportDetail = async (): Promise<Body> => ok(await user('GetDataExportOrderDetail', { OrderId: exportId })).DataExportOrderDetail;
  await until('the export precheck', async () => ((await exportDetail()).KeyInfo.JobStatus === 'PRE_CHECK_SUCCESS' ? true : undefined));
  const exportWorkflowId = Number(ok(await user('SubmitOrderApproval', { OrderId: exportId })).WorkflowInstanceId);
  ok(await dba('ApproveOrder', { WorkflowInstanceId: exportWorkflowId, ApprovalType: 'AGREE', Comment: `${marker} approve` }));
  ok(await user('ExecuteDataExport', { OrderId: exportId, ActionDetail: JSON.stringify({ fileType: 'CSV' }) }));
  const done = await until('the export', async () => {
    const x = await exportDetail();
    return x.KeyInfo.JobStatus === 'EXPORT_SUCCESS' ? x : undefined;
  });
  const exportJobId = Number(done.KeyInfo.JobId);

  // An executed data change.
  const changeId = Number(ok(await user('CreateDataCorrectOrder', {
    Comment: `${marker} change comment`,
    Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: `update items set name = '${marker}-changed' where id = 1;`, EstimateAffectRows: 10 }),
  })).CreateOrderResult[0]);
  const changeDetail = async (): Promise<Body> => ok(await user('GetDataCorrectOrderDetail', { OrderId: changeId })).DataCorrectOrderDetail;
  await until('the change precheck', async () => ((await changeDetail()).Status === 'precheck' ? undefined : true));
  const changeWf = ok(await user('SubmitOrderApproval', { OrderId: changeId })).WorkflowInstanceId;
  ok(await dba('ApproveOrder', { WorkflowInstanceId: changeWf, ApprovalType: 'AGREE', Comment: 'ok' }));
  ok(await user('ExecuteDataCorrect', { OrderId: changeId, ActionDetail: '{}' }));
  const task = await until('the change', async () => {
    const t = ok(await user('GetDataCorrectTaskDetail', { OrderId: changeId })).DataCorrectTaskDetail;
    return t.jobStatus === 'SUCCESS' ? t : undefined;
  });
  const changeTaskGroupId = Number(task.DBTaskGroupId);
  const changeJobId = Number(ok(await user('ListDBTaskSQLJob', { DBTaskGroupId: changeTaskGroupId })).DBTaskSQLJobList[0].JobId);

  // Tickets of the other types, filed only.
  const chunk = Number(ok(await user('CreateFreeLockCorrectOrder', {
    Comment: `${marker} chunk comment`,
    Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: `delete from items where name = '${marker}-none'`, BatchRows: 100 }),
  })).CreateOrderResult[0]);
  const cron = Number(ok(await user('CreateDataCronClearOrder', {
    Comment: `${marker} cron comment`,
    Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], CronFormat: '0 0 2 * * ?', CronClearItemList: [{ TableName: 'items', ColumnName: 'created_at', RemainDays: 30 }] }),
  })).CreateOrderResult[0]);
  const importKey = await uploadSql(srv.port, members.USER, `${marker}-import.sql`, `insert into items_copy values (1, '${marker}-imported', '2020-01-01');`, 'big-file');
  const imp = Number(ok(await user('CreateDataImportOrder', {
    Comment: `${marker} import comment`,
    Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], AttachmentName: importKey, FileType: 'SQL' }),
  })).CreateOrderResult[0]);
  // Their prechecks settle before the world is used (a snapshot of it, e.g. for a backup, holds their outcome).
  for (const id of [chunk, cron, imp]) {
    await until(`the precheck of ticket ${id}`, async () => {
      const events: { Action: string }[] = ok(await user('ListOrderEvents', { OrderId: id, PageSize: 100 })).Events?.Event ?? [];
      return events.some((e) => /^PRECHECK_(SUCCESS|FAIL)/.test(e.Action)) ? true : undefined;
    });
  }
  const design = Number(ok(await user('CreateOrder', { Comment: `${marker} design comment`, PluginType: 'NDDL', PluginParam: JSON.stringify({ title: `${marker} design`, dbId }) })).CreateOrderResult.OrderIds[0]);
  const designChangeId = Number(ok(await user('AddTableDesignChange', { OrderId: design, SQL: `create table ${marker.replaceAll('-', '_')}_t (id integer primary key)` })).Change.ChangeId);

  const attachmentKey = await uploadSql(srv.port, members.USER, `${marker}-attachment.sql`, `update items set name = '${marker}-attached' where id = 2;`);
  const uploadJobKey = String(ok(await user('CreateUploadFileJob', { FileName: `${marker}-upload.sql`, FileSource: 'datacorrect', UploadURL: `http://127.0.0.1:9/${marker}-upload.sql` })).JobKey);
  // Needs OPENDMS_WEBHOOK_ALLOWED_HOSTS=127.0.0.1 (port 9: nothing listens, and no event it sends is raised here).
  const webhookId = Number(ok(await admin('CreateWebhook', { Url: `http://127.0.0.1:9/${marker}-hook`, Secret: `${marker}-webhook-secret-0123456789`, Events: JSON.stringify(['REJECT']) })).Webhook.WebhookId);

  return {
    tid: tid ?? srv.admin.tid,
    marker,
    members,
    as,
    file,
    instanceId,
    dbId,
    tableId,
    logicDbId,
    orders: { export: exportId, change: changeId, chunk, cron, import: imp, design },
    exportJobId,
    exportWorkflowId,
    changeTaskGroupId,
    changeJobId,
    designChangeId,
    attachmentKey,
    uploadJobKey,
    nodeId,
    templateId,
    webhookId,
  };
}

/**
 * GetOrderAvailableActions for data changes through @alicloud/pop-core: EDIT_SQL
 * (ModifyDataCorrectExecSQL) for the committer of a new ticket, and ROLLBACK (CreateRollbackOrder)
 * once it ran, disabled with the server's reason when the backup cannot undo it; the console shows
 * exactly these. Also the console's upload route (POST /console/api/attachments) feeding a ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPassword } from '../../src/modules/identity/sessions.js';
import { ok, type Body, type Key } from '../helpers/server.js';
import { multipart } from '../helpers/attachments.js';
import { registerSqlite, startExportEnv, until, withSqlite, type ExportEnv } from '../helpers/export-flow.js';

let env: ExportEnv;
let dbId: number;
let file: string;

beforeAll(async () => {
  env = await startExportEnv();
  const t = await registerSqlite(env, 'dcavail', (db) => db.exec("create table t (id integer primary key, v text); insert into t values (1, 'a'), (2, 'b'); create table loose (a integer, b text); insert into loose values (1, 'x');"));
  dbId = t.dbId;
  file = t.file;
});
afterAll(async () => env?.close());

const actions = async (by: Key, orderId: number): Promise<Body[]> => ok(await env.as(by)('GetOrderAvailableActions', { OrderId: orderId })).Actions.Action;
const names = async (by: Key, orderId: number): Promise<string[]> => (await actions(by, orderId)).map((a) => (a.Enabled ? a.Name : `${a.Name}(disabled)`));
const named = async (by: Key, orderId: number, name: string): Promise<Body | undefined> => (await actions(by, orderId)).find((a) => a.Name === name);

async function fileChange(sql: string, by: Key = env.ulla): Promise<number> {
  return Number(ok(await env.as(by)('CreateDataCorrectOrder', { Comment: 'change', Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: sql, EstimateAffectRows: 10 }) })).CreateOrderResult[0]);
}
const phase = (orderId: number) => until(`precheck of ${orderId}`, async () => {
  const s = ok(await env.as(env.ulla)('GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail.Status as string;
  return s === 'precheck' ? undefined : s;
});
async function runToEnd(orderId: number): Promise<void> {
  expect(await phase(orderId)).toBe('precheck_success');
  const wf = ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
  ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
  ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: orderId }));
  await until('the execution', async () => {
    const s = ok(await env.admin('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.StatusCode as string;
    return s === 'processing' ? undefined : s;
  });
}

describe('GetOrderAvailableActions for data changes', () => {
  it('offers EDIT_SQL to the committer before submission; the edit runs a new precheck', async () => {
    const id = await fileChange('update t set v = 1');
    expect(await phase(id)).toBe('precheckFailed');
    expect(await names(env.ulla, id)).toEqual(['SUBMIT(disabled)', 'CLOSE', 'EDIT_SQL']);
    expect(await names(env.dora, id)).toEqual(['CLOSE']);
    const edit = await named(env.ulla, id, 'EDIT_SQL');
    expect(edit).toMatchObject({ ApiAction: 'ModifyDataCorrectExecSQL', Params: { OrderId: id }, Enabled: true });
    ok(await env.as(env.ulla)(edit!.ApiAction, { ...edit!.Params, ExecSQL: "update t set v = 'z' where id = 1" }));
    expect(await phase(id)).toBe('precheck_success');
    const wf = ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: id })).WorkflowInstanceId;
    expect(wf).toBeGreaterThan(0);
    // Submitted: the SQL is what the approvers decide on.
    expect(await names(env.ulla, id)).not.toContain('EDIT_SQL');
  });

  it('offers ROLLBACK once executed, which files the rollback ticket', async () => {
    const id = await fileChange("update t set v = 'changed' where id = 2");
    expect(await named(env.ulla, id, 'ROLLBACK')).toBeUndefined();
    await runToEnd(id);
    const rb = await named(env.ulla, id, 'ROLLBACK');
    expect(rb).toMatchObject({ ApiAction: 'CreateRollbackOrder', Params: { OrderId: id }, Enabled: true });
    expect(await named(env.dora, id, 'ROLLBACK')).toMatchObject({ Enabled: true });
    const [rollbackId] = ok(await env.as(env.ulla)(rb!.ApiAction, rb!.Params)).CreateOrderResult as number[];
    expect(rollbackId).toBeGreaterThan(id);
    await runToEnd(rollbackId!);
    expect(withSqlite(file, (db) => db.prepare('select v from t where id = 2').pluck().get())).toBe('b');
  });

  it('shows ROLLBACK disabled with the reason when the backup cannot undo the change', async () => {
    const id = await fileChange("update loose set b = 'y' where a = 1");
    await runToEnd(id);
    const rb = await named(env.ulla, id, 'ROLLBACK');
    expect(rb).toMatchObject({ Enabled: false });
    expect(rb!.Reason).toMatch(/cannot be rolled back from its backup: statement 1: .*key/);
    // The server refuses the call for the same reason.
    expect(await env.as(env.ulla)('CreateRollbackOrder', { OrderId: id })).toMatchObject({ Success: false, ErrorCode: 'NotSupported' });
  });

  it('takes a .sql file through the console upload and files it as the ticket\'s SQL', async () => {
    await setPassword(env.srv.server.deps, 'ulla', 'Ulla-upload-pass-1');
    const login = await fetch(`${env.srv.url}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'ulla', password: 'Ulla-upload-pass-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { CsrfToken } = (await login.json()) as { CsrfToken: string };
    const m = await multipart('fix.sql', Buffer.from("update t set v = 'f' where id = 1;\n"));
    const post = (headers: Record<string, string>) => fetch(`${env.srv.url}/console/api/attachments`, { method: 'POST', headers: { cookie, 'content-type': m.contentType, ...headers }, body: m.body });
    expect((await post({})).status).toBe(403); // no CSRF token
    const up = (await (await post({ 'x-csrf-token': CsrfToken })).json()) as Body;
    expect(up).toMatchObject({ Success: true, FileName: 'fix.sql' });
    const id = Number(ok(await env.as(env.ulla)('CreateDataCorrectOrder', { Comment: 'from a file', Param: JSON.stringify({ DbItemList: [{ DbId: dbId }], SqlType: 'ATTACHMENT', AttachmentName: up.AttachmentKey, EstimateAffectRows: 1 }) })).CreateOrderResult[0]);
    expect(await phase(id)).toBe('precheck_success');
    const sqlList = ok(await env.as(env.ulla)('ListDataCorrectPreCheckSQL', { OrderId: id })).PreCheckSQLList as Body[];
    expect(sqlList.map((s) => s.CheckSQL)).toEqual(["update t set v = 'f' where id = 1"]);
  });
});

/**
 * GetOrderAvailableActions through @alicloud/pop-core: what the committer (ulla), the approver
 * (dora, DBA of the target) and another user (mike) may do with an export ticket at each step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, type Key } from '../helpers/server.js';
import { executeExport, fileExport, registerSqlite, startExportEnv, waitPhase, type ExportEnv } from '../helpers/export-flow.js';

let env: ExportEnv;
let dbId: number;

beforeAll(async () => {
  env = await startExportEnv();
  dbId = (await registerSqlite(env, 'avail', (db) => db.exec('create table t (id integer primary key, v text); insert into t values (1, \'a\'), (2, \'b\');'))).dbId;
});
afterAll(async () => env?.close());

const names = async (by: Key, orderId: number): Promise<string[]> =>
  ok(await env.as(by)('GetOrderAvailableActions', { OrderId: orderId })).Actions.Action.map((a: { Name: string; Enabled: boolean }) => (a.Enabled ? a.Name : `${a.Name}(disabled)`));

describe('GetOrderAvailableActions', () => {
  it('follows the ticket through its life for committer, approver and another user', async () => {
    const id = await fileExport(env, dbId, 'select * from t order by id');
    await waitPhase(env, id, 'PRE_CHECK_SUCCESS');
    expect(await names(env.ulla, id)).toEqual(['SUBMIT', 'CLOSE']);
    // dora is a DBA: she may close any ticket, not submit it.
    expect(await names(env.dora, id)).toEqual(['CLOSE']);
    expect((await env.as(env.mike)('GetOrderAvailableActions', { OrderId: id })).ErrorCode).toBe('NoPermission');

    const submit = ok(await env.as(env.ulla)('GetOrderAvailableActions', { OrderId: id })).Actions.Action[0];
    expect(submit).toMatchObject({ Name: 'SUBMIT', ApiAction: 'SubmitOrderApproval', Params: { OrderId: id }, Enabled: true });
    const wf = ok(await env.as(env.ulla)(submit.ApiAction, submit.Params)).WorkflowInstanceId;

    expect(await names(env.ulla, id)).toEqual(['CANCEL', 'CLOSE']);
    expect(await names(env.dora, id)).toEqual(['APPROVE', 'REJECT', 'TRANSFER', 'ADD_NODE', 'CLOSE']);
    const approve = ok(await env.as(env.dora)('GetOrderAvailableActions', { OrderId: id })).Actions.Action[0];
    expect(approve).toMatchObject({ ApiAction: 'ApproveOrder', Params: { OrderId: id, WorkflowInstanceId: wf, ApprovalType: 'AGREE' } });
    ok(await env.as(env.dora)('ApproveOrder', { ...approve.Params, Comment: 'fine' }));

    // ExecMode COMMITOR: ulla executes, dora (approver, DBA) does not.
    expect(await names(env.ulla, id)).toEqual(['EXECUTE', 'CLOSE']);
    expect(await names(env.dora, id)).toEqual(['CLOSE']);
    const exec = ok(await env.as(env.ulla)('GetOrderAvailableActions', { OrderId: id })).Actions.Action[0];
    expect(exec).toMatchObject({ ApiAction: 'ExecuteDataExport', Params: { OrderId: id } });
    ok(await executeExport(env, id, { fileType: 'CSV' }));
    await waitPhase(env, id, 'EXPORT_SUCCESS');

    expect(await names(env.ulla, id)).toEqual(['CLOSE', 'DOWNLOAD']);
    expect(await names(env.dora, id)).toEqual(['CLOSE', 'DOWNLOAD']);
    ok(await env.as(env.ulla)('GetDataExportDownloadURL', { OrderId: id }));
  });

  it('shows SUBMIT disabled with the reason while the precheck failed, and nothing on a closed ticket', async () => {
    const id = await fileExport(env, dbId, 'select * from no_such_table');
    await waitPhase(env, id, 'PRE_CHECK_FAIL');
    const [submit] = ok(await env.as(env.ulla)('GetOrderAvailableActions', { OrderId: id })).Actions.Action;
    expect(submit).toMatchObject({ Name: 'SUBMIT', Enabled: false });
    expect(submit.Reason).toMatch(/precheck failed/);
    ok(await env.as(env.ulla)('CloseOrder', { OrderId: id, CloseReason: 'wrong table' }));
    expect(await names(env.ulla, id)).toEqual([]);
    expect(await names(env.dora, id)).toEqual([]);
  });
});

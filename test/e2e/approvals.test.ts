/**
 * Approval workflows through the real clients (pop-core and openapi-client V3): submit → approvals
 * → approved, reject and resubmit, cancel, transfer (both forms), add-node PRE and POST, k-of-n,
 * self-approval, routing rules, template and node configuration, the DMS response shapes,
 * concurrent AGREEs (SQLite and PostgreSQL stores), permissions and tenant isolation.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, ok, openapi, pop, startTestServer, type Body, type Key, type TestServer, awaitPrecheck } from '../helpers/server.js';
import { describeWithServer } from '../helpers/servers.js';

type User = Key & { userId: number };

let srv: TestServer;
let admin: ReturnType<typeof pop>;
let devDb: number; // the demo database: env dev, DBA = the bootstrap admin
let prodDb: number; // env product, DBA erin, owner bob
let alice: User, bob: User, carol: User, dave: User, erin: User, frank: User, gina: User, hank: User, ivan: User, olga: User;
let outsider: User; // ADMIN of another tenant
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

beforeAll(async () => {
  srv = await startTestServer({ demo: true });
  admin = pop(srv, srv.admin);
  devDb = Number(ok(await admin('ListDatabases', { InstanceId: 1 })).DatabaseList.Database[0].DatabaseId);
  // One after the other, so user ids ascend in this order (handler lists are ordered by id).
  const users: User[] = [];
  for (const [uid, role] of [['alice', 'USER'], ['bob', 'USER'], ['carol', 'USER'], ['dave', 'USER'], ['erin', 'DBA'], ['frank', 'ADMIN'], ['gina', 'USER'], ['hank', 'USER'], ['ivan', 'USER'], ['olga', 'USER']] as const) {
    users.push(await createUser(srv, uid, role));
  }
  [alice, bob, carol, dave, erin, frank, gina, hank, ivan, olga] = users as [User, User, User, User, User, User, User, User, User, User];
  const file = path.join(srv.server.deps.config.sqliteInstanceDir, 'prod.db');
  const sq = new Database(file);
  sq.exec('create table t (id integer primary key)');
  sq.close();
  ok(await admin('RegisterInstance', { InstanceAlias: 'prod', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', SafeRule: 'default', NetworkType: 'VPC', InstanceType: 'sqlite', Host: file, EnvType: 'product', DbaUid: 'erin' }));
  prodDb = Number(ok(await admin('GetDatabase', { Host: file, Port: 0, SchemaName: 'main' })).Database.DatabaseId);
  ok(await admin('SetOwners', { ResourceId: prodDb, OwnerType: 'DATABASE', OwnerIds: String(bob.userId) }));
  const tenantB = ok(await admin('CreateTenant', { TenantName: 'tenant-b' })).Tid;
  outsider = await createUser(srv, 'b-admin', 'ADMIN', tenantB);
});
afterAll(async () => srv?.close());

const as = (key: Key) => pop(srv, key);
const exportParam = (dbId: number) => JSON.stringify({ dbId, exeSQL: 'select 1' });

function failed(body: Body, code: string): Body {
  expect(body, JSON.stringify(body)).toMatchObject({ Success: false, ErrorCode: code });
  return body;
}

async function createTicket(key: Key, dbId: number, pluginType = 'DATA_EXPORT'): Promise<number> {
  const param = pluginType === 'NDDL' ? JSON.stringify({ title: 'design', dbId }) : exportParam(dbId);
  const orderId: number = ok(await as(key)('CreateOrder', { Comment: `${pluginType} for approval`, PluginType: pluginType, PluginParam: param })).CreateOrderResult.OrderIds[0];
  if (pluginType === 'DATA_EXPORT') expect(await awaitPrecheck(as(key), orderId)).toBe('PRE_CHECK_SUCCESS');
  return orderId;
}

let designs = 0;

/**
 * Submitted for approval: SubmitOrderApproval; a schema design (NDDL) through its first publish
 * (CreatePublishGroupTask of a one-table design to the base database), which submits it.
 */
async function submitted(key: Key, dbId: number, pluginType = 'DATA_EXPORT'): Promise<{ orderId: number; wf: number }> {
  const orderId = await createTicket(key, dbId, pluginType);
  if (pluginType === 'NDDL') {
    ok(await as(key)('AddTableDesignChange', { OrderId: orderId, SQL: `create table approval_design_${++designs} (id integer primary key)` }));
    ok(await as(key)('CreatePublishGroupTask', { OrderId: orderId, DbId: dbId, Logic: false, PublishStrategy: 'IMMEDIATELY' }));
    return { orderId, wf: ok(await as(key)('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.WorkflowInstanceId };
  }
  const wf = ok(await as(key)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
  return { orderId, wf };
}

const approve = (key: Key, wf: number, type: string, extra: Record<string, unknown> = {}) => as(key)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: type, ...extra });
const detail = async (key: Key, wf: number) => ok(await as(key)('GetApprovalDetail', { WorkflowInstanceId: wf })).ApprovalDetail;
const status = async (orderId: number) => ok(await admin('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.StatusCode;
const handlers = async (wf: number) => (await detail(srv.admin, wf)).CurrentHandlers.CurrentHandler.map((h: any) => h.Id);
const steps = (d: Body) => d.WorkflowNodes.WorkflowNode.map((n: any) => `${n.WorkflowInsCode}:${n.NodeName}${n.OperatorId ? `@${n.OperatorId}` : ''}`);

async function userNode(name: string, users: User[], k = 1): Promise<number> {
  return ok(await admin('CreateWorkFlowNode', { NodeName: name, AuditUserIdList: users.map((u) => u.userId).join(','), RequiredApprovals: k })).NodeId;
}
async function template(name: string, nodeIds: number[]): Promise<number> {
  return ok(await admin('CreateWorkFlowTemplate', { TemplateName: name, NodeIdList: JSON.stringify(nodeIds) })).TemplateId;
}
/** NDDL tickets follow these rules; DATA_EXPORT keeps the defaults. */
async function routeNddl(rule: Record<string, unknown>): Promise<void> {
  ok(await admin('SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'nddl', PluginTypes: ['NDDL'], ...rule }]) }));
}

describe('default routes and the DMS shapes', () => {
  it('ListWorkFlowTemplates and ListWorkFlowNodes list the built-in ones', async () => {
    const templates = ok(await as(alice)('ListWorkFlowTemplates')).WorkFlowTemplates.WorkFlowTemplate;
    const ownerDba = templates.find((t: any) => t.TemplateName === 'Owner then DBA');
    expect(ownerDba).toMatchObject({ IsSystem: 1, Enabled: 'Y', CreateUserId: 0, Comment: expect.any(String), TemplateId: expect.any(Number) });
    expect(ownerDba.WorkflowNodes.WorkflowNode).toEqual([
      expect.objectContaining({ NodeName: 'Owner', NodeType: 'SYS', Position: 1, TemplateId: ownerDba.TemplateId, NodeId: expect.any(Number), CreateUserId: 0 }),
      expect.objectContaining({ NodeName: 'DBA', NodeType: 'SYS', Position: 2, TemplateId: ownerDba.TemplateId }),
    ]);
    expect(templates.map((t: any) => t.TemplateName)).toEqual(expect.arrayContaining(['Owner then DBA', 'DBA', 'Admin']));
    expect(ok(await as(alice)('ListWorkFlowTemplates', { SearchName: 'owner' })).WorkFlowTemplates.WorkFlowTemplate).toHaveLength(1);

    const nodes = ok(await as(alice)('ListWorkFlowNodes')).WorkflowNodes.WorkflowNode;
    const adminNode = nodes.find((n: any) => n.NodeName === 'Admin');
    expect(adminNode).toMatchObject({ NodeType: 'SYS', NodeId: expect.any(Number), Comment: expect.any(String), CreateUserId: 0, RequiredApprovals: 1 });
    expect(adminNode.AuditUsers.AuditUser).toEqual(
      expect.arrayContaining([{ UserId: srv.admin.userId, NickName: 'Administrator', RealName: 'admin' }, { UserId: frank.userId, NickName: 'frank', RealName: 'frank' }]),
    );
    expect(nodes.find((n: any) => n.NodeName === 'Owner').AuditUsers.AuditUser).toEqual([]);
  });

  it('dev database: PreviewWorkflow shows the DBA; submit → toaudit; the DBA agrees → approved', async () => {
    const orderId = await createTicket(alice, devDb);
    const preview = ok(await as(alice)('PreviewWorkflow', { OrderId: orderId })).WorkflowDetail;
    expect(preview).toMatchObject({ WfCateName: 'DBA', Comment: expect.stringContaining('default route') });
    expect(preview.WorkflowNodeList.WorkflowNode).toEqual([
      { NodeName: 'DBA', NodeType: 'SYS', Comment: expect.any(String), AuditUserList: { AuditUser: [{ UserId: srv.admin.userId, NickName: 'Administrator', RealName: 'admin' }] } },
    ]);

    ok(await as(alice)('SubmitOrderApproval', { OrderId: orderId }));
    const info = ok(await as(alice)('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo;
    expect(info).toMatchObject({ StatusCode: 'toaudit', WorkflowInstanceId: expect.any(Number), WorkflowStatusDesc: 'auditing' });
    const wf = info.WorkflowInstanceId;
    expect(ok(await admin('ListOrders', { OrderResultType: 'AS_HANDLER' })).Orders.Order.map((o: any) => o.OrderId)).toContain(orderId);

    ok(await approve(srv.admin, wf, 'agree', { Comment: 'fine' })); // ApprovalType in any case
    expect(await status(orderId)).toBe('approved');
    expect(ok(await admin('ListOrders', { OrderResultType: 'AS_HANDLER' })).Orders.Order.map((o: any) => o.OrderId)).not.toContain(orderId);
    expect(ok(await admin('ListOrders', { OrderResultType: 'AS_OWNER' })).Orders.Order.map((o: any) => o.OrderId)).toContain(orderId);
    const d = await detail(alice, wf);
    expect(d.WorkflowInsCode).toBe('APPROVED');
    expect(steps(d)).toEqual([`START:Submit@${alice.userId}`, `APPROVED:DBA@${srv.admin.userId}`]);
  });

  it('product database: Owner then DBA, with the full GetApprovalDetail shape; close after approval', async () => {
    const { orderId, wf } = await submitted(alice, prodDb);
    const d1 = await detail(alice, wf);
    expect(d1).toEqual({
      AuditId: wf,
      CreateTime: expect.stringMatching(TIME),
      CurrentHandlers: { CurrentHandler: [{ Id: bob.userId, NickName: 'bob' }] },
      Description: expect.stringContaining('select 1'),
      OrderId: orderId,
      OrderType: 'DATA_EXPORT',
      ReasonList: { Reasons: [expect.stringContaining('product environments need the database Owner, then the DBA')] },
      TemplateId: expect.any(Number),
      Title: `SQL result-set export ticket - ${orderId}`,
      WorkflowInsCode: 'AUDITING',
      WorkflowNodes: {
        WorkflowNode: [
          { AuditUserIdList: { AuditUserIds: [String(alice.userId)] }, NodeName: 'Submit', OperateComment: 'DATA_EXPORT for approval', OperateTime: expect.stringMatching(TIME), OperatorId: alice.userId, WorkflowInsCode: 'START' },
          { AuditUserIdList: { AuditUserIds: [String(bob.userId)] }, NodeName: 'Owner', WorkflowInsCode: 'AUDITING' },
        ],
      },
    });
    failed(await approve(erin, wf, 'AGREE'), 'NoPermission'); // the DBA's node is not current yet
    ok(await approve(bob, wf, 'AGREE', { Comment: 'owner ok' }));
    expect(await status(orderId)).toBe('toaudit');
    expect(await handlers(wf)).toEqual([erin.userId]);
    ok(await approve(erin, wf, 'AGREE'));
    const d2 = await detail(alice, wf);
    expect(d2.WorkflowInsCode).toBe('APPROVED');
    expect(d2.CurrentHandlers.CurrentHandler).toEqual([]);
    expect(d2.WorkflowNodes.WorkflowNode.slice(1)).toEqual([
      { AuditUserIdList: { AuditUserIds: [String(bob.userId)] }, NodeName: 'Owner', OperateComment: 'owner ok', OperateTime: expect.stringMatching(TIME), OperatorId: bob.userId, WorkflowInsCode: 'APPROVED' },
      { AuditUserIdList: { AuditUserIds: [String(erin.userId)] }, NodeName: 'DBA', OperateTime: expect.stringMatching(TIME), OperatorId: erin.userId, WorkflowInsCode: 'APPROVED' },
    ]);

    ok(await as(alice)('CloseOrder', { OrderId: orderId, CloseReason: 'done' }));
    expect(await status(orderId)).toBe('closed');
    expect((await detail(alice, wf)).WorkflowInsCode).toBe('APPROVED');
    const events = ok(await as(alice)('ListOrderEvents', { OrderId: orderId })).Events.Event.map((e: any) => `${e.Action}:${e.FromStatus ?? '-'}>${e.ToStatus}`);
    expect(events).toEqual(['CREATE:->new', 'PRECHECK_SUCCESS:new>new', 'SUBMIT:new>toaudit', 'APPROVE_NODE:toaudit>toaudit', 'APPROVE_FINAL:toaudit>approved', 'CLOSE:approved>closed']);
  });

  it('a ticket closed while under approval shows CANCEL with the close in its history', async () => {
    const { orderId, wf } = await submitted(alice, devDb);
    ok(await admin('CloseOrder', { OrderId: orderId, CloseReason: 'not needed' }));
    const d = await detail(alice, wf);
    expect(d.WorkflowInsCode).toBe('CANCEL');
    expect(d.CurrentHandlers.CurrentHandler).toEqual([]);
    expect(d.WorkflowNodes.WorkflowNode.at(-1)).toMatchObject({ NodeName: 'DBA', WorkflowInsCode: 'CANCEL', OperatorId: srv.admin.userId, OperateComment: 'not needed' });
  });
});

describe('reject, cancel, transfer, add-node', () => {
  it('reject, then resubmit with a new workflow instance; the old one is over', async () => {
    const { orderId, wf } = await submitted(alice, devDb);
    ok(await approve(srv.admin, wf, 'REJECT', { Comment: 'use a WHERE' }));
    expect(await status(orderId)).toBe('reject');
    const d = await detail(alice, wf);
    expect(d.WorkflowInsCode).toBe('REJECT');
    expect(d.WorkflowNodes.WorkflowNode[1]).toMatchObject({ NodeName: 'DBA', WorkflowInsCode: 'REJECT', OperatorId: srv.admin.userId, OperateComment: 'use a WHERE' });

    const again = ok(await as(alice)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
    expect(again).not.toBe(wf);
    expect(ok(await as(alice)('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo).toMatchObject({ StatusCode: 'toaudit', WorkflowInstanceId: again });
    expect(failed(await approve(srv.admin, wf, 'AGREE'), 'InvalidStatus').ErrorMessage).toContain(`workflow instance ${again}`);
    ok(await approve(srv.admin, again, 'AGREE'));
    expect(await status(orderId)).toBe('approved');
    expect((await detail(alice, wf)).WorkflowInsCode).toBe('REJECT'); // history of the first round stays
  });

  it('CANCEL only by the committer (an ADMIN may act for them with RealLoginUserUid)', async () => {
    const { orderId, wf } = await submitted(alice, prodDb);
    failed(await approve(bob, wf, 'CANCEL'), 'NoPermission');
    failed(await approve(srv.admin, wf, 'CANCEL'), 'NoPermission');
    ok(await approve(alice, wf, 'CANCEL', { Comment: 'wrong database' }));
    expect(await status(orderId)).toBe('cancel');
    const d = await detail(bob, wf);
    expect(d.WorkflowInsCode).toBe('CANCEL');
    expect(d.WorkflowNodes.WorkflowNode.at(-1)).toMatchObject({ NodeName: 'Owner', WorkflowInsCode: 'CANCEL', OperatorId: alice.userId, OperateComment: 'wrong database' });
    failed(await as(alice)('SubmitOrderApproval', { OrderId: orderId }), 'InvalidStatus');

    const second = await submitted(alice, prodDb);
    ok(await approve(srv.admin, second.wf, 'CANCEL', { RealLoginUserUid: 'alice' }));
    expect(await status(second.orderId)).toBe('cancel');
  });

  it('TRANSFER by the current handler (NewApprover) and by an ADMIN for an approver (OldApprover, NewApproverList)', async () => {
    const { orderId, wf } = await submitted(alice, prodDb);
    failed(await approve(bob, wf, 'TRANSFER'), 'InvalidNewApprover');
    failed(await approve(bob, wf, 'TRANSFER', { NewApprover: carol.userId, NewApproverList: String(dave.userId) }), 'InvalidNewApprover');
    failed(await approve(carol, wf, 'TRANSFER', { NewApprover: dave.userId }), 'NoPermission'); // not a handler
    failed(await approve(bob, wf, 'TRANSFER', { NewApprover: alice.userId }), 'InvalidNewApproverList'); // the committer
    failed(await approve(bob, wf, 'TRANSFER', { NewApprover: 999999 }), 'UserNotExist');
    ok(await approve(bob, wf, 'TRANSFER', { NewApprover: carol.userId, Comment: 'on leave' }));
    expect(await handlers(wf)).toEqual([carol.userId]);
    failed(await approve(bob, wf, 'AGREE'), 'NoPermission');

    failed(await approve(erin, wf, 'TRANSFER', { OldApprover: carol.userId, NewApprover: dave.userId }), 'NoPermission'); // DBA, not ADMIN
    failed(await approve(srv.admin, wf, 'TRANSFER', { NewApprover: dave.userId }), 'NoPermission'); // ADMIN without OldApprover is no handler
    failed(await approve(srv.admin, wf, 'TRANSFER', { OldApprover: bob.userId, NewApprover: dave.userId }), 'InvalidOldApprover');
    ok(await approve(srv.admin, wf, 'TRANSFER', { OldApprover: carol.userId, NewApproverList: `${dave.userId},${gina.userId}` }));
    expect(await handlers(wf)).toEqual([dave.userId, gina.userId]);
    ok(await approve(gina, wf, 'AGREE'));
    expect(await handlers(wf)).toEqual([erin.userId]);
    ok(await approve(erin, wf, 'AGREE'));
    expect(await status(orderId)).toBe('approved');

    const d = await detail(alice, wf);
    expect(steps(d)).toEqual([
      `START:Submit@${alice.userId}`,
      `AUDITING:Owner@${bob.userId}`,
      `AUDITING:Owner@${srv.admin.userId}`,
      `APPROVED:Owner@${gina.userId}`,
      `APPROVED:DBA@${erin.userId}`,
    ]);
    expect(d.WorkflowNodes.WorkflowNode[1].OperateComment).toBe(`Transferred from user ${bob.userId} to user ${carol.userId}: on leave`);
    expect(ok(await as(bob)('ListOrders', { OrderResultType: 'AS_OWNER' })).Orders.Order.map((o: any) => o.OrderId)).toContain(orderId);
  });

  it('ADD_APPROVAL_NODE before (PRE) and after (POST) the current node', async () => {
    const legal = await userNode('Legal', [hank]);
    const audit = await userNode('Audit', [ivan]);
    const { orderId, wf } = await submitted(alice, prodDb);
    failed(await approve(bob, wf, 'ADD_APPROVAL_NODE', { ApprovalNodePos: 'PRE' }), 'MissingApprovalNodeId');
    failed(await approve(carol, wf, 'ADD_APPROVAL_NODE', { ApprovalNodeId: legal, ApprovalNodePos: 'PRE' }), 'NoPermission');
    const sysNode = ok(await admin('ListWorkFlowNodes', { SearchName: 'Admin' })).WorkflowNodes.WorkflowNode[0].NodeId;
    failed(await approve(bob, wf, 'ADD_APPROVAL_NODE', { ApprovalNodeId: sysNode, ApprovalNodePos: 'PRE' }), 'InvalidApprovalNodeId');

    ok(await approve(bob, wf, 'ADD_APPROVAL_NODE', { ApprovalNodeId: legal, ApprovalNodePos: 'PRE_ADD_APPROVAL_NODE', Comment: 'needs legal' }));
    expect(await handlers(wf)).toEqual([hank.userId]);
    const chain = async () => ok(await as(alice)('PreviewWorkflow', { OrderId: orderId })).WorkflowDetail.WorkflowNodeList.WorkflowNode.map((n: any) => `${n.NodeName}:${n.NodeType}`);
    expect(await chain()).toEqual(['Legal:USER_LIST', 'Owner:SYS', 'DBA:SYS']);
    ok(await approve(hank, wf, 'AGREE'));
    expect(await handlers(wf)).toEqual([bob.userId]);

    ok(await approve(bob, wf, 'ADD_APPROVAL_NODE', { ApprovalNodeId: audit, ApprovalNodePos: 'post' }));
    expect(await handlers(wf)).toEqual([bob.userId]);
    expect(await chain()).toEqual(['Legal:USER_LIST', 'Owner:SYS', 'Audit:USER_LIST', 'DBA:SYS']);
    ok(await approve(bob, wf, 'AGREE'));
    expect(await handlers(wf)).toEqual([ivan.userId]);
    ok(await approve(ivan, wf, 'AGREE'));
    ok(await approve(erin, wf, 'AGREE'));
    expect(await status(orderId)).toBe('approved');
    expect(steps(await detail(alice, wf))).toEqual([
      `START:Submit@${alice.userId}`,
      `AUDITING:Owner@${bob.userId}`,
      `APPROVED:Legal@${hank.userId}`,
      `AUDITING:Owner@${bob.userId}`,
      `APPROVED:Owner@${bob.userId}`,
      `APPROVED:Audit@${ivan.userId}`,
      `APPROVED:DBA@${erin.userId}`,
    ]);
  });
});

describe('rules that must hold', () => {
  it('a k-of-n node needs k distinct approvers', async () => {
    const twoOfThree = await userNode('Two of three', [carol, dave, gina], 2);
    await routeNddl({ Decision: 'APPROVAL', TemplateId: await template('k-of-n', [twoOfThree]) });
    const { orderId, wf } = await submitted(alice, devDb, 'NDDL');
    ok(await approve(carol, wf, 'AGREE'));
    expect(await status(orderId)).toBe('toaudit');
    expect(await handlers(wf)).toEqual([dave.userId, gina.userId]);
    expect(failed(await approve(carol, wf, 'AGREE'), 'NoPermission').ErrorMessage).toContain('already agreed');
    ok(await approve(dave, wf, 'AGREE'));
    // Approved: the publish starts at once (processing), and after the design stage the design is back in design (new).
    expect(['processing', 'new']).toContain(await status(orderId));
    expect((await detail(alice, wf)).WorkflowInsCode).toBe('APPROVED');
    expect(steps(await detail(alice, wf)).slice(1)).toEqual([`APPROVED:Two of three@${carol.userId}`, `APPROVED:Two of three@${dave.userId}`]);
  });

  it('the committer cannot approve their own ticket unless the tenant allows self-approval', async () => {
    // The admin files on the demo database, whose DBA they are: the DBA node falls back to the other ADMIN.
    const own = await createTicket(srv.admin, devDb);
    const preview = ok(await admin('PreviewWorkflow', { OrderId: own })).WorkflowDetail;
    expect(preview.WorkflowNodeList.WorkflowNode[0].AuditUserList.AuditUser.map((u: any) => u.UserId)).toEqual([frank.userId]);
    expect(preview.Comment).toContain('falls back to the tenant\'s ADMIN users');
    ok(await admin('DisableUser', { Uid: 'frank' }));
    try {
      expect(failed(await admin('SubmitOrderApproval', { OrderId: own }), 'InvalidApprovers').ErrorMessage).toContain('self-approval');
    } finally {
      ok(await admin('EnableUser', { Uid: 'frank' }));
    }
    const wf = ok(await admin('SubmitOrderApproval', { OrderId: own })).WorkflowInstanceId;
    failed(await approve(srv.admin, wf, 'AGREE'), 'NoPermission');
    ok(await approve(frank, wf, 'AGREE'));

    ok(await admin('SetTenantTicketPolicy', { AllowSelfApproval: true }));
    try {
      const mine = await submitted(srv.admin, devDb);
      expect(await handlers(mine.wf)).toEqual([srv.admin.userId]);
      const later = await submitted(srv.admin, devDb);
      ok(await approve(srv.admin, mine.wf, 'AGREE'));
      expect(await status(mine.orderId)).toBe('approved');
      ok(await admin('SetTenantTicketPolicy', { AllowSelfApproval: false }));
      expect(failed(await approve(srv.admin, later.wf, 'AGREE'), 'NoPermission').ErrorMessage).toContain('own ticket');
    } finally {
      ok(await admin('SetTenantTicketPolicy', { AllowSelfApproval: false }));
    }
  });

  it('routing rules: no approval needed goes straight to approved; forbid names the rule', async () => {
    ok(await admin('SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'exports', PluginTypes: ['DATA_EXPORT'], Decision: 'NO_APPROVAL' }]) }));
    const { orderId, wf } = await submitted(alice, devDb);
    expect(await status(orderId)).toBe('approved');
    const d = await detail(alice, wf);
    expect(d.WorkflowInsCode).toBe('APPROVED');
    expect(steps(d)).toEqual([`START:Submit@${alice.userId}`, 'APPROVED:No approval needed']);

    ok(await admin('SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'no design on dev', PluginTypes: 'DATA_EXPORT', EnvTypes: ['DEV'], Decision: 'forbid' }]) }));
    const rules = ok(await admin('ListApprovalRoutingRules')).Rules.Rule;
    expect(rules).toEqual([{ RuleId: expect.any(Number), Position: 1, Name: 'no design on dev', PluginTypes: ['DATA_EXPORT'], EnvTypes: ['dev'], Decision: 'FORBID' }]);
    const forbidden = await createTicket(alice, devDb);
    expect(failed(await as(alice)('SubmitOrderApproval', { OrderId: forbidden }), 'NoPermission').ErrorMessage).toContain('"no design on dev"');
    expect(failed(await as(alice)('PreviewWorkflow', { OrderId: forbidden }), 'NoPermission').ErrorMessage).toContain('forbids');
    expect(await status(forbidden)).toBe('new');

    const bad: [unknown, RegExp][] = [
      [[{ Name: 'x', Decision: 'APPROVAL' }], /TemplateId/],
      [[{ Name: 'x', Decision: 'NO_APPROVAL', EnvTypes: ['moon'] }], /EnvType/],
      [[{ Name: 'x', Decision: 'APPROVAL', TemplateId: 987654 }], /987654/],
      [{ Name: 'x' }, /array/],
    ];
    for (const [rulesJson, message] of bad) {
      expect(failed(await admin('SetApprovalRoutingRules', { Rules: JSON.stringify(rulesJson) }), 'InvalidRules').ErrorMessage).toMatch(message);
    }
    ok(await admin('SetApprovalRoutingRules', { Rules: '[]' }));
    expect(ok(await admin('ListApprovalRoutingRules')).Rules.Rule).toEqual([]);
  });
});

describe('template and node configuration (extension Actions)', () => {
  it('create, list, update and delete nodes and templates; built-in ones cannot change', async () => {
    const node = ok(await admin('CreateWorkFlowNode', { NodeName: 'Finance', Comment: 'money', AuditUserIdList: JSON.stringify([carol.userId, dave.userId]) })).NodeId;
    const listed = ok(await admin('ListWorkFlowNodes', { SearchName: 'finance' })).WorkflowNodes.WorkflowNode;
    expect(listed).toEqual([
      {
        NodeId: node,
        NodeName: 'Finance',
        NodeType: 'USER_LIST',
        Comment: 'money',
        CreateUserId: srv.admin.userId,
        CreateUserNickName: 'Administrator',
        RequiredApprovals: 1,
        AuditUsers: { AuditUser: [{ UserId: carol.userId, NickName: 'carol', RealName: 'carol' }, { UserId: dave.userId, NickName: 'dave', RealName: 'dave' }] },
      },
    ]);
    failed(await admin('CreateWorkFlowNode', { NodeName: 'x', AuditUserIdList: String(carol.userId), RequiredApprovals: 2 }), 'InvalidRequiredApprovals');
    failed(await admin('CreateWorkFlowNode', { NodeName: 'x', AuditUserIdList: String(outsider.userId) }), 'UserNotExist');
    ok(await admin('UpdateWorkFlowNode', { NodeId: node, NodeName: 'Finance team', RequiredApprovals: 2 }));
    expect(ok(await admin('ListWorkFlowNodes', { SearchName: 'finance' })).WorkflowNodes.WorkflowNode[0]).toMatchObject({ NodeName: 'Finance team', RequiredApprovals: 2 });

    const dbaNode = ok(await admin('ListWorkFlowNodes', { SearchName: 'DBA' })).WorkflowNodes.WorkflowNode.find((n: any) => n.NodeName === 'DBA').NodeId;
    const tpl = ok(await admin('CreateWorkFlowTemplate', { TemplateName: 'Finance then DBA', Comment: 'c', NodeIdList: `${node},${dbaNode}` })).TemplateId;
    const t = ok(await admin('ListWorkFlowTemplates', { SearchName: 'Finance then' })).WorkFlowTemplates.WorkFlowTemplate[0];
    expect(t).toMatchObject({ TemplateId: tpl, TemplateName: 'Finance then DBA', Comment: 'c', Enabled: 'Y', IsSystem: 0, CreateUserId: srv.admin.userId });
    expect(t.WorkflowNodes.WorkflowNode.map((n: any) => [n.NodeId, n.Position, n.TemplateId])).toEqual([[node, 1, tpl], [dbaNode, 2, tpl]]);
    failed(await admin('CreateWorkFlowTemplate', { TemplateName: 'dup', NodeIdList: `${node},${node}` }), 'InvalidNodeIdList');
    failed(await admin('CreateWorkFlowTemplate', { TemplateName: 'ghost', NodeIdList: '987654' }), 'InvalidNodeIdList');
    ok(await admin('UpdateWorkFlowTemplate', { TemplateId: tpl, Enabled: false, NodeIdList: String(node) }));
    expect(ok(await admin('ListWorkFlowTemplates', { SearchName: 'Finance then' })).WorkFlowTemplates.WorkFlowTemplate[0]).toMatchObject({ Enabled: 'N', WorkflowNodes: { WorkflowNode: [expect.objectContaining({ NodeId: node })] } });

    const builtIn = ok(await admin('ListWorkFlowTemplates', { SearchName: 'Owner then DBA' })).WorkFlowTemplates.WorkFlowTemplate[0].TemplateId;
    failed(await admin('UpdateWorkFlowTemplate', { TemplateId: builtIn, TemplateName: 'mine' }), 'InvalidTemplateId');
    failed(await admin('DeleteWorkFlowTemplate', { TemplateId: builtIn }), 'InvalidTemplateId');
    failed(await admin('DeleteWorkFlowNode', { NodeId: dbaNode }), 'InvalidNodeId');

    failed(await admin('DeleteWorkFlowNode', { NodeId: node }), 'ResourceInUse');
    ok(await admin('SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'fin', Decision: 'APPROVAL', TemplateId: tpl, PluginTypes: ['NDDL'] }]) }));
    failed(await admin('DeleteWorkFlowTemplate', { TemplateId: tpl }), 'ResourceInUse');
    ok(await admin('SetApprovalRoutingRules', { Rules: '[]' }));
    ok(await admin('DeleteWorkFlowTemplate', { TemplateId: tpl }));
    ok(await admin('DeleteWorkFlowNode', { NodeId: node }));
    failed(await admin('DeleteWorkFlowNode', { NodeId: node }), 'ResourceNotFound');
  });
});

describe('permissions and tenant isolation of every approval Action', () => {
  let orderId: number;
  let wf: number;
  let node: number;
  let tpl: number;
  beforeAll(async () => {
    ({ orderId, wf } = await submitted(alice, prodDb));
    node = await userNode('Isolation node', [carol]);
    tpl = await template('Isolation template', [node]);
  });

  it('another tenant naming our ids gets "not found"; our templates and nodes are not listed there', async () => {
    const b = as(outsider);
    failed(await b('SubmitOrderApproval', { OrderId: orderId }), 'ResourceNotFound');
    failed(await b('PreviewWorkflow', { OrderId: orderId }), 'ResourceNotFound');
    failed(await b('GetApprovalDetail', { WorkflowInstanceId: wf }), 'ResourceNotFound');
    failed(await b('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }), 'ResourceNotFound');
    failed(await b('SetWorkflowExtraInfo', { WorkflowInstanceId: wf, RenderAgree: false }), 'ResourceNotFound');
    failed(await b('UpdateWorkFlowTemplate', { TemplateId: tpl, TemplateName: 'x' }), 'ResourceNotFound');
    failed(await b('DeleteWorkFlowTemplate', { TemplateId: tpl }), 'ResourceNotFound');
    failed(await b('UpdateWorkFlowNode', { NodeId: node, NodeName: 'x' }), 'ResourceNotFound');
    failed(await b('DeleteWorkFlowNode', { NodeId: node }), 'ResourceNotFound');
    failed(await b('CreateWorkFlowTemplate', { TemplateName: 'x', NodeIdList: String(node) }), 'InvalidNodeIdList');
    failed(await b('SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'x', Decision: 'APPROVAL', TemplateId: tpl }]) }), 'InvalidRules');
    const names = ok(await b('ListWorkFlowTemplates')).WorkFlowTemplates.WorkFlowTemplate.map((t: any) => t.TemplateName);
    expect(names).toEqual(['Owner then DBA', 'DBA', 'Admin']);
    expect(ok(await b('ListWorkFlowNodes')).WorkflowNodes.WorkflowNode.map((n: any) => n.NodeType)).toEqual(['SYS', 'SYS', 'SYS', 'SYS']);
    expect(ok(await b('ListApprovalRoutingRules')).Rules.Rule).toEqual([]);
  });

  it('a USER who is not a handler: NoPermission (whether they can see the ticket or not)', async () => {
    const o = as(olga);
    failed(await o('GetApprovalDetail', { WorkflowInstanceId: wf }), 'NoPermission');
    failed(await o('PreviewWorkflow', { OrderId: orderId }), 'NoPermission');
    failed(await o('SubmitOrderApproval', { OrderId: orderId }), 'NoPermission');
    for (const type of ['AGREE', 'REJECT', 'CANCEL', 'TRANSFER', 'ADD_APPROVAL_NODE']) {
      failed(await approve(olga, wf, type, { NewApprover: carol.userId, ApprovalNodeId: node, ApprovalNodePos: 'POST' }), 'NoPermission');
      failed(await approve(erin, wf, type, { NewApprover: carol.userId, ApprovalNodeId: node, ApprovalNodePos: 'POST' }), 'NoPermission'); // sees it (DBA), not current
    }
    failed(await o('SetWorkflowExtraInfo', { WorkflowInstanceId: wf, RenderAgree: false }), 'NoPermission');
    failed(await as(bob)('SetWorkflowExtraInfo', { WorkflowInstanceId: wf, RenderAgree: false }), 'NoPermission'); // handler, not committer
    failed(await as(alice)('SubmitOrderApproval', { OrderId: orderId }), 'InvalidStatus');
    const other = await createTicket(alice, devDb);
    failed(await as(bob)('SubmitOrderApproval', { OrderId: other }), 'NoPermission'); // not the committer (nor visible)
    failed(await admin('SubmitOrderApproval', { OrderId: other }), 'NoPermission'); // ADMIN, not the committer
    ok(await admin('SubmitOrderApproval', { OrderId: other, RealLoginUserUid: 'alice' }));
    failed(await as(olga)('GetApprovalDetail', { WorkflowInstanceId: 987654 }), 'ResourceNotFound');
  });

  it('extension Actions are ADMIN only (DBA and USER refused)', async () => {
    for (const key of [erin, olga]) {
      const c = as(key);
      failed(await c('CreateWorkFlowTemplate', { TemplateName: 'x', NodeIdList: String(node) }), 'NoPermission');
      failed(await c('UpdateWorkFlowTemplate', { TemplateId: tpl, TemplateName: 'x' }), 'NoPermission');
      failed(await c('DeleteWorkFlowTemplate', { TemplateId: tpl }), 'NoPermission');
      failed(await c('CreateWorkFlowNode', { NodeName: 'x', AuditUserIdList: String(carol.userId) }), 'NoPermission');
      failed(await c('UpdateWorkFlowNode', { NodeId: node, NodeName: 'x' }), 'NoPermission');
      failed(await c('DeleteWorkFlowNode', { NodeId: node }), 'NoPermission');
      failed(await c('SetApprovalRoutingRules', { Rules: '[]' }), 'NoPermission');
      failed(await c('ListApprovalRoutingRules'), 'NoPermission');
    }
  });

  it('SetWorkflowExtraInfo (committer or ADMIN) shows in GetApprovalDetail; openapi-client V3 too', async () => {
    const v3 = openapi(srv, alice);
    const res = await v3('SetWorkflowExtraInfo', { WorkflowInstanceId: wf, ThirdpartyWorkflowUrl: 'https://approvals.example/123', ThirdpartyWorkflowComment: 'mirrored', RenderTransfer: false });
    expect(res.body).toMatchObject({ Success: true, Data: true });
    failed(await as(alice)('SetWorkflowExtraInfo', { WorkflowInstanceId: wf, ThirdpartyWorkflowUrl: 'javascript:alert(1)' }), 'InvalidThirdpartyWorkflowUrl');
    ok(await admin('SetWorkflowExtraInfo', { WorkflowInstanceId: wf, ThirdpartyWorkflowComment: 'by admin' }));
    const d = (await openapi(srv, bob)('GetApprovalDetail', { WorkflowInstanceId: wf })).body.ApprovalDetail;
    expect(d).toMatchObject({ ThirdpartyWorkflowUrl: 'https://approvals.example/123', ThirdpartyWorkflowComment: 'by admin' });
  });
});

/**
 * Eight AGREEs at once, from the three approvers of the first node of a two-node chain (some twice):
 * exactly one applies, so exactly one node advances and the history has one approval.
 */
function concurrentAgreeSuite(store: 'sqlite' | 'postgres'): void {
  let s: TestServer;
  beforeAll(async () => {
    s = store === 'sqlite' ? srv : await startTestServer({ store: 'postgres', demo: true });
  });
  afterAll(async () => {
    if (store === 'postgres') await s?.close();
  });

  it('eight parallel AGREEs advance exactly one node', async () => {
    const adm = pop(s, s.admin);
    const make = async (uid: string) => (store === 'sqlite' ? ({ carol, dave, gina, hank, ivan, alice } as Record<string, User>)[uid]! : createUser(s, uid));
    const people: User[] = [];
    for (const uid of ['alice', 'carol', 'dave', 'gina', 'hank', 'ivan']) people.push(await make(uid));
    const [a, c1, c2, c3, d1, d2] = people;
    const n1 = ok(await adm('CreateWorkFlowNode', { NodeName: 'First', AuditUserIdList: [c1, c2, c3].map((u) => u!.userId).join(',') })).NodeId;
    const n2 = ok(await adm('CreateWorkFlowNode', { NodeName: 'Second', AuditUserIdList: [d1, d2].map((u) => u!.userId).join(',') })).NodeId;
    const t = ok(await adm('CreateWorkFlowTemplate', { TemplateName: 'Two nodes', NodeIdList: `${n1},${n2}` })).TemplateId;
    ok(await adm('SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'race', PluginTypes: ['NDDL'], Decision: 'APPROVAL', TemplateId: t }]) }));
    const dbId = Number(ok(await adm('ListDatabases', { InstanceId: 1 })).DatabaseList.Database[0].DatabaseId);
    const orderId = ok(await pop(s, a!)('CreateOrder', { Comment: 'race', PluginType: 'NDDL', PluginParam: JSON.stringify({ title: 'race', dbId }) })).CreateOrderResult.OrderIds[0];
    ok(await pop(s, a!)('AddTableDesignChange', { OrderId: orderId, SQL: `create table race_${store} (id integer primary key)` }));
    ok(await pop(s, a!)('CreatePublishGroupTask', { OrderId: orderId, DbId: dbId, Logic: false, PublishStrategy: 'IMMEDIATELY' }));
    const wf = ok(await adm('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.WorkflowInstanceId;

    const callers = [c1, c2, c3, c1, c2, c3, c1, c2].map((u) => openapi(s, u!));
    const results = await Promise.all(callers.map((call, i) => call('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE', Comment: `agree ${i}` })));
    const bodies = results.map((r) => r.body);
    expect(bodies.filter((b) => b.Success === true)).toHaveLength(1);
    for (const b of bodies.filter((x) => x.Success !== true)) expect(['NoPermission', 'ConcurrentModification']).toContain(b.ErrorCode);

    const d = ok(await adm('GetApprovalDetail', { WorkflowInstanceId: wf })).ApprovalDetail;
    const nodes = d.WorkflowNodes.WorkflowNode;
    expect(nodes.map((n: any) => `${n.WorkflowInsCode}:${n.NodeName}`)).toEqual(['START:Submit', 'APPROVED:First', 'AUDITING:Second']);
    expect([c1, c2, c3].map((u) => u!.userId)).toContain(nodes[1].OperatorId);
    expect(nodes[2].AuditUserIdList.AuditUserIds).toEqual([d1, d2].map((u) => String(u!.userId)));
    expect(d.CurrentHandlers.CurrentHandler.map((h: any) => h.Id)).toEqual([d1, d2].map((u) => u!.userId));
    const events = ok(await adm('ListOrderEvents', { OrderId: orderId })).Events.Event.map((e: any) => e.Action);
    expect(events).toEqual(['CREATE', 'DESIGN_CHANGE_ADD', 'SUBMIT', 'APPROVE_NODE']);
    expect(ok(await adm('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.StatusCode).toBe('toaudit');
    ok(await adm('SetApprovalRoutingRules', { Rules: '[]' }));
  });
}

describe('concurrent AGREEs on the SQLite store', () => concurrentAgreeSuite('sqlite'));
await describeWithServer('postgres', 'concurrent AGREEs on the PostgreSQL store', () => concurrentAgreeSuite('postgres'));

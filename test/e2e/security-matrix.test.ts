/**
 * The security matrix: every registered Action (ALL_ACTIONS, so a new one is covered as soon as it
 * is registered) × every system role × own tenant / other tenant, through the real signed path
 * (pop-core, signature V1), with parameters that name real objects (helpers/action-params.ts).
 *
 * - Other tenant: tenant A's members (every role, and one holding all roles) name the objects of
 *   tenant B (ids, keys, uids, addresses) while calling in their own tenant. Nothing that names a
 *   B object succeeds, and no response carries B's data (every B name, comment, SQL and row holds
 *   the word "beta"; what the caller sent is not counted). Then each object parameter in turn
 *   names B's object among A's others, and B's attachment or template inside A's JSON parameters.
 *   (Naming B's Tid is refused for every Action in isolation.test.ts.)
 * - RealLoginUserUid: an ADMIN cannot act for another tenant's user, nobody else for anyone.
 * - A person in both tenants: A's ADMIN cannot take over their AccessKeys or rename them (the
 *   hole this test found: shared-users.ts).
 * - Own tenant: ROLE_RULES below says who may call each Action. A role not allowed gets
 *   ErrorCode NoPermission (docs/api/errors.md); where `strict`, an allowed role is never refused.
 *   A registered Action without an entry fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ACTIONS } from '../../src/http/actions/index.js';
import type { AnyAction } from '../../src/http/rpc/registry.js';
import { paramsFor } from '../helpers/action-params.js';
import { createUser, ok, pop, startTestServer, type Body, type Key, type TestServer } from '../helpers/server.js';
import { buildWorld, ROLE_NAMES, worldServer, type Role, type World } from '../helpers/tenant-world.js';

interface Rule {
  /** Roles that may call the Action in their tenant; [] = only a deployment administrator (sysadmin). */
  allowed: readonly Role[];
  /** Every allowed role passes the permission check (false: per-object rules decide among them). */
  strict: boolean;
}

const ALL = ROLE_NAMES;
/** Any member, for themselves or for what every member may read. */
const MEMBER: Rule = { allowed: ALL, strict: true };
const SYSADMIN: Rule = { allowed: [], strict: true };
const ADMIN: Rule = { allowed: ['ADMIN'], strict: true };
const INSTANCE_MANAGER: Rule = { allowed: ['ADMIN', 'DBA'], strict: true };
const REVIEW_MANAGER: Rule = { allowed: ['ADMIN', 'SECURITY_ADMIN'], strict: true };
/** Seeing a ticket: its committer (the world's USER), ADMIN and DBA users; never an unrelated member. */
const TICKET_READ: Rule = { allowed: ['ADMIN', 'DBA', 'USER'], strict: true };
/** Acting on a ticket: the committer, approver or executor, ADMIN or DBA per Action; never an unrelated member. */
const TICKET_ACT: Rule = { allowed: ['ADMIN', 'DBA', 'USER'], strict: false };
/** Per-object rules (a user's own keys, resources, jobs); an ADMIN may act for every member. */
const SELF_OR_ADMIN: Rule = { allowed: ['ADMIN', 'USER'], strict: false };

const ROLE_RULES: Record<string, Rule> = {
  // Tenants
  GetUserActiveTenant: MEMBER,
  ListUserTenants: MEMBER,
  CreateTenant: SYSADMIN,
  SetSystemAdmin: SYSADMIN,
  // Users
  RegisterUser: ADMIN,
  ListUsers: MEMBER,
  GetUser: MEMBER,
  UpdateUser: ADMIN,
  DeleteUser: ADMIN,
  DisableUser: ADMIN,
  EnableUser: ADMIN,
  SetUserPassword: ADMIN,
  // AccessKeys (the world's USER is named: their own keys, or an ADMIN's)
  CreateAccessKey: SELF_OR_ADMIN,
  ListAccessKeys: SELF_OR_ADMIN,
  UpdateAccessKey: SELF_OR_ADMIN,
  DeleteAccessKey: SELF_OR_ADMIN,
  // Instances, databases, tables
  RegisterInstance: INSTANCE_MANAGER,
  AddInstance: INSTANCE_MANAGER,
  UpdateInstance: INSTANCE_MANAGER,
  SyncInstanceMeta: INSTANCE_MANAGER,
  DeleteInstance: INSTANCE_MANAGER,
  ListInstances: MEMBER,
  GetInstance: MEMBER,
  ListDatabases: MEMBER,
  SearchDatabase: MEMBER,
  GetDatabase: MEMBER,
  GetPhysicalDatabase: MEMBER,
  ListTables: MEMBER,
  ListColumns: MEMBER,
  ListIndexes: MEMBER,
  CreateLogicDatabase: INSTANCE_MANAGER,
  EditLogicDatabase: INSTANCE_MANAGER,
  DeleteLogicDatabase: INSTANCE_MANAGER,
  ListLogicDatabases: MEMBER,
  GetLogicDatabase: MEMBER,
  SetOwners: INSTANCE_MANAGER,
  ListUserOwnedResources: { allowed: ['ADMIN', 'DBA', 'USER'], strict: true },
  // Tickets
  CreateOrder: MEMBER,
  ListOrders: MEMBER,
  GetOrderBaseInfo: TICKET_READ,
  CloseOrder: TICKET_ACT,
  ListOrderEvents: TICKET_READ,
  GetTenantTicketPolicy: MEMBER,
  SetTenantTicketPolicy: ADMIN,
  GetOrderAvailableActions: TICKET_READ,
  // Attachments
  CreateUploadFileJob: MEMBER,
  CreateUploadOSSFileJob: MEMBER,
  GetUserUploadFileJob: SELF_OR_ADMIN,
  GetOrderAttachmentFile: TICKET_READ,
  // Approvals
  SubmitOrderApproval: TICKET_ACT,
  PreviewWorkflow: TICKET_READ,
  GetApprovalDetail: TICKET_READ,
  ApproveOrder: TICKET_ACT,
  SetWorkflowExtraInfo: TICKET_ACT,
  ListWorkFlowTemplates: MEMBER,
  ListWorkFlowNodes: MEMBER,
  CreateWorkFlowTemplate: ADMIN,
  UpdateWorkFlowTemplate: ADMIN,
  DeleteWorkFlowTemplate: ADMIN,
  CreateWorkFlowNode: ADMIN,
  UpdateWorkFlowNode: ADMIN,
  DeleteWorkFlowNode: ADMIN,
  SetApprovalRoutingRules: ADMIN,
  ListApprovalRoutingRules: ADMIN,
  // Data export
  CreateDataExportOrder: MEMBER,
  GetDataExportOrderDetail: TICKET_READ,
  GetDataExportPreCheckDetail: TICKET_READ,
  ExecuteDataExport: TICKET_ACT,
  GetDataExportDownloadURL: TICKET_ACT,
  PauseDataExportJob: TICKET_ACT,
  SuspendDataExportJob: TICKET_ACT,
  RestartDataExportJob: TICKET_ACT,
  RemoveDataExportJob: TICKET_ACT,
  // Data change, cleanup, import
  CreateDataCorrectOrder: MEMBER,
  CreateFreeLockCorrectOrder: MEMBER,
  GetDataCorrectOrderDetail: TICKET_READ,
  ListDataCorrectPreCheckDB: TICKET_READ,
  ListDataCorrectPreCheckSQL: TICKET_READ,
  RetryDataCorrectPreCheck: TICKET_ACT,
  SkipDataCorrectRowCheck: TICKET_ACT,
  ModifyDataCorrectExecSQL: TICKET_ACT,
  ExecuteDataCorrect: TICKET_ACT,
  GetDataCorrectTaskDetail: TICKET_READ,
  ListDBTaskSQLJob: TICKET_READ,
  ListDBTaskSQLJobDetail: TICKET_READ,
  ListDataCorrectChunkBatches: TICKET_READ,
  GetDBTaskSQLJobLog: TICKET_READ,
  PauseDataCorrectSQLJob: TICKET_ACT,
  RestartDataCorrectSQLJob: TICKET_ACT,
  GetDataCorrectBackupFiles: TICKET_READ,
  GetDataCorrectSQLFile: TICKET_READ,
  GetDataCorrectRollbackFile: TICKET_READ,
  CreateRollbackOrder: TICKET_ACT,
  CreateDataCronClearOrder: MEMBER,
  GetDataCronClearConfig: TICKET_READ,
  GetDataCronClearTaskDetailList: TICKET_READ,
  PauseDataCronClear: TICKET_ACT,
  ResumeDataCronClear: TICKET_ACT,
  CreateDataImportOrder: MEMBER,
  GetDataImportSQL: TICKET_READ,
  ListDataImportSQLPreCheckDetail: TICKET_READ,
  ListDataImportSQLType: TICKET_READ,
  // Schema design
  GetTableDesignProjectInfo: TICKET_READ,
  GetTableDesignProjectFlow: TICKET_READ,
  ListDDLPublishRecords: TICKET_READ,
  CreatePublishGroupTask: TICKET_ACT,
  RestartPublishGroupTask: TICKET_ACT,
  AddTableDesignChange: TICKET_ACT,
  UpdateTableDesignChange: TICKET_ACT,
  RemoveTableDesignChange: TICKET_ACT,
  ListTableDesignChanges: TICKET_READ,
  PreviewPublishScript: TICKET_READ,
  GetTableDesignFlowConfig: MEMBER,
  SetTableDesignFlowConfig: ADMIN,
  // SQL review
  ListSqlReviewRules: MEMBER,
  SetSqlReviewRule: REVIEW_MANAGER,
  ResetSqlReviewRule: REVIEW_MANAGER,
  // Webhooks
  CreateWebhook: ADMIN,
  ListWebhooks: ADMIN,
  UpdateWebhook: ADMIN,
  DeleteWebhook: ADMIN,
  ListWebhookDeliveries: ADMIN,
  TestWebhook: ADMIN,
};

/**
 * Own-tenant calls by an allowed role that would destroy the objects later calls use (or the
 * caller's own key) are not made; their refusal for the other roles is still checked.
 */
const DESTRUCTIVE = /^(Delete|Disable|Remove|Close|UpdateAccessKey$|SetUserPassword$|UpdateUser$)/;

let srv: TestServer;
let a: World;
let b: World;
/** A member of tenant A holding every role (and no deployment-wide right). */
let allRoles: Key;

beforeAll(async () => {
  srv = await startTestServer({ env: { OPENDMS_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
  a = await buildWorld(worldServer(srv), 'alpha');
  const tidB = ok(await pop(srv, srv.admin)('CreateTenant', { TenantName: 'tenant-beta' })).Tid;
  b = await buildWorld(worldServer(srv), 'beta', tidB);
  allRoles = await createUser(srv, 'alpha-all-roles', ROLE_NAMES.join(','));
}, 180_000);
afterAll(async () => srv?.close());

/** A response must not carry B's data: "beta" anywhere but in what the caller sent. */
function leaks(body: Body, sent: Record<string, string>, echoes: string[] = []): string | undefined {
  let text = JSON.stringify(body);
  for (const v of [...Object.values(sent), ...echoes]) if (v.includes('beta')) text = text.split(JSON.stringify(v).slice(1, -1)).join('');
  const at = text.indexOf('beta');
  return at < 0 ? undefined : text.slice(Math.max(0, at - 120), at + 120);
}

/** The call's outcome: the body (business success or error), or the gateway error as a body. */
async function call(key: Key, action: string, params: Record<string, string>): Promise<Body> {
  try {
    return await pop(srv, key)(action, params);
  } catch (e) {
    const err = e as { code?: string; data?: Body; message?: string };
    return { Success: false, ErrorCode: err.code ?? 'Thrown', GatewayError: true, ...(err.data ?? {}), ErrorMessage: err.message };
  }
}

const brief = (body: Body) => `${body.ErrorCode ?? (body.Success ? 'Success' : '?')}: ${String(body.ErrorMessage ?? JSON.stringify(body)).slice(0, 200)}`;

describe('the role table', () => {
  it('has an entry for every registered Action, and none for an Action that does not exist', () => {
    const names = ALL_ACTIONS.map((x) => x.name);
    expect(names.filter((n) => !(n in ROLE_RULES)), 'Actions without an entry in ROLE_RULES').toEqual([]);
    expect(Object.keys(ROLE_RULES).filter((n) => !names.includes(n)), 'entries for Actions that are not registered').toEqual([]);
  });
});

describe('other tenant: naming tenant B objects from tenant A', () => {
  for (const action of ALL_ACTIONS) {
    it(action.name, async () => {
      const { params, objectParams } = paramsFor(action, b);
      const problems: string[] = [];
      const callers: [string, Key][] = [...ROLE_NAMES.map((r): [string, Key] => [r, a.members[r]]), ['all roles', allRoles]];
      for (const [who, key] of callers) {
        const body = await call(key, action.name, params);
        if (objectParams.length > 0 && body.Success === true) problems.push(`${who} succeeded naming B's ${objectParams.join(', ')}: ${JSON.stringify(body).slice(0, 300)}`);
        if (body.ErrorCode === 'InternalError') problems.push(`${who}: InternalError`);
        const leak = leaks(body, params);
        if (leak) problems.push(`${who} got B's data: …${leak}…`);
      }
      expect(problems, JSON.stringify(params)).toEqual([]);
    });
  }
});

describe("other tenant: one of tenant B's objects among tenant A's", () => {
  // Each object parameter in turn names B's object while the others name A's, so a check on one
  // parameter cannot hide a missing check on another (a B user as owner of an A instance, a B
  // attachment on an A ticket …).
  /** Parameters that only filter or are overridden: B's value there changes nothing, rightly. */
  const BENIGN: Record<string, string> = {
    'GetUser.Uid': 'UserId, also given, takes precedence',
    'ListDataCorrectPreCheckSQL.DbId': "a filter on the ticket's own databases: B's matches none (an empty list)",
  };
  for (const action of ALL_ACTIONS) {
    it(action.name, async () => {
      const mine = paramsFor(action, a);
      const theirs = paramsFor(action, b);
      const problems: string[] = [];
      for (const name of mine.objectParams) {
        if (theirs.params[name] === undefined || theirs.params[name] === mine.params[name] || `${action.name}.${name}` in BENIGN) continue;
        const params = { ...mine.params, [name]: theirs.params[name]! };
        const body = await call(allRoles, action.name, params);
        if (body.Success === true) problems.push(`succeeded with B's ${name}: ${JSON.stringify(params)} → ${JSON.stringify(body).slice(0, 300)}`);
        if (body.ErrorCode === 'InternalError') problems.push(`InternalError with B's ${name}`);
        const leak = leaks(body, params);
        if (leak) problems.push(`B's data with B's ${name}: …${leak}…`);
      }
      expect(problems).toEqual([]);
    });
  }

  it("B's attachment or template inside A's JSON parameters is refused", async () => {
    const caller = (action: string, params: Record<string, string>) => call(allRoles, action, params);
    const items = [{ DbId: a.dbId, Logic: false }];
    const cases: [string, Record<string, string>][] = [
      ['CreateDataImportOrder', { Comment: 'x', Param: JSON.stringify({ DbItemList: items, AttachmentName: b.attachmentKey, FileType: 'SQL' }) }],
      ['CreateDataCorrectOrder', { Comment: 'x', Param: JSON.stringify({ DbItemList: items, SqlType: 'ATTACHMENT', AttachmentName: b.attachmentKey }) }],
      ['CreateDataCorrectOrder', { Comment: 'x', Param: JSON.stringify({ DbItemList: items, SqlType: 'TEXT', ExecSQL: 'update items set name = name where id = 1', RollbackSqlType: 'ATTACHMENT', RollbackAttachmentName: b.attachmentKey }) }],
      ['SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'x', PluginTypes: ['NDDL'], Decision: 'APPROVAL', TemplateId: b.templateId }]) }],
      ['CreateOrder', { Comment: 'x', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId: a.dbId, exeSQL: 'select 1', logic: false }), AttachmentKey: b.attachmentKey }],
    ];
    const problems: string[] = [];
    for (const [action, params] of cases) {
      const body = await caller(action, params);
      if (body.Success === true) problems.push(`${action} ${JSON.stringify(params)} succeeded`);
      const leak = leaks(body, params, [b.attachmentKey]);
      if (leak) problems.push(`${action}: …${leak}…`);
    }
    expect(problems).toEqual([]);
  });
});

describe('RealLoginUserUid (acting for another user)', () => {
  const delegating = ALL_ACTIONS.filter((x) => x.acceptsRealLoginUser);
  it('is accepted by some Actions (else this block tests nothing)', () => {
    expect(delegating.length).toBeGreaterThan(10);
  });
  for (const action of delegating) {
    it(`${action.name}: an ADMIN cannot act for a user of another tenant, a non-ADMIN for anyone`, async () => {
      const { params } = paramsFor(action, a);
      const problems: string[] = [];
      const forB = await call(a.members.ADMIN, action.name, { ...params, RealLoginUserUid: b.members.ADMIN.uid });
      if (forB.ErrorCode !== 'UserNotExist') problems.push(`ADMIN for B's ADMIN: expected UserNotExist, got ${brief(forB)}`);
      for (const role of ROLE_NAMES.filter((r) => r !== 'ADMIN')) {
        const body = await call(a.members[role], action.name, { ...params, RealLoginUserUid: a.members.ADMIN.uid });
        if (body.ErrorCode !== 'NoPermission') problems.push(`${role} for A's ADMIN: expected NoPermission, got ${brief(body)}`);
      }
      expect(problems).toEqual([]);
    });
  }
});

describe('own tenant: roles', () => {
  const ruleOf = (action: AnyAction): Rule => ROLE_RULES[action.name] ?? MEMBER;
  // First every refusal (nothing changes when they hold), then the allowed calls.
  for (const action of ALL_ACTIONS) {
    it(`${action.name}: refused to the roles not allowed`, async () => {
      const rule = ruleOf(action);
      const { params } = paramsFor(action, a);
      const problems: string[] = [];
      for (const role of ROLE_NAMES.filter((r) => !rule.allowed.includes(r))) {
        const body = await call(a.members[role], action.name, params);
        if (body.ErrorCode !== 'NoPermission') problems.push(`${role}: expected NoPermission, got ${brief(body)}`);
      }
      expect(problems, JSON.stringify(params)).toEqual([]);
    });
  }
  for (const action of ALL_ACTIONS) {
    const rule = ruleOf(action);
    if (!rule.strict || rule.allowed.length === 0 || DESTRUCTIVE.test(action.name)) continue;
    it(`${action.name}: not refused to ${rule.allowed.join(', ')}`, async () => {
      const { params } = paramsFor(action, a);
      const problems: string[] = [];
      for (const role of rule.allowed) {
        const body = await call(a.members[role], action.name, params);
        if (body.ErrorCode === 'NoPermission' || body.ErrorCode === 'InternalError') problems.push(`${role}: ${brief(body)}`);
      }
      expect(problems, JSON.stringify(params)).toEqual([]);
    });
  }
});

describe('a person shared by two tenants', () => {
  // RegisterUser adds an existing person to the caller's tenant (users are shared by tenants).
  // What acts as that person everywhere must stay out of the second tenant's ADMIN's reach.
  it("tenant A's ADMIN who registers B's ADMIN (or the deployment administrator) cannot get or touch their AccessKeys, nor rename them", async () => {
    const adminA = a.as(a.members.ADMIN);
    const rootUid = ok(await pop(srv, srv.admin)('GetUser', {})).User.Uid as string;
    for (const [uid, userId, keyId] of [
      [b.members.ADMIN.uid, b.members.ADMIN.userId, b.members.ADMIN.accessKeyId],
      [rootUid, srv.admin.userId, srv.admin.accessKeyId],
    ] as const) {
      if (uid !== rootUid) ok(await adminA('RegisterUser', { Uid: uid, RoleNames: 'USER' }));
      expect(await adminA('CreateAccessKey', { UserId: userId }), uid).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
      expect(await adminA('ListAccessKeys', { UserId: userId }), uid).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
      expect(await adminA('UpdateAccessKey', { UserAccessKeyId: keyId, Status: 'Inactive' }), uid).toMatchObject({ Success: false });
      expect(await adminA('DeleteAccessKey', { UserAccessKeyId: keyId }), uid).toMatchObject({ Success: false });
      expect(await adminA('UpdateUser', { Uid: uid, UserNick: 'renamed by alpha' }), uid).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
      // Roles and state in A are A's business.
      if (uid !== rootUid) ok(await adminA('UpdateUser', { Uid: uid, RoleNames: 'USER,DBA' }));
    }
    // B's ADMIN still works in B, with their own key, under their own name.
    const bUser = ok(await b.as(b.members.ADMIN)('GetUser', { Tid: b.tid })).User;
    expect(bUser).toMatchObject({ Uid: b.members.ADMIN.uid, NickName: b.members.ADMIN.uid });
    ok(await adminA('DeleteUser', { Uid: b.members.ADMIN.uid }));
  });
});

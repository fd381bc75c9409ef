/**
 * Tickets through the real clients: CreateOrder for every registered type and its validation,
 * ListOrders with every filter, GetOrderBaseInfo, CloseOrder, ListOrderEvents, visibility and
 * the tenant ticket policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, gatewayError, ok, openapi, pop, startTestServer, type Key, type TestServer, awaitPrecheck } from '../helpers/server.js';

let srv: TestServer;
let admin: ReturnType<typeof pop>;
let dbId: number;
let alice: Key & { userId: number };
let bob: Key & { userId: number };
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

beforeAll(async () => {
  srv = await startTestServer({ demo: true });
  admin = pop(srv, srv.admin);
  dbId = Number(ok(await admin('ListDatabases', { InstanceId: 1 })).DatabaseList.Database[0].DatabaseId);
  alice = await createUser(srv, 'alice');
  bob = await createUser(srv, 'bob');
});
afterAll(async () => srv?.close());

const exportParam = (extra: Record<string, unknown> = {}) => JSON.stringify({ dbId, exeSQL: 'select * from customers', affectRows: 100, ...extra });

async function create(key: Key, pluginType: string, pluginParam: string, extra: Record<string, unknown> = {}): Promise<number> {
  const res = ok(await pop(srv, key)('CreateOrder', { Comment: `${pluginType} ticket`, PluginType: pluginType, PluginParam: pluginParam, ...extra }));
  expect(res.CreateOrderResult.OrderIds).toHaveLength(1);
  return res.CreateOrderResult.OrderIds[0];
}

describe('CreateOrder', () => {
  it('creates DATA_EXPORT, NDDL and DC_COMMON tickets (lower camel and PascalCase keys)', async () => {
    const e = await create(alice, 'DATA_EXPORT', exportParam());
    const n = await create(alice, 'NDDL', JSON.stringify({ Title: 'orders v2', Description: 'split', DbId: dbId, Logic: false, RelatedIds: [bob.userId] }));
    const d = await create(alice, 'DC_COMMON', JSON.stringify({ dbItemList: [{ dbId, logic: false }], execSQL: "update products set name = 'x' where id = 1", estimateAffectRows: 1, execMode: 'AUTO' }));
    expect(n).toBeGreaterThan(e);
    expect(d).toBeGreaterThan(n);
    const info = ok(await pop(srv, alice)('GetOrderBaseInfo', { OrderId: n })).OrderBaseInfo;
    expect(info).toMatchObject({ OrderId: n, PluginType: 'NDDL', StatusCode: 'new', CommitterId: alice.userId, Committer: 'alice', Comment: 'NDDL ticket' });
    expect(info.RelatedUserList).toEqual({ UserIds: [String(bob.userId)] });
    expect(info.RelatedUserNickList).toEqual({ UserNicks: ['bob'] });
    expect(info.CreateTime).toMatch(TIME);
    expect(info).not.toHaveProperty('WorkflowInstanceId');
  });

  it('PluginParam travels in the form body with openapi-client V3, also flattened', async () => {
    const call = openapi(srv, alice);
    const res = await call('CreateOrder', { Comment: 'v3', PluginType: 'DATA_EXPORT' }, { PluginParam: exportParam() });
    expect(res.body.Success).toBe(true);
    // raw openapi-client callers flatten an object: PluginParam.DbId=…&PluginParam.ExeSQL=…
    const flat = await call('CreateOrder', { Comment: 'flat', PluginType: 'DATA_EXPORT' }, { PluginParam: { DbId: dbId, ExeSQL: 'select 1', IgnoreAffectRows: true, IgnoreAffectRowsReason: 'small' } });
    expect(flat.body.Success).toBe(true);
  });

  it('validates with errors that name the parameter', async () => {
    const call = pop(srv, alice);
    const missing = await gatewayError(call('CreateOrder', { PluginType: 'DATA_EXPORT', PluginParam: exportParam() }));
    expect(missing.code).toBe('MissingComment');
    const unknownType = await gatewayError(call('CreateOrder', { Comment: 'c', PluginType: 'NOPE', PluginParam: '{}' }));
    expect(unknownType.code).toBe('InvalidPluginType');
    const badJson = await gatewayError(call('CreateOrder', { Comment: 'c', PluginType: 'DATA_EXPORT', PluginParam: '{nope' }));
    expect(badJson.code).toBe('InvalidPluginParam');

    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId }) }, 'InvalidPluginParam', /exeSQL: is required/],
      [{ PluginType: 'DATA_EXPORT', PluginParam: exportParam({ ignoreAffectRows: true }) }, 'InvalidPluginParam', /ignoreAffectRowsReason/],
      [{ PluginType: 'DATA_EXPORT', PluginParam: exportParam({ dbId: 'abc' }) }, 'InvalidPluginParam', /dbId/],
      [{ PluginType: 'DATA_EXPORT', PluginParam: exportParam({ dbId: 999999 }) }, 'ResourceNotFound', /999999/],
      [{ PluginType: 'DC_COMMON', PluginParam: JSON.stringify({ dbItemList: [], execSQL: 'delete from t' }) }, 'InvalidPluginParam', /dbItemList/],
      [{ PluginType: 'DC_COMMON', PluginParam: JSON.stringify({ dbItemList: [{ dbId }], sqlType: 'ATTACHMENT' }) }, 'InvalidPluginParam', /attachmentName/],
      [{ PluginType: 'NDDL', PluginParam: JSON.stringify({ dbId }) }, 'InvalidPluginParam', /title/],
      [{ PluginType: 'DB_EXPORT', PluginParam: '{}' }, 'NotSupported', /DATA_EXPORT, NDDL, DC_COMMON/],
      [{ PluginType: 'DATA_CORRECT', PluginParam: '{}' }, 'InvalidPluginType', /filter only/],
      [{ PluginType: 'DATA_EXPORT', PluginParam: exportParam(), RelatedUserList: '424242' }, 'InvalidRelatedUserList', /424242/],
      [{ PluginType: 'DATA_EXPORT', PluginParam: exportParam(), AttachmentKey: 'upload_nope_x.sql' }, 'InvalidAttachmentKey', /does not exist/],
      [{ PluginType: 'DATA_EXPORT', PluginParam: exportParam(), Comment: 'x'.repeat(4001) }, 'InvalidComment', /4000/],
    ];
    for (const [params, code, message] of cases) {
      const res = await call('CreateOrder', { Comment: 'c', ...params });
      expect(res, JSON.stringify(params).slice(0, 120)).toMatchObject({ Success: false, ErrorCode: code });
      expect(res.ErrorMessage).toMatch(message);
    }
  });

  it("a database of another tenant is not found; nothing was created by any failed call", async () => {
    const before = ok(await admin('ListOrders', { OrderResultType: 'AS_ADMIN' })).TotalCount;
    const tid = ok(await admin('CreateTenant', { TenantName: 'other' })).Tid;
    const res = await admin('CreateOrder', { Tid: tid, Comment: 'c', PluginType: 'DATA_EXPORT', PluginParam: exportParam() });
    expect(res).toMatchObject({ Success: false, ErrorCode: 'ResourceNotFound' });
    expect(ok(await admin('ListOrders', { OrderResultType: 'AS_ADMIN' })).TotalCount).toBe(before);
  });

  it('RealLoginUserUid: an ADMIN files for alice; both are recorded', async () => {
    const id = await create(srv.admin, 'DATA_EXPORT', exportParam(), { RealLoginUserUid: 'alice' });
    const info = ok(await pop(srv, alice)('GetOrderBaseInfo', { OrderId: id })).OrderBaseInfo;
    expect(info.CommitterId).toBe(alice.userId);
    const events = ok(await pop(srv, alice)('ListOrderEvents', { OrderId: id })).Events.Event;
    expect(events[0]).toMatchObject({ Action: 'CREATE', OperatorId: alice.userId, RealLoginUserId: srv.admin.userId, ToStatus: 'new' });
    const notAdmin = await pop(srv, bob)('CreateOrder', { Comment: 'c', PluginType: 'DATA_EXPORT', PluginParam: exportParam(), RealLoginUserUid: 'alice' });
    expect(notAdmin.ErrorCode).toBe('NoPermission');
  });
});

describe('visibility', () => {
  it('the committer, related users, ADMIN/DBA and the database owners see a ticket; others do not', async () => {
    const carol = await createUser(srv, 'carol');
    const dave = await createUser(srv, 'dave', 'DBA');
    const id = await create(alice, 'DATA_EXPORT', exportParam(), { RelatedUserList: String(bob.userId) });
    for (const key of [alice, bob, srv.admin, dave]) ok(await pop(srv, key)('GetOrderBaseInfo', { OrderId: id }));
    const refused = await pop(srv, carol)('GetOrderBaseInfo', { OrderId: id });
    expect(refused).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    expect((await pop(srv, carol)('ListOrderEvents', { OrderId: id })).ErrorCode).toBe('NoPermission');
    expect((await pop(srv, carol)('CloseOrder', { OrderId: id, CloseReason: 'x' })).ErrorCode).toBe('NoPermission');
    ok(await admin('SetOwners', { ResourceId: dbId, OwnerType: 'DATABASE', OwnerIds: String(carol.userId) }));
    ok(await pop(srv, carol)('GetOrderBaseInfo', { OrderId: id }));
    expect((await pop(srv, alice)('GetOrderBaseInfo', { OrderId: 99999999 })).ErrorCode).toBe('ResourceNotFound');
  });
});

describe('ListOrders', () => {
  it('scopes, filters, paging and shapes', async () => {
    const erin = await createUser(srv, 'erin');
    const asErin = pop(srv, erin);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await create(erin, 'DATA_EXPORT', exportParam(), { Comment: `erin export ${i}` }));
    ids.push(await create(erin, 'DC_COMMON', JSON.stringify({ dbItemList: [{ dbId }], execSQL: 'delete from orders where id = 0' }), { Comment: 'erin change' }));
    ok(await asErin('CloseOrder', { OrderId: ids[0], CloseReason: 'not needed' }));

    const mine = ok(await asErin('ListOrders'));
    expect(mine.TotalCount).toBe(4);
    expect(mine.Orders.Order.map((o: any) => o.OrderId)).toEqual([...ids].reverse());
    expect(mine.Orders.Order[0]).toEqual({
      OrderId: ids[3], PluginType: 'DC_COMMON', Comment: 'erin change', Committer: 'erin', CommitterId: erin.userId,
      StatusCode: 'new', StatusDesc: expect.any(String), CreateTime: expect.stringMatching(TIME), LastModifyTime: expect.stringMatching(TIME),
    });
    const page2 = ok(await asErin('ListOrders', { PageSize: 3, PageNumber: 2 }));
    expect(page2.TotalCount).toBe(4);
    expect(page2.Orders.Order.map((o: any) => o.OrderId)).toEqual([ids[0]]);
    expect(ok(await asErin('ListOrders', { PluginType: 'DATA_CORRECT' })).Orders.Order.map((o: any) => o.OrderId)).toEqual([ids[3]]);
    expect(ok(await asErin('ListOrders', { PluginType: 'DC_COMMON' })).TotalCount).toBe(1);
    expect(ok(await asErin('ListOrders', { PluginType: 'NDDL' })).TotalCount).toBe(0);
    expect(ok(await asErin('ListOrders', { OrderStatus: 'FINISHED' })).Orders.Order.map((o: any) => o.OrderId)).toEqual([ids[0]]);
    expect(ok(await asErin('ListOrders', { OrderStatus: 'RUNNING' })).TotalCount).toBe(3);
    expect(ok(await asErin('ListOrders', { SearchContent: 'export 1' })).Orders.Order.map((o: any) => o.OrderId)).toEqual([ids[1]]);
    expect(ok(await asErin('ListOrders', { SearchContent: String(ids[2]) })).Orders.Order.map((o: any) => o.OrderId)).toEqual([ids[2]]);
    expect(ok(await asErin('ListOrders', { SearchContent: '100%_' })).TotalCount).toBe(0);
    const future = '2099-01-01 00:00:00';
    expect(ok(await asErin('ListOrders', { StartTime: future })).TotalCount).toBe(0);
    expect(ok(await asErin('ListOrders', { EndTime: future, StartTime: '2000-01-01 00:00:00' })).TotalCount).toBe(4);
    expect(ok(await asErin('ListOrders', { SearchDateType: 'MODIFY_TIME', StartTime: '2000-01-01' })).TotalCount).toBe(4);
    expect((await asErin('ListOrders', { StartTime: 'yesterday' })).ErrorCode).toBe('InvalidStartTime');
    expect((await asErin('ListOrders', { OrderResultType: 'AS_ADMIN' })).ErrorCode).toBe('NoPermission');
    const all = ok(await admin('ListOrders', { OrderResultType: 'as_admin' }));
    expect(all.TotalCount).toBeGreaterThanOrEqual(4);
    const related = ok(await pop(srv, bob)('ListOrders', { OrderResultType: 'AS_Related' }));
    expect(related.Orders.Order.every((o: any) => o.CommitterId !== bob.userId)).toBe(true);
    expect(related.TotalCount).toBeGreaterThanOrEqual(2);
    // nobody handles anything yet
    expect(ok(await asErin('ListOrders', { OrderResultType: 'AS_HANDLER' })).TotalCount).toBe(0);
    expect(ok(await asErin('ListOrders', { OrderResultType: 'AS_OWNER' })).TotalCount).toBe(0);
    const e = await gatewayError(asErin('ListOrders', { OrderStatus: 'DONE' }));
    expect(e.code).toBe('InvalidOrderStatus');
  });
});

describe('CloseOrder and the audit trail', () => {
  it('closes once, with the reason recorded; a closed ticket cannot be closed again', async () => {
    const id = await create(alice, 'DATA_EXPORT', exportParam());
    // The precheck settles first (customers has more rows than affectRows), so the trail is fixed.
    expect(await awaitPrecheck(pop(srv, alice), id)).toBe('PRE_CHECK_FAIL');
    expect((await pop(srv, bob)('CloseOrder', { OrderId: id, CloseReason: 'x' })).ErrorCode).toBe('NoPermission');
    ok(await pop(srv, alice)('CloseOrder', { OrderId: id, CloseReason: 'changed my mind' }));
    const again = await pop(srv, alice)('CloseOrder', { OrderId: id, CloseReason: 'again' });
    expect(again).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
    expect(again.ErrorMessage).toContain('status closed');
    const info = ok(await pop(srv, alice)('GetOrderBaseInfo', { OrderId: id })).OrderBaseInfo;
    expect(info.StatusCode).toBe('closed');
    const events = ok(await pop(srv, alice)('ListOrderEvents', { OrderId: id })).Events.Event;
    expect(events.map((e: any) => [e.Action, e.FromStatus, e.ToStatus, e.Comment])).toEqual([
      ['CREATE', undefined, 'new', 'DATA_EXPORT ticket'],
      ['PRECHECK_FAIL', 'new', 'new', expect.stringContaining('more than the 100 declared in affectRows')],
      ['CLOSE', 'new', 'closed', 'changed my mind'],
    ]);
    // Every event has its time; those a request caused (not the precheck job's) carry its RequestId.
    expect(events.every((e: any) => TIME.test(e.OperateTime))).toBe(true);
    expect(events.filter((e: any) => !e.Action.startsWith('PRECHECK')).every((e: any) => typeof e.RequestId === 'string')).toBe(true);
  });
});

describe('tenant ticket policy', () => {
  it('RESTRICTED filing: only owners and DBAs (and ADMIN/DBA users) may file', async () => {
    expect(ok(await admin('GetTenantTicketPolicy')).Policy).toEqual({ FilingPolicy: 'OPEN', AllowSelfApproval: false });
    expect((await pop(srv, alice)('SetTenantTicketPolicy', { FilingPolicy: 'RESTRICTED' })).ErrorCode).toBe('NoPermission');
    ok(await admin('SetTenantTicketPolicy', { FilingPolicy: 'RESTRICTED' }));
    try {
      const frank = await createUser(srv, 'frank');
      const res = await pop(srv, frank)('CreateOrder', { Comment: 'c', PluginType: 'DATA_EXPORT', PluginParam: exportParam() });
      expect(res).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
      ok(await admin('SetOwners', { ResourceId: dbId, OwnerType: 'DATABASE', OwnerIds: String(frank.userId) }));
      await create(frank, 'DATA_EXPORT', exportParam());
      await create(srv.admin, 'DATA_EXPORT', exportParam());
    } finally {
      ok(await admin('SetTenantTicketPolicy', { FilingPolicy: 'OPEN' }));
    }
  });
});

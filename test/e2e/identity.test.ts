/**
 * Tenants, users and AccessKeys through the real clients: every Action of the identity group, its
 * success shape, its role rules and tenant isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, gatewayError, ok, openapi, pop, startTestServer, type Key, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let admin: ReturnType<typeof pop>;
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

beforeAll(async () => {
  srv = await startTestServer();
  admin = pop(srv, srv.admin);
});
afterAll(async () => srv?.close());

describe('users', () => {
  it('RegisterUser, GetUser and ListUsers return the DMS shapes', async () => {
    ok(await admin('RegisterUser', { Uid: 'alice', UserNick: 'Alice Ærø', Mobile: '13800000000', RoleNames: 'USER,DBA' }));
    const { User } = ok(await admin('GetUser', { Uid: 'alice' }));
    expect(User).toMatchObject({
      Uid: 'alice',
      NickName: 'Alice Ærø',
      Mobile: '13800000000',
      State: 'NORMAL',
      RoleNameList: { RoleNames: ['USER', 'DBA'] },
      RoleIdList: { RoleIds: [1, 2] },
      ParentUid: 0,
    });
    expect(typeof User.UserId).toBe('string');
    const byId = ok(await admin('GetUser', { UserId: User.UserId })).User;
    expect(byId.Uid).toBe('alice');

    const list = ok(await admin('ListUsers', { SearchKey: 'alic' }));
    expect(list.TotalCount).toBe(1);
    expect(list.UserList.User[0]).toMatchObject({ Uid: 'alice', UserId: User.UserId, ParentUid: '0' });
    const dbas = ok(await admin('ListUsers', { Role: 'DBA' }));
    expect(dbas.UserList.User.map((u: any) => u.Uid)).toEqual(['alice']);
  });

  it('registering the same Uid twice is a business error; defaults to role USER', async () => {
    ok(await admin('RegisterUser', { Uid: 'bob' }));
    expect((ok(await admin('GetUser', { Uid: 'bob' })).User.RoleNameList.RoleNames)).toEqual(['USER']);
    const again = await admin('RegisterUser', { Uid: 'bob' });
    expect(again).toMatchObject({ Success: false, ErrorCode: 'UserAlreadyExists', ErrorMessage: 'The specified user already exists.' });
  });

  it('unknown role names are refused with the parameter named', async () => {
    const res = await admin('RegisterUser', { Uid: 'carol', RoleNames: 'USER,KING' });
    expect(res).toMatchObject({ Success: false, ErrorCode: 'InvalidRoleNames' });
    expect(res.ErrorMessage).toContain('KING');
  });

  it('UpdateUser changes nickname, roles and quotas (Uid as UidString too)', async () => {
    ok(await admin('RegisterUser', { Uid: 'dave' }));
    ok(await admin('UpdateUser', { Uid: 'dave', UserNick: 'David', RoleNames: 'DBA', MaxExecuteCount: 100, MaxResultCount: 5000 }));
    ok(await admin('UpdateUser', { UidString: 'dave', Mobile: '555' }));
    const u = ok(await admin('GetUser', { Uid: 'dave' })).User;
    expect(u).toMatchObject({ NickName: 'David', Mobile: '555', RoleNameList: { RoleNames: ['DBA'] }, MaxExecuteCount: 100, MaxResultCount: 5000 });
  });

  it('paging: PageNumber/PageSize and TotalCount', async () => {
    for (let i = 0; i < 5; i++) ok(await admin('RegisterUser', { Uid: `pager${i}` }));
    const p1 = ok(await admin('ListUsers', { SearchKey: 'pager', PageSize: 2, PageNumber: 1 }));
    const p3 = ok(await admin('ListUsers', { SearchKey: 'pager', PageSize: 2, PageNumber: 3 }));
    expect(p1.TotalCount).toBe(5);
    expect(p1.UserList.User.map((u: any) => u.Uid)).toEqual(['pager0', 'pager1']);
    expect(p3.UserList.User.map((u: any) => u.Uid)).toEqual(['pager4']);
    const e = await gatewayError(admin('ListUsers', { PageSize: 1000 }));
    expect(e.code).toBe('InvalidPageSize');
  });

  it('DisableUser blocks every call of that user; EnableUser restores; DeleteUser removes from the tenant', async () => {
    const erin = await createUser(srv, 'erin');
    const asErin = pop(srv, erin);
    ok(await asErin('GetUserActiveTenant'));
    ok(await admin('DisableUser', { Uid: 'erin' }));
    expect(ok(await admin('GetUser', { Uid: 'erin' })).User.State).toBe('DISABLE');
    const blocked = await asErin('GetUserActiveTenant');
    expect(blocked).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    const blocked2 = await asErin('ListUsers');
    expect(blocked2.Success).toBe(false);
    ok(await admin('EnableUser', { Uid: 'erin' }));
    ok(await asErin('GetUserActiveTenant'));
    ok(await admin('DeleteUser', { Uid: 'erin' }));
    expect((await admin('GetUser', { Uid: 'erin' })).ErrorCode).toBe('UserNotExist');
    expect(ok(await admin('ListUsers', { SearchKey: 'erin' })).TotalCount).toBe(0);
    expect(ok(await admin('ListUsers', { SearchKey: 'erin', UserState: 'DELETE' })).TotalCount).toBe(1);
    expect((await asErin('GetUserActiveTenant')).Success).toBe(false);
    // registering again restores the membership
    ok(await admin('RegisterUser', { Uid: 'erin' }));
    ok(await asErin('GetUserActiveTenant'));
  });

  it('an ADMIN cannot disable themselves, and the last ADMIN cannot lose the role', async () => {
    expect((await admin('DisableUser', { Uid: 'admin' })).ErrorCode).toBe('NoPermission');
    expect((await admin('UpdateUser', { Uid: 'admin', RoleNames: 'USER' })).ErrorCode).toBe('InvalidStatus');
  });

  it('a USER may read users but not change them', async () => {
    const frank = await createUser(srv, 'frank');
    const asFrank = pop(srv, frank);
    ok(await asFrank('ListUsers'));
    ok(await asFrank('GetUser'));
    for (const [action, params] of [
      ['RegisterUser', { Uid: 'x1' }],
      ['UpdateUser', { Uid: 'alice', UserNick: 'hacked' }],
      ['DisableUser', { Uid: 'alice' }],
      ['EnableUser', { Uid: 'alice' }],
      ['DeleteUser', { Uid: 'alice' }],
    ] as const) {
      const res = await asFrank(action, params);
      expect(res, action).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    }
    expect(ok(await admin('GetUser', { Uid: 'alice' })).User.NickName).toBe('Alice Ærø');
  });
});

describe('access keys', () => {
  it('a user manages their own keys; the secret is shown only at creation', async () => {
    const gina = await createUser(srv, 'gina');
    const asGina = pop(srv, gina);
    const created = ok(await asGina('CreateAccessKey')).AccessKey;
    expect(created).toMatchObject({ Status: 'Active' });
    expect(created.AccessKeyId).toMatch(/^LTAI[A-Za-z0-9]{20}$/);
    expect(created.AccessKeySecret).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(created.CreateDate).toMatch(TIME);
    const second: Key = { accessKeyId: created.AccessKeyId, accessKeySecret: created.AccessKeySecret };
    ok(await openapi(srv, second)('GetUserActiveTenant').then((r) => r.body));

    const listed = ok(await asGina('ListAccessKeys')).AccessKeys.AccessKey;
    expect(listed.map((k: any) => k.AccessKeyId).sort()).toEqual([gina.accessKeyId, created.AccessKeyId].sort());
    expect(JSON.stringify(listed)).not.toContain(created.AccessKeySecret);
    expect(listed[0].LastUsedDate).toMatch(TIME);

    expect((await asGina('DeleteAccessKey', { UserAccessKeyId: gina.accessKeyId })).ErrorCode).toBe('ResourceInUse');
    ok(await pop(srv, second)('DeleteAccessKey', { UserAccessKeyId: gina.accessKeyId }));
    expect((await gatewayError(asGina('GetUserActiveTenant'))).code).toBe('InvalidAccessKeyId.NotFound');
  });

  it('a USER cannot touch another user\'s keys; an ADMIN can', async () => {
    const hank = await createUser(srv, 'hank');
    const ivy = await createUser(srv, 'ivy');
    const asHank = pop(srv, hank);
    expect((await asHank('CreateAccessKey', { UserId: ivy.userId })).ErrorCode).toBe('NoPermission');
    expect((await asHank('ListAccessKeys', { UserId: ivy.userId })).ErrorCode).toBe('NoPermission');
    expect((await asHank('UpdateAccessKey', { UserAccessKeyId: ivy.accessKeyId, Status: 'Inactive' })).ErrorCode).toBe('NoPermission');
    expect((await asHank('DeleteAccessKey', { UserAccessKeyId: ivy.accessKeyId })).ErrorCode).toBe('NoPermission');
    ok(await pop(srv, ivy)('GetUserActiveTenant'));
    const listed = ok(await admin('ListAccessKeys', { UserId: ivy.userId })).AccessKeys.AccessKey;
    expect(listed).toHaveLength(1);
    expect((await admin('UpdateAccessKey', { UserAccessKeyId: 'LTAInope', Status: 'Inactive' })).ErrorCode).toBe('ResourceNotFound');
  });
});

describe('tenants', () => {
  it('CreateTenant (system administrator), RegisterUser into it with Tid, ListUserTenants', async () => {
    const tid = ok(await admin('CreateTenant', { TenantName: 'analytics' })).Tid;
    expect(typeof tid).toBe('number');
    const tenants = ok(await admin('ListUserTenants')).TenantList;
    expect(tenants).toEqual([
      { Tid: srv.admin.tid, TenantName: 'default', Status: 'ACTIVE' },
      { Tid: tid, TenantName: 'analytics', Status: 'IN_ACTIVE' },
    ]);
    expect(ok(await admin('GetUserActiveTenant', { Tid: tid })).Tenant).toEqual({ Tid: tid, TenantName: 'analytics', Status: 'ACTIVE' });
    ok(await admin('RegisterUser', { Tid: tid, Uid: 'alice', RoleNames: 'ADMIN' }));
    const alice = ok(await admin('GetUser', { Tid: tid, Uid: 'alice' })).User;
    expect(alice.RoleNameList.RoleNames).toEqual(['ADMIN']);
    // roles are per tenant: in the default tenant alice is still USER,DBA
    expect(ok(await admin('GetUser', { Uid: 'alice' })).User.RoleNameList.RoleNames).toEqual(['USER', 'DBA']);
  });

  it('only a system administrator creates tenants or grants that right', async () => {
    const jack = await createUser(srv, 'jack', 'ADMIN');
    const asJack = pop(srv, jack);
    expect((await asJack('CreateTenant', { TenantName: 'nope' })).ErrorCode).toBe('NoPermission');
    expect((await asJack('SetSystemAdmin', { UserId: jack.userId, Enabled: true })).ErrorCode).toBe('NoPermission');
    ok(await admin('SetSystemAdmin', { UserId: jack.userId, Enabled: true }));
    ok(await asJack('CreateTenant', { TenantName: 'jacks' }));
  });
});

describe('RealLoginUserUid', () => {
  it('is accepted only where DMS accepts it; on the Actions of this group it is not a parameter', async () => {
    // None of the identity Actions lists RealLoginUserUid, so it is ignored like any unknown parameter.
    const body = ok(await admin('GetUserActiveTenant', { RealLoginUserUid: 'alice' }));
    expect(body.Tenant.Tid).toBe(srv.admin.tid);
  });
});

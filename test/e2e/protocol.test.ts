/**
 * The DMS protocol through the real clients over loopback: both signature schemes, GET and POST,
 * the three error shapes, and every signature failure (wrong secret, tampered parameter, tampered
 * body, replayed nonce, expired timestamp, unknown key, inactive key).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type Proxy } from '../helpers/proxy.js';
import { createUser, gatewayError, ok, openapi, pop, startTestServer, type TestServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default as { getRPCSignature(p: Record<string, string>, m: string, s: string): string };

let srv: TestServer;
let proxy: Proxy;
const viaProxy = () => ({ url: `http://127.0.0.1:${proxy.port}`, port: proxy.port });

beforeAll(async () => {
  srv = await startTestServer();
  proxy = await startProxy(srv.port);
});
afterAll(async () => {
  await proxy?.close();
  await srv?.close();
});

describe('real clients reach the same Action', () => {
  it('pop-core POST (all parameters in the form body) and GET (all in the query)', async () => {
    const call = pop(srv, srv.admin);
    for (const method of ['POST', 'GET'] as const) {
      const body = ok(await call('GetUserActiveTenant', {}, method));
      expect(body.Tenant).toEqual({ Tid: srv.admin.tid, TenantName: 'default', Status: 'ACTIVE' });
      expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
      expect(body).not.toHaveProperty('ErrorCode');
    }
  });

  it('openapi-client V3 (ACS3-HMAC-SHA256) POST and GET, and the legacy v2 path', async () => {
    for (const version of ['v3', 'v2'] as const) {
      const call = openapi(srv, srv.admin, version);
      for (const method of ['POST', 'GET'] as const) {
        const res = await call('ListUserTenants', { Tid: srv.admin.tid }, undefined, method);
        expect(res.statusCode).toBe(200);
        expect(res.body.Success).toBe(true);
        expect(res.body.TenantList).toEqual([{ Tid: srv.admin.tid, TenantName: 'default', Status: 'ACTIVE' }]);
        expect(res.headers['x-acs-request-id']).toBe(res.body.RequestId);
      }
    }
  });

  it('openapi-client with a form body parameter (V3 hashes the chunked body)', async () => {
    const res = await openapi(srv, srv.admin)('RegisterUser', { Uid: 'bodyuser' }, { UserNick: 'Zoë from the body', RoleNames: 'USER' });
    expect(res.body.Success).toBe(true);
    const user = ok(await pop(srv, srv.admin)('GetUser', { Uid: 'bodyuser' })).User;
    expect(user.NickName).toBe('Zoë from the body');
  });

  it('answers Format=XML with an <ActionResponse> root', async () => {
    const res = await fetch(signedV1Url({ Action: 'GetUserActiveTenant', Format: 'XML' }));
    expect(res.headers.get('content-type')).toContain('text/xml');
    const text = await res.text();
    expect(text).toMatch(/<GetUserActiveTenantResponse><RequestId>[0-9A-F-]+<\/RequestId><Success>true<\/Success><Tenant><Tid>1<\/Tid>/);
  });
});

/** A V1 GET URL signed with the clients' own signing code (openapi-util), for hand-made cases. */
function signedV1Url(params: Record<string, string>, opts: { timestamp?: string; secret?: string; nonce?: string } = {}): string {
  const all: Record<string, string> = {
    Version: '2018-11-01',
    Format: 'JSON',
    AccessKeyId: srv.admin.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: opts.nonce ?? `n-${Math.random().toString(16).slice(2)}`,
    Timestamp: opts.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...params,
  };
  const signature = OpenApiUtil.getRPCSignature(all, 'GET', opts.secret ?? srv.admin.accessKeySecret);
  return `${srv.url}/?${new URLSearchParams({ ...all, Signature: signature }).toString()}`;
}

describe('signature failures are gateway errors both clients throw on', () => {
  it('wrong secret: SignatureDoesNotMatch (pop-core, V3, v2)', async () => {
    const bad = { ...srv.admin, accessKeySecret: 'not-the-secret' };
    const e1 = await gatewayError(pop(srv, bad)('GetUserActiveTenant'));
    expect(e1.code).toBe('SignatureDoesNotMatch');
    expect(e1.data.HostId).toBe(`127.0.0.1:${srv.port}`);
    expect(e1.data.Recommend).toBe('docs/api/errors.md#signaturedoesnotmatch');
    const e2 = await gatewayError(openapi(srv, bad)('GetUserActiveTenant'));
    expect(e2.code).toBe('SignatureDoesNotMatch');
    expect(e2.statusCode).toBe(400);
    expect(e2.message).toContain('server StringToSign is [ACS3-HMAC-SHA256');
    const e3 = await gatewayError(openapi(srv, bad, 'v2')('GetUserActiveTenant'));
    expect(e3.code).toBe('SignatureDoesNotMatch');
  });

  it('tampered query parameter (V1 GET and V3)', async () => {
    proxy.setTransform((r) => ({ ...r, url: r.url.replace('UserNick=a', 'UserNick=b') }));
    try {
      const e1 = await gatewayError(pop(viaProxy(), srv.admin)('RegisterUser', { Uid: 'tq1', UserNick: 'a' }, 'GET'));
      expect(e1.code).toBe('SignatureDoesNotMatch');
      const e2 = await gatewayError(openapi(viaProxy(), srv.admin)('RegisterUser', { Uid: 'tq2', UserNick: 'a' }));
      expect(e2.code).toBe('SignatureDoesNotMatch');
    } finally {
      proxy.setTransform(undefined);
    }
    const list = ok(await pop(srv, srv.admin)('ListUsers', { SearchKey: 'tq' }));
    expect(list.TotalCount).toBe(0);
  });

  it('tampered body (pop-core POST form body, V3 form body with its hash header kept)', async () => {
    proxy.setTransform((r) => ({ ...r, body: Buffer.from(r.body.toString('utf8').replace('UserNick=a', 'UserNick=b')) }));
    try {
      const e1 = await gatewayError(pop(viaProxy(), srv.admin)('RegisterUser', { Uid: 'tb1', UserNick: 'a' }, 'POST'));
      expect(e1.code).toBe('SignatureDoesNotMatch');
      const e2 = await gatewayError(openapi(viaProxy(), srv.admin)('RegisterUser', { Uid: 'tb2' }, { UserNick: 'a' }));
      expect(e2.code).toBe('SignatureDoesNotMatch');
      expect(e2.message).toMatch(/body|content/i);
    } finally {
      proxy.setTransform(undefined);
    }
    expect(ok(await pop(srv, srv.admin)('ListUsers', { SearchKey: 'tb' })).TotalCount).toBe(0);
  });

  it('replayed nonce: SignatureNonceUsed, and the replay changes nothing', async () => {
    for (const client of [pop(viaProxy(), srv.admin), openapi(viaProxy(), srv.admin)]) {
      const first = await client('GetUserActiveTenant');
      expect('body' in first ? first.body.Success : first.Success).toBe(true);
      const replay = await proxy.replay(proxy.last());
      expect(replay.status).toBe(400);
      expect(replay.body.Code).toBe('SignatureNonceUsed');
    }
  });

  it('expired or malformed timestamp', async () => {
    const old = new Date(Date.now() - 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const future = new Date(Date.now() + 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const timestamp of [old, future]) {
      const res = await fetch(signedV1Url({ Action: 'GetUserActiveTenant' }, { timestamp }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).Code).toBe('InvalidTimeStamp.Expired');
    }
    const res = await fetch(signedV1Url({ Action: 'GetUserActiveTenant' }, { timestamp: '2026/01/01 00:00:00' }));
    expect(((await res.json()) as any).Code).toBe('InvalidTimeStamp.Format');
    // within the window it passes
    const fine = await fetch(signedV1Url({ Action: 'GetUserActiveTenant' }, { timestamp: new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }));
    expect(((await fine.json()) as any).Success).toBe(true);
  });

  it('unknown AccessKeyId: InvalidAccessKeyId.NotFound (404)', async () => {
    const ghost = { accessKeyId: 'LTAIdoesnotexist00000000', accessKeySecret: 'x' };
    const e1 = await gatewayError(pop(srv, ghost)('GetUserActiveTenant'));
    expect(e1.code).toBe('InvalidAccessKeyId.NotFound');
    const e2 = await gatewayError(openapi(srv, ghost)('GetUserActiveTenant'));
    expect(e2.code).toBe('InvalidAccessKeyId.NotFound');
    expect(e2.statusCode).toBe(404);
  });

  it('inactive key cannot call anything; reactivated it works again', async () => {
    const u = await createUser(srv, 'keyowner');
    const admin = pop(srv, srv.admin);
    ok(await admin('UpdateAccessKey', { UserAccessKeyId: u.accessKeyId, Status: 'Inactive' }));
    const e = await gatewayError(pop(srv, u)('GetUserActiveTenant'));
    expect(e.code).toBe('InvalidAccessKeyId.Inactive');
    const e3 = await gatewayError(openapi(srv, u)('GetUserActiveTenant'));
    expect(e3.code).toBe('InvalidAccessKeyId.Inactive');
    ok(await admin('UpdateAccessKey', { UserAccessKeyId: u.accessKeyId, Status: 'Active' }));
    ok(await pop(srv, u)('GetUserActiveTenant'));
  });
});

describe('errors before and inside an Action', () => {
  it('unknown Action: InvalidApi.NotFound (404)', async () => {
    const e = await gatewayError(pop(srv, srv.admin)('NoSuchAction'));
    expect(e.code).toBe('InvalidApi.NotFound');
    const e2 = await gatewayError(openapi(srv, srv.admin)('NoSuchAction'));
    expect(e2.statusCode).toBe(404);
  });

  it('missing and ill-typed parameters name the parameter (400)', async () => {
    const e1 = await gatewayError(pop(srv, srv.admin)('RegisterUser', {}));
    expect(e1.code).toBe('MissingUid');
    expect(e1.message).toContain('Uid is mandatory for this action.');
    const e2 = await gatewayError(pop(srv, srv.admin)('ListUsers', { PageSize: 'ten' }));
    expect(e2.code).toBe('InvalidPageSize');
    expect(e2.message).toContain('PageSize');
    const e3 = await gatewayError(openapi(srv, srv.admin)('ListUsers', { UserState: 'SLEEPING' }));
    expect(e3.code).toBe('InvalidUserState');
    expect(e3.statusCode).toBe(400);
    const e4 = await gatewayError(pop(srv, srv.admin)('ListUsers', { Tid: 'abc' }));
    expect(e4.code).toBe('InvalidTid');
  });

  it('a business error is HTTP 200 with Success:false, ErrorCode and ErrorMessage (no Code field)', async () => {
    const body = await pop(srv, srv.admin)('GetUser', { Uid: 'nobody-here' });
    expect(body).toMatchObject({ Success: false, ErrorCode: 'UserNotExist', ErrorMessage: 'The specified user not exists.' });
    expect(body).not.toHaveProperty('Code');
    const res = await openapi(srv, srv.admin)('GetUser', { Uid: 'nobody-here' });
    expect(res.statusCode).toBe(200);
    expect(res.body.ErrorCode).toBe('UserNotExist');
  });

  it('the version must be 2018-11-01', async () => {
    const res = await fetch(signedV1Url({ Action: 'GetUserActiveTenant', Version: '2020-01-01' }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).Code).toBe('InvalidVersion');
  });

  it('structured parameters arrive as JSON text or flattened Name.1 lists', async () => {
    // RoleNames as a plain comma list is what the SDK sends; ListUsers paging accepts defaults.
    const call = pop(srv, srv.admin);
    ok(await call('RegisterUser', { Uid: 'flat1', RoleNames: 'USER,DBA' }));
    const u = ok(await call('GetUser', { Uid: 'flat1' })).User;
    expect(u.RoleNameList.RoleNames).toEqual(['USER', 'DBA']);
    expect(u.RoleIdList.RoleIds).toEqual([1, 2]);
  });
});

describe('health', () => {
  it('GET /healthz answers 200 while the store answers', async () => {
    const res = await fetch(`${srv.url}/healthz`);
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toEqual({ status: 'ok', store: 'sqlite' });
  });
});

/**
 * SetUserPassword (console user administration) through the real client: an ADMIN gives a member a
 * console password, which then logs in (and ends the member's sessions); role, password rule and
 * the cross-tenant guard (a user who is also in a tenant the caller does not administer).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUser, ok, pop, startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let admin: ReturnType<typeof pop>;

const login = async (uid: string, password: string) => {
  const res = await fetch(`${srv.url}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, password }) });
  return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '' };
};

beforeAll(async () => {
  srv = await startTestServer();
  admin = pop(srv, srv.admin);
});
afterAll(async () => srv?.close());

it('an ADMIN sets a member password: the member logs in with it, and older sessions end', async () => {
  const adam = pop(srv, await createUser(srv, 'adam', 'ADMIN'));
  await createUser(srv, 'mila', 'USER');
  expect((await login('mila', 'Mila-first-pass-1')).status).toBe(401);
  ok(await adam('SetUserPassword', { Uid: 'mila', Password: 'Mila-first-pass-1' }));
  const first = await login('mila', 'Mila-first-pass-1');
  expect(first.status).toBe(200);
  const session = () => fetch(`${srv.url}/console/api/session`, { headers: { cookie: first.cookie } }).then((r) => r.status);
  expect(await session()).toBe(200);

  ok(await adam('SetUserPassword', { Uid: 'mila', Password: 'Mila-second-pass-2' }));
  expect(await session()).toBe(401);
  expect((await login('mila', 'Mila-first-pass-1')).status).toBe(401);
  expect((await login('mila', 'Mila-second-pass-2')).status).toBe(200);
});

it('refuses non-admins, weak passwords, strangers and users of a tenant the caller does not administer', async () => {
  const adam = pop(srv, await createUser(srv, 'adam2', 'ADMIN'));
  const usha = pop(srv, await createUser(srv, 'usha', 'USER'));
  await createUser(srv, 'nina', 'USER');

  expect(await usha('SetUserPassword', { Uid: 'nina', Password: 'Nina-pass-12345' })).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
  const weak = await adam('SetUserPassword', { Uid: 'nina', Password: 'short' });
  expect(weak).toMatchObject({ Success: false, ErrorCode: 'InvalidPassword' });
  expect(weak.ErrorMessage).toMatch(/10 to 200 characters/);
  expect((await adam('SetUserPassword', { Uid: 'nobody', Password: 'Nobody-pass-123' })).ErrorCode).toBe('UserNotExist');
  expect((await login('nina', 'Nina-pass-12345')).status).toBe(401);

  // nina also joins tenant B, which adam2 does not administer: his tenant's ADMIN role is not enough.
  const tidB = ok(await admin('CreateTenant', { TenantName: 'tenant-pw' })).Tid;
  ok(await admin('RegisterUser', { Uid: 'nina', RoleNames: 'USER', Tid: tidB }));
  const cross = await adam('SetUserPassword', { Uid: 'nina', Password: 'Nina-pass-12345' });
  expect(cross).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
  expect(cross.ErrorMessage).toMatch(/also a member of tenant/);
  expect((await login('nina', 'Nina-pass-12345')).status).toBe(401);
  // The deployment administrator (ADMIN of both) may.
  ok(await admin('SetUserPassword', { Uid: 'nina', Password: 'Nina-pass-12345' }));
  expect((await login('nina', 'Nina-pass-12345')).status).toBe(200);
});

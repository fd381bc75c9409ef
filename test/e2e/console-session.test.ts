/**
 * The web console's sessions over real HTTP (fetch, as a browser sends it): login with a password
 * set by `setPassword` (what `opendms user set-password` calls), the cookie's flags, Actions run
 * through /console/api/rpc with the same rules as signed calls (roles, tenant), CSRF, rate-limited
 * failed logins, idle expiry, password change ending other sessions, logout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPassword } from '../../src/modules/identity/sessions.js';
import { purgeConsoleSessionsTask } from '../../src/tasks/purge-console-sessions.task.js';
import { createUser, ok, pop, startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
const PASSWORD = 'Correct-horse-9';

beforeAll(async () => {
  srv = await startTestServer({ env: { OPENDMS_LOGIN_MAX_FAILURES: '3', OPENDMS_SESSION_IDLE_MINUTES: '1' } });
  await createUser(srv, 'ulla', 'USER');
  await setPassword(srv.server.deps, 'ulla', PASSWORD);
  await setPassword(srv.server.deps, 'admin', 'Admin-password-1');
});
afterAll(async () => {
  await srv?.close();
});

interface Session {
  cookie: string;
  csrf: string;
}

async function post(path: string, body: unknown, s?: Session, csrf = s?.csrf): Promise<{ status: number; body: any; setCookie: string | null }> {
  const res = await fetch(`${srv.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(s ? { cookie: s.cookie } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), setCookie: res.headers.get('set-cookie') };
}

async function loginAs(uid: string, password: string): Promise<Session> {
  const r = await post('/console/api/login', { uid, password });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { cookie: r.setCookie!.split(';')[0]!, csrf: r.body.CsrfToken };
}

/** An Action through the console bridge (form-encoded, as for the RPC endpoint). */
async function rpc(s: Session | undefined, action: string, params: Record<string, string> = {}, csrf = s?.csrf) {
  const res = await fetch(`${srv.url}/console/api/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(s ? { cookie: s.cookie } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: new URLSearchParams({ Action: action, Version: '2018-11-01', ...params }).toString(),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('console sessions', () => {
  it('logs in with a password and sets an HttpOnly, SameSite=Strict cookie', async () => {
    const r = await post('/console/api/login', { uid: 'ulla', password: PASSWORD });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Success: true, User: { Uid: 'ulla', NickName: 'ulla' }, CsrfToken: expect.any(String) });
    expect(r.setCookie).toMatch(/^opendms_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const s = { cookie: r.setCookie!.split(';')[0]!, csrf: r.body.CsrfToken };
    const again = await fetch(`${srv.url}/console/api/session`, { headers: { cookie: s.cookie } }).then((x) => x.json());
    expect(again).toMatchObject({ Success: true, User: { Uid: 'ulla' }, CsrfToken: s.csrf });
  });

  it('runs Actions as the session user, with that user\'s roles', async () => {
    const ulla = await loginAs('ulla', PASSWORD);
    const mine = await rpc(ulla, 'ListOrders', { OrderResultType: 'AS_ADMIN' });
    expect(mine.body).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    const ok1 = await rpc(ulla, 'ListOrders', { OrderResultType: 'AS_COMMITTER' });
    expect(ok1.status).toBe(200);
    expect(ok1.body).toMatchObject({ Success: true, TotalCount: 0 });
    // A user-only Action: the admin registers one, ulla may not.
    expect((await rpc(ulla, 'RegisterUser', { Uid: 'x1', UserNick: 'x1', RoleNames: 'USER' })).body).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    const admin = await loginAs('admin', 'Admin-password-1');
    expect((await rpc(admin, 'RegisterUser', { Uid: 'x1', UserNick: 'x1', RoleNames: 'USER' })).body).toMatchObject({ Success: true });
    // Validation is the Action's own.
    expect((await rpc(admin, 'GetOrderBaseInfo', {})).body).toMatchObject({ Code: 'MissingOrderId' });
  });

  it('refuses a request without the CSRF token or without a session', async () => {
    const s = await loginAs('ulla', PASSWORD);
    expect(await rpc(s, 'ListOrders', {}, '')).toMatchObject({ status: 403, body: { Code: 'InvalidCsrfToken' } });
    expect(await rpc(s, 'ListOrders', {}, 'x'.repeat(43))).toMatchObject({ status: 403, body: { Code: 'InvalidCsrfToken' } });
    expect(await rpc(undefined, 'ListOrders')).toMatchObject({ status: 401, body: { Code: 'NotLoggedIn' } });
    expect(await rpc({ cookie: 'opendms_session=forged', csrf: s.csrf }, 'ListOrders')).toMatchObject({ status: 401, body: { Code: 'NotLoggedIn' } });
    expect((await post('/console/api/logout', {}, s, '')).status).toBe(403);
  });

  it('rate-limits failed logins per user, whatever the password', async () => {
    await createUser(srv, 'gus', 'USER');
    await setPassword(srv.server.deps, 'gus', 'Gus-password-77');
    for (let k = 0; k < 3; k++) expect((await post('/console/api/login', { uid: 'gus', password: `wrong-${k}` })).body).toMatchObject({ Code: 'InvalidCredentials' });
    const blocked = await post('/console/api/login', { uid: 'gus', password: 'Gus-password-77' });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ Code: 'Throttling.User', Message: expect.stringMatching(/try again in \d+ s/) });
    // An operator resetting the password lifts it.
    await setPassword(srv.server.deps, 'gus', 'Gus-password-78');
    await loginAs('gus', 'Gus-password-78');
    // A user without a password cannot log in.
    await createUser(srv, 'nopw', 'USER');
    expect((await post('/console/api/login', { uid: 'nopw', password: 'anything-12' })).status).toBe(401);
    expect((await post('/console/api/login', { uid: 'ulla' })).body).toMatchObject({ Code: 'MissingPassword' });
  });

  it('ends a session after its idle time, at logout, and when the password changes', async () => {
    const deps = srv.server.deps as { now: () => number };
    const realNow = deps.now;
    const idle = await loginAs('ulla', PASSWORD);
    try {
      deps.now = () => realNow() + 61_000;
      expect(await rpc(idle, 'ListOrders', { OrderResultType: 'AS_COMMITTER' })).toMatchObject({ status: 401, body: { Code: 'SessionExpired' } });
    } finally {
      deps.now = realNow;
    }

    const a = await loginAs('ulla', PASSWORD);
    const b = await loginAs('ulla', PASSWORD);
    expect((await post('/console/api/password', { current: 'wrong', next: 'Another-pass-1' }, a)).body).toMatchObject({ Code: 'InvalidPassword' });
    expect((await post('/console/api/password', { current: PASSWORD, next: 'short' }, a)).body).toMatchObject({ Code: 'InvalidNewPassword' });
    expect((await post('/console/api/password', { current: PASSWORD, next: 'Another-pass-1' }, a)).body).toMatchObject({ Success: true });
    expect((await rpc(b, 'ListOrders', { OrderResultType: 'AS_COMMITTER' })).status).toBe(401);
    expect((await rpc(a, 'ListOrders', { OrderResultType: 'AS_COMMITTER' })).body).toMatchObject({ Success: true });
    const out = await post('/console/api/logout', {}, a);
    expect(out.setCookie).toMatch(/^opendms_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    expect((await rpc(a, 'ListOrders', { OrderResultType: 'AS_COMMITTER' })).status).toBe(401);
    await loginAs('ulla', 'Another-pass-1');
    // Signed calls are unaffected by all of this.
    ok(await pop(srv, srv.admin)('ListOrders', { OrderResultType: 'AS_ADMIN' }));
  });

  it('purges sessions a day after they ended', async () => {
    const db = srv.server.deps.db;
    const count = async () => Number((await db.selectFrom('console_session').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const live = await count();
    const s = await loginAs('ulla', 'Another-pass-1');
    await post('/console/api/logout', {}, s);
    expect(await count()).toBe(live + 1);
    const run = (hoursLater: number) => purgeConsoleSessionsTask({ db, now: () => Date.now() + hoursLater * 3_600_000 })({}, { attempt: 1, signal: new AbortController().signal } as never);
    // 25 h later: the revoked ones ended over a day ago; the others still run to their 12 h end.
    await run(25);
    const left = await db.selectFrom('console_session').select(['revoked_at']).execute();
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((r) => r.revoked_at === null)).toBe(true);
    // 37 h later: they too ended over a day ago.
    await run(37);
    expect(await count()).toBe(0);
  });
});

/**
 * Two OpenDMS processes' worth of servers on one PostgreSQL store (production mode basics): the
 * store is bootstrapped once, what one writes the other serves, and a request replayed from one
 * to the other is refused (nonces live in the store).
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startProxy, type Proxy } from '../helpers/proxy.js';
import { createPgSchema, describeWithServer, PG_URL } from '../helpers/servers.js';
import { ok, openapi, pop, startTestServer, type TestServer } from '../helpers/server.js';

await describeWithServer('postgres', 'two servers on one PostgreSQL store', () => {
  let a: TestServer;
  let b: TestServer;
  let proxy: Proxy;
  let drop: () => Promise<void>;
  let schema: string;

  beforeAll(async () => {
    ({ schema, drop } = await createPgSchema('opendms_pair'));
    const env = { OPENDMS_DATABASE_URL: PG_URL, OPENDMS_DATABASE_SCHEMA: schema, OPENDMS_MASTER_KEY: crypto.randomBytes(32).toString('hex') };
    [a, b] = await Promise.all([startTestServer({ env, demo: true }), startTestServer({ env, demo: true })]);
    proxy = await startProxy(a.port);
  });
  afterAll(async () => {
    await proxy?.close();
    await a?.close();
    await b?.close();
    await drop?.();
    const c = new pg.Client(PG_URL);
    await c.connect();
    await c.query(`drop schema if exists ${schema}_jobs cascade`);
    await c.end();
  });

  it('bootstraps one tenant, one admin and one demo database, whichever process started first', async () => {
    expect(a.admin).toMatchObject({ userId: b.admin.userId, tid: b.admin.tid });
    const tenants = ok(await pop(b, b.admin)('ListUserTenants')).TenantList;
    expect(tenants).toHaveLength(1);
    const instances = ok(await pop(a, a.admin)('ListInstances')).InstanceList.Instance;
    expect(instances).toHaveLength(1);
  });

  it('what one server writes, the other serves', async () => {
    ok(await pop(a, a.admin)('RegisterUser', { Uid: 'shared-user', UserNick: 'Łukasz' }));
    const u = ok(await openapi(b, b.admin)('GetUser', { Uid: 'shared-user' }).then((r) => r.body)).User;
    expect(u.NickName).toBe('Łukasz');
  });

  it('a request replayed against the other process is refused: SignatureNonceUsed', async () => {
    for (const client of [pop({ url: `http://127.0.0.1:${proxy.port}`, port: proxy.port }, a.admin), openapi({ url: `http://127.0.0.1:${proxy.port}`, port: proxy.port }, a.admin)]) {
      await client('GetUserActiveTenant');
      // The same bytes, Host header included (V3 signs it), sent to the other process.
      const res = await proxy.replay(proxy.last(), b.port);
      expect(res.status).toBe(400);
      expect(res.body.Code).toBe('SignatureNonceUsed');
    }
  });
});

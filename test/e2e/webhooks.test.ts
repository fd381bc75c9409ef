/**
 * Webhooks through the real clients: a receiver on 127.0.0.1 gets signed ticket events (CREATE,
 * CLOSE) with their recipients; retries with backoff end SUCCESS or FAIL in the delivery log;
 * event filters; tenant isolation; ADMIN-only management; the network guard.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, ok, pop, startTestServer, type Body, type Key, type TestServer } from '../helpers/server.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_ATTEMPTS = 4;
let srv: TestServer;
let admin: ReturnType<typeof pop>;
let alice: Key & { userId: number };
let bob: Key & { userId: number };
let receiver: http.Server;
let base: string;
const received: Received[] = [];
const flakyCalls = new Map<string, number>();

/** /flaky fails twice per event then answers 200; /down always 503; every other path 200. */
function startReceiver(): Promise<void> {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      let status = 200;
      if (r.path === '/down') status = 503;
      if (r.path === '/flaky') {
        const id = String(req.headers['x-opendms-event-id']);
        const n = (flakyCalls.get(id) ?? 0) + 1;
        flakyCalls.set(id, n);
        if (n <= 2) status = 500;
      }
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver says no');
    });
  });
  return new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
}

const at = (path: string) => received.filter((r) => r.path === path);
const json = (r: Received): Body => JSON.parse(r.body);

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a receiver does: HMAC-SHA256 over `<timestamp>.<raw body>`, compared in constant time. */
function signatureValid(r: Received, secret: string): boolean {
  const ts = String(r.headers['x-opendms-timestamp']);
  const given = Buffer.from(String(r.headers['x-opendms-signature']));
  const expected = Buffer.from(`sha256=${crypto.createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
}

beforeAll(async () => {
  await startReceiver();
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  srv = await startTestServer({
    demo: true,
    env: { OPENDMS_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', OPENDMS_WEBHOOK_BACKOFF_SECONDS: '0.2', OPENDMS_WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS) },
  });
  admin = pop(srv, srv.admin);
  alice = await createUser(srv, 'alice');
  bob = await createUser(srv, 'bob');
});
afterAll(async () => {
  await srv?.close();
  await new Promise((r) => receiver?.close(r));
});

describe('ticket events reach the webhooks', () => {
  const hooks: Record<string, { id: number; secret: string }> = {};
  let orderId: number;
  let tenantB: number;

  beforeAll(async () => {
    const create = async (name: string, params: Record<string, unknown> = {}) => {
      const res = ok(await admin('CreateWebhook', { Url: `${base}/${name}`, ...params }));
      hooks[name] = { id: res.Webhook.WebhookId, secret: res.Secret };
    };
    await create('all');
    await create('close-only', { Events: 'close', Secret: 'a-secret-of-my-own-choice' });
    await create('flaky');
    await create('down');
    tenantB = ok(await admin('CreateTenant', { TenantName: 'webhooks-b' })).Tid;
    await create('tenant-b', { Tid: tenantB });

    const dbId = Number(ok(await admin('ListDatabases', { InstanceId: 1 })).DatabaseList.Database[0].DatabaseId);
    const call = pop(srv, alice);
    const created = ok(
      // NDDL: a type without a precheck, so the ticket's only events are CREATE and CLOSE.
      await call('CreateOrder', { Comment: 'export for finance', PluginType: 'NDDL', PluginParam: JSON.stringify({ title: 'finance', dbId }), RelatedUserList: String(bob.userId) }),
    );
    orderId = created.CreateOrderResult.OrderIds[0];
    ok(await call('CloseOrder', { OrderId: orderId, CloseReason: 'not needed any more' }));
  });

  it('returns the secret once: generated (or given) on create, never listed', async () => {
    expect(hooks.all!.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(hooks['close-only']!.secret).toBe('a-secret-of-my-own-choice');
    const list = ok(await admin('ListWebhooks')).Webhooks.Webhook as Body[];
    expect(list.map((w) => w.WebhookId)).toEqual(['all', 'close-only', 'flaky', 'down'].map((n) => hooks[n]!.id));
    expect(list[1]).toMatchObject({ Url: `${base}/close-only`, Events: { Event: ['CLOSE'] }, Enabled: true, CreatorId: srv.admin.userId });
    expect(list[0]!.Events).toEqual({ Event: [] });
    const text = JSON.stringify(list);
    expect(text).not.toContain('Secret');
    for (const h of Object.values(hooks)) expect(text).not.toContain(h.secret);
  });

  it('POSTs signed CREATE and CLOSE payloads with operator and recipients', async () => {
    await waitFor('CREATE and CLOSE at /all', () => at('/all').length >= 2);
    const [create, close] = at('/all');
    for (const r of [create!, close!]) {
      expect(signatureValid(r, hooks.all!.secret)).toBe(true);
      expect(signatureValid(r, 'some-other-secret-value')).toBe(false);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.headers['x-opendms-event-id']).toBe(String(json(r).EventId));
      expect(r.headers['x-opendms-event-type']).toBe(json(r).EventType);
    }
    const alicePerson = { UserId: alice.userId, NickName: 'alice' };
    const recipients = { Committer: alicePerson, RelatedUsers: [{ UserId: bob.userId, NickName: 'bob' }], CurrentHandlers: [] };
    expect(json(create!)).toMatchObject({
      EventType: 'CREATE',
      OrderId: orderId,
      PluginType: 'NDDL',
      Tid: srv.admin.tid,
      Operator: alicePerson,
      FromStatus: null,
      ToStatus: 'new',
      Comment: 'export for finance',
      Recipients: recipients,
    });
    expect(json(close!)).toMatchObject({ EventType: 'CLOSE', OrderId: orderId, Operator: alicePerson, FromStatus: 'new', ToStatus: 'closed', Comment: 'not needed any more', Recipients: recipients });
    expect(json(close!)).not.toHaveProperty('RealLoginUser');
    expect(json(close!).EventId).toBeGreaterThan(json(create!).EventId);
    expect(json(create!).OccurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(json(create!).OperateTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // The same events as the audit trail.
    const events = ok(await pop(srv, alice)('ListOrderEvents', { OrderId: orderId })).Events.Event as Body[];
    expect(events.map((e) => [e.EventId, e.Action])).toEqual([create!, close!].map((r) => [json(r).EventId, json(r).EventType]));
  });

  it('a webhook filtered to CLOSE gets only CLOSE', async () => {
    await waitFor('CLOSE at /close-only', () => at('/close-only').length >= 1);
    await waitFor('/all done', () => at('/all').length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(at('/close-only').map((r) => json(r).EventType)).toEqual(['CLOSE']);
    expect(signatureValid(at('/close-only')[0]!, 'a-secret-of-my-own-choice')).toBe(true);
  });

  it('a receiver that fails twice then answers 200: 3 attempts, SUCCESS', async () => {
    const log = async () => ok(await admin('ListWebhookDeliveries', { WebhookId: hooks.flaky!.id })).Deliveries.Delivery as Body[];
    await waitFor('flaky deliveries to succeed', async () => (await log()).filter((d) => d.Status === 'SUCCESS').length === 2);
    const deliveries = await log();
    expect(deliveries.map((d) => d.EventType)).toEqual(['CLOSE', 'CREATE']); // newest first
    for (const d of deliveries) {
      expect(d).toMatchObject({ OrderId: orderId, Status: 'SUCCESS', Attempts: 3, MaxAttempts: MAX_ATTEMPTS, LastHttpStatus: 200 });
      expect(d).not.toHaveProperty('LastError');
      expect(d).not.toHaveProperty('NextAttemptTime');
      expect(d.FinishTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
    // Every attempt carries the same body and the same event id, each freshly signed.
    const attempts = at('/flaky').filter((r) => json(r).EventType === 'CREATE');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
    for (const r of attempts) expect(signatureValid(r, hooks.flaky!.secret)).toBe(true);
  });

  it('a receiver that always fails: FAIL after MaxAttempts, with the last status and error', async () => {
    const log = async () => ok(await admin('ListWebhookDeliveries', { WebhookId: hooks.down!.id })).Deliveries.Delivery as Body[];
    await waitFor('down deliveries to fail', async () => (await log()).filter((d) => d.Status === 'FAIL').length === 2);
    for (const d of await log()) {
      expect(d).toMatchObject({ Status: 'FAIL', Attempts: MAX_ATTEMPTS, MaxAttempts: MAX_ATTEMPTS, LastHttpStatus: 503, LastError: 'HTTP 503: receiver says no' });
    }
    expect(at('/down')).toHaveLength(2 * MAX_ATTEMPTS);
    const failed = ok(await admin('ListWebhookDeliveries', { WebhookId: hooks.down!.id, Status: 'FAIL', PageSize: 1 }));
    expect(failed.TotalCount).toBe(2);
    expect(failed.Deliveries.Delivery).toHaveLength(1);
    expect(ok(await admin('ListWebhookDeliveries', { WebhookId: hooks.down!.id, Status: 'PENDING' })).TotalCount).toBe(0);
  });

  it("another tenant's webhook never receives this tenant's events, nor is it visible here", async () => {
    await waitFor('tenant A deliveries done', () => at('/all').length >= 2 && at('/close-only').length >= 1);
    expect(at('/tenant-b')).toHaveLength(0);
    expect(ok(await admin('ListWebhooks', { Tid: tenantB })).Webhooks.Webhook.map((w: Body) => w.WebhookId)).toEqual([hooks['tenant-b']!.id]);
    const res = await admin('ListWebhookDeliveries', { WebhookId: hooks['tenant-b']!.id });
    expect(res).toMatchObject({ Success: false, ErrorCode: 'ResourceNotFound' });
    expect((await admin('DeleteWebhook', { WebhookId: hooks['tenant-b']!.id })).ErrorCode).toBe('ResourceNotFound');
    expect((await admin('ListWebhookDeliveries', { Tid: tenantB, WebhookId: hooks['tenant-b']!.id })).TotalCount).toBe(0);
  });
});

describe('managing webhooks', () => {
  it('a USER cannot manage webhooks', async () => {
    const call = pop(srv, alice);
    for (const [action, params] of [
      ['CreateWebhook', { Url: `${base}/x` }],
      ['ListWebhooks', {}],
      ['UpdateWebhook', { WebhookId: 1, Enabled: false }],
      ['DeleteWebhook', { WebhookId: 1 }],
      ['ListWebhookDeliveries', { WebhookId: 1 }],
      ['TestWebhook', { WebhookId: 1 }],
    ] as const) {
      expect(await call(action, params), action).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    }
  });

  it('refuses loopback, private and link-local targets not allowed, other schemes and bad filters', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ Url: 'http://127.0.0.2:9/hook' }, 'InvalidUrl', /127\.0\.0\.2 is loopback, private/],
      [{ Url: 'http://[::1]:9/hook' }, 'InvalidUrl', /::1/],
      [{ Url: 'http://169.254.169.254/latest/meta-data' }, 'InvalidUrl', /169\.254\.169\.254/],
      [{ Url: 'http://10.1.2.3/hook' }, 'InvalidUrl', /OPENDMS_WEBHOOK_ALLOWED_HOSTS/],
      [{ Url: 'http://[::ffff:127.0.0.3]/hook' }, 'InvalidUrl', /not in the allowed hosts/],
      [{ Url: 'ftp://127.0.0.1/hook' }, 'InvalidUrl', /only http and https/],
      [{ Url: 'http://user:pw@127.0.0.1/hook' }, 'InvalidUrl', /credentials/],
      [{ Url: 'not a url' }, 'InvalidUrl', /absolute URL/],
      [{ Url: `${base}/x`, Events: 'CLOSE,EXPLODE' }, 'InvalidEvents', /EXPLODE/],
      [{ Url: `${base}/x`, Secret: 'short' }, 'InvalidSecret', /16 to 256/],
    ];
    for (const [params, code, message] of cases) {
      const res = await admin('CreateWebhook', params);
      expect(res, JSON.stringify(params)).toMatchObject({ Success: false, ErrorCode: code });
      expect(res.ErrorMessage).toMatch(message);
    }
  });

  it('updates, tests (signed PING), regenerates the secret and deletes', async () => {
    const created = ok(await admin('CreateWebhook', { Url: `${base}/manage`, Events: '["SUBMIT","REJECT"]' }));
    const id = created.Webhook.WebhookId;
    expect(created.Webhook.Events).toEqual({ Event: ['SUBMIT', 'REJECT'] });

    const updated = ok(await admin('UpdateWebhook', { WebhookId: id, Events: '[]', Enabled: false, Url: `${base}/managed` }));
    expect(updated.Webhook).toMatchObject({ Url: `${base}/managed`, Events: { Event: [] }, Enabled: false });
    expect(updated).not.toHaveProperty('Secret');
    expect((await admin('UpdateWebhook', { WebhookId: id, Url: 'http://127.0.0.9/' })).ErrorCode).toBe('InvalidUrl');

    const tested = ok(await admin('TestWebhook', { WebhookId: id })).Result;
    expect(tested).toMatchObject({ Delivered: true, HttpStatus: 200 });
    const ping = at('/managed').at(-1)!;
    expect(json(ping)).toMatchObject({ EventType: 'PING', EventId: 0, WebhookId: id, Tid: srv.admin.tid });
    expect(signatureValid(ping, created.Secret)).toBe(true);

    const rotated = ok(await admin('UpdateWebhook', { WebhookId: id, RegenerateSecret: true }));
    expect(rotated.Secret).toMatch(/^whsec_/);
    expect(rotated.Secret).not.toBe(created.Secret);
    ok(await admin('TestWebhook', { WebhookId: id }));
    expect(signatureValid(at('/managed').at(-1)!, rotated.Secret)).toBe(true);

    ok(await admin('DeleteWebhook', { WebhookId: id }));
    expect((await admin('ListWebhookDeliveries', { WebhookId: id })).ErrorCode).toBe('ResourceNotFound');
    expect((await admin('DeleteWebhook', { WebhookId: id })).ErrorCode).toBe('ResourceNotFound');
  });
});

/**
 * Webhook fan-out and delivery attempts against the real store (SQLite and PostgreSQL), with a
 * recording job queue and a receiver on 127.0.0.1; signing and sending on their own.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeWithServer } from '../../../test/helpers/servers.js';
import { postgresTestStore, sqliteTestStore } from '../../../test/helpers/store.js';
import { loadConfig } from '../../config.js';
import type { EnqueueOptions, JobQueue } from '../../jobs/queue.js';
import { parseAllowList } from '../../lib/net-guard.js';
import { SecretBox } from '../../lib/secret-box.js';
import type { Store } from '../../storage/db.js';
import type { Deps } from '../context.js';
import * as identity from '../identity/identity.repository.js';
import * as tickets from '../tickets/ticket.repository.js';
import { attemptDelivery, DeliveryAttemptFailed, eventFilterMatches, notifyTicketEvent, sendSigned, signBody, type WebhookPayload } from './delivery.js';
import * as repo from './webhook.repository.js';

let receiver: http.Server;
let base: string;
/** Status the receiver answers with, per path (default 200). */
const answers = new Map<string, number>();
const hits: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1000);
      if (req.url === '/redirect') return void res.writeHead(302, { Location: '/ok' }).end();
      res.writeHead(answers.get(req.url ?? '') ?? 200).end('answer');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

describe('signing and sending', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 (checked against openssl)', () => {
    // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'topsecret-0123456789'
    expect(signBody('topsecret-0123456789', '1700000000', '{"a":1}')).toBe('sha256=626e5ba229f6bb6d3f4106bca9a65587340c1de8729475535aca9ac9323003ff');
  });

  it('an empty filter selects every event, otherwise only the listed ones', () => {
    expect(eventFilterMatches('[]', 'CREATE')).toBe(true);
    expect(eventFilterMatches('["CLOSE"]', 'CLOSE')).toBe(true);
    expect(eventFilterMatches('["CLOSE"]', 'CREATE')).toBe(false);
  });

  const allow = parseAllowList('127.0.0.1');
  const send = (url: string, opts: { timeoutMs?: number; allow?: ReturnType<typeof parseAllowList> } = {}) =>
    sendSigned({ url, secret: 's'.repeat(16), body: '{}', eventId: 7, eventType: 'CREATE' }, { allow: opts.allow ?? allow, ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }) });

  it('does not follow redirects, times out, and refuses targets outside the allow list at connect time', async () => {
    expect(await send(`${base}/redirect`)).toMatchObject({ ok: false, httpStatus: 302, permanent: false, error: 'HTTP 302' });
    expect(hits.filter((h) => h.path === '/ok')).toHaveLength(0);
    expect(await send(`${base}/slow`, { timeoutMs: 200 })).toMatchObject({ ok: false, httpStatus: null, error: 'no response within 0.2 s' });
    const refused = await send(`${base}/ok`, { allow: parseAllowList('') });
    expect(refused).toMatchObject({ ok: false, permanent: true });
    expect(refused.error).toMatch(/127\.0\.0\.1 is loopback/);
    // A hostname is checked when it is resolved for the connection (no DNS rebinding window).
    const byName = await send(`${base.replace('127.0.0.1', 'localhost')}/ok`, { allow: parseAllowList('') });
    expect(byName).toMatchObject({ ok: false, permanent: true });
    expect(byName.error).toMatch(/localhost resolves to/);
  });
});

/** A job queue that only records what is enqueued (keys honored while "queued"). */
function recordingQueue() {
  const jobs: { name: string; payload: unknown; options: EnqueueOptions }[] = [];
  const queue = {
    capabilities: { leaseHeartbeat: true },
    register: () => undefined,
    enqueue: async (name: string, payload: unknown, options: EnqueueOptions = {}) => {
      if (options.key && jobs.some((j) => j.name === name && j.options.key === options.key)) return null;
      jobs.push({ name, payload, options });
      return String(jobs.length);
    },
    start: async () => undefined,
    stop: async () => undefined,
    get: async () => null,
  };
  return { jobs, queue: queue as unknown as JobQueue };
}

function storeSuite(open: () => Promise<Store>): void {
  let store: Store;
  let deps: Deps;
  let jobs: ReturnType<typeof recordingQueue>['jobs'];
  let dataDir: string;
  let tenantId: number;
  let committer: number;
  let related: number;
  let handler: number;
  let ticketId: number;

  beforeAll(async () => {
    store = await open();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-webhook-'));
    const config = loadConfig({ dataDir }, { OPENDMS_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', OPENDMS_WEBHOOK_MAX_ATTEMPTS: '3', OPENDMS_WEBHOOK_BACKOFF_SECONDS: '0.5' });
    const rec = recordingQueue();
    jobs = rec.jobs;
    // Webhooks need no file store; the assertion keeps this test independent of it.
    deps = { store, db: store.db, secrets: new SecretBox(crypto.randomBytes(32)), config, now: Date.now, jobs: rec.queue } as Deps;
    const now = Date.now();
    tenantId = await identity.insertTenant(store.db, 'acme', now);
    const user = async (nick: string) => {
      const id = await identity.insertUser(store.db, { uid: nick, nickName: nick, activeTenantId: tenantId }, now);
      await identity.insertMembership(store.db, { tenantId, userId: id, roles: 'USER' }, now);
      return id;
    };
    committer = await user('Committer 王');
    related = await user('related');
    handler = await user('handler');
    ticketId = await tickets.insertTicket(
      store.db,
      { tenantId, pluginType: 'DATA_EXPORT', comment: 'c', committerId: committer, delegatedById: null, status: 'new', params: '{}', attachmentKey: null, execMode: 'COMMITOR' },
      now,
    );
    await tickets.insertRelatedUsers(store.db, ticketId, [related]);
    await tickets.setCurrentHandlers(store.db, ticketId, [handler]);
  });
  afterAll(async () => {
    await store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    jobs.length = 0;
  });

  const event = (action: string, actorId: number | null = committer, delegatedById: number | null = null) =>
    tickets.insertEvent(store.db, { ticketId, tenantId, actorId, delegatedById, action, fromStatus: 'new', toStatus: 'toaudit', comment: 'go', requestId: 'r1' }, Date.now());
  const webhook = (url: string, events: string[] = []) =>
    repo.insertWebhook(store.db, { tenantId, url, secretEnc: deps.secrets.encrypt('secret-0123456789'), events: JSON.stringify(events), createdBy: committer }, Date.now());
  const delivery = async (webhookId: number, eventId: number) =>
    (await store.db.selectFrom('webhook_delivery').selectAll().where('webhook_id', '=', webhookId).where('event_id', '=', eventId).executeTakeFirst())!;

  it('without webhooks an event creates nothing', async () => {
    expect(await notifyTicketEvent(deps, { eventId: await event('SUBMIT'), tenantId })).toBe(0);
    expect(jobs).toHaveLength(0);
  });

  it('fans out to matching enabled webhooks, once, with the recipients read now', async () => {
    const all = await webhook(`${base}/all`);
    const closeOnly = await webhook(`${base}/close`, ['CLOSE']);
    const disabled = await webhook(`${base}/off`);
    await repo.updateWebhook(store.db, tenantId, disabled, { enabled: 0 }, Date.now());
    const id = await event('SUBMIT', handler, committer);

    expect(await notifyTicketEvent(deps, { eventId: id, tenantId })).toBe(1);
    expect(await notifyTicketEvent(deps, { eventId: id, tenantId })).toBe(1); // re-run: same delivery
    expect(await notifyTicketEvent(deps, { eventId: id, tenantId: tenantId + 1000 })).toBe(0); // another tenant's id
    const rows = await store.db.selectFrom('webhook_delivery').selectAll().where('event_id', '=', id).execute();
    expect(rows.map((r) => r.webhook_id)).toEqual([all]);
    expect(rows[0]).toMatchObject({ status: 'PENDING', attempts: 0, max_attempts: 3 });
    expect(jobs).toEqual([{ name: 'deliver-webhook', payload: { deliveryId: rows[0]!.id }, options: expect.objectContaining({ key: `delivery-${rows[0]!.id}`, maxAttempts: 3, backoffSeconds: 0.5 }) }]);
    expect(closeOnly).toBeGreaterThan(all);

    const payload = JSON.parse(rows[0]!.payload) as WebhookPayload;
    expect(payload).toMatchObject({
      EventId: id,
      EventType: 'SUBMIT',
      OrderId: ticketId,
      PluginType: 'DATA_EXPORT',
      Tid: tenantId,
      Operator: { UserId: handler, NickName: 'handler' },
      RealLoginUser: { UserId: committer, NickName: 'Committer 王' },
      FromStatus: 'new',
      ToStatus: 'toaudit',
      Comment: 'go',
      Recipients: {
        Committer: { UserId: committer, NickName: 'Committer 王' },
        RelatedUsers: [{ UserId: related, NickName: 'related' }],
        CurrentHandlers: [{ UserId: handler, NickName: 'handler' }],
      },
    });
    for (const w of [all, closeOnly, disabled]) await repo.deleteWebhook(store.db, tenantId, w);
  });

  it('records each attempt; retries throw; 2xx ends SUCCESS and later runs send nothing', async () => {
    const w = await webhook(`${base}/flaky`);
    const id = await event('APPROVE_NODE');
    await notifyTicketEvent(deps, { eventId: id, tenantId });
    const d = await delivery(w, id);
    answers.set('/flaky', 500);
    const before = Date.now();
    await expect(attemptDelivery(deps, d.id, { attempt: 1 })).rejects.toBeInstanceOf(DeliveryAttemptFailed);
    expect(await delivery(w, id)).toMatchObject({ status: 'PENDING', attempts: 1, last_http_status: 500, last_error: 'HTTP 500: answer', finished_at: null });
    expect((await delivery(w, id)).next_attempt_at).toBeGreaterThanOrEqual(before + 500);
    answers.set('/flaky', 204);
    await attemptDelivery(deps, d.id, { attempt: 2 });
    expect(await delivery(w, id)).toMatchObject({ status: 'SUCCESS', attempts: 2, last_http_status: 204, last_error: null, next_attempt_at: null });
    const sent = hits.filter((h) => h.path === '/flaky').length;
    await attemptDelivery(deps, d.id, { attempt: 3 });
    expect(hits.filter((h) => h.path === '/flaky')).toHaveLength(sent);
    const last = hits.filter((h) => h.path === '/flaky').at(-1)!;
    expect(last.headers).toMatchObject({ 'x-opendms-event-id': String(id), 'x-opendms-event-type': 'APPROVE_NODE', 'x-opendms-delivery-id': String(d.id) });
    expect(last.headers['x-opendms-signature']).toBe(signBody('secret-0123456789', String(last.headers['x-opendms-timestamp']), last.body));
    await repo.deleteWebhook(store.db, tenantId, w);
  });

  it('the last attempt marks FAIL; a disabled, refused or deleted webhook ends without retries', async () => {
    answers.set('/down', 502);
    const down = await webhook(`${base}/down`);
    const off = await webhook(`${base}/off2`);
    const id = await event('REJECT');
    await notifyTicketEvent(deps, { eventId: id, tenantId });
    const d = await delivery(down, id);
    for (const attempt of [1, 2, 3]) await expect(attemptDelivery(deps, d.id, { attempt })).rejects.toThrow(/HTTP 502/);
    expect(await delivery(down, id)).toMatchObject({ status: 'FAIL', attempts: 3, last_http_status: 502, next_attempt_at: null });

    await repo.updateWebhook(store.db, tenantId, off, { enabled: 0 }, Date.now());
    await attemptDelivery(deps, (await delivery(off, id)).id, { attempt: 1 });
    expect(await delivery(off, id)).toMatchObject({ status: 'FAIL', attempts: 0, last_error: 'the webhook was disabled before this delivery was sent' });
    expect(hits.filter((h) => h.path === '/off2')).toHaveLength(0);

    // Allowed when saved, refused when sent (the allow list changed): final at once.
    const refused = await webhook(`${base}/refused`);
    const id2 = await event('CANCEL');
    await notifyTicketEvent(deps, { eventId: id2, tenantId });
    const strict = { ...deps, config: { ...deps.config, webhooks: { ...deps.config.webhooks, allowedHosts: [] } } };
    await attemptDelivery(strict, (await delivery(refused, id2)).id, { attempt: 1 });
    expect(await delivery(refused, id2)).toMatchObject({ status: 'FAIL', attempts: 1, last_http_status: null });
    expect((await delivery(refused, id2)).last_error).toMatch(/not in the allowed hosts/);

    const gone = (await delivery(down, id2)).id;
    await repo.deleteWebhook(store.db, tenantId, down);
    await attemptDelivery(deps, gone, { attempt: 1 }); // nothing left to do
    expect(await store.db.selectFrom('webhook_delivery').select('id').where('webhook_id', '=', down).execute()).toEqual([]);
  });
}

describe('webhook delivery on SQLite', () => storeSuite(sqliteTestStore));
await describeWithServer('postgres', 'webhook delivery on PostgreSQL', () => storeSuite(postgresTestStore));

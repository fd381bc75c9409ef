import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { AppError } from '../../errors.js';
import { retryDelayMs } from '../../jobs/job-options.js';
import { AddressNotAllowedError, guardedLookup, parseAllowList, resolveAllowed, type AllowList } from '../../lib/net-guard.js';
import { formatDmsTime } from '../../lib/time.js';
import { inTransaction, type Deps } from '../context.js';
import * as repo from './webhook.repository.js';

/**
 * Delivering ticket events to webhooks (docs/webhooks.md):
 * 1. `notifyTicketEvent` (job `notify-ticket-event`, queued with every ticket event): builds the
 *    event's payload once, creates one delivery per matching enabled webhook and queues a
 *    `deliver-webhook` job per delivery, in one transaction;
 * 2. `attemptDelivery` (job `deliver-webhook`): one signed POST per attempt, recorded in the log;
 *    the job queue retries with exponential backoff until 2xx or the last attempt (then FAIL).
 */

export const HEADERS = {
  signature: 'X-OpenDMS-Signature',
  timestamp: 'X-OpenDMS-Timestamp',
  eventId: 'X-OpenDMS-Event-Id',
  eventType: 'X-OpenDMS-Event-Type',
  deliveryId: 'X-OpenDMS-Delivery-Id',
} as const;

/** A receiver that has not answered in 10 s is down for this attempt; the next one comes later. */
export const SEND_TIMEOUT_MS = 10_000;
/** Enough of an error response to see what the receiver complained about, little to store. */
const ERROR_BODY_CHARS = 300;
const MAX_URL_CHARS = 2048;

export interface WebhookUser {
  UserId: number;
  NickName: string;
}

/** The JSON body of every event POST (field names in the DMS style). */
export interface WebhookPayload {
  EventId: number;
  /** The ticket event's action: CREATE, SUBMIT, APPROVE_NODE, …, CLOSE. */
  EventType: string;
  OrderId: number;
  PluginType: string;
  Tid: number;
  /** null when the service itself acted (a job, a rule). */
  Operator: WebhookUser | null;
  /** The ADMIN who acted for Operator (`RealLoginUserUid`), if any. */
  RealLoginUser?: WebhookUser;
  FromStatus: string | null;
  ToStatus: string | null;
  Comment: string | null;
  /** ISO 8601, UTC. */
  OccurredAt: string;
  /** `yyyy-MM-dd HH:mm:ss` in the service time zone, as DMS renders times. */
  OperateTime: string;
  /** Who should hear about it; current handlers are read when the event is processed. */
  Recipients: { Committer: WebhookUser; RelatedUsers: WebhookUser[]; CurrentHandlers: WebhookUser[] };
}

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the webhook's secret. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Whether a webhook's stored event filter (JSON array, `[]` = all) selects this event type. */
export function eventFilterMatches(eventsJson: string, eventType: string): boolean {
  const events = JSON.parse(eventsJson) as string[];
  return events.length === 0 || events.includes(eventType);
}

export const allowListOf = (deps: Pick<Deps, 'config'>): AllowList => parseAllowList(deps.config.webhooks.allowedHosts);

/**
 * A URL webhooks may be sent to: http or https, no credentials, and a host whose addresses pass
 * the network guard now (they are checked again on every connection). Returns the normalized URL.
 */
export async function assertDeliverableUrl(deps: Pick<Deps, 'config'>, text: string): Promise<string> {
  const bad = (reason: string) => new AppError('InvalidUrl', `Specified parameter Url is not valid: ${reason}`);
  if (text.length > MAX_URL_CHARS) throw bad(`longer than ${MAX_URL_CHARS} characters.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('not an absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('only http and https URLs are supported.');
  if (url.username || url.password) throw bad('credentials in the URL are not accepted; the receiver verifies the signature instead.');
  try {
    await resolveAllowed(url.hostname, allowListOf(deps));
  } catch (e) {
    if (e instanceof AddressNotAllowedError) throw bad(`${e.message} (OPENDMS_WEBHOOK_ALLOWED_HOSTS).`);
    throw bad(`host ${url.hostname} cannot be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  return url.toString();
}

export interface SendResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  /** Retrying cannot help (the target is refused by the network guard). */
  permanent: boolean;
  durationMs: number;
}

/** POSTs a signed JSON body; never throws. 2xx is success; redirects are not followed. */
export async function sendSigned(
  req: { url: string; secret: string; body: string; eventId: number; eventType: string; deliveryId?: number },
  opts: { allow: AllowList; signal?: AbortSignal | undefined; timeoutMs?: number },
): Promise<SendResult> {
  const started = Date.now();
  const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Date.now() - started });
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? SEND_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    const url = new URL(req.url);
    if (net.isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) await resolveAllowed(url.hostname, opts.allow); // lookup is skipped for IP literals
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(req.body)),
      'User-Agent': 'OpenDMS-Webhook/1',
      [HEADERS.eventId]: String(req.eventId),
      [HEADERS.eventType]: req.eventType,
      [HEADERS.timestamp]: timestamp,
      [HEADERS.signature]: signBody(req.secret, timestamp, req.body),
      ...(req.deliveryId !== undefined && { [HEADERS.deliveryId]: String(req.deliveryId) }),
    };
    const { status, text } = await post(url, headers, req.body, opts.allow, signal);
    if (status >= 200 && status < 300) return done({ ok: true, httpStatus: status, error: null, permanent: false });
    const snippet = text.trim().slice(0, ERROR_BODY_CHARS);
    return done({ ok: false, httpStatus: status, error: `HTTP ${status}${snippet ? `: ${snippet}` : ''}`, permanent: false });
  } catch (e) {
    if (e instanceof AddressNotAllowedError) return done({ ok: false, httpStatus: null, error: e.message, permanent: true });
    const message = timeout.aborted ? `no response within ${(opts.timeoutMs ?? SEND_TIMEOUT_MS) / 1000} s` : errorText(e);
    return done({ ok: false, httpStatus: null, error: message, permanent: false });
  }
}

function post(url: URL, headers: Record<string, string>, body: string, allow: AllowList, signal: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    // agent false: one connection per attempt, nothing pooled towards receivers between attempts.
    const request = client.request(url, { method: 'POST', headers, lookup: guardedLookup(allow), agent: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < 4096) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { cause?: unknown };
  if (err.cause instanceof AddressNotAllowedError) return err.cause.message;
  return [err.code, err.message].filter(Boolean).join(': ') || String(e);
}

/** Builds the payload of one ticket event, reading its ticket and recipients now. */
export async function buildPayload(deps: Deps, event: NonNullable<Awaited<ReturnType<typeof repo.findEventWithTicket>>>, tenantId: number): Promise<WebhookPayload> {
  const [related, handlers] = await Promise.all([repo.listRelatedUserIds(deps.db, event.ticket_id), repo.listCurrentHandlerIds(deps.db, event.ticket_id)]);
  const relatedIds = related.map((r) => r.user_id);
  const handlerIds = handlers.map((h) => h.user_id);
  const ids = [event.committer_id, event.actor_id, event.delegated_by_id, ...relatedIds, ...handlerIds].filter((id): id is number => id !== null);
  const nicks = new Map((await repo.findUserNicks(deps.db, [...new Set(ids)])).map((u) => [u.id, u.nick_name]));
  const user = (id: number): WebhookUser => ({ UserId: id, NickName: nicks.get(id) ?? '' });
  return {
    EventId: event.id,
    EventType: event.action,
    OrderId: event.ticket_id,
    PluginType: event.plugin_type,
    Tid: tenantId,
    Operator: event.actor_id === null ? null : user(event.actor_id),
    ...(event.delegated_by_id !== null && { RealLoginUser: user(event.delegated_by_id) }),
    FromStatus: event.from_status,
    ToStatus: event.to_status,
    Comment: event.comment,
    OccurredAt: new Date(event.created_at).toISOString(),
    OperateTime: formatDmsTime(event.created_at, deps.config.timezone),
    Recipients: { Committer: user(event.committer_id), RelatedUsers: relatedIds.map(user), CurrentHandlers: handlerIds.map(user) },
  };
}

/**
 * Fans one ticket event out to the tenant's enabled webhooks that select it. Idempotent: a re-run
 * creates no second delivery (unique webhook + event) and re-queues only PENDING ones (the job key
 * keeps a queued or running one single). Returns the deliveries queued.
 */
export async function notifyTicketEvent(deps: Deps, job: { eventId: number; tenantId: number }): Promise<number> {
  const hooks = await repo.listWebhooks(deps.db, job.tenantId, true);
  if (hooks.length === 0) return 0;
  const event = await repo.findEventWithTicket(deps.db, job.tenantId, job.eventId);
  if (!event) return 0;
  const matching = hooks.filter((h) => eventFilterMatches(h.events, event.action));
  if (matching.length === 0) return 0;
  const payload = JSON.stringify(await buildPayload(deps, event, job.tenantId));
  const { maxAttempts, backoffSeconds } = deps.config.webhooks;
  return inTransaction(deps, async (tx) => {
    for (const h of matching) await repo.insertDeliveryIfAbsent(tx.db, { webhookId: h.id, eventId: event.id, payload, maxAttempts }, tx.now());
    const pending = await repo.listPendingDeliveriesOfEvent(tx.db, event.id, matching.map((h) => h.id));
    for (const d of pending) {
      await tx.jobs.enqueue('deliver-webhook', { deliveryId: d.id }, { trx: tx.db, key: `delivery-${d.id}`, maxAttempts: d.max_attempts, backoffSeconds });
    }
    return pending.length;
  });
}

/** Thrown to have the job queue retry a delivery after its backoff. */
export class DeliveryAttemptFailed extends Error {
  override readonly name = 'DeliveryAttemptFailed';
}

/**
 * One attempt of one delivery, recorded in the log. Resolves when the delivery is final
 * (SUCCESS, FAIL for a refused target, or nothing left to do); throws `DeliveryAttemptFailed` when
 * the queue should try again, also on the last attempt (after marking the delivery FAIL).
 */
export async function attemptDelivery(deps: Deps, deliveryId: number, ctx: { attempt: number; signal?: AbortSignal }): Promise<void> {
  const d = await repo.findDeliveryForSend(deps.db, deliveryId);
  if (!d || d.status !== 'PENDING') return; // webhook deleted, or already final (a re-run)
  if (d.enabled !== 1) {
    await repo.finishDelivery(deps.db, d.id, 'FAIL', 'the webhook was disabled before this delivery was sent', deps.now());
    return;
  }
  const event = JSON.parse(d.payload) as WebhookPayload;
  const result = await sendSigned(
    { url: d.url, secret: deps.secrets.decrypt(d.secret_enc), body: d.payload, eventId: d.event_id, eventType: event.EventType, deliveryId: d.id },
    { allow: allowListOf(deps), signal: ctx.signal },
  );
  const attempts = d.attempts + 1;
  const last = result.ok || result.permanent || Math.max(ctx.attempt, attempts) >= d.max_attempts;
  const now = deps.now();
  await repo.recordAttempt(
    deps.db,
    d.id,
    {
      status: result.ok ? 'SUCCESS' : last ? 'FAIL' : 'PENDING',
      attempts,
      httpStatus: result.httpStatus,
      error: result.error,
      nextAttemptAt: last ? null : now + retryDelayMs(deps.config.webhooks.backoffSeconds, ctx.attempt),
    },
    now,
  );
  if (!result.ok && !result.permanent) throw new DeliveryAttemptFailed(`delivery ${d.id} attempt ${attempts}: ${result.error}`);
}

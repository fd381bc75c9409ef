import crypto from 'node:crypto';
import { AppError, notFound } from '../../errors.js';
import { formatDmsTime } from '../../lib/time.js';
import { inTransaction, type Deps } from '../context.js';
import { requireRole, type Actor } from '../identity/actor.js';
import { TRANSITIONS } from '../tickets/status.js';
import { allowListOf, assertDeliverableUrl, sendSigned, type SendResult } from './delivery.js';
import * as repo from './webhook.repository.js';
import type { DeliveryStatus } from './webhook.table.js';

/**
 * Webhooks of a tenant: where its ticket events are POSTed (see delivery.ts). Managed by the
 * tenant's ADMINs only: a webhook receives every ticket of the tenant, whoever may see it.
 */

/** Event types a filter may name: CREATE plus every action of the ticket state machine. */
export const EVENT_TYPES: readonly string[] = ['CREATE', ...Object.keys(TRANSITIONS)];
/** A handful of integrations per tenant; each event costs one delivery (and its retries) per webhook. */
export const MAX_WEBHOOKS_PER_TENANT = 10;
/** 16 characters is the least a shared secret should have; 256 leaves room for any generator. */
const SECRET_CHARS = { min: 16, max: 256 } as const;

export interface WebhookView {
  id: number;
  url: string;
  /** Empty: every event. */
  events: string[];
  enabled: boolean;
  createdBy: number;
  createdAt: number;
  modifiedAt: number;
}

const view = (r: repo.WebhookRow): WebhookView => ({
  id: r.id,
  url: r.url,
  events: JSON.parse(r.events) as string[],
  enabled: r.enabled === 1,
  createdBy: r.created_by,
  createdAt: r.created_at,
  modifiedAt: r.modified_at,
});

/** 32 random bytes, URL-safe; `whsec_` says what it is when it shows up in a config file. */
const generateSecret = (): string => `whsec_${crypto.randomBytes(32).toString('base64url')}`;

function checkSecret(secret: string): string {
  if (secret.length < SECRET_CHARS.min || secret.length > SECRET_CHARS.max) {
    throw new AppError('InvalidSecret', `Specified parameter Secret is not valid: it must have ${SECRET_CHARS.min} to ${SECRET_CHARS.max} characters.`);
  }
  return secret;
}

/** Upper-cased, de-duplicated, each a known event type. */
function checkEvents(events: readonly string[]): string[] {
  const out = [...new Set(events.map((e) => e.trim().toUpperCase()).filter((e) => e !== ''))];
  const unknown = out.filter((e) => !EVENT_TYPES.includes(e));
  if (unknown.length > 0) {
    throw new AppError('InvalidEvents', `Specified parameter Events is not valid: unknown event type ${unknown.join(', ')}; known: ${EVENT_TYPES.join(', ')}.`);
  }
  return out;
}

async function ownWebhook(deps: Deps, actor: Actor, id: number): Promise<repo.WebhookRow> {
  const row = await repo.findWebhook(deps.db, actor.tenantId, id);
  if (!row) throw notFound('Webhook', id);
  return row;
}

export async function createWebhook(
  deps: Deps,
  actor: Actor,
  input: { url: string; secret?: string | undefined; events?: readonly string[] | undefined },
): Promise<{ webhook: WebhookView; secret: string }> {
  requireRole(actor, 'ADMIN');
  const url = await assertDeliverableUrl(deps, input.url);
  const secret = input.secret === undefined ? generateSecret() : checkSecret(input.secret);
  const events = checkEvents(input.events ?? []);
  const id = await inTransaction(deps, async (tx) => {
    const count = (await repo.listWebhooks(tx.db, actor.tenantId)).length;
    if (count >= MAX_WEBHOOKS_PER_TENANT) {
      throw new AppError('QuotaExceeded', `Tenant ${actor.tenantId} already has ${count} webhooks (at most ${MAX_WEBHOOKS_PER_TENANT}); delete one first.`);
    }
    return repo.insertWebhook(tx.db, { tenantId: actor.tenantId, url, secretEnc: tx.secrets.encrypt(secret), events: JSON.stringify(events), createdBy: actor.userId }, tx.now());
  });
  return { webhook: view((await repo.findWebhook(deps.db, actor.tenantId, id))!), secret };
}

export async function listWebhooks(deps: Deps, actor: Actor): Promise<WebhookView[]> {
  requireRole(actor, 'ADMIN');
  return (await repo.listWebhooks(deps.db, actor.tenantId)).map(view);
}

/**
 * Changes what is given. A new secret (given or, with `regenerateSecret`, generated and returned)
 * signs every attempt from now on, also retries of earlier events.
 */
export async function updateWebhook(
  deps: Deps,
  actor: Actor,
  id: number,
  input: { url?: string | undefined; events?: readonly string[] | undefined; enabled?: boolean | undefined; secret?: string | undefined; regenerateSecret?: boolean | undefined },
): Promise<{ webhook: WebhookView; secret: string | undefined }> {
  requireRole(actor, 'ADMIN');
  await ownWebhook(deps, actor, id);
  if (input.secret !== undefined && input.regenerateSecret) {
    throw new AppError('InvalidParameter', 'Give either Secret or RegenerateSecret=true, not both.');
  }
  const secret = input.regenerateSecret ? generateSecret() : input.secret === undefined ? undefined : checkSecret(input.secret);
  await repo.updateWebhook(
    deps.db,
    actor.tenantId,
    id,
    {
      ...(input.url !== undefined && { url: await assertDeliverableUrl(deps, input.url) }),
      ...(input.events !== undefined && { events: JSON.stringify(checkEvents(input.events)) }),
      ...(input.enabled !== undefined && { enabled: input.enabled ? 1 : 0 }),
      ...(secret !== undefined && { secret_enc: deps.secrets.encrypt(secret) }),
    },
    deps.now(),
  );
  return { webhook: view(await ownWebhook(deps, actor, id)), secret: input.regenerateSecret ? secret : undefined };
}

/** Deletes the webhook and its delivery log; its queued attempts find nothing and stop. */
export async function deleteWebhook(deps: Deps, actor: Actor, id: number): Promise<void> {
  requireRole(actor, 'ADMIN');
  await inTransaction(deps, async (tx) => {
    if (!(await repo.deleteWebhook(tx.db, actor.tenantId, id))) throw notFound('Webhook', id);
  });
}

export interface DeliveryView {
  id: number;
  eventId: number;
  eventType: string;
  orderId: number;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  lastHttpStatus: number | null;
  lastError: string | null;
  createdAt: number;
  lastAttemptAt: number | null;
  nextAttemptAt: number | null;
  finishedAt: number | null;
}

/** One webhook's delivery log, newest first. */
export async function listWebhookDeliveries(
  deps: Deps,
  actor: Actor,
  webhookId: number,
  filter: { status?: DeliveryStatus | undefined },
  page: { number: number; size: number },
): Promise<{ items: DeliveryView[]; total: number }> {
  requireRole(actor, 'ADMIN');
  await ownWebhook(deps, actor, webhookId);
  const { rows, total } = await repo.listDeliveries(deps.db, webhookId, filter, { offset: (page.number - 1) * page.size, limit: page.size });
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      eventType: r.action,
      orderId: r.ticket_id,
      status: r.status,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      lastHttpStatus: r.last_http_status,
      lastError: r.last_error,
      createdAt: r.created_at,
      lastAttemptAt: r.last_attempt_at,
      nextAttemptAt: r.next_attempt_at,
      finishedAt: r.finished_at,
    })),
  };
}

/**
 * Sends a signed `PING` event now and reports the receiver's answer (nothing is logged or retried),
 * so an ADMIN can check the URL, the network path and the receiver's signature check.
 */
export async function testWebhook(deps: Deps, actor: Actor, id: number): Promise<SendResult> {
  requireRole(actor, 'ADMIN');
  const row = await ownWebhook(deps, actor, id);
  const now = deps.now();
  const body = JSON.stringify({
    EventId: 0,
    EventType: 'PING',
    Tid: actor.tenantId,
    WebhookId: row.id,
    Operator: { UserId: actor.userId, NickName: actor.nickName },
    OccurredAt: new Date(now).toISOString(),
    OperateTime: formatDmsTime(now, deps.config.timezone),
  });
  return sendSigned({ url: row.url, secret: deps.secrets.decrypt(row.secret_enc), body, eventId: 0, eventType: 'PING' }, { allow: allowListOf(deps) });
}

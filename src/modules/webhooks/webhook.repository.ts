import type { Db } from '../../storage/db.js';
import type { DeliveryStatus } from './webhook.table.js';

/** Webhook tables, one function per query. */

export interface NewWebhookRow {
  tenantId: number;
  url: string;
  secretEnc: string;
  events: string;
  createdBy: number;
}

export async function insertWebhook(db: Db, w: NewWebhookRow, now: number): Promise<number> {
  const row = await db
    .insertInto('webhook')
    .values({ tenant_id: w.tenantId, url: w.url, secret_enc: w.secretEnc, events: w.events, enabled: 1, created_by: w.createdBy, created_at: now, modified_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findWebhook(db: Db, tenantId: number, id: number) {
  return db.selectFrom('webhook').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
}

export type WebhookRow = NonNullable<Awaited<ReturnType<typeof findWebhook>>>;

export function listWebhooks(db: Db, tenantId: number, onlyEnabled = false) {
  let q = db.selectFrom('webhook').selectAll().where('tenant_id', '=', tenantId);
  if (onlyEnabled) q = q.where('enabled', '=', 1);
  return q.orderBy('id').execute();
}

export async function updateWebhook(
  db: Db,
  tenantId: number,
  id: number,
  patch: { url?: string; secret_enc?: string; events?: string; enabled?: number },
  now: number,
): Promise<boolean> {
  const res = await db.updateTable('webhook').set({ ...patch, modified_at: now }).where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Deletes a webhook with its delivery log (call in a transaction). */
export async function deleteWebhook(db: Db, tenantId: number, id: number): Promise<boolean> {
  await db.deleteFrom('webhook_delivery').where('webhook_id', 'in', db.selectFrom('webhook').select('id').where('id', '=', id).where('tenant_id', '=', tenantId)).execute();
  const res = await db.deleteFrom('webhook').where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}

/** Creates the delivery unless one exists for (webhook, event); the unique index decides. */
export async function insertDeliveryIfAbsent(
  db: Db,
  d: { webhookId: number; eventId: number; payload: string; maxAttempts: number },
  now: number,
): Promise<void> {
  await db
    .insertInto('webhook_delivery')
    .values({
      webhook_id: d.webhookId,
      event_id: d.eventId,
      status: 'PENDING',
      attempts: 0,
      max_attempts: d.maxAttempts,
      payload: d.payload,
      next_attempt_at: now,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing())
    .execute();
}

export function listPendingDeliveriesOfEvent(db: Db, eventId: number, webhookIds: readonly number[]) {
  if (webhookIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('webhook_delivery')
    .select(['id', 'webhook_id', 'max_attempts'])
    .where('event_id', '=', eventId)
    .where('webhook_id', 'in', [...webhookIds])
    .where('status', '=', 'PENDING')
    .execute();
}

/** One delivery with what sending it needs from its webhook. */
export function findDeliveryForSend(db: Db, id: number) {
  return db
    .selectFrom('webhook_delivery')
    .innerJoin('webhook', 'webhook.id', 'webhook_delivery.webhook_id')
    .select([
      'webhook_delivery.id',
      'webhook_delivery.event_id',
      'webhook_delivery.status',
      'webhook_delivery.attempts',
      'webhook_delivery.max_attempts',
      'webhook_delivery.payload',
      'webhook.url',
      'webhook.secret_enc',
      'webhook.enabled',
      'webhook.tenant_id',
    ])
    .where('webhook_delivery.id', '=', id)
    .executeTakeFirst();
}

/** Records the outcome of one attempt; only a PENDING delivery changes (a final one stays final). */
export async function recordAttempt(
  db: Db,
  id: number,
  r: { status: DeliveryStatus; attempts: number; httpStatus: number | null; error: string | null; nextAttemptAt: number | null },
  now: number,
): Promise<void> {
  await db
    .updateTable('webhook_delivery')
    .set({
      status: r.status,
      attempts: r.attempts,
      last_http_status: r.httpStatus,
      last_error: r.error,
      next_attempt_at: r.nextAttemptAt,
      last_attempt_at: now,
      finished_at: r.status === 'PENDING' ? null : now,
    })
    .where('id', '=', id)
    .where('status', '=', 'PENDING')
    .execute();
}

/** Ends a delivery without an attempt (its webhook was disabled before it went out). */
export async function finishDelivery(db: Db, id: number, status: DeliveryStatus, error: string | null, now: number): Promise<void> {
  await db
    .updateTable('webhook_delivery')
    .set({ status, last_error: error, next_attempt_at: null, finished_at: now })
    .where('id', '=', id)
    .where('status', '=', 'PENDING')
    .execute();
}

export async function listDeliveries(db: Db, webhookId: number, filter: { status?: DeliveryStatus | undefined }, page: { offset: number; limit: number }) {
  let base = db.selectFrom('webhook_delivery').where('webhook_delivery.webhook_id', '=', webhookId);
  if (filter.status) base = base.where('webhook_delivery.status', '=', filter.status);
  const [rows, count] = await Promise.all([
    base
      .innerJoin('ticket_event', 'ticket_event.id', 'webhook_delivery.event_id')
      .select([
        'webhook_delivery.id',
        'webhook_delivery.event_id',
        'ticket_event.action',
        'ticket_event.ticket_id',
        'webhook_delivery.status',
        'webhook_delivery.attempts',
        'webhook_delivery.max_attempts',
        'webhook_delivery.last_http_status',
        'webhook_delivery.last_error',
        'webhook_delivery.next_attempt_at',
        'webhook_delivery.last_attempt_at',
        'webhook_delivery.finished_at',
        'webhook_delivery.created_at',
      ])
      .orderBy('webhook_delivery.id', 'desc')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/* Reading a ticket event for its notification (tables of the tickets module, read only). */

export function findEventWithTicket(db: Db, tenantId: number, eventId: number) {
  return db
    .selectFrom('ticket_event')
    .innerJoin('ticket', 'ticket.id', 'ticket_event.ticket_id')
    .select([
      'ticket_event.id',
      'ticket_event.action',
      'ticket_event.actor_id',
      'ticket_event.delegated_by_id',
      'ticket_event.from_status',
      'ticket_event.to_status',
      'ticket_event.comment',
      'ticket_event.created_at',
      'ticket.id as ticket_id',
      'ticket.plugin_type',
      'ticket.committer_id',
    ])
    .where('ticket_event.id', '=', eventId)
    .where('ticket_event.tenant_id', '=', tenantId)
    .executeTakeFirst();
}

export function findUserNicks(db: Db, userIds: readonly number[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('app_user').select(['id', 'nick_name']).where('id', 'in', [...userIds]).execute();
}

export function listRelatedUserIds(db: Db, ticketId: number) {
  return db.selectFrom('ticket_related_user').select('user_id').where('ticket_id', '=', ticketId).orderBy('user_id').execute();
}

export function listCurrentHandlerIds(db: Db, ticketId: number) {
  return db.selectFrom('ticket_handler').select('user_id').where('ticket_id', '=', ticketId).where('kind', '=', 'current').orderBy('user_id').execute();
}

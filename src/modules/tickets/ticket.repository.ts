import type { Db } from '../../storage/db.js';
import type { TicketStatus } from './status.js';

/** Ticket tables, one function per query. */

export interface NewTicketRow {
  tenantId: number;
  pluginType: string;
  comment: string;
  committerId: number;
  delegatedById: number | null;
  status: TicketStatus;
  params: string;
  attachmentKey: string | null;
  execMode: string;
}

export async function insertTicket(db: Db, t: NewTicketRow, now: number): Promise<number> {
  const row = await db
    .insertInto('ticket')
    .values({
      tenant_id: t.tenantId,
      plugin_type: t.pluginType,
      comment: t.comment,
      committer_id: t.committerId,
      delegated_by_id: t.delegatedById,
      status: t.status,
      params: t.params,
      attachment_key: t.attachmentKey,
      exec_mode: t.execMode,
      version: 1,
      created_at: now,
      modified_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertRelatedUsers(db: Db, ticketId: number, userIds: readonly number[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.insertInto('ticket_related_user').values(userIds.map((user_id) => ({ ticket_id: ticketId, user_id }))).execute();
}

export async function insertTicketDatabases(db: Db, ticketId: number, targets: readonly { dbId: number; logic: boolean }[]): Promise<void> {
  if (targets.length === 0) return;
  await db
    .insertInto('ticket_database')
    .values(targets.map((t) => ({ ticket_id: ticketId, db_id: t.dbId, logic: t.logic ? 1 : 0 })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export function findTicket(db: Db, tenantId: number, id: number) {
  return db.selectFrom('ticket').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
}

export type TicketRow = NonNullable<Awaited<ReturnType<typeof findTicket>>>;

export function findTicketByWorkflowInstance(db: Db, tenantId: number, workflowInstanceId: number) {
  return db.selectFrom('ticket').selectAll().where('workflow_instance_id', '=', workflowInstanceId).where('tenant_id', '=', tenantId).executeTakeFirst();
}

export async function listRelatedUsers(db: Db, ticketId: number) {
  return db
    .selectFrom('ticket_related_user')
    .innerJoin('app_user', 'app_user.id', 'ticket_related_user.user_id')
    .select(['app_user.id', 'app_user.nick_name'])
    .where('ticket_related_user.ticket_id', '=', ticketId)
    .orderBy('app_user.id')
    .execute();
}

export function listTicketDatabases(db: Db, ticketId: number) {
  return db.selectFrom('ticket_database').select(['db_id', 'logic']).where('ticket_id', '=', ticketId).execute();
}

/**
 * Compare-and-set: applies the change only if the ticket still has `expectedVersion`; returns
 * false when someone changed it first.
 */
export async function updateTicketIfVersion(
  db: Db,
  id: number,
  expectedVersion: number,
  patch: { status?: TicketStatus; workflow_instance_id?: number | null; params?: string; attachment_key?: string | null },
  now: number,
): Promise<boolean> {
  const res = await db
    .updateTable('ticket')
    .set({ ...patch, modified_at: now, version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function insertEvent(
  db: Db,
  e: {
    ticketId: number;
    tenantId: number;
    actorId: number | null;
    delegatedById: number | null;
    action: string;
    fromStatus: string | null;
    toStatus: string | null;
    comment: string | null;
    requestId: string | null;
  },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('ticket_event')
    .values({
      ticket_id: e.ticketId,
      tenant_id: e.tenantId,
      actor_id: e.actorId,
      delegated_by_id: e.delegatedById,
      action: e.action,
      from_status: e.fromStatus,
      to_status: e.toStatus,
      comment: e.comment,
      request_id: e.requestId,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function listEvents(db: Db, ticketId: number) {
  return db
    .selectFrom('ticket_event')
    .leftJoin('app_user as actor', 'actor.id', 'ticket_event.actor_id')
    .leftJoin('app_user as delegate', 'delegate.id', 'ticket_event.delegated_by_id')
    .select([
      'ticket_event.id',
      'ticket_event.action',
      'ticket_event.actor_id',
      'actor.nick_name as actor_nick',
      'ticket_event.delegated_by_id',
      'delegate.nick_name as delegated_by_nick',
      'ticket_event.from_status',
      'ticket_event.to_status',
      'ticket_event.comment',
      'ticket_event.request_id',
      'ticket_event.created_at',
    ])
    .where('ticket_event.ticket_id', '=', ticketId)
    .orderBy('ticket_event.id')
    .execute();
}

/** Replaces the current handlers of a ticket (approval moved to another node, or ended). */
export async function setCurrentHandlers(db: Db, ticketId: number, userIds: readonly number[]): Promise<void> {
  await db.deleteFrom('ticket_handler').where('ticket_id', '=', ticketId).where('kind', '=', 'current').execute();
  if (userIds.length === 0) return;
  await db.insertInto('ticket_handler').values([...new Set(userIds)].map((user_id) => ({ ticket_id: ticketId, user_id, kind: 'current' as const }))).execute();
}

export async function addPastHandler(db: Db, ticketId: number, userId: number): Promise<void> {
  await db
    .insertInto('ticket_handler')
    .values({ ticket_id: ticketId, user_id: userId, kind: 'past' })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export function listHandlers(db: Db, ticketId: number) {
  return db.selectFrom('ticket_handler').select(['user_id', 'kind']).where('ticket_id', '=', ticketId).execute();
}

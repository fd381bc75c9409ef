import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import * as repo from './ticket.repository.js';

/** The facts of one audit event (`ticket_event`); see docs/tickets.md for the actions recorded. */
export interface EventInput {
  ticketId: number;
  tenantId: number;
  /** null for the service itself (a job, a workflow that ends by rule). */
  actor: Pick<Actor, 'userId' | 'delegatedBy'> | null;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  comment?: string | null | undefined;
  requestId?: string | null | undefined;
}

/**
 * Appends an immutable audit event, in the caller's transaction, and queues its notification
 * (webhooks) in the same transaction, so an event is notified if and only if it happened.
 */
export async function recordEvent(deps: Deps, e: EventInput): Promise<number> {
  const id = await repo.insertEvent(
    deps.db,
    {
      ticketId: e.ticketId,
      tenantId: e.tenantId,
      actorId: e.actor?.userId ?? null,
      delegatedById: e.actor?.delegatedBy?.userId ?? null,
      action: e.action,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      comment: e.comment ?? null,
      requestId: e.requestId ?? null,
    },
    deps.now(),
  );
  await deps.jobs.enqueue('notify-ticket-event', { eventId: id, tenantId: e.tenantId }, { trx: deps.db, key: `event-${id}`, maxAttempts: 8, backoffSeconds: 10 });
  return id;
}

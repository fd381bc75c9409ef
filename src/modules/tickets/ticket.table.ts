import type { Generated } from 'kysely';

/** Row types of the ticket tables (migration 0004). Times are epoch milliseconds. */
export interface TicketTable {
  /** The DMS `OrderId`: unique in the deployment and increasing. */
  id: Generated<number>;
  tenant_id: number;
  plugin_type: string;
  comment: string;
  committer_id: number;
  /** The ADMIN who filed it on the committer's behalf (`RealLoginUserUid`), if any. */
  delegated_by_id: number | null;
  status: string;
  /** The type's parameters, validated by its schema on the way in and read back through it. */
  params: string;
  attachment_key: string | null;
  workflow_instance_id: number | null;
  exec_mode: string;
  /** Optimistic concurrency: every change is `… where version = ?` and bumps it. */
  version: number;
  created_at: number;
  modified_at: number;
}

export interface TicketRelatedUserTable {
  ticket_id: number;
  user_id: number;
}

/** The databases a ticket acts on (visibility for their owners and DBA, routing, filing rule). */
export interface TicketDatabaseTable {
  ticket_id: number;
  db_id: number;
  logic: number;
}

/**
 * Who handles or handled a ticket's approval: `current` = may act on the current node now,
 * `past` = acted on it before. Maintained by the approvals service; read by ListOrders
 * (AS_HANDLER, AS_OWNER) and by visibility checks.
 */
export interface TicketHandlerTable {
  ticket_id: number;
  user_id: number;
  kind: 'current' | 'past';
}

/** The audit trail: append-only, one row per state change or approval action. */
export interface TicketEventTable {
  id: Generated<number>;
  ticket_id: number;
  tenant_id: number;
  actor_id: number | null;
  delegated_by_id: number | null;
  action: string;
  from_status: string | null;
  to_status: string | null;
  comment: string | null;
  request_id: string | null;
  created_at: number;
}

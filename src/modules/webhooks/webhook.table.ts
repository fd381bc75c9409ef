import type { Generated } from 'kysely';

/** Row types of the webhook tables (migration 0008). Times are epoch milliseconds. */
export interface WebhookTable {
  id: Generated<number>;
  tenant_id: number;
  /** http(s) URL the events are POSTed to; checked against the network guard on save and on send. */
  url: string;
  /** The signing secret, encrypted with the master key (`SecretBox`); shown once, on creation. */
  secret_enc: string;
  /** JSON array of event types (ticket event actions) to send; `[]` = every event. */
  events: string;
  /** 0/1. A disabled webhook gets no new deliveries; pending ones end FAIL. */
  enabled: number;
  created_by: number;
  created_at: number;
  modified_at: number;
}

export type DeliveryStatus = 'PENDING' | 'SUCCESS' | 'FAIL';

/** The delivery log: one row per (webhook, ticket event), updated by every attempt. */
export interface WebhookDeliveryTable {
  id: Generated<number>;
  webhook_id: number;
  event_id: number;
  status: DeliveryStatus;
  /** Attempts made so far (each one recorded here when it ends). */
  attempts: number;
  max_attempts: number;
  /** The exact JSON body sent by every attempt (built once, when the event is processed). */
  payload: string;
  last_http_status: number | null;
  last_error: string | null;
  /** When the next attempt is due (at the earliest); null once the delivery is final. */
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  finished_at: number | null;
  created_at: number;
}

import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { STATUS_DESC, type TicketStatus } from './status.js';
import * as repo from './ticket.repository.js';
import { getVisibleTicket } from './tickets.js';

/** What GetOrderBaseInfo shows of a ticket. */
export interface TicketBaseInfo {
  id: number;
  pluginType: string;
  comment: string;
  committerId: number;
  committerNick: string;
  status: TicketStatus;
  statusDesc: string;
  workflowInstanceId: number | null;
  relatedUsers: { id: number; nickName: string }[];
  attachment: { key: string; fileName: string } | null;
  createdAt: number;
  modifiedAt: number;
}

const WORKFLOW_STATUS: Partial<Record<TicketStatus, string>> = {
  toaudit: 'auditing',
  approved: 'approved',
  reject: 'rejected',
  cancel: 'canceled',
};

export async function ticketBaseInfo(deps: Deps, actor: Actor, id: number): Promise<TicketBaseInfo & { workflowStatusDesc: string | undefined }> {
  const { row } = await getVisibleTicket(deps, actor, id);
  const [committer, related, attachment] = await Promise.all([
    deps.db.selectFrom('app_user').select('nick_name').where('id', '=', row.committer_id).executeTakeFirst(),
    repo.listRelatedUsers(deps.db, row.id),
    row.attachment_key
      ? deps.db.selectFrom('attachment').select(['attachment_key', 'file_name']).where('attachment_key', '=', row.attachment_key).executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  const status = row.status as TicketStatus;
  return {
    id: row.id,
    pluginType: row.plugin_type,
    comment: row.comment,
    committerId: row.committer_id,
    committerNick: committer?.nick_name ?? '',
    status,
    statusDesc: STATUS_DESC[status],
    workflowInstanceId: row.workflow_instance_id,
    workflowStatusDesc: row.workflow_instance_id === null ? undefined : (WORKFLOW_STATUS[status] ?? 'approved'),
    relatedUsers: related.map((u) => ({ id: u.id, nickName: u.nick_name })),
    attachment: attachment ? { key: attachment.attachment_key, fileName: attachment.file_name } : null,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
  };
}

export interface TicketEventView {
  id: number;
  action: string;
  actorId: number | null;
  actorNick: string | null;
  delegatedById: number | null;
  delegatedByNick: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  comment: string | null;
  requestId: string | null;
  at: number;
}

/** ListOrderEvents: a visible ticket's whole timeline, oldest first. */
export async function ticketEvents(deps: Deps, actor: Actor, id: number): Promise<TicketEventView[]> {
  await getVisibleTicket(deps, actor, id);
  return (await repo.listEvents(deps.db, id)).map((e) => ({
    id: e.id,
    action: e.action,
    actorId: e.actor_id,
    actorNick: e.actor_nick,
    delegatedById: e.delegated_by_id,
    delegatedByNick: e.delegated_by_nick,
    fromStatus: e.from_status,
    toStatus: e.to_status,
    comment: e.comment,
    requestId: e.request_id,
    at: e.created_at,
  }));
}

import { AppError, noPermission, notFound } from '../../errors.js';
import { assertAttachmentUsable } from '../attachments/attachments.js';
import { inTransaction, type Deps } from '../context.js';
import { hasRole, type Actor } from '../identity/actor.js';
import * as identityRepo from '../identity/identity.repository.js';
import { resolveTargetDatabase } from '../instances/owners.js';
import { recordEvent } from './events.js';
import { LIMITS } from './limits.js';
import { parsePluginParam } from './plugin-param.js';
import { nextStatus, partiesAllowed, type Party, type TicketAction, type TicketStatus } from './status.js';
import { getTenantPolicy } from './tenant-policy.js';
import * as repo from './ticket.repository.js';
import { KNOWN_PLUGIN_TYPES, type AnyTicketType, type PluginType, type TargetRef, type TicketContext } from './ticket-type.js';
import { TICKET_TYPES } from './types/index.js';
import { databaseStakeholders } from '../instances/stakeholders.js';

export interface NewTicket {
  pluginType: string;
  comment: string;
  /** The type's parameters as received (any key case); validated by the type's schema. */
  params: unknown;
  relatedUserIds: number[];
  attachmentKey?: string | undefined;
  requestId: string;
  /** The wire name of `params` in error messages (default PluginParam; CreateDataCorrectOrder: Param). */
  paramName?: string | undefined;
}

/** The type for a PluginType, or the business error DMS callers need to see. */
export function ticketTypeOf(pluginType: string): AnyTicketType {
  const type = TICKET_TYPES.get(pluginType as PluginType);
  if (type) return type;
  const supported = [...TICKET_TYPES.keys()].join(', ');
  if (pluginType === 'DATA_CORRECT') {
    throw new AppError('InvalidPluginType', `PluginType DATA_CORRECT is a ListOrders filter only; create one of its kinds instead. Supported types: ${supported}.`);
  }
  if ((KNOWN_PLUGIN_TYPES as readonly string[]).includes(pluginType)) {
    throw new AppError('NotSupported', `PluginType ${pluginType} is not supported by OpenDMS yet. Supported types: ${supported}.`);
  }
  throw new AppError('InvalidPluginType', `Specified parameter PluginType is not valid: unknown ticket type "${pluginType}". Supported types: ${supported}.`);
}

/**
 * Files a ticket: validates everything it references, stores it as `new` with its audit event,
 * and lets its type start the precheck, all in one transaction.
 */
export async function createTicket(deps: Deps, actor: Actor, input: NewTicket): Promise<number> {
  const type = ticketTypeOf(input.pluginType);
  if (input.comment.trim() === '') throw new AppError('InvalidComment', 'Specified parameter Comment is not valid: a reason is required.');
  if (input.comment.length > LIMITS.commentChars) {
    throw new AppError('InvalidComment', `Specified parameter Comment is not valid: longer than ${LIMITS.commentChars} characters.`);
  }
  const params = parsePluginParam(type.schema, input.params, input.paramName);
  const targets = type.targets(params);
  await assertMayFile(deps, actor, targets);
  const related = [...new Set([...input.relatedUserIds, ...(type.relatedUsers?.(params) ?? [])])].filter((id) => id !== actor.userId);
  if (related.length > LIMITS.relatedUsers) throw new AppError('InvalidRelatedUserList', `Specified parameter RelatedUserList is not valid: at most ${LIMITS.relatedUsers} users.`);
  for (const userId of related) {
    const m = await identityRepo.findMembership(deps.db, actor.tenantId, userId);
    if (!m || m.state === 'DELETE') throw new AppError('InvalidRelatedUserList', `Specified parameter RelatedUserList is not valid: user ${userId} is not a member of this tenant.`);
  }
  if (input.attachmentKey) await assertAttachmentUsable(deps, actor, input.attachmentKey);
  for (const key of type.attachments?.(params) ?? []) await assertAttachmentUsable(deps, actor, key, 'PluginParam');

  return inTransaction(deps, async (tx) => {
    const id = await repo.insertTicket(
      tx.db,
      {
        tenantId: actor.tenantId,
        pluginType: type.pluginType,
        comment: input.comment,
        committerId: actor.userId,
        delegatedById: actor.delegatedBy?.userId ?? null,
        status: 'new',
        params: JSON.stringify(params),
        attachmentKey: input.attachmentKey ?? null,
        execMode: type.execMode(params),
      },
      tx.now(),
    );
    await repo.insertRelatedUsers(tx.db, id, related);
    await repo.insertTicketDatabases(tx.db, id, targets);
    await recordEvent(tx, { ticketId: id, tenantId: actor.tenantId, actor, action: 'CREATE', fromStatus: null, toStatus: 'new', comment: input.comment, requestId: input.requestId });
    await type.afterCreate?.(tx, actor, { id, tenantId: actor.tenantId, committerId: actor.userId, params });
    return id;
  });
}

/**
 * Every target must exist in the tenant; under a RESTRICTED filing policy the actor must own it.
 * Filing uses it, and so does a type's precheck (the committer may still file against the databases).
 */
export async function assertMayFile(deps: Deps, actor: Actor, targets: TargetRef[]): Promise<void> {
  for (const t of targets) await resolveTargetDatabase(deps, actor, t.dbId, t.logic);
  const policy = await getTenantPolicy(deps, actor.tenantId);
  if (policy.filing === 'OPEN' || hasRole(actor, 'ADMIN', 'DBA')) return;
  for (const t of targets) {
    const people = await databaseStakeholders(deps, actor.tenantId, [t]);
    if (!people.owners.includes(actor.userId) && !people.dbas.includes(actor.userId)) {
      throw noPermission(`This tenant restricts filing: you are neither an owner nor the DBA of ${t.logic ? 'logical ' : ''}database ${t.dbId}.`);
    }
  }
}

/** A ticket with its parsed parameters, as the services see it. */
export interface Ticket {
  row: repo.TicketRow;
  type: AnyTicketType;
  params: unknown;
}

/** The ticket as its type's hooks see it. */
export function ticketContext(ticket: Ticket): TicketContext<unknown> {
  return { id: ticket.row.id, tenantId: ticket.row.tenant_id, committerId: ticket.row.committer_id, params: ticket.params };
}

/**
 * The ticket if the actor may see it: its committer, related users, past and current approvers,
 * the owners and DBA of its databases, and ADMIN or DBA users of the tenant. Another tenant's
 * ticket is "not found"; an invisible one in the same tenant is refused.
 */
export async function getVisibleTicket(deps: Deps, actor: Actor, id: number): Promise<Ticket> {
  const row = await repo.findTicket(deps.db, actor.tenantId, id);
  if (!row) throw notFound('Order', id);
  if (!(await canSee(deps, actor, row))) throw noPermission(`You may not see ticket ${id}.`);
  return { row, type: ticketTypeOf(row.plugin_type), params: JSON.parse(row.params) };
}

export async function getVisibleTicketByWorkflow(deps: Deps, actor: Actor, workflowInstanceId: number): Promise<Ticket> {
  const row = await repo.findTicketByWorkflowInstance(deps.db, actor.tenantId, workflowInstanceId);
  if (!row) throw notFound('WorkflowInstance', workflowInstanceId);
  return getVisibleTicket(deps, actor, row.id);
}

async function canSee(deps: Deps, actor: Actor, row: repo.TicketRow): Promise<boolean> {
  if (row.committer_id === actor.userId || hasRole(actor, 'ADMIN', 'DBA')) return true;
  if ((await repo.listRelatedUsers(deps.db, row.id)).some((u) => u.id === actor.userId)) return true;
  if ((await repo.listHandlers(deps.db, row.id)).some((h) => h.user_id === actor.userId)) return true;
  const dbs = await repo.listTicketDatabases(deps.db, row.id);
  const people = await databaseStakeholders(deps, actor.tenantId, dbs.map((d) => ({ dbId: d.db_id, logic: d.logic === 1 })));
  return people.owners.includes(actor.userId) || people.dbas.includes(actor.userId);
}

/** The parties the actor is, for this ticket (who may take which action, see status.ts). */
export async function partiesOf(deps: Deps, actor: Actor, row: repo.TicketRow): Promise<Set<Party>> {
  const parties = new Set<Party>();
  if (row.committer_id === actor.userId) parties.add('COMMITTER');
  if (hasRole(actor, 'ADMIN')) parties.add('ADMIN');
  if (hasRole(actor, 'DBA')) parties.add('DBA');
  if ((await repo.listHandlers(deps.db, row.id)).some((h) => h.kind === 'current' && h.user_id === actor.userId)) parties.add('HANDLER');
  return parties;
}

/**
 * Moves a ticket by one action of the state machine: checks the status and the parties, then a
 * compare-and-set on the version (so two concurrent actions never both apply) and the audit event.
 * Call inside a transaction. Returns the new row.
 */
export async function applyAction(
  deps: Deps,
  actor: Actor | null,
  row: repo.TicketRow,
  action: TicketAction,
  opts: { parties: ReadonlySet<Party>; comment?: string | null | undefined; requestId?: string | undefined; patch?: { workflow_instance_id?: number | null; params?: string }; to?: TicketStatus },
): Promise<repo.TicketRow> {
  const next = nextStatus(action, row.status as TicketStatus);
  if (!next.ok) throw new AppError('InvalidStatus', `Ticket ${row.id}: ${next.reason}.`);
  if (!partiesAllowed(action, opts.parties)) throw noPermission(`You may not ${action.toLowerCase().replace(/_/g, ' ')} ticket ${row.id}.`);
  const to = opts.to ?? next.to;
  const ok = await repo.updateTicketIfVersion(deps.db, row.id, row.version, { status: to, ...opts.patch }, deps.now());
  if (!ok) throw new AppError('ConcurrentModification', `Ticket ${row.id} was changed by someone else at the same time; reload it and try again.`);
  await recordEvent(deps, { ticketId: row.id, tenantId: row.tenant_id, actor, action, fromStatus: row.status, toStatus: to, comment: opts.comment, requestId: opts.requestId });
  return { ...row, ...opts.patch, status: to, version: row.version + 1, modified_at: deps.now() };
}

/** CloseOrder: the committer, an ADMIN or a DBA closes the ticket with a reason. */
export async function closeTicket(deps: Deps, actor: Actor, id: number, reason: string, requestId: string): Promise<void> {
  if (reason.trim() === '') throw new AppError('InvalidCloseReason', 'Specified parameter CloseReason is not valid: a reason is required.');
  await inTransaction(deps, async (tx) => {
    const { row, type } = await getVisibleTicket(tx, actor, id);
    const action = row.status === 'processing' && type.closableWhileProcessing ? 'CLOSE_SCHEDULE' : 'CLOSE';
    const closed = await applyAction(tx, actor, row, action, { parties: await partiesOf(tx, actor, row), comment: reason, requestId });
    await repo.setCurrentHandlers(tx.db, id, []);
    await type.closed?.(tx, closed, actor);
  });
}

import { AppError, noPermission } from '../../errors.js';
import type { Deps } from '../context.js';
import { hasRole, type Actor } from '../identity/actor.js';
import { FINISHED, RUNNING, type TicketStatus } from './status.js';
import type { PluginType } from './ticket-type.js';
import { DATA_CORRECT_TYPES } from './types/index.js';

/** ListOrders scopes (reference §2.3): whose tickets. */
export type ListScope = 'ALL' | 'COMMITTED' | 'WAITING_FOR_ME' | 'HANDLED_BY_ME' | 'RELATED_TO_ME';

export interface TicketFilter {
  scope: ListScope;
  statusGroup: 'ALL' | 'FINISHED' | 'RUNNING';
  /** A PluginType, or DATA_CORRECT for every data-change type. */
  pluginType?: PluginType | 'DATA_CORRECT' | undefined;
  /** Matches the comment (substring) or, when numeric, the OrderId. */
  search?: string | undefined;
  dateField: 'created' | 'modified';
  from?: number | undefined;
  to?: number | undefined;
  /** OpenDMS extension: the order. Without it, newest first by `dateField`. */
  sort?: TicketSort | undefined;
}

/** Sortable fields: only columns the ticket indexes lead with after tenant_id (0004_tickets), or the key. */
export type TicketSortField = 'id' | 'created' | 'modified';

export interface TicketSort {
  field: TicketSortField;
  direction: 'asc' | 'desc';
}

const SORT_COLUMN = { id: 'ticket.id', created: 'ticket.created_at', modified: 'ticket.modified_at' } as const;

export interface TicketListItem {
  id: number;
  pluginType: string;
  comment: string;
  committerId: number;
  committerNick: string;
  status: TicketStatus;
  createdAt: number;
  modifiedAt: number;
}

/**
 * ListOrders: the actor's tickets in one scope, newest first (or in `f.sort`'s order, ties broken
 * by id in the same direction, so pages never overlap or skip). ALL needs role ADMIN or DBA; the
 * other scopes only ever contain tickets the actor may see by definition.
 */
export async function listTickets(
  deps: Deps,
  actor: Actor,
  f: TicketFilter,
  page: { number: number; size: number },
): Promise<{ items: TicketListItem[]; total: number }> {
  if (f.scope === 'ALL' && !hasRole(actor, 'ADMIN', 'DBA')) throw noPermission('Listing all tickets (AS_ADMIN) needs the role ADMIN or DBA.');
  if (f.from !== undefined && f.to !== undefined && f.from > f.to) throw new AppError('InvalidStartTime', 'Specified parameter StartTime is not valid: it is after EndTime.');
  const dateColumn = f.dateField === 'created' ? 'ticket.created_at' : 'ticket.modified_at';
  const sortColumn = f.sort ? SORT_COLUMN[f.sort.field] : dateColumn;
  const direction = f.sort?.direction ?? 'desc';

  let q = deps.db.selectFrom('ticket').where('ticket.tenant_id', '=', actor.tenantId);
  switch (f.scope) {
    case 'COMMITTED':
      q = q.where('ticket.committer_id', '=', actor.userId);
      break;
    case 'WAITING_FOR_ME':
    case 'HANDLED_BY_ME': {
      const kind = f.scope === 'WAITING_FOR_ME' ? 'current' : 'past';
      q = q.where('ticket.id', 'in', (eb) => eb.selectFrom('ticket_handler').select('ticket_id').where('user_id', '=', actor.userId).where('kind', '=', kind));
      break;
    }
    case 'RELATED_TO_ME':
      q = q.where('ticket.id', 'in', (eb) => eb.selectFrom('ticket_related_user').select('ticket_id').where('user_id', '=', actor.userId));
      break;
    case 'ALL':
      break;
  }
  if (f.statusGroup !== 'ALL') q = q.where('ticket.status', 'in', [...(f.statusGroup === 'FINISHED' ? FINISHED : RUNNING)]);
  if (f.pluginType === 'DATA_CORRECT') q = q.where('ticket.plugin_type', 'in', [...DATA_CORRECT_TYPES]);
  else if (f.pluginType) q = q.where('ticket.plugin_type', '=', f.pluginType);
  if (f.search) {
    const like = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const asId = /^\d{1,15}$/.test(f.search.trim()) ? Number(f.search.trim()) : undefined;
    q = q.where((eb) => eb.or([eb('ticket.comment', 'like', like), ...(asId !== undefined ? [eb('ticket.id', '=', asId)] : [])]));
  }
  if (f.from !== undefined) q = q.where(dateColumn, '>=', f.from);
  if (f.to !== undefined) q = q.where(dateColumn, '<=', f.to);

  const [rows, count] = await Promise.all([
    q
      .innerJoin('app_user', 'app_user.id', 'ticket.committer_id')
      .select([
        'ticket.id',
        'ticket.plugin_type',
        'ticket.comment',
        'ticket.committer_id',
        'app_user.nick_name',
        'ticket.status',
        'ticket.created_at',
        'ticket.modified_at',
      ])
      .orderBy(sortColumn, direction)
      // The tie-breaker (a no-op when sorting by id): equal times keep one stable order.
      .orderBy('ticket.id', direction)
      .offset((page.number - 1) * page.size)
      .limit(page.size)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      id: r.id,
      pluginType: r.plugin_type,
      comment: r.comment,
      committerId: r.committer_id,
      committerNick: r.nick_name,
      status: r.status as TicketStatus,
      createdAt: r.created_at,
      modifiedAt: r.modified_at,
    })),
  };
}

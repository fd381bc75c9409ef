import { AppError } from '../../errors.js';
import { formatDmsTime, parseDmsTime } from '../../lib/time.js';
import { ticketBaseInfo, ticketEvents } from '../../modules/tickets/details.js';
import { listTickets, type ListScope, type TicketSort, type TicketSortField } from '../../modules/tickets/list.js';
import { STATUS_DESC } from '../../modules/tickets/status.js';
import { getTenantPolicy, setTenantPolicy } from '../../modules/tickets/tenant-policy.js';
import { KNOWN_PLUGIN_TYPES } from '../../modules/tickets/ticket-type.js';
import { closeTicket, createTicket } from '../../modules/tickets/tickets.js';
import { userIds } from './common.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Tickets';

const SCOPES: Record<string, ListScope> = {
  AS_ADMIN: 'ALL',
  AS_COMMITTER: 'COMMITTED',
  AS_HANDLER: 'WAITING_FOR_ME',
  AS_OWNER: 'HANDLED_BY_ME',
  AS_Related: 'RELATED_TO_ME',
};

function timeParam(text: string | undefined, name: string, tz: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDmsTime(text, tz);
  if (ms === null) throw new AppError(`Invalid${name}`, `Specified parameter ${name} is not valid: expected yyyy-MM-dd HH:mm:ss.`);
  return ms;
}

const SORT_FIELDS = ['ORDER_ID', 'CREATE_TIME', 'MODIFY_TIME'] as const;
const SORT_FIELD_OF: Record<(typeof SORT_FIELDS)[number], TicketSortField> = { ORDER_ID: 'id', CREATE_TIME: 'created', MODIFY_TIME: 'modified' };

/** ListOrders' SortField/SortOrder; a SortOrder alone applies to the SearchDateType time. */
function sortOf(field: (typeof SORT_FIELDS)[number] | undefined, order: 'ASC' | 'DESC' | undefined, dateType: 'CREATE_TIME' | 'MODIFY_TIME'): TicketSort | undefined {
  if (field === undefined && order === undefined) return undefined;
  return { field: SORT_FIELD_OF[field ?? dateType], direction: order === 'ASC' ? 'asc' : 'desc' };
}

export const orderActions = [
  defineAction({
    name: 'CreateOrder',
    group: GROUP,
    summary: 'Files a ticket of a PluginType with its type-specific PluginParam; types with a precheck start it.',
    coverage:
      'All parameters. PluginType DATA_EXPORT, NDDL and DC_COMMON are handled; other DMS types answer NotSupported with the list of supported ones. PluginParam keys in lower camel case (as documented) or PascalCase.',
    acceptsRealLoginUser: true,
    params: {
      Comment: p.string('The business reason of the ticket.').req(),
      PluginType: p.enum(KNOWN_PLUGIN_TYPES, 'Ticket type code.', true).req(),
      PluginParam: p.json('Type-specific parameters, a JSON object (see docs/tickets.md).').req().inBody(),
      RelatedUserList: p.list('Comma-separated DMS user ids who may follow the ticket.'),
      AttachmentKey: p.string('Key of an uploaded attachment (GetUserUploadFileJob or POST /api/attachments).'),
    },
    response: '`CreateOrderResult.OrderIds[]` (long)',
    handler: async (input, ctx) => {
      const id = await createTicket(ctx.deps, ctx.actor, {
        pluginType: input.PluginType,
        comment: input.Comment,
        params: input.PluginParam,
        relatedUserIds: userIds(input.RelatedUserList, 'RelatedUserList'),
        attachmentKey: input.AttachmentKey,
        requestId: ctx.requestId,
      });
      return { CreateOrderResult: { OrderIds: [id] } };
    },
  }),
  defineAction({
    name: 'ListOrders',
    group: GROUP,
    summary: 'Pages through the tickets of one scope (mine by default), newest first, with filters.',
    coverage:
      'All parameters and response fields. SearchContent matches the comment or the OrderId. FINISHED = success, fail, reject, cancel, closed; RUNNING = the others. OpenDMS extension: SortField and SortOrder (ties are broken by OrderId in the same direction).',
    params: {
      OrderResultType: p.enum(['AS_ADMIN', 'AS_COMMITTER', 'AS_HANDLER', 'AS_OWNER', 'AS_Related'] as const, 'Scope; default AS_COMMITTER. AS_ADMIN needs ADMIN or DBA.', true).default('AS_COMMITTER'),
      OrderStatus: p.enum(['ALL', 'FINISHED', 'RUNNING'] as const, 'Status group.', true).default('ALL'),
      PluginType: p.enum(KNOWN_PLUGIN_TYPES, 'Only this type; DATA_CORRECT means every data-change type.', true),
      SearchContent: p.string('Keyword in the comment, or an OrderId.').maxLen(256),
      SearchDateType: p.enum(['CREATE_TIME', 'MODIFY_TIME'] as const, 'Which time StartTime/EndTime and the order apply to.', true).default('CREATE_TIME'),
      StartTime: p.string('yyyy-MM-dd HH:mm:ss, in the service time zone.'),
      EndTime: p.string('yyyy-MM-dd HH:mm:ss, in the service time zone.'),
      PageNumber: p.integer('1-based page.').range(1, undefined).default(1),
      PageSize: p.integer('Rows per page (1-100).').range(1, 100).default(10),
      SortField: p.enum(SORT_FIELDS, 'OpenDMS extension: sort by ORDER_ID, CREATE_TIME or MODIFY_TIME; default: newest first by SearchDateType.', true),
      SortOrder: p.enum(['ASC', 'DESC'] as const, 'OpenDMS extension: direction of SortField (alone: of the SearchDateType time); default DESC.', true),
    },
    response: '`TotalCount`, `Orders.Order[]{OrderId, PluginType, Comment, Committer, CommitterId, StatusCode, StatusDesc, CreateTime, LastModifyTime}`',
    handler: async (input, ctx) => {
      const tz = ctx.deps.config.timezone;
      const { items, total } = await listTickets(
        ctx.deps,
        ctx.actor,
        {
          scope: SCOPES[input.OrderResultType]!,
          statusGroup: input.OrderStatus,
          pluginType: input.PluginType,
          search: input.SearchContent,
          dateField: input.SearchDateType === 'CREATE_TIME' ? 'created' : 'modified',
          from: timeParam(input.StartTime, 'StartTime', tz),
          to: timeParam(input.EndTime, 'EndTime', tz),
          sort: sortOf(input.SortField, input.SortOrder, input.SearchDateType),
        },
        { number: input.PageNumber, size: input.PageSize },
      );
      return {
        TotalCount: total,
        Orders: {
          Order: items.map((t) => ({
            OrderId: t.id,
            PluginType: t.pluginType,
            Comment: t.comment,
            Committer: t.committerNick,
            CommitterId: t.committerId,
            StatusCode: t.status,
            StatusDesc: STATUS_DESC[t.status],
            CreateTime: formatDmsTime(t.createdAt, tz),
            LastModifyTime: formatDmsTime(t.modifiedAt, tz),
          })),
        },
      };
    },
  }),
  defineAction({
    name: 'GetOrderBaseInfo',
    group: GROUP,
    summary: 'Basic information of a visible ticket, with the WorkflowInstanceId of its approval.',
    params: { OrderId: p.long('Ticket id.').req() },
    response:
      '`OrderBaseInfo{OrderId, PluginType, Comment, Committer, CommitterId, StatusCode, StatusDesc, WorkflowInstanceId, WorkflowStatusDesc, RelatedUserList.UserIds[], RelatedUserNickList.UserNicks[], AttachmentKey, OriginAttachmentName, CreateTime, LastModifyTime}`',
    handler: async (input, ctx) => {
      const t = await ticketBaseInfo(ctx.deps, ctx.actor, input.OrderId);
      const tz = ctx.deps.config.timezone;
      return {
        OrderBaseInfo: {
          OrderId: t.id,
          PluginType: t.pluginType,
          Comment: t.comment,
          Committer: t.committerNick,
          CommitterId: t.committerId,
          StatusCode: t.status,
          StatusDesc: t.statusDesc,
          WorkflowInstanceId: t.workflowInstanceId ?? undefined,
          WorkflowStatusDesc: t.workflowStatusDesc,
          RelatedUserList: { UserIds: t.relatedUsers.map((u) => String(u.id)) },
          RelatedUserNickList: { UserNicks: t.relatedUsers.map((u) => u.nickName) },
          AttachmentKey: t.attachment?.key,
          OriginAttachmentName: t.attachment?.fileName,
          CreateTime: formatDmsTime(t.createdAt, tz),
          LastModifyTime: formatDmsTime(t.modifiedAt, tz),
        },
      };
    },
  }),
  defineAction({
    name: 'CloseOrder',
    group: GROUP,
    summary: 'Closes a ticket with a reason (committer, ADMIN or DBA; not while it is executing).',
    params: {
      OrderId: p.long('Ticket id.').req(),
      CloseReason: p.string('Why the ticket is closed.').req().maxLen(4000),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await closeTicket(ctx.deps, ctx.actor, input.OrderId, input.CloseReason, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'ListOrderEvents',
    group: GROUP,
    extension: true,
    summary: "A visible ticket's audit trail: every state change and approval action, oldest first.",
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`Events.Event[]{EventId, Action, OperatorId, OperatorNickName, RealLoginUserId, RealLoginUserNickName, FromStatus, ToStatus, Comment, RequestId, OperateTime}`',
    handler: async (input, ctx) => {
      const tz = ctx.deps.config.timezone;
      const events = await ticketEvents(ctx.deps, ctx.actor, input.OrderId);
      return {
        Events: {
          Event: events.map((e) => ({
            EventId: e.id,
            Action: e.action,
            OperatorId: e.actorId ?? undefined,
            OperatorNickName: e.actorNick ?? undefined,
            RealLoginUserId: e.delegatedById ?? undefined,
            RealLoginUserNickName: e.delegatedByNick ?? undefined,
            FromStatus: e.fromStatus ?? undefined,
            ToStatus: e.toStatus ?? undefined,
            Comment: e.comment ?? undefined,
            RequestId: e.requestId ?? undefined,
            OperateTime: formatDmsTime(e.at, tz),
          })),
        },
      };
    },
  }),
  defineAction({
    name: 'GetTenantTicketPolicy',
    group: GROUP,
    extension: true,
    summary: "The tenant's ticket rules: who may file (FilingPolicy) and whether committers may approve their own tickets.",
    params: {},
    response: '`Policy{FilingPolicy, AllowSelfApproval}`',
    handler: async (_in, ctx) => {
      const policy = await getTenantPolicy(ctx.deps, ctx.actor.tenantId);
      return { Policy: { FilingPolicy: policy.filing, AllowSelfApproval: policy.allowSelfApproval } };
    },
  }),
  defineAction({
    name: 'SetTenantTicketPolicy',
    group: GROUP,
    extension: true,
    summary: "Changes the tenant's ticket rules (ADMIN only). RESTRICTED filing: only owners and DBAs of a database (and ADMIN/DBA users) may file against it.",
    params: {
      FilingPolicy: p.enum(['OPEN', 'RESTRICTED'] as const, 'OPEN (default): any member may file; RESTRICTED: owners and DBAs only.', true),
      AllowSelfApproval: p.boolean('Whether a committer who is an approver may approve their own ticket (default false).'),
    },
    response: '`Policy{FilingPolicy, AllowSelfApproval}`',
    handler: async (input, ctx) => {
      const policy = await setTenantPolicy(ctx.deps, ctx.actor, {
        ...(input.FilingPolicy !== undefined && { filing: input.FilingPolicy }),
        ...(input.AllowSelfApproval !== undefined && { allowSelfApproval: input.AllowSelfApproval }),
      });
      return { Policy: { FilingPolicy: policy.filing, AllowSelfApproval: policy.allowSelfApproval } };
    },
  }),
];

import type { PluginType } from '../../modules/tickets/ticket-type.js';
import { createTicket } from '../../modules/tickets/tickets.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';
import { userIds } from './common.js';

/**
 * A dedicated `Create*Order` Action of the data-change family (reference §5): `Comment`, a
 * structured `Param` (one JSON text, PascalCase keys), `RelatedUserList`, `AttachmentKey`,
 * `RealLoginUserUid`; it files a ticket of `pluginType` and answers `CreateOrderResult[]`.
 */
export function dedicatedOrderAction(def: { name: string; group: string; pluginType: PluginType; summary: string; coverage: string; reason: string; paramKeys: string; attachmentNote?: string }) {
  return defineAction({
    name: def.name,
    group: def.group,
    summary: def.summary,
    coverage: def.coverage,
    acceptsRealLoginUser: true,
    params: {
      Comment: p.string(def.reason).req(),
      Param: p.json(`${def.paramKeys} (JSON, PascalCase keys).`).req(),
      RelatedUserList: p.list('DMS user ids who may follow the ticket (JSON array or comma-separated).'),
      AttachmentKey: p.string(`Key of an uploaded attachment (a ticket attachment${def.attachmentNote ?? ''}).`),
    },
    response: '`CreateOrderResult[]` (long)',
    handler: async (input, ctx) => {
      const id = await createTicket(ctx.deps, ctx.actor, {
        pluginType: def.pluginType,
        comment: input.Comment,
        params: input.Param,
        paramName: 'Param',
        relatedUserIds: userIds(input.RelatedUserList, 'RelatedUserList'),
        attachmentKey: input.AttachmentKey,
        requestId: ctx.requestId,
      });
      return { CreateOrderResult: [id] };
    },
  });
}

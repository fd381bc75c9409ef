import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { zBool, zLong } from '../plugin-param.js';
import type { TicketTypeDefinition } from '../ticket-type.js';
import { AppError } from '../../../errors.js';
import { createProject } from '../../schema-design/design.js';
import { publishApproved } from '../../schema-design/publish-start.js';
import * as designRepo from '../../schema-design/design.repository.js';

/** NDDL `PluginParam` (reference §4.1). */
const schema = z.object({
  title: z.string().trim().min(1, 'a title is required').max(LIMITS.titleChars),
  description: z.string().max(4000).optional(),
  dbId: zLong,
  logic: zBool.default(false),
  relatedIds: z.array(zLong).max(LIMITS.relatedUsers).default([]),
});

export type SchemaDesignParams = z.infer<typeof schema>;

/**
 * A schema design project on a base database (modules/schema-design/): filing creates the project;
 * the design's changes are recorded with extension Actions; each publish (CreatePublishGroupTask)
 * is one round of submission and approval, routed by the database it publishes to, and runs once
 * approved (hence ExecMode AUTO: the service runs it).
 */
export const nddlType: TicketTypeDefinition<SchemaDesignParams> = {
  pluginType: 'NDDL',
  title: 'schema design',
  schema,
  targets: (p) => [{ dbId: p.dbId, logic: p.logic }],
  relatedUsers: (p) => p.relatedIds,
  routingFacts: () => ({}),
  execMode: () => 'AUTO',
  describe: (p) => `Schema design "${p.title}" on ${p.logic ? 'logical ' : ''}database ${p.dbId}`,
  async afterCreate(deps, actor, ticket) {
    await createProject(deps, actor, ticket);
  },
  async assertSubmittable(deps, ticket) {
    const project = await designRepo.findProjectByTicket(deps.db, ticket.id);
    const publishes = project ? await designRepo.listPublishes(deps.db, project.id) : [];
    if (!publishes.some((x) => x.status === 'START')) {
      throw new AppError('InvalidStatus', `Ticket ${ticket.id} is a schema design: submit each publish with CreatePublishGroupTask (OrderId, DbId, PublishStrategy), which asks for its approval.`);
    }
  },
  async routingTargets(deps, ticket) {
    const project = await designRepo.findProjectByTicket(deps.db, ticket.id);
    const open = project ? (await designRepo.listPublishes(deps.db, project.id)).filter((x) => x.status === 'START').at(-1) : undefined;
    return open ? [{ dbId: open.db_id, logic: open.logic === 1 }] : [{ dbId: ticket.params.dbId, logic: ticket.params.logic }];
  },
  async approved(deps, row) {
    await publishApproved(deps, row);
  },
};

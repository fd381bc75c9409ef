import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { zBool, zLong } from '../plugin-param.js';
import type { TicketTypeDefinition } from '../ticket-type.js';

/** NDDL `PluginParam` (reference §4.1). */
const schema = z.object({
  title: z.string().trim().min(1, 'a title is required').max(LIMITS.titleChars),
  description: z.string().max(4000).optional(),
  dbId: zLong,
  logic: zBool.default(false),
  relatedIds: z.array(zLong).max(LIMITS.relatedUsers).default([]),
});

export type SchemaDesignParams = z.infer<typeof schema>;

/** A schema design project on a base database; designing and publishing come with the schema issue. */
export const nddlType: TicketTypeDefinition<SchemaDesignParams> = {
  pluginType: 'NDDL',
  title: 'schema design',
  schema,
  targets: (p) => [{ dbId: p.dbId, logic: p.logic }],
  relatedUsers: (p) => p.relatedIds,
  routingFacts: () => ({}),
  execMode: () => 'COMMITOR',
  describe: (p) => `Schema design "${p.title}" on ${p.logic ? 'logical ' : ''}database ${p.dbId}`,
};

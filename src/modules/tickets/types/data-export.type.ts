import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { zBool, zLong } from '../plugin-param.js';
import type { TicketTypeDefinition } from '../ticket-type.js';

/** DATA_EXPORT `PluginParam` (reference §4.1; `CreateDataExportOrder` adds `instanceId`). */
const schema = z
  .object({
    dbId: zLong,
    exeSQL: z.string().trim().min(1, 'the SELECT to export is required').max(LIMITS.sqlTextChars),
    logic: zBool.default(false),
    classify: z.string().max(256).optional(),
    affectRows: zLong.pipe(z.number().min(0)).optional(),
    ignoreAffectRows: zBool.default(false),
    ignoreAffectRowsReason: z.string().max(1000).optional(),
    instanceId: zLong.optional(),
  })
  .refine((p) => !p.ignoreAffectRows || (p.ignoreAffectRowsReason ?? '').trim() !== '', {
    message: 'ignoreAffectRowsReason is required when ignoreAffectRows is true',
    path: ['ignoreAffectRowsReason'],
  });

export type DataExportParams = z.infer<typeof schema>;

/** Export the result of SELECTs; execution (streaming export, files) comes with the export issue. */
export const dataExportType: TicketTypeDefinition<DataExportParams> = {
  pluginType: 'DATA_EXPORT',
  title: 'SQL result-set export',
  schema,
  targets: (p) => [{ dbId: p.dbId, logic: p.logic }],
  routingFacts: (p) => ({ estimatedRows: p.ignoreAffectRows ? undefined : p.affectRows }),
  execMode: () => 'COMMITOR',
  describe: (p) => `Export from ${p.logic ? 'logical ' : ''}database ${p.dbId}${p.affectRows !== undefined ? `, about ${p.affectRows} rows` : ''}: ${p.exeSQL.slice(0, 200)}`,
};

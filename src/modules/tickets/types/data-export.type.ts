import { z } from 'zod';
import { AppError } from '../../../errors.js';
import * as exportRepo from '../../exports/export.repository.js';
import * as instanceRepo from '../../instances/instance.repository.js';
import { LIMITS } from '../limits.js';
import { assertPrecheckPassed } from '../precheck-gate.js';
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
    watermark: z.unknown().optional(),
  })
  .refine((p) => !p.ignoreAffectRows || (p.ignoreAffectRowsReason ?? '').trim() !== '', {
    message: 'ignoreAffectRowsReason is required when ignoreAffectRows is true',
    path: ['ignoreAffectRowsReason'],
  });

export type DataExportParams = z.infer<typeof schema>;

/**
 * Export the result of SELECTs (modules/exports/): filing starts the precheck, which must pass
 * before submission; its row estimate feeds the routing rules; execution is ExecuteDataExport.
 */
export const dataExportType: TicketTypeDefinition<DataExportParams> = {
  pluginType: 'DATA_EXPORT',
  title: 'SQL result-set export',
  schema,
  targets: (p) => [{ dbId: p.dbId, logic: p.logic }],
  routingFacts: (p) => ({ estimatedRows: p.ignoreAffectRows ? undefined : p.affectRows }),
  execMode: () => 'COMMITOR',
  describe: (p) => `Export from ${p.logic ? 'logical ' : ''}database ${p.dbId}${p.affectRows !== undefined ? `, about ${p.affectRows} rows` : ''}: ${p.exeSQL.slice(0, 200)}`,
  async afterCreate(deps, _actor, ticket) {
    const p = ticket.params;
    if (p.watermark !== undefined) throw new AppError('NotSupported', 'PluginParam.Watermark is not supported by OpenDMS: export without it.');
    if (p.instanceId !== undefined && !p.logic) {
      const db = await instanceRepo.findDbById(deps.db, ticket.tenantId, p.dbId);
      if (db && db.instance_id !== p.instanceId) {
        throw new AppError('InvalidPluginParam', `Specified parameter PluginParam is not valid: InstanceId ${p.instanceId} is not the instance of database ${p.dbId} (its instance is ${db.instance_id}).`);
      }
    }
    const precheckId = await exportRepo.insertPrecheck(deps.db, { ticketId: ticket.id, tenantId: ticket.tenantId }, deps.now());
    await deps.jobs.enqueue('export-precheck', { precheckId }, { trx: deps.db, key: `export-precheck-${precheckId}`, maxAttempts: 3 });
  },
  async assertSubmittable(deps, ticket) {
    const pc = await exportRepo.latestPrecheck(deps.db, ticket.id);
    const state = pc?.status === 'PRE_CHECK_SUCCESS' ? 'passed' : !pc || pc.status === 'PRE_CHECKING' ? 'running' : 'failed';
    assertPrecheckPassed(ticket.id, state, pc?.message ?? null, 'GetDataExportPreCheckDetail');
  },
  /** The precheck's estimate (what the query really returns) rather than the committer's guess. */
  async measuredFacts(deps, ticket) {
    const pc = await exportRepo.latestPrecheck(deps.db, ticket.id);
    return pc?.estimated_rows != null ? { estimatedRows: pc.estimated_rows } : {};
  },
};

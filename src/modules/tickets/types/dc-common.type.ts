import { z } from 'zod';
import * as dcRepo from '../../data-changes/data-change.repository.js';
import { startAutoExecution } from '../../data-changes/execution.js';
import { LIMITS } from '../limits.js';
import { assertPrecheckPassed } from '../precheck-gate.js';
import { zBool, zLong } from '../plugin-param.js';
import { EXEC_MODES, type TicketTypeDefinition } from '../ticket-type.js';

const sqlType = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['TEXT', 'ATTACHMENT']));

/** DC_COMMON `PluginParam` keys (reference §4.1; `CreateDataCorrectOrder` uses the same content in PascalCase). */
export const dataChangeKeys = z.object({
  dbItemList: z.array(z.object({ dbId: zLong, logic: zBool.default(false) })).min(1, 'at least one database').max(LIMITS.targetDatabases),
  sqlType: sqlType.default('TEXT'),
  execSQL: z.string().max(LIMITS.sqlTextChars).optional(),
  execSql: z.string().max(LIMITS.sqlTextChars).optional(),
  attachmentName: z.string().optional(),
  estimateAffectRows: zLong.pipe(z.number().min(0)).optional(),
  classify: z.string().max(256).optional(),
  rbSQLType: sqlType.optional(),
  rollbackSqlType: sqlType.optional(),
  rbSQL: z.string().max(LIMITS.sqlTextChars).optional(),
  rollbackSQL: z.string().max(LIMITS.sqlTextChars).optional(),
  rbAttachmentName: z.string().nullable().optional(),
  rollbackAttachmentName: z.string().nullable().optional(),
  execMode: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(EXEC_MODES))
    .default('COMMITOR'),
});

type DataChangeKeys = z.infer<typeof dataChangeKeys>;

/** One spelling per concept: the older `execSql`, the dedicated Action's `rollbackSQL` … are accepted. */
export function normalizeDataChange<T extends DataChangeKeys>({ execSql, rollbackSqlType, rollbackSQL, rollbackAttachmentName, ...p }: T) {
  return {
    ...p,
    execSQL: p.execSQL ?? execSql,
    rbSQLType: p.rbSQLType ?? rollbackSqlType,
    rbSQL: p.rbSQL ?? rollbackSQL,
    rbAttachmentName: p.rbAttachmentName ?? rollbackAttachmentName ?? undefined,
  };
}

type Normalized = ReturnType<typeof normalizeDataChange<DataChangeKeys>>;

export const sqlGiven = (p: Normalized): boolean => (p.sqlType === 'TEXT' ? (p.execSQL ?? '').trim() !== '' : (p.attachmentName ?? '') !== '');
export const SQL_GIVEN = { message: 'execSQL is required when sqlType is TEXT, attachmentName when it is ATTACHMENT', path: ['execSQL'] };
export const rollbackGiven = (p: Normalized): boolean => p.rbSQLType !== 'ATTACHMENT' || (p.rbAttachmentName ?? '') !== '';
export const ROLLBACK_GIVEN = { message: 'rbAttachmentName is required when rbSQLType is ATTACHMENT', path: ['rbAttachmentName'] };

const schema = dataChangeKeys.transform(normalizeDataChange).refine(sqlGiven, SQL_GIVEN).refine(rollbackGiven, ROLLBACK_GIVEN);

export type DataChangeParams = z.infer<typeof schema>;

/**
 * What DC_COMMON, DC_CHUNK and DC_BIG_FILE share after filing: the precheck (job `dc-precheck`)
 * starts at once and must pass before submission, its row count feeds the routing rules, and
 * ExecMode AUTO starts the execution inside the approving transaction.
 */
export const dataChangeLifecycle: Pick<TicketTypeDefinition<unknown>, 'afterCreate' | 'assertSubmittable' | 'measuredFacts' | 'approved'> = {
  async afterCreate(deps, _actor, ticket) {
    const precheckId = await dcRepo.insertPrecheck(deps.db, { ticketId: ticket.id, tenantId: ticket.tenantId }, deps.now());
    await deps.jobs.enqueue('dc-precheck', { precheckId }, { trx: deps.db, key: `dc-precheck-${precheckId}`, maxAttempts: 3 });
  },
  async assertSubmittable(deps, ticket) {
    const pc = await dcRepo.latestPrecheck(deps.db, ticket.id);
    const state = pc?.status === 'SUCCESS' ? 'passed' : !pc || pc.status === 'RUNNING' ? 'running' : 'failed';
    assertPrecheckPassed(ticket.id, state, pc?.message ?? null, 'GetDataCorrectOrderDetail');
  },
  /** The precheck's row count (estimate, or a SAFE_MODE import's rows) rather than the committer's. */
  async measuredFacts(deps, ticket) {
    const pc = await dcRepo.latestPrecheck(deps.db, ticket.id);
    return pc?.estimated_rows != null ? { estimatedRows: pc.estimated_rows } : {};
  },
  async approved(deps, row) {
    await startAutoExecution(deps, row);
  },
};

/**
 * A regular data change (modules/data-changes/): filing starts the precheck (job `dc-precheck`),
 * which must pass before submission; its row estimate feeds the routing rules. After approval the
 * executor runs it (ExecuteDataCorrect), or the service at once (ExecMode AUTO): one job per
 * database, each statement once, with a backup of the rows it changes.
 */
export const dcCommonType: TicketTypeDefinition<DataChangeParams> = {
  pluginType: 'DC_COMMON',
  title: 'regular data change',
  schema,
  targets: (p) => p.dbItemList.map((d) => ({ dbId: d.dbId, logic: d.logic })),
  attachments: (p) => [p.sqlType === 'ATTACHMENT' ? p.attachmentName : undefined, p.rbSQLType === 'ATTACHMENT' ? p.rbAttachmentName : undefined].filter((k): k is string => !!k),
  routingFacts: (p) => ({ estimatedRows: p.estimateAffectRows }),
  execMode: (p) => p.execMode,
  describe: (p) =>
    `Data change on ${p.dbItemList.length} database(s)${p.estimateAffectRows !== undefined ? `, about ${p.estimateAffectRows} rows` : ''}: ${p.sqlType === 'TEXT' ? (p.execSQL ?? '').slice(0, 200) : `attachment ${p.attachmentName}`}`,
  ...dataChangeLifecycle,
};

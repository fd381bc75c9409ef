import { z } from 'zod';
import { zLong } from '../plugin-param.js';
import type { TicketTypeDefinition } from '../ticket-type.js';
import { dataChangeKeys, dcCommonType, normalizeDataChange, rollbackGiven, ROLLBACK_GIVEN, type DataChangeParams } from './dc-common.type.js';

const between = (min: number, max: number) => zLong.pipe(z.number().int().min(min).max(max));

/**
 * DC_CHUNK `PluginParam` (`CreateFreeLockCorrectOrder` in PascalCase): DC_COMMON's keys with the SQL
 * as text (the reference documents no attachment for it), plus how the batches are sized and
 * spaced (OpenDMS extensions, docs/data-changes.md).
 */
const schema = dataChangeKeys
  .extend({
    /** Rows of the first batch; later ones adapt to `batchMillis`. */
    batchRows: between(1, 100_000).default(1000),
    /** The time a batch should take. */
    batchMillis: between(10, 60_000).default(500),
    /** The pause after each batch, for replicas and other traffic. */
    sleepMillis: between(0, 60_000).default(100),
    /** MySQL/MariaDB: a registered instance replicating the target; batches wait while it lags. */
    replicaInstanceId: zLong.optional(),
    /** The lag (Seconds_Behind_Source/Master) above which batches wait. */
    maxReplicaLagSeconds: between(0, 86_400).default(10),
  })
  .transform(normalizeDataChange)
  .refine((p) => p.sqlType === 'TEXT', { message: 'a lock-free change takes its SQL as text: sqlType must be TEXT', path: ['sqlType'] })
  .refine((p) => (p.execSQL ?? '').trim() !== '', { message: 'execSQL is required', path: ['execSQL'] })
  .refine(rollbackGiven, ROLLBACK_GIVEN);

export type ChunkChangeParams = z.infer<typeof schema>;

/**
 * A lock-free data change: one UPDATE, DELETE or INSERT … SELECT run as many short transactions
 * over key ranges (modules/data-changes/chunk-runner.ts). Filing, precheck (with the chunking
 * checks), approval, execution, backups and rollback are DC_COMMON's.
 */
export const dcChunkType: TicketTypeDefinition<ChunkChangeParams> = {
  ...(dcCommonType as unknown as TicketTypeDefinition<ChunkChangeParams>),
  pluginType: 'DC_CHUNK',
  title: 'lock-free data change',
  schema,
  describe: (p: DataChangeParams) => `Lock-free data change (in batches) on ${p.dbItemList.length} database(s): ${(p.execSQL ?? '').slice(0, 200)}`,
};

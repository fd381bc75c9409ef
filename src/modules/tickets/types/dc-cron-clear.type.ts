import { z } from 'zod';
import { CronSyntaxError, nextFireTime, parseQuartzCron } from '../../../lib/quartz-cron.js';
import { armSchedule, disarmSchedule } from '../../data-cron/schedule.js';
import { LIMITS } from '../limits.js';
import { zBool, zLong } from '../plugin-param.js';
import type { TicketTypeDefinition } from '../ticket-type.js';
import { dataChangeLifecycle } from './dc-common.type.js';

/** Items of one ticket; each is one DELETE per database and run. */
export const MAX_CLEAR_ITEMS = 50;
/** A run may be limited to at most 30 days. */
export const MAX_DURATION_HOURS = 720;

const cronFormat = z.string().superRefine((text, ctx) => {
  try {
    const cron = parseQuartzCron(text);
    if (nextFireTime(cron, Date.now(), 'UTC') === null) ctx.addIssue({ code: 'custom', message: 'the schedule never fires (again)' });
  } catch (e) {
    if (!(e instanceof CronSyntaxError)) throw e;
    ctx.addIssue({ code: 'custom', message: e.message });
  }
});

const name = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `a ${what} name is required`)
    .max(128)
    .refine((s) => !/[\0\n\r]/.test(s), `a ${what} name cannot hold control characters`);

const item = z.object({
  /** `table` or `schema.table`. */
  tableName: name('table').refine((s) => s.split('.').length <= 2 && !s.split('.').some((p) => p.trim() === ''), 'expected table or schema.table'),
  columnName: name('column'),
  remainDays: zLong.pipe(z.number().min(0, 'must be 0 or more').max(36_500, 'at most 36500 days')),
  timeUnit: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(['SECONDS', 'MILLISECONDS'], 'expected SECONDS or MILLISECONDS'))
    .optional(),
  filterSQL: z.string().max(4000).optional(),
});

/**
 * DC_CRON_CLEAR `Param` (reference §5.1 CreateDataCronClearOrder; CreateOrder `PluginParam` with
 * lower camel keys). `specifyDuration` is lower camel on the wire too; DurationHour is required
 * when it is true and ignored otherwise. The ticket always runs by itself (ExecMode AUTO).
 */
const schema = z
  .object({
    dbItemList: z.array(z.object({ dbId: zLong, logic: zBool.default(false) })).min(1, 'at least one database').max(LIMITS.targetDatabases),
    cronFormat,
    cronClearItemList: z.array(item).min(1, 'at least one table').max(MAX_CLEAR_ITEMS, `at most ${MAX_CLEAR_ITEMS} tables`),
    specifyDuration: z.union(zBool.options, { error: 'expected true or false' }).default(false),
    durationHour: zLong.pipe(z.number().min(1, 'at least 1 hour').max(MAX_DURATION_HOURS, `at most ${MAX_DURATION_HOURS} hours`)).optional(),
    classify: z.string().max(256).optional(),
    execMode: z
      .string()
      .transform((s) => s.toUpperCase())
      .refine((s) => s === 'AUTO', 'a cleanup schedule runs by itself: only AUTO')
      .optional(),
  })
  .refine((p) => !p.specifyDuration || p.durationHour !== undefined, { message: 'is required when specifyDuration is true', path: ['durationHour'] })
  .transform(({ cronFormat: text, durationHour, ...p }) => ({
    ...p,
    cronFormat: text.trim().split(/\s+/).join(' '),
    durationHour: p.specifyDuration ? durationHour : undefined,
    execMode: 'AUTO' as const,
  }));

export type CronClearParams = z.infer<typeof schema>;
export type CronClearItem = CronClearParams['cronClearItemList'][number];

/**
 * A scheduled historical-data cleanup (modules/data-cron/): filing starts the precheck (job
 * `dc-precheck`, the same tables as DC_COMMON), which must pass before submission. The approval
 * arms the schedule (the ticket goes processing); each run deletes the expired rows of every item
 * on every database in key-ordered batches; CloseOrder disarms it.
 */
export const dcCronClearType: TicketTypeDefinition<CronClearParams> = {
  pluginType: 'DC_CRON_CLEAR',
  title: 'scheduled historical-data cleanup',
  schema,
  targets: (p) => p.dbItemList.map((d) => ({ dbId: d.dbId, logic: d.logic })),
  routingFacts: () => ({}),
  execMode: () => 'AUTO',
  describe: (p) =>
    `Cleanup on schedule ${p.cronFormat} of ${p.cronClearItemList.map((i) => `${i.tableName} (${i.columnName} older than ${i.remainDays} days)`).join(', ')} on ${p.dbItemList.length} database(s)${p.durationHour ? `, at most ${p.durationHour} h per run` : ''}`,
  // Filed and checked like the other data changes; its approval arms the schedule instead of running it.
  afterCreate: dataChangeLifecycle.afterCreate!,
  assertSubmittable: dataChangeLifecycle.assertSubmittable!,
  async approved(deps, row) {
    await armSchedule(deps, row);
  },
  closableWhileProcessing: true,
  async closed(deps, row, actor) {
    await disarmSchedule(deps, row, actor);
  },
};

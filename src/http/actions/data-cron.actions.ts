import { cronConfig, listRuns } from '../../modules/data-cron/config.js';
import { pauseSchedule, resumeSchedule } from '../../modules/data-cron/schedule.js';
import { formatDmsTime, formatOptionalDmsTime } from '../../lib/time.js';
import { cronClearConfig } from '../presenters/data-cron-detail.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';
import { dedicatedOrderAction } from './dedicated-order.js';

const GROUP = 'Data change';

export const dataCronActions = [
  dedicatedOrderAction({
    name: 'CreateDataCronClearOrder',
    group: GROUP,
    pluginType: 'DC_CRON_CLEAR',
    summary: 'Files a DC_CRON_CLEAR ticket (scheduled historical-data cleanup); its precheck starts at once.',
    coverage:
      'All parameters. Param keys DbItemList[{DbId, Logic}] (MySQL/MariaDB as DMS, and PostgreSQL and SQLite), CronFormat (Quartz: seconds minutes hours day-of-month month day-of-week [year], day-of-week 1 = SUN … 7 = SAT, one day field `?`; see docs/data-cron.md), CronClearItemList[{TableName, ColumnName, RemainDays, TimeUnit SECONDS|MILLISECONDS for epoch columns, FilterSQL `where …` or a bare condition}], specifyDuration (lower camel, as DMS) and DurationHour (required when specifyDuration is true), Classify. The ticket runs by itself once approved (ExecMode AUTO). Response `CreateOrderResult[]`.',
    reason: 'The business reason of the cleanup.',
    paramKeys: 'DbItemList, CronFormat, CronClearItemList, specifyDuration, DurationHour, Classify',
  }),
  defineAction({
    name: 'GetDataCronClearConfig',
    group: GROUP,
    summary: 'The schedule of a cleanup ticket: its expression, state, call count, last and next call.',
    coverage:
      'All parameters and fields (CronCallTimes and Duration as strings, as the reference types them). CronStatus: PAUSE (paused, or disarmed by CloseOrder), WAITING (a run in progress), SUCCESS (the latest run ended: each run\'s outcome is in GetDataCronClearTaskDetailList), empty before the first run. CronNextCallTime is absent while not armed. CurrentClearTaskCount: runs in progress (0 or 1). OptimizeTableAfterEveryClearTimes is always 0. Adds `ScheduleStatus` (ARMED, PAUSED, DISARMED; absent before approval), `TimeZone` and `Message` (why the latest slot did not start a run) (OpenDMS).',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`DataCronClearConfig{CronCallTimes, CronFormat, CronLastCallStartTime, CronNextCallTime, CronStatus, CurrentClearTaskCount, Duration, OptimizeTableAfterEveryClearTimes}`',
    handler: async (input, ctx) => ({ DataCronClearConfig: cronClearConfig(await cronConfig(ctx.deps, ctx.actor, input.OrderId)) }),
  }),
  defineAction({
    name: 'GetDataCronClearTaskDetailList',
    group: GROUP,
    summary: 'The runs of a cleanup ticket, newest first: rows deleted and status of each.',
    coverage:
      'All parameters and fields (note the lowercase `jobStatus`): FAIL when a job of the run failed, RUNNING while one runs, BE_SCHEDULED, PAUSE (stopped at its DurationHour window, or by PauseDataCorrectSQLJob or CloseOrder), SUCCESS. DBTaskGroupId works with ListDBTaskSQLJob. Adds `Message` (why a job failed or paused) (OpenDMS).',
    params: {
      OrderId: p.long('Ticket id.').req(),
      PageNumber: p.integer('1-based page number.').range(1, undefined).default(1),
      PageSize: p.integer('Rows per page (1-1000).').range(1, 1000).default(20),
    },
    response: '`DataCronClearTaskDetailList[]{ActualAffectRows, CreateTime, DBTaskGroupId, jobStatus}`, `TotalCount`',
    handler: async (input, ctx) => {
      const r = await listRuns(ctx.deps, ctx.actor, input.OrderId, { number: input.PageNumber, size: input.PageSize });
      return {
        DataCronClearTaskDetailList: r.items.map((t) => ({
          ActualAffectRows: t.affectedRows,
          CreateTime: formatDmsTime(t.createdAt, ctx.deps.config.timezone),
          DBTaskGroupId: t.taskId,
          jobStatus: t.status,
          Message: t.message ?? undefined,
        })),
        TotalCount: r.totalCount,
      };
    },
  }),
  defineAction({
    name: 'PauseDataCronClear',
    group: GROUP,
    extension: true,
    summary: 'Pauses the schedule of a cleanup ticket (no run starts until it is resumed).',
    coverage: 'By the committer, an ADMIN or a DBA, while the schedule is armed. A run in progress goes on (PauseDataCorrectSQLJob pauses its jobs). Recorded as ticket event CRON_CLEAR_PAUSE.',
    acceptsRealLoginUser: true,
    params: { OrderId: p.long('Ticket id.').req() },
    response: 'common fields',
    handler: async (input, ctx) => {
      await pauseSchedule(ctx.deps, ctx.actor, input.OrderId, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'ResumeDataCronClear',
    group: GROUP,
    extension: true,
    summary: 'Arms a paused cleanup schedule again, from its next call after now.',
    coverage: 'By the committer, an ADMIN or a DBA, while the schedule is paused; the slots that passed while paused do not run. Recorded as ticket event CRON_CLEAR_RESUME. Adds `CronNextCallTime`.',
    acceptsRealLoginUser: true,
    params: { OrderId: p.long('Ticket id.').req() },
    response: 'common fields; adds `CronNextCallTime` (OpenDMS)',
    handler: async (input, ctx) => {
      const next = await resumeSchedule(ctx.deps, ctx.actor, input.OrderId, ctx.requestId);
      return { CronNextCallTime: formatOptionalDmsTime(next, ctx.deps.config.timezone) };
    },
  }),
];

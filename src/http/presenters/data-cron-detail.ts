import type { Deps } from '../../modules/context.js';
import { cronConfigOf, type CronConfig } from '../../modules/data-cron/config.js';
import type { DcFamilyType } from '../../modules/data-changes/family.js';
import type { CronClearParams } from '../../modules/tickets/types/dc-cron-clear.type.js';
import { formatOptionalDmsTime } from '../../lib/time.js';

/**
 * GetDataCorrectOrderDetail `ConfigDetail` cron fields (reference §5.1: "cron fields are only
 * meaningful for CRON_CLEAR_DATA"): Cron, CronCallTimes, CronExtConfig, CronFormat,
 * CronLastCallStartTime, CronNextCallTime, CronStatus, Duration. Empty for the other types.
 */
export async function cronConfigDetail(deps: Deps, pluginType: DcFamilyType, orderId: number, params: unknown): Promise<Record<string, unknown>> {
  if (pluginType !== 'DC_CRON_CLEAR') return {};
  const c = await cronConfigOf(deps, orderId, params as CronClearParams);
  return {
    Cron: true,
    CronCallTimes: c.callCount,
    CronExtConfig: { CurrentClearTaskCount: c.currentRuns, OptimizeTableAfterEveryClearTimes: 0 },
    CronFormat: c.cronFormat,
    CronLastCallStartTime: formatOptionalDmsTime(c.lastCallAt, c.timeZone),
    CronNextCallTime: formatOptionalDmsTime(c.nextCallAt, c.timeZone),
    CronStatus: c.cronStatus,
    Duration: c.durationHours ?? undefined,
  };
}

/** GetDataCronClearConfig `DataCronClearConfig` (several numbers typed string there, as the reference has them). */
export function cronClearConfig(c: CronConfig): Record<string, unknown> {
  return {
    CronCallTimes: String(c.callCount),
    CronFormat: c.cronFormat,
    CronLastCallStartTime: formatOptionalDmsTime(c.lastCallAt, c.timeZone),
    CronNextCallTime: formatOptionalDmsTime(c.nextCallAt, c.timeZone),
    CronStatus: c.cronStatus,
    CurrentClearTaskCount: c.currentRuns,
    Duration: c.durationHours === null ? undefined : String(c.durationHours),
    OptimizeTableAfterEveryClearTimes: 0,
    ScheduleStatus: c.scheduleStatus ?? undefined,
    TimeZone: c.timeZone,
    Message: c.lastMessage ?? undefined,
  };
}

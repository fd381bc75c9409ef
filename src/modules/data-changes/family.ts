import type { PluginType } from '../tickets/ticket-type.js';

/**
 * The data-change family (reference §5.1): one detail model (GetDataCorrectOrderDetail), one
 * execution model (task → one job per database → statements), and the Actions on them.
 */
export const DC_FAMILY = ['DC_COMMON', 'DC_CHUNK', 'DC_CRON_CLEAR', 'DC_BIG_FILE'] as const satisfies readonly PluginType[];
export type DcFamilyType = (typeof DC_FAMILY)[number];

/** `ConfigDetail.DetailType` of each. */
export const DETAIL_TYPES: Record<DcFamilyType, 'COMMON' | 'CHUNK_DML' | 'CRON_CLEAR_DATA' | 'BIG_FILE'> = {
  DC_COMMON: 'COMMON',
  DC_CHUNK: 'CHUNK_DML',
  DC_CRON_CLEAR: 'CRON_CLEAR_DATA',
  DC_BIG_FILE: 'BIG_FILE',
};

export const TYPE_TITLES: Record<DcFamilyType, string> = {
  DC_COMMON: 'a data change (DC_COMMON)',
  DC_CHUNK: 'a lock-free data change (DC_CHUNK)',
  DC_CRON_CLEAR: 'a historical-data cleanup (DC_CRON_CLEAR)',
  DC_BIG_FILE: 'a data import (DC_BIG_FILE)',
};

export const isDcFamily = (t: string): t is DcFamilyType => (DC_FAMILY as readonly string[]).includes(t);

import type { AnyTicketType, PluginType } from '../ticket-type.js';
import { dataExportType } from './data-export.type.js';
import { dcChunkType } from './dc-chunk.type.js';
import { dcBigFileType } from './dc-big-file.type.js';
import { dcCommonType } from './dc-common.type.js';
import { dcCronClearType } from './dc-cron-clear.type.js';
import { nddlType } from './nddl.type.js';

/** Every ticket type OpenDMS handles, by PluginType. Later issues add theirs here. */
export const TICKET_TYPES: ReadonlyMap<PluginType, AnyTicketType> = new Map(
  [dataExportType, nddlType, dcCommonType, dcChunkType, dcCronClearType, dcBigFileType].map((t) => [t.pluginType, t] as const),
);

/** `DATA_CORRECT` stands for every data-change type in ListOrders (reference §2.1). */
export const DATA_CORRECT_TYPES: readonly PluginType[] = ['DC_COMMON', 'DC_CHUNK', 'DC_CRON_CLEAR', 'DC_PROC', 'DC_BIG_FILE'];

import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { zBool, zLong } from '../plugin-param.js';
import { EXEC_MODES, type TicketTypeDefinition } from '../ticket-type.js';
import { dataChangeLifecycle } from './dc-common.type.js';

const upper = <const E extends readonly [string, ...string[]]>(values: E) =>
  z
    .string()
    .transform((s) => s.trim().toUpperCase())
    .pipe(z.enum(values));

const sqlType = upper(['TEXT', 'ATTACHMENT']);

export const FILE_TYPES = ['SQL', 'CSV'] as const;
export const FILE_ENCODINGS = ['AUTO', 'UTF-8', 'GBK', 'ISO-8859-1'] as const;
export const INSERT_TYPES = ['INSERT', 'INSERT_IGNORE', 'REPLACE_INTO'] as const;
export const IMPORT_MODES = ['SAFE_MODE', 'FAST_MODE'] as const;
export type FileEncoding = (typeof FILE_ENCODINGS)[number];
export type InsertType = (typeof INSERT_TYPES)[number];

/**
 * DC_BIG_FILE `PluginParam` (reference §5.1 CreateDataImportOrder; `CreateOrder` takes the same
 * keys in lower camel case). The parsed form keeps the DC_COMMON keys the shared data-change code
 * reads (`dbItemList`, `execMode`, `sqlType` ATTACHMENT, `attachmentName`, `rbSQL…`).
 */
const schema = z
  .object({
    dbItemList: z
      .array(z.object({ dbId: zLong, logic: zBool.default(false) }))
      .length(1, 'exactly one database: an import runs on one database')
      .refine((l) => l.every((d) => !d.logic), 'a logical database is not supported: name one physical database'),
    attachmentName: z.string().trim().min(1, 'the attachment key of the file to import is required'),
    fileType: upper(FILE_TYPES),
    fileEncoding: upper(FILE_ENCODINGS).default('AUTO'),
    tableName: z.string().trim().min(1).max(200).optional(),
    csvFirstRowIsColumnDef: zBool.optional(),
    insertType: upper(INSERT_TYPES).optional(),
    importMode: upper(IMPORT_MODES).default('SAFE_MODE'),
    ignoreError: zBool.default(false),
    classify: z.string().max(256).optional(),
    rollbackSqlType: sqlType.optional(),
    rollbackSQL: z.string().max(LIMITS.sqlTextChars).optional(),
    rollbackAttachmentName: z.string().nullable().optional(),
    execMode: upper(EXEC_MODES).default('COMMITOR'),
  })
  .refine((p) => p.fileType !== 'CSV' || p.tableName !== undefined, { message: 'tableName is required when fileType is CSV', path: ['tableName'] })
  .refine((p) => p.fileType !== 'CSV' || p.csvFirstRowIsColumnDef !== undefined, { message: 'csvFirstRowIsColumnDef is required when fileType is CSV', path: ['csvFirstRowIsColumnDef'] })
  .refine((p) => p.fileType !== 'CSV' || p.insertType !== undefined, { message: 'insertType is required when fileType is CSV', path: ['insertType'] })
  .refine((p) => p.rollbackSqlType !== 'ATTACHMENT' || (p.rollbackAttachmentName ?? '') !== '', {
    message: 'rollbackAttachmentName is required when rollbackSqlType is ATTACHMENT',
    path: ['rollbackAttachmentName'],
  })
  .transform(({ rollbackSqlType, rollbackSQL, rollbackAttachmentName, ...p }) => ({
    ...p,
    sqlType: 'ATTACHMENT' as const,
    csvFirstRowIsColumnDef: p.csvFirstRowIsColumnDef ?? false,
    insertType: p.insertType ?? ('INSERT' as const),
    rbSQLType: rollbackSqlType,
    rbSQL: rollbackSQL,
    rbAttachmentName: rollbackAttachmentName ?? undefined,
  }));

export type DataImportParams = z.infer<typeof schema>;

/**
 * A bulk data import (modules/data-imports/, docs/data-imports.md): an uploaded SQL or CSV file
 * into one database. Filing starts the precheck (job `dc-precheck`, which hands DC_BIG_FILE to
 * data-imports/precheck.ts); after approval it runs as one data-change job whose body streams the
 * file in batches, each batch exactly once.
 */
export const dcBigFileType: TicketTypeDefinition<DataImportParams> = {
  pluginType: 'DC_BIG_FILE',
  title: 'bulk data import',
  schema,
  targets: (p) => p.dbItemList.map((d) => ({ dbId: d.dbId, logic: d.logic })),
  attachments: (p) => [p.attachmentName, p.rbSQLType === 'ATTACHMENT' ? p.rbAttachmentName : undefined].filter((k): k is string => !!k),
  routingFacts: () => ({}),
  execMode: (p) => p.execMode,
  describe: (p) =>
    `Import of attachment ${p.attachmentName} (${p.fileType}${p.fileType === 'CSV' ? ` into table ${p.tableName}, ${p.insertType}` : ''}, ${p.importMode}${p.ignoreError ? ', bad rows skipped' : ''})`,
  ...dataChangeLifecycle,
};

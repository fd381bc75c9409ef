import type { DcFamilyType } from '../../modules/data-changes/family.js';
import type { DataImportParams } from '../../modules/tickets/types/dc-big-file.type.js';

/**
 * GetDataCorrectOrderDetail `ConfigDetail` import fields (reference §5.1: "import fields only for
 * BIG_FILE"): FileType, FileEncoding (as filed: AUTO stays AUTO), CsvTableName, ImportExtConfig.
 * Empty for the other types of the family.
 */
export function importConfigDetail(pluginType: DcFamilyType, params: unknown): Record<string, unknown> {
  if (pluginType !== 'DC_BIG_FILE') return {};
  const p = params as DataImportParams;
  return {
    FileType: p.fileType,
    FileEncoding: p.fileEncoding,
    CsvTableName: p.tableName ?? '',
    ImportExtConfig: { CsvFirstRowIsColumnDef: p.csvFirstRowIsColumnDef, IgnoreError: p.ignoreError, ImportMode: p.importMode, InsertType: p.insertType },
  };
}

/** The DDL rule set of schema-design tickets, in the order findings are reported for one statement. */
import type { DdlRuleDefinition } from '../ddl-types.js';
import { ddlAlterLock } from './alter-lock.js';
import { ddlAddColumnWithoutDefault } from './column-rules.js';
import { ddlDropColumn, ddlDropTable, ddlTypeNarrowing } from './destructive-rules.js';
import { ddlForeignKey, ddlIndexColumns, ddlIndexCount, ddlRedundantIndex } from './index-rules.js';
import { ddlColumnComment, ddlNaming, ddlTableCharset, ddlTablePrimaryKey } from './table-rules.js';

export const DDL_RULES: readonly DdlRuleDefinition[] = [
  ddlTablePrimaryKey,
  ddlDropTable,
  ddlDropColumn,
  ddlTypeNarrowing,
  ddlAddColumnWithoutDefault,
  ddlNaming,
  ddlColumnComment,
  ddlTableCharset,
  ddlIndexCount,
  ddlIndexColumns,
  ddlRedundantIndex,
  ddlForeignKey,
  ddlAlterLock,
];

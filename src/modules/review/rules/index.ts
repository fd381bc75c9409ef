/** The DML rule set, in the order findings are reported for one statement. */
import type { RuleDefinition } from '../types.js';
import { insertNoColumnList, insertSelectSameTable } from './insert-rules.js';
import { dmlUpdatePrimaryKey, tableNotFound, tableWithoutKey } from './table-rules.js';
import { dmlFullScanLargeTable, dmlTooManyRows, tooManyStatements } from './volume-rules.js';
import { dmlLimitWithoutOrder, dmlNoWhere, dmlWhereAlwaysTrue } from './where-rules.js';

/**
 * Not a check of the SQL but of the review itself: the statement did not parse, so only what the
 * token fallback can see was reviewed. A rule like the others so that it can be set OFF or raised.
 */
export const parseFallback: RuleDefinition = {
  id: 'parse-fallback',
  level: 'NOTICE',
  description: 'The SQL parser could not read a statement; it was reviewed from its tokens only (the WHERE, LIMIT and INSERT checks), so the review is partial.',
  params: {},
  check(s) {
    if (s.parsed || s.kind === 'OTHER') return [];
    return [`the SQL parser could not read this statement (${s.parseError ?? 'unknown reason'}), so it was reviewed from its tokens only and the review is partial; check it by eye, or rewrite it in a simpler form.`];
  },
};

export const DML_RULES: readonly RuleDefinition[] = [
  tableNotFound,
  dmlNoWhere,
  dmlWhereAlwaysTrue,
  dmlLimitWithoutOrder,
  dmlUpdatePrimaryKey,
  insertNoColumnList,
  insertSelectSameTable,
  dmlTooManyRows,
  dmlFullScanLargeTable,
  tableWithoutKey,
  tooManyStatements,
  parseFallback,
];

/** Rules on INSERT and REPLACE. */
import { refName, sameTable } from '../table-refs.js';
import type { RuleDefinition } from '../types.js';

const inserts = (kind: string): boolean => kind === 'INSERT' || kind === 'REPLACE';

export const insertNoColumnList: RuleDefinition = {
  id: 'insert-no-column-list',
  level: 'WARNING',
  description: 'INSERT or REPLACE without a column list depends on the table\'s column order and breaks when a column is added.',
  params: {},
  check(s) {
    if (!inserts(s.kind) || s.insertColumnList !== false) return [];
    return [`${s.kind} has no column list, so its values depend on the table's column order; name the columns: ${s.kind} INTO t (a, b, …) …`];
  },
};

export const insertSelectSameTable: RuleDefinition = {
  id: 'insert-select-same-table',
  level: 'ERROR',
  description: 'INSERT … SELECT that reads the table it inserts into (locks the table; may read its own new rows).',
  params: {},
  check(s) {
    if (!inserts(s.kind)) return [];
    const target = s.targets[0];
    if (!target || !s.insertReads.some((r) => sameTable(r, target))) return [];
    return [`${s.kind} … SELECT reads ${refName(target)}, the table it inserts into; select the rows into a separate table first, or insert literal values.`];
  },
};

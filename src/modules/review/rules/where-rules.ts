/** Rules on how UPDATE and DELETE pick their rows: WHERE present, not always true, LIMIT ordered. */
import type { RuleDefinition } from '../types.js';

const changesRows = (kind: string): boolean => kind === 'UPDATE' || kind === 'DELETE';

export const dmlNoWhere: RuleDefinition = {
  id: 'dml-no-where',
  level: 'ERROR',
  description: 'UPDATE or DELETE without a WHERE clause changes every row of the table.',
  params: {},
  check(s) {
    if (!changesRows(s.kind) || s.hasWhere !== false) return [];
    return [`${s.kind} has no WHERE clause, so it changes every row of the table; add a WHERE clause that selects the rows to change.`];
  },
};

export const dmlWhereAlwaysTrue: RuleDefinition = {
  id: 'dml-where-always-true',
  level: 'ERROR',
  description: 'UPDATE or DELETE whose WHERE clause is always true (`1=1`, `true`, `x = x`, `… OR 1=1`), which filters nothing.',
  params: {},
  check(s) {
    if (!changesRows(s.kind) || s.whereAlwaysTrue !== true) return [];
    return [`the WHERE clause of this ${s.kind} is always true (such as 1=1, TRUE, x = x or OR 1=1), so it changes every row; write a condition that selects the rows to change.`];
  },
};

export const dmlLimitWithoutOrder: RuleDefinition = {
  id: 'dml-limit-without-order',
  level: 'WARNING',
  description: 'MySQL/MariaDB UPDATE or DELETE with LIMIT but no ORDER BY: which rows it changes is up to the server (and unsafe for statement-based replication).',
  params: {},
  check(s, { ctx }) {
    if (ctx.engine !== 'mysql' && ctx.engine !== 'mariadb') return [];
    if (!changesRows(s.kind) || s.hasLimit !== true || s.hasOrderBy !== false) return [];
    return [`${s.kind} with LIMIT but no ORDER BY changes rows in an order the server chooses; add an ORDER BY on a unique key, or select the rows by WHERE alone.`];
  },
};

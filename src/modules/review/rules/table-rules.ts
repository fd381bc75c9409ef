/** Rules that need facts about the tables (from `ReviewContext.table`): existence, keys. */
import { refName } from '../table-refs.js';
import type { RuleDefinition, TableFacts } from '../types.js';

export const tableNotFound: RuleDefinition = {
  id: 'table-not-found',
  level: 'ERROR',
  description: 'A statement touches a table that does not exist in the target database.',
  params: {},
  check(s, { ctx }) {
    if (s.kind === 'OTHER') return [];
    const missing = s.tables.filter((t) => ctx.table(t.schema, t.name)?.exists === false).map(refName);
    if (!missing.length) return [];
    const which = missing.length === 1 ? `table ${missing[0]} does not` : `tables ${missing.join(', ')} do not`;
    return [`${which} exist in the target database; check the name and schema, or create the table first (a schema-design ticket).`];
  },
};

const hasKey = (f: TableFacts): boolean => f.primaryKey.length > 0 || f.uniqueKeys.some((k) => k.length > 0);

export const tableWithoutKey: RuleDefinition = {
  id: 'table-without-key',
  level: 'WARNING',
  description: 'UPDATE or DELETE on a table with neither a primary nor a unique key: the backup keeps full row images and the rollback matches rows by every column.',
  params: {},
  check(s, { ctx }) {
    if (s.kind !== 'UPDATE' && s.kind !== 'DELETE') return [];
    const keyless = s.targets.filter((t) => {
      const f = ctx.table(t.schema, t.name);
      return f !== undefined && f.exists && !f.isView && !hasKey(f);
    });
    return keyless.map(
      (t) => `table ${refName(t)} has no primary or unique key, so the backup stores full row images and the rollback matches rows by all columns (duplicate rows cannot be told apart); add a primary key before changing it.`,
    );
  },
};

export const dmlUpdatePrimaryKey: RuleDefinition = {
  id: 'dml-update-primary-key',
  level: 'ERROR',
  description: 'UPDATE (or INSERT … ON DUPLICATE KEY UPDATE / ON CONFLICT DO UPDATE) that assigns a primary-key column.',
  params: {},
  check(s, { ctx }) {
    if (s.kind === 'OTHER' || s.kind === 'DELETE' || !s.assignedColumns) return [];
    // PostgreSQL names are folded already and compare exactly; MySQL/MariaDB/SQLite columns are case-insensitive.
    const same = ctx.engine === 'postgresql' ? (a: string, b: string) => a === b : (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    const hits = new Map<string, string[]>();
    for (const { table, column } of s.assignedColumns) {
      const f = ctx.table(table.schema, table.name);
      if (!f?.exists || !f.primaryKey.some((k) => same(k, column))) continue;
      const name = refName(table);
      const cols = hits.get(name) ?? [];
      if (!cols.includes(column)) cols.push(column);
      hits.set(name, cols);
    }
    return [...hits].map(
      ([table, cols]) => `it changes the primary key (${cols.join(', ')}) of ${table}, which breaks references to those rows and the backup's row identity; leave key columns out of SET, or delete and re-insert the rows in a reviewed ticket.`,
    );
  },
};

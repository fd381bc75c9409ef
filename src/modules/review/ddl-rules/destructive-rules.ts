/**
 * DDL rules on changes that lose data: DROP TABLE, DROP COLUMN, narrowing a column's type. ERROR
 * in `product` (where the data is real), WARNING elsewhere.
 */
import type { DdlRuleDefinition } from '../ddl-types.js';
import { refName } from '../table-refs.js';
import type { RuleLevel } from '../types.js';
import { narrowing } from './column-types.js';
import { listOf, rowsText, sameName, what } from './helpers.js';

const PRODUCT_ERROR = { product: 'ERROR' as RuleLevel };

export const ddlDropTable: DdlRuleDefinition = {
  id: 'ddl-drop-table',
  level: 'WARNING',
  levelIn: PRODUCT_ERROR,
  description: 'DROP TABLE deletes a table and its rows (ERROR in product, WARNING elsewhere).',
  params: {},
  check(s, env) {
    if (s.kind !== 'DROP_TABLE' || s.temporary) return [];
    const tables = s.tables?.length ? s.tables : s.table ? [s.table] : [];
    const sized = tables.map((t) => {
      const rows = env.before(t)?.rows;
      return typeof rows === 'number' && rows > 0 ? `${refName(t)} (${rowsText(rows)})` : refName(t);
    });
    return [
      `DROP TABLE deletes ${listOf(sized)} with all ${tables.length > 1 ? 'their' : 'its'} rows, which cannot be undone; rename the table instead (e.g. to ${tables[0] ? `${tables[0].name}_deleted` : 'a _deleted name'}) and drop it once nothing uses it.`,
    ];
  },
};

export const ddlDropColumn: DdlRuleDefinition = {
  id: 'ddl-drop-column',
  level: 'WARNING',
  levelIn: PRODUCT_ERROR,
  description: 'ALTER TABLE … DROP COLUMN deletes a column and its values (ERROR in product, WARNING elsewhere).',
  params: {},
  check(s) {
    if (s.kind !== 'ALTER_TABLE') return [];
    const dropped = s.actions.flatMap((a) => (a.op === 'DROP_COLUMN' ? [a.name] : []));
    if (!dropped.length) return [];
    return [
      `${what(s)} drops column${dropped.length > 1 ? 's' : ''} ${listOf(dropped)} with ${dropped.length > 1 ? 'their' : 'its'} values, which cannot be undone, and breaks every query that still names ${dropped.length > 1 ? 'them' : 'it'}; stop using the column first, and keep a copy of the values if they may be needed.`,
    ];
  },
};

export const ddlTypeNarrowing: DdlRuleDefinition = {
  id: 'ddl-type-narrowing',
  level: 'WARNING',
  levelIn: PRODUCT_ERROR,
  description:
    'MODIFY/CHANGE or ALTER COLUMN … TYPE to a type that cannot hold every current value (varchar(100) → varchar(50), bigint → int, decimal(10,2) → decimal(8,2), dropped ENUM values, text → int, …), judged from the current type in the table facts (ERROR in product, WARNING elsewhere).',
  params: {},
  check(s, env) {
    if (s.kind !== 'ALTER_TABLE' || !s.table) return [];
    const table = env.before(s.table);
    if (!table) return [];
    const same = sameName(env.ctx.engine);
    const out: string[] = [];
    for (const a of s.actions) {
      if (a.op !== 'MODIFY_COLUMN' || a.column.type === undefined || a.column.type === '') continue;
      const current = table.columns.find((c) => same(c.name, a.from));
      if (!current) continue;
      const why = narrowing(current.type, a.column.type, env.ctx.engine);
      if (why) {
        out.push(
          `${what(s)} changes column ${a.from} from ${current.type} to ${a.column.type}: ${why}${table.rows ? ` (the table has ${rowsText(table.rows)})` : ''}; check the current values first (e.g. the longest or largest), or keep the wider type.`,
        );
      }
    }
    return out;
  },
};

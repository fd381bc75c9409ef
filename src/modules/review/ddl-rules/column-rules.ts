/** DDL rules on adding columns to tables that have rows. */
import type { DdlDraft, DdlRuleDefinition } from '../ddl-types.js';
import { hasDefault, rowsText, what } from './helpers.js';

export const ddlAddColumnWithoutDefault: DdlRuleDefinition = {
  id: 'ddl-add-column-without-default',
  level: 'WARNING',
  description:
    'ALTER TABLE … ADD COLUMN without a DEFAULT (not auto-increment, identity or computed) on a table of more than `minTableRows` rows: NOT NULL gives the existing rows the type\'s implicit value (MySQL/MariaDB), a nullable column gives them NULL. ' +
    'A NOT NULL column without DEFAULT fails on PostgreSQL as soon as the table has rows, and always on SQLite: reported whatever the size.',
  params: { minTableRows: 1_000_000 },
  check(s, { ctx, params, before }) {
    if (s.kind !== 'ALTER_TABLE' || !s.table) return [];
    const table = before(s.table);
    const rows = table?.rows ?? null;
    const min = params['minTableRows']!;
    const out: DdlDraft[] = [];
    for (const a of s.actions) {
      if (a.op !== 'ADD_COLUMN') continue;
      const c = a.column;
      if (hasDefault(c) || c.autoIncrement || c.generated) continue;
      const notNull = !c.nullable && !c.primaryKey;
      if (notNull && ctx.engine === 'sqlite') {
        out.push(`${what(s)} adds column ${c.name} NOT NULL without a DEFAULT, which SQLite refuses ("Cannot add a NOT NULL column with default value NULL"); give it a DEFAULT.`);
      } else if (notNull && ctx.engine === 'postgresql' && rows !== null && rows > 0 && !table?.created) {
        out.push(`${what(s)} adds column ${c.name} NOT NULL without a DEFAULT to a table with ${rowsText(rows)}, which PostgreSQL refuses (the existing rows would hold NULL); give it a DEFAULT, or add it nullable, fill it, then SET NOT NULL.`);
      } else if (rows !== null && rows > min && !table?.created) {
        out.push(
          notNull
            ? `${what(s)} adds column ${c.name} NOT NULL without a DEFAULT to a table with ${rowsText(rows)} (more than ${min.toLocaleString('en-US')}): every existing row gets the type's implicit value (0, '' or a zero date), which is rarely what is meant; give it a DEFAULT.`
            : `${what(s)} adds column ${c.name} without a DEFAULT to a table with ${rowsText(rows)} (more than ${min.toLocaleString('en-US')}): every existing row holds NULL in it, which readers must handle; give it a DEFAULT if the rows have a value.`,
        );
      }
    }
    return out;
  },
};

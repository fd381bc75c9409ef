/**
 * SQLite: ALTER TABLE supports only RENAME TO, RENAME [COLUMN] (3.25+), ADD [COLUMN] (with
 * restrictions) and DROP [COLUMN] (3.35+), one per statement; anything else needs the table to be
 * rebuilt by hand. ADD and RENAME change the schema text only; DROP COLUMN rewrites the table.
 */
import type { AlterAction } from '../ddl-types.js';
import { hasDefault } from './helpers.js';
import type { LockInput, LockOp, LockPlan } from './lock-types.js';
import { atLeast } from './server-version.js';

const NAMES: Partial<Record<AlterAction['op'], string>> = {
  MODIFY_COLUMN: 'change a column (ALTER COLUMN / MODIFY)',
  ADD_INDEX: 'add a constraint',
  ADD_PRIMARY_KEY: 'add a primary key',
  DROP_PRIMARY_KEY: 'drop a primary key',
  DROP_INDEX: 'drop an index (use DROP INDEX)',
  DROP_CONSTRAINT: 'drop a constraint',
  RENAME_INDEX: 'rename an index',
  OPTIONS: 'change table options',
  OTHER: 'run that action',
};

export function sqliteLockPlan(input: LockInput): LockPlan {
  const { s, version } = input;
  const ops: LockOp[] = [];
  const unsupported: string[] = [];
  if (s.kind === 'CREATE_INDEX') ops.push({ what: `CREATE INDEX ${s.indexes[0]?.name ?? ''}`.trimEnd(), cost: 'build', how: 'builds the index holding the database\'s write lock: other writers wait', blocksWrites: true });
  if (s.kind === 'ALTER_TABLE') {
    if (s.actions.length > 1) unsupported.push(`run ${s.actions.length} actions in one statement (one ALTER TABLE each)`);
    for (const a of s.actions) {
      if (a.op === 'RENAME_TABLE') continue;
      if (a.op === 'RENAME_COLUMN') {
        if (atLeast(version, 3, 25) === false) unsupported.push('rename a column before SQLite 3.25');
        continue;
      }
      if (a.op === 'DROP_COLUMN') {
        if (atLeast(version, 3, 35) === false) unsupported.push('drop a column before SQLite 3.35');
        else ops.push({ what: `DROP COLUMN ${a.name}`, cost: 'rebuild', how: 'rewrites every row of the table (and fails if the column is in a key, an index, a foreign key, a view or a trigger)', blocksWrites: true });
        continue;
      }
      if (a.op === 'ADD_COLUMN') {
        const c = a.column;
        if (c.primaryKey || c.unique) unsupported.push(`add a ${c.primaryKey ? 'PRIMARY KEY' : 'UNIQUE'} column (${c.name})`);
        else if (c.generated === 'STORED') unsupported.push(`add a STORED generated column (${c.name})`);
        else if (hasDefault(c) && /^\s*(\(|current_(time|date|timestamp)\b)/i.test(c.defaultValue!)) unsupported.push(`add a column with a non-constant DEFAULT (${c.name} DEFAULT ${c.defaultValue})`);
        continue;
      }
      unsupported.push(NAMES[a.op] ?? 'run that action');
    }
  }
  return {
    ops,
    unsupported,
    summary: (heavy) => (input.assumed && heavy.some((o) => o.what.startsWith('DROP COLUMN')) ? `(Assuming SQLite ${version.major}.${version.minor} or later.)` : ''),
    advice: () => 'Run it when the database is quiet: SQLite has one writer at a time.',
  };
}

/**
 * PostgreSQL: which ALTER TABLE operations rewrite the table (and its indexes) or scan it, and
 * which change the catalog only. Every ALTER TABLE holds an ACCESS EXCLUSIVE lock (reads and
 * writes wait) for as long as it runs, and queues behind any open transaction on the table.
 */
import type { AlterAction } from '../ddl-types.js';
import { parseColumnType, sameType } from './column-types.js';
import { hasDefault, sameName } from './helpers.js';
import type { LockInput, LockOp, LockPlan } from './lock-types.js';
import { atLeast } from './server-version.js';

const op = (what: string, cost: LockOp['cost'], how: string, blocksWrites = true): LockOp => ({ what, cost, how, blocksWrites });
const REWRITE = 'rewrites the whole table and rebuilds its indexes';

/** Functions whose DEFAULT makes ADD COLUMN fill every row one by one (volatile ones; now() and CURRENT_TIMESTAMP are stable). */
const VOLATILE = /\b(random|random_normal|clock_timestamp|timeofday|gen_random_uuid|uuid_generate_v1|uuid_generate_v1mc|uuid_generate_v4|uuidv4|uuidv7|nextval|setseed)\s*\(/i;

export function postgresLockPlan(input: LockInput): LockPlan {
  const { s } = input;
  const ops: LockOp[] = [];
  if (s.kind === 'CREATE_INDEX' && s.indexes[0]) {
    const what = `CREATE INDEX ${s.indexes[0].name ?? ''}`.trimEnd();
    ops.push(
      s.concurrently
        ? op(`${what} CONCURRENTLY`, 'build', 'builds the index in two passes over the table; writes allowed', false)
        : op(what, 'build', 'builds the index under a SHARE lock: writes wait until it ends (CONCURRENTLY would allow them)'),
    );
  }
  if (s.kind === 'ALTER_TABLE') for (const a of s.actions) {
    const o = action(a, input);
    if (o) ops.push(o);
  }
  return {
    ops,
    unsupported: [],
    summary: (heavy) =>
      s.kind === 'ALTER_TABLE'
        ? `ALTER TABLE holds an ACCESS EXCLUSIVE lock for all of it: reads and writes of the table wait${heavy.some((o) => o.cost === 'rebuild') ? ' until the rewrite ends' : ''}${input.assumed ? ` (assuming PostgreSQL ${input.version.major} or later)` : ''}.`
        : '',
    advice: (heavy) =>
      `Set lock_timeout so that it cannot hold up the table's traffic queued behind it, and run it off-peak${heavy.some((o) => o.cost === 'rebuild') ? '; a rewrite needs disk space for a second copy of the table' : ''}.`,
  };
}

function action(a: AlterAction, input: LockInput): LockOp | null {
  switch (a.op) {
    case 'ADD_COLUMN': {
      const c = a.column;
      const what = `ADD COLUMN ${c.name}`;
      if (c.autoIncrement) return op(what, 'rebuild', `${REWRITE}, numbering the existing rows (serial / identity)`);
      if (c.generated === 'STORED') return op(what, 'rebuild', `${REWRITE}, computing the column for every row`);
      if (hasDefault(c) && VOLATILE.test(c.defaultValue!)) return op(what, 'rebuild', `${REWRITE}: the volatile DEFAULT ${c.defaultValue} is computed for every row`);
      if (c.primaryKey || c.unique) return op(what, 'build', `builds its ${c.primaryKey ? 'primary key' : 'unique'} index`);
      if (c.references) return op(what, 'scan', 'checks the foreign key (SHARE ROW EXCLUSIVE on the referenced table)');
      if (hasDefault(c) && !atLeast(input.version, 11)) return op(what, 'rebuild', `${REWRITE} to store the DEFAULT (PostgreSQL 11 and later only note it in the catalog)`);
      return null; // metadata only
    }
    case 'MODIFY_COLUMN': {
      if (a.change === 'DEFAULT') return null;
      if (a.change === 'NULLABILITY') {
        return a.column.nullable === false
          ? op(`ALTER COLUMN ${a.from} SET NOT NULL`, 'scan', `scans every row for NULLs${atLeast(input.version, 12) ? ' (skipped when a validated CHECK (… IS NOT NULL) constraint proves it)' : ''}`)
          : null;
      }
      const same = sameName(input.engine);
      const current = input.table?.columns.find((c) => same(c.name, a.from));
      const to = a.column.type;
      const what = `ALTER COLUMN ${a.from} TYPE ${to ?? ''}`.trimEnd();
      if (to === undefined) return null;
      if (!a.using && current && binaryCompatible(current.type, to)) return null;
      if (!current && !a.using) return op(what, 'rebuild', `${REWRITE}, unless the change is binary compatible (varchar(n) → varchar(m ≥ n) or text, numeric(p,s) → numeric(q ≥ p,s)); the current type is not known here`);
      return op(what, 'rebuild', `${REWRITE}${current ? ` (${current.type} → ${to})` : ''}`);
    }
    case 'ADD_INDEX': {
      if (a.index.foreignKey) {
        const what = `ADD FOREIGN KEY (${a.index.columns.join(', ')})`;
        return a.index.notValid ? null : op(what, 'scan', 'checks every row against the referenced table, whose writes wait too (SHARE ROW EXCLUSIVE); NOT VALID, then VALIDATE CONSTRAINT, avoids the long lock');
      }
      return op(`ADD ${a.index.unique ? 'UNIQUE' : 'INDEX'} (${a.index.columns.join(', ')})`, 'build', 'builds the index while the table is locked; CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … UNIQUE USING INDEX, avoids that');
    }
    case 'ADD_PRIMARY_KEY':
      return op(`ADD PRIMARY KEY (${a.columns.join(', ')})`, 'build', 'builds the index (and checks the columns for NULLs) while the table is locked; CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … PRIMARY KEY USING INDEX, avoids that');
    default:
      return null; // DROP COLUMN, RENAME, DROP CONSTRAINT, …: the catalog only
  }
}

/** Type changes PostgreSQL makes without a rewrite (binary coercible, no length check to run). */
function binaryCompatible(fromText: string, toText: string): boolean {
  if (sameType(fromText, toText, 'postgresql')) return true;
  const from = parseColumnType(fromText, 'postgresql');
  const to = parseColumnType(toText, 'postgresql');
  if (from.base === 'varchar' || from.base === 'text') {
    if (to.base === 'text') return true;
    if (to.base === 'varchar') return to.length! >= from.length!;
  }
  if (from.family === 'decimal' && to.family === 'decimal') return to.precision === Infinity || (to.scale === from.scale && to.precision! >= from.precision!);
  return false;
}

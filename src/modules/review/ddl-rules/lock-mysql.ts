/**
 * MySQL/MariaDB online DDL: the algorithm (INSTANT, INPLACE with or without a table rebuild, COPY)
 * and whether concurrent writes are allowed, per ALTER TABLE operation, as the MySQL 8.0 manual's
 * "Online DDL Operations" tables and MariaDB's "InnoDB Online DDL Operations" pages give them. An
 * ALTER runs as a whole with its most demanding operation's algorithm.
 */
import type { AlterAction, DdlColumn } from '../ddl-types.js';
import { parseColumnType, sameType } from './column-types.js';
import { sameName } from './helpers.js';
import type { LockInput, LockOp, LockPlan } from './lock-types.js';
import { atLeast } from './server-version.js';

const op = (what: string, cost: LockOp['cost'], how: string, blocksWrites = false): LockOp => ({ what, cost, how, blocksWrites });
const INSTANT = 'INSTANT (metadata only)';
const REBUILD = 'INPLACE, rebuilds the table, writes allowed';
const COPY = 'COPY (the table is copied row by row), writes blocked';
const BUILD = 'INPLACE, builds the index, writes allowed';

export function mysqlLockPlan(input: LockInput): LockPlan {
  const { s } = input;
  const ops: LockOp[] = [];
  const created = s.kind === 'CREATE_INDEX' ? s.indexes[0] : undefined;
  if (created) ops.push(addIndex(`CREATE ${created.unique ? 'UNIQUE ' : ''}INDEX ${created.name ?? ''}`.trimEnd(), created.method ?? null, created.unique));
  if (s.kind === 'ALTER_TABLE') {
    const dropsAndAddsPk = s.actions.some((a) => a.op === 'DROP_PRIMARY_KEY') && s.actions.some((a) => a.op === 'ADD_PRIMARY_KEY');
    for (const a of s.actions) {
      const o = action(a, input, dropsAndAddsPk);
      if (o) ops.push(o);
    }
  }
  const given = [s.options, ...s.actions.flatMap((a) => (a.op === 'OPTIONS' ? [a.options] : []))];
  const requested = given.flatMap((o) => ['algorithm', 'lock'].flatMap((k) => (o[k] ? [`${k.toUpperCase()}=${o[k]!.toUpperCase()}`] : [])));
  const server = input.engine === 'mariadb' ? `MariaDB ${input.version.major}.${input.version.minor} or later` : `MySQL ${input.version.major}.${input.version.minor}.${input.version.patch} or later`;
  return {
    ops,
    unsupported: [],
    summary: (heavy) => {
      const algorithm = heavy.some((o) => o.cost === 'copy') ? 'COPY' : heavy.length ? 'INPLACE' : 'INSTANT';
      const blocks = heavy.some((o) => o.blocksWrites);
      return (
        `${s.kind === 'ALTER_TABLE' ? 'The ALTER runs as a whole' : 'It runs'} with ALGORITHM=${algorithm}, ${blocks ? 'writes to the table wait until it ends' : 'writes allowed (a short metadata lock at the start and end)'}` +
        `${requested.length ? ` (${requested.join(', ')} given: the server refuses the statement if it cannot run it so)` : ''}` +
        `${input.assumed ? ` (assuming ${server})` : ''}.`
      );
    },
    advice: () => 'Run it off-peak, or with an online schema change tool (gh-ost, pt-online-schema-change); replicas apply it after the source has finished.',
  };
}

function addIndex(what: string, method: string | null, unique: boolean): LockOp {
  if (method === 'fulltext') return op(what, 'build', 'INPLACE, builds the FULLTEXT index (the first one rebuilds the table), writes blocked', true);
  if (method === 'spatial') return op(what, 'build', 'INPLACE, builds the SPATIAL index, writes blocked', true);
  return op(what, 'build', unique ? `${BUILD} (duplicates written meanwhile make it fail)` : BUILD);
}

function action(a: AlterAction, input: LockInput, dropsAndAddsPk: boolean): LockOp | null {
  const { version: v } = input;
  const maria = input.engine === 'mariadb';
  const instantAnywhere = maria ? atLeast(v, 10, 4) : atLeast(v, 8, 0, 29);
  const instantLast = maria ? atLeast(v, 10, 3, 2) : atLeast(v, 8, 0, 12);
  switch (a.op) {
    case 'ADD_COLUMN': {
      const c = a.column;
      const what = `ADD COLUMN ${c.name}`;
      if (c.autoIncrement) return op(what, 'rebuild', 'INPLACE, rebuilds the table to number the rows, writes blocked', true);
      if (c.primaryKey) return op(what, 'rebuild', REBUILD);
      if (c.generated === 'STORED') return op(what, 'copy', COPY, true);
      if (c.unique) return op(what, 'build', `${BUILD} for its UNIQUE key`);
      const positioned = Boolean(a.after) || Boolean(a.first);
      if (c.generated === 'VIRTUAL' || (positioned ? instantAnywhere : instantLast)) return op(what, 'metadata', INSTANT);
      return op(what, 'rebuild', `${REBUILD}${instantLast && positioned ? ` (INSTANT only when added last before ${maria ? 'MariaDB 10.4' : 'MySQL 8.0.29'})` : ''}`);
    }
    case 'DROP_COLUMN':
      return instantAnywhere ? op(`DROP COLUMN ${a.name}`, 'metadata', INSTANT) : op(`DROP COLUMN ${a.name}`, 'rebuild', REBUILD);
    case 'RENAME_COLUMN':
    case 'RENAME_INDEX':
    case 'RENAME_TABLE':
    case 'DROP_INDEX':
    case 'DROP_CONSTRAINT':
      return null;
    case 'MODIFY_COLUMN':
      return modify(a, input);
    case 'ADD_INDEX':
      if (a.index.foreignKey) return op(`ADD FOREIGN KEY (${a.index.columns.join(', ')})`, 'copy', 'COPY while foreign_key_checks is on (INPLACE, metadata only, when it is off), writes blocked', true);
      return addIndex(`ADD ${a.index.unique ? 'UNIQUE ' : ''}INDEX ${a.index.name ?? ''}`.trimEnd(), a.index.method ?? null, a.index.unique);
    case 'ADD_PRIMARY_KEY':
      return op(`ADD PRIMARY KEY (${a.columns.join(', ')})`, 'rebuild', REBUILD);
    case 'DROP_PRIMARY_KEY':
      return dropsAndAddsPk ? op('DROP PRIMARY KEY', 'rebuild', REBUILD) : op('DROP PRIMARY KEY', 'copy', COPY, true);
    case 'OPTIONS': {
      const keys = Object.keys(a.options);
      if (a.convert) return op('CONVERT TO CHARACTER SET', 'copy', 'COPY, re-encodes every text column, writes blocked', true);
      if (keys.includes('charset') || keys.includes('collate')) return op('CHARACTER SET / COLLATE', 'rebuild', 'INPLACE, rebuilds the table when the encoding changes, writes blocked', true);
      if (keys.includes('engine')) return op(`ENGINE=${a.options['engine']}`, 'rebuild', `${REBUILD} (another engine: COPY)`);
      if (keys.includes('row_format') || keys.includes('key_block_size')) return op(keys.join(', ').toUpperCase(), 'rebuild', REBUILD);
      return null;
    }
    case 'OTHER':
      return /^force$/i.test(a.text.trim()) ? op('FORCE', 'rebuild', REBUILD) : null;
    default:
      return null;
  }
}

/** MODIFY / CHANGE / ALTER COLUMN SET|DROP DEFAULT, judged against the current column when known. */
function modify(a: Extract<AlterAction, { op: 'MODIFY_COLUMN' }>, input: LockInput): LockOp | null {
  const what = a.from === a.column.name ? `MODIFY ${a.from}` : `CHANGE ${a.from} ${a.column.name}`;
  if (a.change === 'DEFAULT') return null;
  if (a.change === 'NULLABILITY') return op(what, 'rebuild', REBUILD);
  const same = sameName(input.engine);
  const current = input.table?.columns.find((c) => same(c.name, a.from));
  const next = a.column as Partial<DdlColumn>;
  if (!current || next.type === undefined) {
    return op(what, 'copy', 'COPY when the type changes (the current type is not known here), writes blocked; INPLACE without a rebuild when only the name, default or comment changes, or a VARCHAR grows within its length bytes', true);
  }
  if (sameType(current.type, next.type, 'mysql')) {
    if (next.nullable !== undefined && next.nullable !== current.nullable) return op(what, 'rebuild', `${REBUILD} (${next.nullable ? 'NULL' : 'NOT NULL'} changes)`);
    return null; // a new name, default or comment: metadata only
  }
  const from = parseColumnType(current.type, 'mysql');
  const to = parseColumnType(next.type, 'mysql');
  // VARCHAR grown within the same number of length bytes (1 up to 255 bytes; utf8mb4 assumed: 4 bytes a character).
  if (from.base === 'varchar' && to.base === 'varchar' && to.length! >= from.length! && (from.length! * 4 <= 255) === (to.length! * 4 <= 255) && next.nullable === current.nullable) {
    return null;
  }
  return op(what, 'copy', `COPY (${current.type} → ${next.type}: the table is copied row by row), writes blocked`, true);
}

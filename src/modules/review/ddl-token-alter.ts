/** ALTER TABLE for the token reader (ddl-token-reader.ts): the table, then each comma-separated action. */
import { DdlCursor, normalizedText } from './ddl-cursor.js';
import { emptyRead, type DdlRead } from './ddl-read.js';
import { readColumn, readConstraint, readDefault, readTableOptions, startsConstraint, type ColumnRead } from './ddl-token-elements.js';
import type { AlterAction, DdlColumn } from './ddl-types.js';

export function alterTable(c: DdlCursor): DdlRead {
  const r = emptyRead('ALTER_TABLE');
  r.ifExists = c.takeIfExists();
  c.take('ONLY');
  r.table = c.ref();
  c.takeOp('*');
  for (const part of c.commaParts()) r.actions.push(...alterAction(part));
  const rename = r.actions.find((a) => a.op === 'RENAME_TABLE');
  if (rename) r.renameTo = rename.to;
  return r;
}

function other(c: DdlCursor, start: number): AlterAction {
  return { op: 'OTHER', text: c.text(start, c.end) };
}

function alterAction(c: DdlCursor): AlterAction[] {
  const start = c.i;
  if (c.take('ADD')) {
    if (c.take('COLUMN')) return addColumns(c);
    if (startsConstraint(c)) {
      const k = readConstraint(c);
      if (k.kind === 'PRIMARY') return [{ op: 'ADD_PRIMARY_KEY', columns: k.columns, name: k.name }];
      if (k.kind === 'INDEX') return [{ op: 'ADD_INDEX', index: k.index }];
      return [other(c, start)];
    }
    if (c.is('PARTITION')) return [other(c, start)];
    return addColumns(c);
  }
  if (c.take('DROP')) return [dropAction(c, start)];
  if (c.mysqlish && c.take('MODIFY')) {
    c.take('COLUMN');
    c.takeIfExists();
    const col = readColumn(c);
    return col ? [redefine(col.column.name, col)] : [other(c, start)];
  }
  if (c.mysqlish && c.take('CHANGE')) {
    c.take('COLUMN');
    c.takeIfExists();
    const from = c.name();
    const col = readColumn(c);
    return from !== null && col ? [redefine(from, col)] : [other(c, start)];
  }
  if (c.take('ALTER')) return [alterColumn(c, start)];
  if (c.take('RENAME')) return [renameAction(c, start)];
  if (c.mysqlish && c.takeSeq('CONVERT', 'TO')) {
    c.takeSeq('CHARACTER', 'SET') || c.takeSeq('CHAR', 'SET') || c.take('CHARSET');
    const options: Record<string, string> = {};
    const cs = c.value();
    if (cs !== null) options['charset'] = cs;
    if (c.take('COLLATE')) {
      const co = c.value();
      if (co !== null) options['collate'] = co;
    }
    return [{ op: 'OPTIONS', options, convert: true }];
  }
  if (c.mysqlish && c.at()?.kind === 'word' && !c.is('FORCE', 'ORDER', 'ENABLE', 'DISABLE', 'DISCARD', 'IMPORT', 'PARTITION', 'REMOVE', 'WITH', 'WITHOUT')) {
    // One action per option (`ENGINE=InnoDB COMMENT='x'` is two), as the parser lists them.
    const options = readTableOptions(c);
    if (Object.keys(options).length && c.done()) return Object.entries(options).map(([k, v]) => ({ op: 'OPTIONS', options: { [k]: v } }));
    c.i = start;
  }
  return [other(c, start)];
}

function addColumns(c: DdlCursor): AlterAction[] {
  const start = c.i;
  const ifNotExists = c.takeIfExists();
  const g = c.isOp('(') ? c.group() : null;
  const parts = g ? c.sub(g.start, g.end).commaParts() : [c];
  const out: AlterAction[] = [];
  for (const p of parts) {
    if (g && startsConstraint(p)) continue; // MySQL ADD (col, …, INDEX …): rare; not read
    const col = readColumn(p);
    if (!col) return [other(c, start)];
    const a: AlterAction = { op: 'ADD_COLUMN', column: col.column, after: col.after };
    if (col.first) a.first = true;
    if (ifNotExists) a.ifNotExists = true;
    out.push(a);
  }
  return out;
}

function redefine(from: string, col: ColumnRead): AlterAction {
  const a: AlterAction = { op: 'MODIFY_COLUMN', from, column: col.column, change: 'REDEFINE', after: col.after };
  if (col.first) a.first = true;
  return a;
}

function dropAction(c: DdlCursor, start: number): AlterAction {
  if (c.takeSeq('PRIMARY', 'KEY')) return { op: 'DROP_PRIMARY_KEY' };
  if (c.take('INDEX', 'KEY')) {
    const ifExists = c.takeIfExists();
    const name = c.name();
    return name === null ? other(c, start) : { op: 'DROP_INDEX', name, ...(ifExists ? { ifExists } : {}) };
  }
  const fk = c.takeSeq('FOREIGN', 'KEY');
  if (fk || c.take('CONSTRAINT', 'CHECK')) {
    const ifExists = c.takeIfExists();
    const name = c.name();
    if (name === null) return other(c, start);
    return { op: 'DROP_CONSTRAINT', name, ...(fk ? { foreignKey: true } : {}), ...(ifExists ? { ifExists } : {}) };
  }
  if (c.is('PARTITION', 'DEFAULT')) return other(c, start);
  c.take('COLUMN');
  const ifExists = c.takeIfExists();
  const name = c.name();
  return name === null ? other(c, start) : { op: 'DROP_COLUMN', name, ...(ifExists ? { ifExists } : {}) };
}

/** After ALTER: `[COLUMN] a …` (PostgreSQL TYPE / NOT NULL / DEFAULT; MySQL SET|DROP DEFAULT). */
function alterColumn(c: DdlCursor, start: number): AlterAction {
  if (c.is('INDEX', 'CONSTRAINT', 'CHECK')) return other(c, start);
  c.take('COLUMN');
  const name = c.name();
  if (name === null) return other(c, start);
  const modify = (column: Partial<DdlColumn>, change: 'TYPE' | 'NULLABILITY' | 'DEFAULT', using: string | null = null): AlterAction => {
    const a: AlterAction = { op: 'MODIFY_COLUMN', from: name, column: { name, ...column }, change };
    if (change === 'TYPE') a.using = using;
    return a;
  };
  if (c.takeSeq('SET', 'DATA', 'TYPE') || c.take('TYPE')) {
    const typeStart = c.i;
    c.until((x) => x.is('COLLATE', 'USING'));
    const type = normalizedText(c.tokens, typeStart, c.i);
    let collate: string | null = null;
    if (c.take('COLLATE')) collate = c.value();
    const using = c.take('USING') ? c.rest() : null;
    return modify({ type, ...(collate !== null ? { collate } : {}) }, 'TYPE', using);
  }
  if (c.takeSeq('SET', 'NOT', 'NULL')) return modify({ nullable: false }, 'NULLABILITY');
  if (c.takeSeq('DROP', 'NOT', 'NULL')) return modify({ nullable: true }, 'NULLABILITY');
  if (c.takeSeq('SET', 'DEFAULT')) return modify({ defaultValue: readDefault(c) }, 'DEFAULT');
  if (c.takeSeq('DROP', 'DEFAULT')) return modify({ defaultValue: null }, 'DEFAULT');
  return other(c, start);
}

function renameAction(c: DdlCursor, start: number): AlterAction {
  if (c.take('TO', 'AS')) {
    const to = c.ref();
    return to ? { op: 'RENAME_TABLE', to } : other(c, start);
  }
  if (c.mysqlish && c.take('INDEX', 'KEY')) {
    const from = c.name();
    const to = c.take('TO') ? c.name() : null;
    return from !== null && to !== null ? { op: 'RENAME_INDEX', from, to } : other(c, start);
  }
  if (c.is('CONSTRAINT')) return other(c, start);
  const column = c.take('COLUMN') !== null;
  const mark = c.i;
  const from = c.name();
  if (from !== null && c.take('TO')) {
    const to = c.name();
    if (to !== null) return { op: 'RENAME_COLUMN', from, to };
  }
  if (!column && c.mysqlish) {
    // MySQL `RENAME new_name`: the table.
    c.i = mark;
    const to = c.ref();
    if (to && c.done()) return { op: 'RENAME_TABLE', to };
  }
  return other(c, start);
}

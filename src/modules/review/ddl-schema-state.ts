/**
 * The tables of the schema as the DDL rules see them before each statement of a script: the
 * caller's facts (`DdlReviewContext.table`), changed by the statements before (a table created
 * earlier in the script is known and empty; one dropped earlier is gone; an index added earlier
 * counts). Tables are keyed by name (case-insensitively except on PostgreSQL, whose names arrive
 * folded); the schema is only used to look the facts up, so two tables of the same name in two
 * schemas of one script share an entry.
 */
import type { Engine } from '../../connectors/connector.js';
import type { AnalyzedDdl, DdlColumn, DdlColumnState, DdlIndexFacts, DdlReviewContext, DdlTableState } from './ddl-types.js';
import type { TableRef } from './types.js';

export class DdlSchemaState {
  /** null: known not to exist (dropped, renamed away); undefined entries are not stored. */
  private readonly tables = new Map<string, DdlTableState | null>();

  constructor(private readonly ctx: Pick<DdlReviewContext, 'engine' | 'table'>) {}

  private key(name: string): string {
    return this.ctx.engine === 'postgresql' ? name : name.toLowerCase();
  }

  same(a: string, b: string): boolean {
    return this.key(a) === this.key(b);
  }

  /** The table just before the statement being reviewed; undefined when unknown or absent. */
  get(ref: TableRef): DdlTableState | undefined {
    const k = this.key(ref.name);
    if (this.tables.has(k)) return this.tables.get(k) ?? undefined;
    const facts = this.ctx.table(ref.schema, ref.name);
    const state: DdlTableState | undefined = facts && {
      columns: facts.columns.map((c) => ({ name: c.name, type: c.dataType, nullable: c.nullable, defaultValue: c.defaultValue, autoIncrement: c.autoIncrement })),
      rows: facts.rows,
      indexes: facts.indexes.map((i) => ({ ...i, columns: [...i.columns] })),
      created: false,
    };
    if (state) this.tables.set(k, state);
    return state;
  }

  private set(ref: TableRef, state: DdlTableState | null | undefined): void {
    if (state === undefined) this.tables.delete(this.key(ref.name));
    else this.tables.set(this.key(ref.name), state);
  }

  /** Changes the state by one statement (after the rules have looked at it). */
  apply(s: AnalyzedDdl): void {
    switch (s.kind) {
      case 'CREATE_TABLE':
        if (!s.table || (s.ifExists && this.get(s.table))) return;
        if (s.like) {
          const src = this.get(s.like);
          this.set(s.table, src ? { ...clone(src), rows: 0, created: true } : undefined);
        } else if (s.asSelect && s.columns.length === 0) this.set(s.table, undefined);
        else this.set(s.table, createdState(s, this.ctx.engine));
        return;
      case 'DROP_TABLE':
        for (const t of s.tables?.length ? s.tables : s.table ? [s.table] : []) this.set(t, null);
        return;
      case 'RENAME_TABLE':
        for (const r of s.renames?.length ? s.renames : s.table && s.renameTo ? [{ from: s.table, to: s.renameTo }] : []) this.move(r.from, r.to);
        return;
      case 'CREATE_INDEX': {
        const t = s.table && this.get(s.table);
        const ix = s.indexes[0];
        if (t && ix && !ix.foreignKey) t.indexes.push({ name: ix.name ?? '', columns: [...ix.columns], unique: ix.unique, primary: false, where: ix.where ?? null, method: ix.method ?? null });
        return;
      }
      case 'DROP_INDEX': {
        const name = s.indexName;
        if (name === null) return;
        const owners = s.table ? [this.get(s.table)] : [...this.tables.values()];
        for (const t of owners) if (t) t.indexes = t.indexes.filter((i) => !this.same(i.name, name));
        return;
      }
      case 'ALTER_TABLE':
        if (s.table) this.alter(s);
        return;
      default:
        return;
    }
  }

  private move(from: TableRef, to: TableRef): void {
    const t = this.get(from);
    this.set(from, null);
    this.set(to, t ?? undefined);
  }

  private alter(s: AnalyzedDdl): void {
    const t = this.get(s.table!);
    if (!t) {
      const rename = s.actions.find((a) => a.op === 'RENAME_TABLE');
      if (rename && rename.op === 'RENAME_TABLE') this.set(rename.to, undefined);
      return;
    }
    const col = (name: string): DdlColumnState | undefined => t.columns.find((c) => this.same(c.name, name));
    for (const a of s.actions) {
      switch (a.op) {
        case 'ADD_COLUMN':
          t.columns.push(columnState(a.column));
          if (a.column.primaryKey) t.indexes.push({ name: 'PRIMARY', columns: [a.column.name], unique: true, primary: true });
          else if (a.column.unique) t.indexes.push({ name: a.column.name, columns: [a.column.name], unique: true, primary: false });
          break;
        case 'DROP_COLUMN':
          t.columns = t.columns.filter((c) => !this.same(c.name, a.name));
          t.indexes = t.indexes.map((i) => ({ ...i, columns: i.columns.filter((c) => !this.same(c, a.name)) })).filter((i) => i.columns.length > 0);
          break;
        case 'MODIFY_COLUMN': {
          const c = col(a.from);
          if (!c) break;
          if (a.change === 'REDEFINE' || a.change === undefined) Object.assign(c, columnState({ ...c, ...a.column } as DdlColumn));
          else {
            if (a.column.type !== undefined) c.type = a.column.type;
            if (a.column.nullable !== undefined) c.nullable = a.column.nullable;
            if (a.column.defaultValue !== undefined) c.defaultValue = a.column.defaultValue;
          }
          if (!this.same(a.from, a.column.name)) this.renameColumn(t, a.from, a.column.name);
          break;
        }
        case 'RENAME_COLUMN':
          this.renameColumn(t, a.from, a.to);
          break;
        case 'ADD_INDEX':
          if (!a.index.foreignKey) t.indexes.push({ name: a.index.name ?? '', columns: [...a.index.columns], unique: a.index.unique, primary: false, method: a.index.method ?? null });
          break;
        case 'ADD_PRIMARY_KEY':
          t.indexes.push({ name: 'PRIMARY', columns: [...a.columns], unique: true, primary: true });
          break;
        case 'DROP_PRIMARY_KEY':
          t.indexes = t.indexes.filter((i) => !i.primary);
          break;
        case 'DROP_INDEX':
        case 'DROP_CONSTRAINT':
          t.indexes = t.indexes.filter((i) => !this.same(i.name, a.name));
          break;
        case 'RENAME_INDEX':
          for (const i of t.indexes) if (this.same(i.name, a.from)) i.name = a.to;
          break;
        case 'RENAME_TABLE':
          this.move(s.table!, a.to);
          break;
        default:
          break;
      }
    }
  }

  private renameColumn(t: DdlTableState, from: string, to: string): void {
    for (const c of t.columns) if (this.same(c.name, from)) c.name = to;
    for (const i of t.indexes) i.columns = i.columns.map((c) => (this.same(c, from) ? to : c));
  }
}

function clone(t: DdlTableState): DdlTableState {
  return { ...t, columns: t.columns.map((c) => ({ ...c })), indexes: t.indexes.map((i) => ({ ...i, columns: [...i.columns] })) };
}

function columnState(c: DdlColumn): DdlColumnState {
  return { name: c.name, type: c.type, nullable: c.nullable, defaultValue: c.defaultValue, autoIncrement: c.autoIncrement };
}

/** A table created by CREATE TABLE: its columns and indexes (foreign keys are not indexes), no rows. */
function createdState(s: AnalyzedDdl, engine: Engine): DdlTableState {
  const indexes: DdlIndexFacts[] = [];
  if (s.primaryKey.length) indexes.push({ name: engine === 'mysql' || engine === 'mariadb' ? 'PRIMARY' : `${s.table!.name}_pkey`, columns: [...s.primaryKey], unique: true, primary: true });
  for (const i of s.indexes) if (!i.foreignKey) indexes.push({ name: i.name ?? '', columns: [...i.columns], unique: i.unique, primary: false, method: i.method ?? null });
  return { columns: s.columns.map(columnState), rows: 0, indexes, created: true };
}

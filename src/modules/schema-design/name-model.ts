/**
 * Whether a design's changes apply, in order, to a database: a model of its table, column and
 * index names, loaded from the catalog for the tables the changes touch, then changed by each
 * change. "ALTER TABLE t …" applies when t exists or an earlier change created it, and so on.
 */
import type { Connector } from '../../connectors/index.js';
import type { AnalyzedDdl } from '../review/ddl-types.js';
import { schemaOf } from './schema-state.js';

interface TableNames {
  name: string;
  columns: Set<string>;
  indexes: Set<string>;
}

export class NameModel {
  private constructor(
    private readonly engine: Connector['engine'],
    private readonly tables: Map<string, TableNames>,
  ) {}

  private key(name: string): string {
    return this.engine === 'postgresql' ? name : name.toLowerCase();
  }

  /** Loads every table name of the database, and the columns and indexes of `touched` tables. */
  static async load(c: Connector, database: string, touched: readonly string[]): Promise<NameModel> {
    const schema = schemaOf(c.engine, database);
    const listed = (await c.listTables(database)).filter((t) => t.type === 'TABLE' && t.schema === schema);
    const m = new NameModel(c.engine, new Map());
    const wanted = new Set(touched.map((t) => m.key(t)));
    for (const t of listed) {
      const entry: TableNames = { name: t.name, columns: new Set(), indexes: new Set() };
      if (wanted.has(m.key(t.name)) || c.engine === 'postgresql') {
        if (wanted.has(m.key(t.name))) for (const col of await c.listColumns(database, schema, t.name)) entry.columns.add(m.key(col.name));
        for (const ix of await c.listIndexes(database, schema, t.name)) entry.indexes.add(m.key(ix.name));
      }
      m.tables.set(m.key(t.name), entry);
    }
    return m;
  }

  has(table: string): boolean {
    return this.tables.has(this.key(table));
  }

  /** Applies one change; returns why it does not apply (and leaves the model as it was), or null. */
  apply(d: AnalyzedDdl): string | null {
    const t = d.table ? this.tables.get(this.key(d.table.name)) : undefined;
    const name = d.table?.name ?? '';
    const missing = `table ${name} does not exist and no earlier change creates it`;
    switch (d.kind) {
      case 'CREATE_TABLE': {
        if (t) return d.ifExists ? null : `table ${name} already exists`;
        const entry: TableNames = { name, columns: new Set(d.columns.map((c) => this.key(c.name))), indexes: new Set() };
        for (const ix of d.indexes) if (ix.name) entry.indexes.add(this.key(ix.name));
        this.tables.set(this.key(name), entry);
        return null;
      }
      case 'DROP_TABLE':
        if (!t) return d.ifExists ? null : missing;
        this.tables.delete(this.key(name));
        return null;
      case 'RENAME_TABLE':
        if (!t) return missing;
        if (!d.renameTo) return 'the new name could not be read';
        if (this.tables.has(this.key(d.renameTo.name))) return `table ${d.renameTo.name} already exists`;
        this.tables.delete(this.key(name));
        this.tables.set(this.key(d.renameTo.name), { ...t, name: d.renameTo.name });
        return null;
      case 'CREATE_INDEX': {
        if (!t) return missing;
        const ix = d.indexes[0];
        if (ix?.name && t.indexes.has(this.key(ix.name))) return d.ifExists ? null : `index ${ix.name} already exists on ${name}`;
        for (const col of ix?.columns ?? []) if (!/[()]/.test(col) && !t.columns.has(this.key(col)) && t.columns.size > 0) return `column ${name}.${col} does not exist`;
        if (ix?.name) t.indexes.add(this.key(ix.name));
        return null;
      }
      case 'DROP_INDEX': {
        const owner = t ?? [...this.tables.values()].find((x) => d.indexName !== null && x.indexes.has(this.key(d.indexName)));
        if (!owner || d.indexName === null || !owner.indexes.has(this.key(d.indexName))) return d.ifExists ? null : `index ${d.indexName ?? '?'} does not exist${t ? ` on ${name}` : ''}`;
        owner.indexes.delete(this.key(d.indexName));
        return null;
      }
      case 'COMMENT':
        return t ? null : missing;
      case 'ALTER_TABLE':
        return t ? this.alter(t, d) : missing;
      default:
        return 'it is not a schema change a design can hold (CREATE TABLE, ALTER TABLE, CREATE/DROP INDEX, RENAME, DROP TABLE, COMMENT)';
    }
  }

  private alter(t: TableNames, d: AnalyzedDdl): string | null {
    const cols = new Set(t.columns);
    const idx = new Set(t.indexes);
    let rename: string | null = null;
    for (const a of d.actions) {
      switch (a.op) {
        case 'ADD_COLUMN':
          if (cols.has(this.key(a.column.name))) return `column ${t.name}.${a.column.name} already exists`;
          cols.add(this.key(a.column.name));
          break;
        case 'DROP_COLUMN':
          if (!cols.has(this.key(a.name))) return `column ${t.name}.${a.name} does not exist`;
          cols.delete(this.key(a.name));
          break;
        case 'MODIFY_COLUMN':
          if (!cols.has(this.key(a.from))) return `column ${t.name}.${a.from} does not exist`;
          cols.delete(this.key(a.from));
          cols.add(this.key(a.column.name));
          break;
        case 'RENAME_COLUMN':
          if (!cols.has(this.key(a.from))) return `column ${t.name}.${a.from} does not exist`;
          if (cols.has(this.key(a.to))) return `column ${t.name}.${a.to} already exists`;
          cols.delete(this.key(a.from));
          cols.add(this.key(a.to));
          break;
        case 'ADD_INDEX':
          if (a.index.name && idx.has(this.key(a.index.name))) return `index ${a.index.name} already exists on ${t.name}`;
          if (a.index.name) idx.add(this.key(a.index.name));
          break;
        case 'DROP_INDEX':
          if (!idx.has(this.key(a.name))) return `index ${a.name} does not exist on ${t.name}`;
          idx.delete(this.key(a.name));
          break;
        case 'RENAME_INDEX':
          if (!idx.has(this.key(a.from))) return `index ${a.from} does not exist on ${t.name}`;
          if (idx.has(this.key(a.to))) return `index ${a.to} already exists on ${t.name}`;
          idx.delete(this.key(a.from));
          idx.add(this.key(a.to));
          break;
        case 'DROP_CONSTRAINT':
          // A unique constraint is also an index of that name (PostgreSQL, MySQL); others are not tracked.
          idx.delete(this.key(a.name));
          break;
        case 'RENAME_TABLE':
          if (this.tables.has(this.key(a.to.name))) return `table ${a.to.name} already exists`;
          rename = a.to.name;
          break;
        default:
          break;
      }
    }
    t.columns = cols;
    t.indexes = idx;
    if (rename !== null) {
      this.tables.delete(this.key(t.name));
      t.name = rename;
      this.tables.set(this.key(rename), t);
    }
    return null;
  }
}

/** Every table name a change touches (a rename: both names). */
export function touchedTables(d: AnalyzedDdl): string[] {
  const out = new Set<string>();
  if (d.table) out.add(d.table.name);
  if (d.renameTo) out.add(d.renameTo.name);
  for (const a of d.actions) if (a.op === 'RENAME_TABLE') out.add(a.to.name);
  return [...out];
}

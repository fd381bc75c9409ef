/** The result shape shared by the DDL readers (token reader, AST reader), and what both finish the same way. */
import type { Engine } from '../../connectors/connector.js';
import type { AnalyzedDdl, DdlKind } from './ddl-types.js';

/** What a reader fills in: everything but the statement's position and parse status. */
export type DdlRead = Omit<AnalyzedDdl, 'index' | 'line' | 'sql' | 'parsed' | 'parseError'>;

export function emptyRead(kind: DdlKind): DdlRead {
  return {
    kind,
    table: null,
    columns: [],
    primaryKey: [],
    indexes: [],
    actions: [],
    renameTo: null,
    indexName: null,
    options: {},
    ifExists: false,
    concurrently: false,
    tables: [],
    renames: [],
    temporary: false,
    like: null,
    asSelect: false,
    indexSchema: null,
    comment: null,
  };
}

/** Primary-key columns are NOT NULL; SQLite's single INTEGER PRIMARY KEY is the rowid (auto-assigned). */
export function finishPrimaryKey(r: DdlRead, engine: Engine): void {
  const same = (a: string, b: string): boolean => (engine === 'postgresql' ? a === b : a.toLowerCase() === b.toLowerCase());
  for (const col of r.columns) if (r.primaryKey.some((k) => same(k, col.name))) col.nullable = false;
  if (engine === 'sqlite' && r.primaryKey.length === 1) {
    const col = r.columns.find((x) => same(x.name, r.primaryKey[0]!));
    if (col && col.type === 'integer') col.autoIncrement = true;
  }
}

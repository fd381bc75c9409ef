/**
 * Gathers the `TableFacts` the rules need from a real target database: one `listTables` for
 * existence, statistics rows and views, then one `listColumns` per existing table the statements
 * touch for its primary key. Unique keys are left empty: the Connector interface does not expose
 * them yet (ColumnInfo has `primaryKey` only), so `table-without-key` also fires on a table whose
 * only key is a UNIQUE one — a conservative warning until the connectors list indexes.
 *
 * Name resolution (the database decides at run time; this only has to agree for normal scripts):
 * - MySQL/MariaDB: an unqualified name is in `database`; a name qualified with another database is
 *   not looked up (undefined = unknown: the precheck refuses reading other databases anyway).
 *   Exact name first, then case-insensitively (lower_case_table_names varies per server).
 * - PostgreSQL: names arrive folded; an unqualified name is looked up in `public`, then in any
 *   schema (the session's search_path is not known here). `db.schema.t` uses its last two parts.
 * - SQLite: everything is in `main`; names compare case-insensitively, as SQLite does.
 */
import type { Connector, TableInfo } from '../../connectors/connector.js';
import type { TableFacts, TableRef } from './types.js';

export interface FactsLookup {
  /** Pass as `ReviewContext.table`. Undefined for a table that was not asked for or could not be resolved. */
  table(schema: string | null, name: string): TableFacts | undefined;
  /** Every table asked for, with what was found (for the precheck listing and logs). */
  readonly entries: readonly { ref: TableRef; facts: TableFacts | undefined }[];
}

const key = (schema: string | null, name: string): string => `${schema ?? ''}\u0000${name}`;

/**
 * `statements` is anything with the tables each statement touches: `analyzeDml`'s output (so the
 * facts can be gathered before `reviewDml`) or `reviewDml`'s own statements.
 */
export async function collectFacts(
  connector: Connector,
  database: string,
  statements: readonly { tables: readonly TableRef[] }[],
): Promise<FactsLookup> {
  const wanted = new Map<string, TableRef>();
  for (const s of statements) for (const t of s.tables) wanted.set(key(t.schema, t.name), t);
  const found = new Map<string, TableFacts | undefined>();
  const entries: { ref: TableRef; facts: TableFacts | undefined }[] = [];
  if (wanted.size > 0) {
    const listed = await connector.listTables(database);
    const columnsCache = new Map<TableInfo, Promise<string[]>>();
    const primaryKey = (t: TableInfo): Promise<string[]> => {
      let p = columnsCache.get(t);
      if (!p) {
        p = connector.listColumns(database, t.schema, t.name).then((cols) => cols.filter((c) => c.primaryKey).map((c) => c.name));
        columnsCache.set(t, p);
      }
      return p;
    };
    for (const [k, ref] of wanted) {
      const resolved = resolveTable(connector.engine, database, listed, ref);
      let facts: TableFacts | undefined;
      if (resolved === 'unknown') facts = undefined;
      else if (resolved === null) facts = { exists: false, rows: null, primaryKey: [], uniqueKeys: [] };
      else {
        const isView = resolved.type === 'VIEW';
        facts = { exists: true, rows: resolved.estimatedRows, primaryKey: isView ? [] : await primaryKey(resolved), uniqueKeys: [], isView };
      }
      found.set(k, facts);
      entries.push({ ref, facts });
    }
  }
  return { table: (schema, name) => found.get(key(schema, name)), entries };
}

function resolveTable(engine: Connector['engine'], database: string, listed: readonly TableInfo[], ref: TableRef): TableInfo | null | 'unknown' {
  const ci = engine !== 'postgresql';
  const eq = (a: string, b: string): boolean => a === b;
  const eqCi = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  const pick = (inSchema: (t: TableInfo) => boolean): TableInfo | null =>
    listed.find((t) => inSchema(t) && eq(t.name, ref.name)) ?? (ci ? (listed.find((t) => inSchema(t) && eqCi(t.name, ref.name)) ?? null) : null);

  switch (engine) {
    case 'mysql':
    case 'mariadb':
      if (ref.schema !== null && !eqCi(ref.schema, database)) return 'unknown';
      return pick(() => true); // listTables(database) lists that database only
    case 'sqlite':
      if (ref.schema !== null && !eqCi(ref.schema, 'main')) return 'unknown'; // ATTACHed databases: not listed
      return pick(() => true);
    case 'postgresql': {
      if (ref.schema !== null) {
        const parts = ref.schema.split('.');
        if (parts.length > 1 && parts[0] !== database) return 'unknown'; // another database: not reachable
        const schema = parts[parts.length - 1]!;
        return pick((t) => t.schema === schema);
      }
      return pick((t) => t.schema === 'public') ?? pick(() => true);
    }
  }
}

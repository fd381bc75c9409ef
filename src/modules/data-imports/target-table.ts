/**
 * The table a CSV file goes into, as the connector describes it: its columns with the kind each
 * value is read as (the same kinds the readers give, from `SELECT * … WHERE 1=0`), which of them
 * the database computes, and its keys (for REPLACE_INTO on PostgreSQL).
 */
import type { ColumnKind, Connector, Engine } from '../../connectors/index.js';
import { quoteIdentifier, type SqlDialect } from '../exports/formats/sql.js';

export interface TargetColumn {
  name: string;
  kind: ColumnKind;
  dbType: string;
  /** The column's full type as the catalog spells it (`character varying(100)`, `numeric(12,2)`). */
  sqlType: string;
  /** Computed by the database: refused in an import. */
  generated: boolean;
  /** PostgreSQL GENERATED ALWAYS AS IDENTITY: given a value only with OVERRIDING SYSTEM VALUE. */
  identityAlways: boolean;
}

export interface TargetTable {
  schema: string;
  name: string;
  columns: TargetColumn[];
  primaryKey: string[];
  uniqueKeys: string[][];
}

export const sqlDialectOf = (engine: Engine): SqlDialect => (engine === 'mysql' || engine === 'mariadb' ? 'mysql' : engine);

/** `schema.table` or `table` (unquoted names, as DMS takes TableName). */
export function splitTableName(tableName: string): { schema: string | null; name: string } {
  const dot = tableName.indexOf('.');
  return dot > 0 ? { schema: tableName.slice(0, dot), name: tableName.slice(dot + 1) } : { schema: null, name: tableName };
}

export const qualifiedName = (dialect: SqlDialect, t: { schema: string; name: string }): string => `${quoteIdentifier(dialect, t.schema)}.${quoteIdentifier(dialect, t.name)}`;

/** null when there is no such table (or it is a view). */
export async function readTargetTable(c: Connector, database: string, tableName: string, timeoutMs: number): Promise<TargetTable | null> {
  const { schema, name } = splitTableName(tableName);
  const keys = await c.tableKeys(database, schema, name);
  if (!keys) return null;
  const dialect = sqlDialectOf(c.engine);
  const described = await c.readOnlyQuery(database, `SELECT * FROM ${qualifiedName(dialect, keys)} WHERE 1 = 0`, { timeoutMs }, async (s) => s.columns);
  const byName = new Map(described.map((d) => [d.name, d]));
  const types = new Map((await c.listColumns(database, keys.schema, keys.name)).map((x) => [x.name, x.dataType]));
  return {
    schema: keys.schema,
    name: keys.name,
    columns: keys.columns.map((k) => {
      const d = byName.get(k.name);
      return { name: k.name, kind: d?.kind ?? 'text', dbType: d?.dbType ?? 'text', sqlType: types.get(k.name) ?? d?.dbType ?? 'text', generated: k.generated, identityAlways: k.identityAlways };
    }),
    primaryKey: keys.primaryKey,
    uniqueKeys: keys.uniqueKeys,
  };
}

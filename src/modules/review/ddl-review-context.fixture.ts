/** Test helper: a DdlReviewContext from plain facts (kept out of *.test.ts so several test files share it). */
import type { ColumnInfo, Engine } from '../../connectors/connector.js';
import type { DdlIndexFacts, DdlReviewContext, DdlTableFacts } from './ddl-types.js';
import type { RuleSetting } from './types.js';

/** The catalog's spelling of the fixture's types per engine. */
const TYPES: Record<'pg' | 'other', Record<string, string>> = {
  pg: { bigint: 'bigint', name: 'character varying(100)', amount: 'numeric(10,2)', qty: 'integer', created: 'timestamp without time zone' },
  other: { bigint: 'bigint', name: 'varchar(100)', amount: 'decimal(10,2)', qty: 'int', created: 'datetime' },
};

function column(name: string, dataType: string, position: number, more: Partial<ColumnInfo> = {}): ColumnInfo {
  return { name, position, dataType, nullable: true, defaultValue: null, comment: '', primaryKey: false, autoIncrement: false, maxLength: null, precision: null, scale: null, ...more };
}

/** `orders`-like facts: id (PK, auto), name, amount, qty, created; PRIMARY(id), idx_name(name), idx_qty_created(qty, created). */
export function ordersFacts(engine: Engine, rows: number | null): DdlTableFacts {
  const ty = TYPES[engine === 'postgresql' ? 'pg' : 'other'];
  const indexes: DdlIndexFacts[] = [
    { name: engine === 'postgresql' ? 'orders_pkey' : 'PRIMARY', columns: ['id'], unique: true, primary: true },
    { name: 'idx_name', columns: ['name'], unique: false, primary: false },
    { name: 'idx_qty_created', columns: ['qty', 'created'], unique: false, primary: false },
  ];
  return {
    rows,
    indexes,
    columns: [
      column('id', ty.bigint!, 1, { nullable: false, primaryKey: true, autoIncrement: true }),
      column('name', ty.name!, 2, { nullable: false, comment: 'the name' }),
      column('amount', ty.amount!, 3),
      column('qty', ty.qty!, 4),
      column('created', ty.created!, 5),
    ],
  };
}

export interface DdlContextOptions {
  envType?: string;
  settings?: RuleSetting[];
  serverVersion?: string;
  /** Extra or replaced tables by name. */
  tables?: Record<string, DdlTableFacts>;
}

/** `orders` (5,000,000 rows) and `small` (100 rows) with the same columns; other tables unknown. */
export function ddlContext(engine: Engine, o: DdlContextOptions = {}): DdlReviewContext {
  const tables: Record<string, DdlTableFacts> = { orders: ordersFacts(engine, 5_000_000), small: ordersFacts(engine, 100), ...o.tables };
  return {
    engine,
    envType: o.envType ?? 'dev',
    settings: o.settings ?? [],
    serverVersion: o.serverVersion ?? null,
    table: (_schema, name) => tables[name.toLowerCase()],
  };
}

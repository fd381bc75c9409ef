/** Test helper: a ReviewContext from plain maps (kept out of *.test.ts so several test files share it). */
import type { Engine } from '../../connectors/connector.js';
import type { ReviewContext, RuleSetting, TableFacts } from './types.js';

export const keyed = (primaryKey: string[] = ['id'], rows: number | null = 10): TableFacts => ({ exists: true, rows, primaryKey, uniqueKeys: [] });

/** t and u: tables with primary key `id`; s.t as well; `missing`: verified absent; `nokey`: no keys; `v`: a view. */
export const DEFAULT_TABLES: Record<string, TableFacts> = {
  t: keyed(),
  u: keyed(),
  's.t': keyed(),
  missing: { exists: false, rows: null, primaryKey: [], uniqueKeys: [] },
  nokey: keyed([]),
  v: { exists: true, rows: null, primaryKey: [], uniqueKeys: [], isView: true },
};

export interface TestContextOptions {
  settings?: RuleSetting[];
  tables?: Record<string, TableFacts>;
  rows?: Record<number, number>;
  fullScan?: Record<number, boolean>;
}

export function testContext(engine: Engine, o: TestContextOptions = {}): ReviewContext {
  const tables = { ...DEFAULT_TABLES, ...o.tables };
  return {
    engine,
    settings: o.settings ?? [],
    estimatedRows: (i) => o.rows?.[i] ?? null,
    // Case-insensitive, schema optional: enough for the rules' tests.
    table: (schema, name) => tables[(schema ? `${schema}.${name}` : name).toLowerCase()],
    fullScan: (i) => o.fullScan?.[i],
  };
}

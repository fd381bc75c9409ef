/**
 * The DDL review of design changes on one database (review/ddl-review.ts): the tenant's rule
 * settings for the database's environment, and the database's facts for the tables the changes
 * touch (columns, indexes, row statistics, server version).
 */
import type { Deps } from '../context.js';
import { withConnector } from '../instances/connections.js';
import type { TargetDatabase } from '../instances/owners.js';
import { reviewDdl, type AnalyzedDdl, type DdlTableFacts, type RuleLevel } from '../review/index.js';
import { loadReviewSettings } from '../review/settings.js';
import { schemaOf } from './schema-state.js';
import { touchedTables } from './name-model.js';

export interface DesignFinding {
  /** The change's position in the design. */
  position: number;
  ruleId: string;
  level: RuleLevel;
  message: string;
}

/** Reviews `changes` (consecutive, the first at `firstPosition`) as they would run on `target` now. */
export async function reviewDesign(deps: Deps, tenantId: number, target: TargetDatabase, changes: readonly AnalyzedDdl[], firstPosition: number): Promise<DesignFinding[]> {
  const settings = (await loadReviewSettings(deps, tenantId))(target.envType);
  const database = target.engine === 'sqlite' ? 'main' : target.schemaName;
  const schema = schemaOf(target.engine, database);
  const key = (name: string) => (target.engine === 'postgresql' ? name : name.toLowerCase());
  return withConnector(deps, target.spec, async (c) => {
    const version = (await c.test()).version;
    const tables = new Map((await c.listTables(database)).filter((t) => t.schema === schema && t.type === 'TABLE').map((t) => [key(t.name), t]));
    const facts = new Map<string, DdlTableFacts>();
    for (const name of new Set(changes.flatMap(touchedTables))) {
      const t = tables.get(key(name));
      if (!t) continue;
      facts.set(key(name), { columns: await c.listColumns(database, schema, t.name), rows: t.estimatedRows, indexes: await c.listIndexes(database, schema, t.name) });
    }
    const numbered = changes.map((d, k) => ({ ...d, index: firstPosition + k, line: 1 }));
    const result = reviewDdl(numbered, { engine: target.engine, envType: target.envType, settings, serverVersion: version, table: (_schema, name) => facts.get(key(name)) });
    return result.findings.map((f) => ({ position: f.statementIndex, ruleId: f.ruleId, level: f.level, message: f.message.replace(/^Statement (\d+) \(line \d+\)/, 'Change $1') }));
  });
}

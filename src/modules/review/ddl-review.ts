/**
 * Runs the DDL rules over a schema-design script with the same settings machinery as the DML
 * rules (engine.ts `activeRules`: OFF, levels, params; a rule's `levelIn` default for the
 * database's environment when the tenant has no setting). Each rule sees each statement with the
 * tables as they are just before it (ddl-schema-state.ts); each finding names its statement and
 * line; each statement gets PASS / WARNING / BLOCK from its findings.
 */
import { analyzeDdl } from './ddl-analyze.js';
import { DDL_RULES } from './ddl-rules/index.js';
import { DdlSchemaState } from './ddl-schema-state.js';
import type { AnalyzedDdl, DdlKind, DdlReviewContext, DdlRuleDefinition } from './ddl-types.js';
import { activeRules, statusByStatement } from './engine.js';
import type { ReviewFinding, RuleLevel, StatementStatus, TableRef } from './types.js';

export interface DdlReviewedStatement {
  index: number;
  line: number;
  sql: string;
  kind: DdlKind;
  table: TableRef | null;
  status: StatementStatus;
}

export interface DdlReviewResult {
  statements: DdlReviewedStatement[];
  findings: ReviewFinding[];
}

const RANK: Record<RuleLevel, number> = { NOTICE: 0, WARNING: 1, ERROR: 2 };

/** Reviews a DDL script; `statements` may be `analyzeDdl`'s output (so it is not split and read twice). */
export function reviewDdl(statements: string | readonly AnalyzedDdl[], ctx: DdlReviewContext, rules: readonly DdlRuleDefinition[] = DDL_RULES): DdlReviewResult {
  const stmts = typeof statements === 'string' ? analyzeDdl(statements, ctx.engine) : statements;
  const active = activeRules(rules, ctx.settings, ctx.envType);
  const state = new DdlSchemaState(ctx);
  const findings: ReviewFinding[] = [];
  for (const s of stmts) {
    for (const a of active) {
      for (const draft of a.rule.check(s, { ctx, params: a.params, before: (ref) => state.get(ref) })) {
        const message = typeof draft === 'string' ? draft : draft.message;
        // A finding's own ceiling (e.g. NOTICE on a small table) lowers the rule's level, never raises it.
        const level = typeof draft === 'string' || RANK[draft.atMost] >= RANK[a.level] ? a.level : draft.atMost;
        findings.push({ ruleId: a.rule.id, level, statementIndex: s.index, line: s.line, message: `Statement ${s.index} (line ${s.line}): ${message}` });
      }
    }
    state.apply(s);
  }
  const status = statusByStatement(findings);
  return {
    statements: stmts.map((s) => ({ index: s.index, line: s.line, sql: s.sql, kind: s.kind, table: s.table, status: status.get(s.index) ?? 'PASS' })),
    findings,
  };
}

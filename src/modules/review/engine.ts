/**
 * Runs the rules over a script: per-tenant/environment settings decide which rules run, at which
 * level and with which thresholds; each finding names its statement and line; each statement gets
 * PASS / WARNING / BLOCK from its findings.
 */
import { analyzeDml } from './analyze.js';
import { DML_RULES } from './rules/index.js';
import type {
  AnalyzedStatement,
  ReviewContext,
  ReviewFinding,
  ReviewResult,
  RuleDefinition,
  RuleLevel,
  RuleMeta,
  RuleSetting,
  StatementStatus,
} from './types.js';

export interface ActiveRule<R extends RuleMeta = RuleDefinition> {
  rule: R;
  level: RuleLevel;
  params: Readonly<Record<string, number>>;
}

/** The default level of a rule for a database of `envType` (lower case; null, absent or `*`: the plain default). */
export function defaultLevelOf(rule: RuleMeta, envType?: string | null): RuleLevel {
  const env = envType?.toLowerCase();
  if (!env || !rule.levelIn || !Object.hasOwn(rule.levelIn, env)) return rule.level;
  return (rule.levelIn as Record<string, RuleLevel | undefined>)[env] ?? rule.level;
}

/**
 * The rules that run under `settings`: OFF dropped, levels and params overridden. A later setting
 * for the same rule wins. Without a setting a rule runs at its default level for `envType`
 * (`levelIn`), else at `level`.
 */
export function activeRules<R extends RuleMeta>(rules: readonly R[], settings: readonly RuleSetting[], envType?: string | null): ActiveRule<R>[] {
  const byId = new Map(settings.map((s) => [s.ruleId, s]));
  return rules.flatMap((rule) => {
    const s = byId.get(rule.id);
    if (s?.level === 'OFF') return [];
    const params = { ...rule.params };
    for (const [k, v] of Object.entries(s?.params ?? {})) {
      // Only the rule's own, finite params: a typo in stored settings must not silently disable a threshold.
      if (k in params && Number.isFinite(v)) params[k] = v;
    }
    return [{ rule, level: s?.level ?? defaultLevelOf(rule, envType), params }];
  });
}

/**
 * Reviews a DML script. `sql` may be the output of `analyzeDml` (so that a caller that first
 * collected table facts with `collectFacts` does not split and parse the script twice).
 */
export function reviewDml(sql: string | readonly AnalyzedStatement[], ctx: ReviewContext, rules: readonly RuleDefinition[] = DML_RULES): ReviewResult {
  const stmts = typeof sql === 'string' ? analyzeDml(sql, ctx.engine) : sql;
  const active = activeRules(rules, ctx.settings, ctx.envType);
  const byIndex = new Map(stmts.map((s) => [s.index, s]));
  const findings: ReviewFinding[] = [];
  const add = (a: ActiveRule, s: AnalyzedStatement, message: string): void => {
    findings.push({ ruleId: a.rule.id, level: a.level, statementIndex: s.index, line: s.line, message: `Statement ${s.index} (line ${s.line}): ${message}` });
  };
  for (const s of stmts) {
    for (const a of active) {
      for (const m of a.rule.check?.(s, { ctx, params: a.params }) ?? []) add(a, s, m);
    }
  }
  for (const a of active) {
    for (const hit of a.rule.checkScript?.(stmts, { ctx, params: a.params }) ?? []) {
      const s = byIndex.get(hit.statementIndex);
      if (s) add(a, s, hit.message);
    }
  }
  findings.sort((x, y) => x.statementIndex - y.statementIndex);

  const status = statusByStatement(findings);
  return {
    statements: stmts.map((s) => ({ index: s.index, line: s.line, sql: s.sql, kind: s.kind, tables: s.tables, status: status.get(s.index) ?? 'PASS' })),
    findings,
  };
}

/** Each statement's status from its findings: BLOCK with an ERROR, WARNING with a WARNING (NOTICEs do not count); absent: PASS. */
export function statusByStatement(findings: readonly ReviewFinding[]): Map<number, StatementStatus> {
  const status = new Map<number, StatementStatus>();
  for (const f of findings) {
    const now = status.get(f.statementIndex) ?? 'PASS';
    if (f.level === 'ERROR') status.set(f.statementIndex, 'BLOCK');
    else if (f.level === 'WARNING' && now === 'PASS') status.set(f.statementIndex, 'WARNING');
  }
  return status;
}

/** True when any finding blocks submission. */
export function blocksSubmission(result: Pick<ReviewResult, 'findings'>): boolean {
  return result.findings.some((f) => f.level === 'ERROR');
}

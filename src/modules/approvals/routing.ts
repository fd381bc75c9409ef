import { DATA_CORRECT_TYPES } from '../tickets/types/index.js';

/**
 * Which approval route a ticket takes: pure, table-tested (routing.test.ts).
 *
 * 1. Each target database of the ticket is routed on its own. The tenant's rules are tried in order
 *    and the first that matches wins. A rule matches when each of its conditions holds:
 *    - PluginTypes: the ticket's type is listed (DATA_CORRECT stands for every DC_* type); empty = any;
 *    - EnvTypes: the database's environment is listed; empty = any;
 *    - MinEstimatedRows N: the ticket's estimate is at least N, or the ticket gives no estimate (an
 *      unknown size is treated as large, so leaving the estimate out cannot dodge a threshold).
 *    A rule that sends to a disabled or deleted template is skipped.
 * 2. No rule matches: the defaults — `product` environments need the database Owner then the DBA
 *    (built-in template "Owner then DBA"); every other environment needs the DBA (built-in "DBA").
 * 3. A ticket on several databases takes the most demanding of their routes: FORBID over any
 *    approval over NO_APPROVAL; between two templates, the one with more nodes, then the one routed
 *    from the more critical environment (product, pre, stag, uat, pet, sit, test, dev), then the
 *    first database. System nodes (Owner, DBA) are then resolved over every target database that
 *    routed to that same template.
 */
export const ROUTE_DECISIONS = ['APPROVAL', 'NO_APPROVAL', 'FORBID'] as const;
export type RouteDecision = (typeof ROUTE_DECISIONS)[number];

export interface RoutingRule {
  id: number;
  name: string;
  pluginTypes: readonly string[];
  envTypes: readonly string[];
  minEstimatedRows: number | null;
  decision: RouteDecision;
  templateId: number | null;
}

export interface TemplateSummary {
  id: number;
  name: string;
  nodeCount: number;
  enabled: boolean;
}

export interface RoutedTarget {
  dbId: number;
  logic: boolean;
  envType: string;
}

export interface RoutingInput {
  pluginType: string;
  estimatedRows: number | undefined;
  targets: readonly RoutedTarget[];
  rules: readonly RoutingRule[];
  templates: ReadonlyMap<number, TemplateSummary>;
  /** The built-in templates of the default routes. */
  defaults: { product: TemplateSummary; other: TemplateSummary };
}

export type Route =
  | { decision: 'APPROVAL'; template: TemplateSummary; targets: RoutedTarget[]; reasons: string[] }
  | { decision: 'NO_APPROVAL'; reasons: string[] }
  | { decision: 'FORBID'; rule: RoutingRule; reasons: string[] };

/** Most critical first; unknown environments rank last. */
export const ENV_CRITICALITY = ['product', 'pre', 'stag', 'uat', 'pet', 'sit', 'test', 'dev'] as const;

function envRank(env: string): number {
  const i = (ENV_CRITICALITY as readonly string[]).indexOf(env.toLowerCase());
  return i === -1 ? ENV_CRITICALITY.length : i;
}

export function ruleMatches(rule: RoutingRule, pluginType: string, envType: string, estimatedRows: number | undefined): boolean {
  if (rule.pluginTypes.length > 0) {
    const types = rule.pluginTypes.flatMap((t) => (t === 'DATA_CORRECT' ? [...DATA_CORRECT_TYPES] : [t]));
    if (!types.includes(pluginType)) return false;
  }
  if (rule.envTypes.length > 0 && !rule.envTypes.some((e) => e.toLowerCase() === envType.toLowerCase())) return false;
  if (rule.minEstimatedRows !== null && estimatedRows !== undefined && estimatedRows < rule.minEstimatedRows) return false;
  return true;
}

interface TargetRoute {
  target: RoutedTarget;
  decision: RouteDecision;
  rule: RoutingRule | undefined;
  template: TemplateSummary | undefined;
  reason: string;
}

function routeOne(input: RoutingInput, target: RoutedTarget): TargetRoute {
  const what = `${target.logic ? 'Logical database' : 'Database'} ${target.dbId} (${target.envType})`;
  for (const rule of input.rules) {
    if (!ruleMatches(rule, input.pluginType, target.envType, input.estimatedRows)) continue;
    if (rule.decision === 'APPROVAL') {
      const template = rule.templateId === null ? undefined : input.templates.get(rule.templateId);
      if (!template || !template.enabled) continue;
      return { target, decision: 'APPROVAL', rule, template, reason: `${what}: routing rule "${rule.name}" requires template "${template.name}".` };
    }
    const outcome = rule.decision === 'FORBID' ? 'forbids submission' : 'needs no approval';
    return { target, decision: rule.decision, rule, template: undefined, reason: `${what}: routing rule "${rule.name}" ${outcome}.` };
  }
  const product = target.envType.toLowerCase() === 'product';
  const template = product ? input.defaults.product : input.defaults.other;
  const why = product ? 'product environments need the database Owner, then the DBA' : 'this environment needs the DBA';
  return { target, decision: 'APPROVAL', rule: undefined, template, reason: `${what}: default route, ${why} (template "${template.name}").` };
}

const DECISION_WEIGHT: Readonly<Record<RouteDecision, number>> = { FORBID: 3, APPROVAL: 2, NO_APPROVAL: 1 };

/** True when `a` is strictly more demanding than `b` (ties keep the earlier database). */
function moreDemanding(a: TargetRoute, b: TargetRoute): boolean {
  if (DECISION_WEIGHT[a.decision] !== DECISION_WEIGHT[b.decision]) return DECISION_WEIGHT[a.decision] > DECISION_WEIGHT[b.decision];
  if (a.decision !== 'APPROVAL') return false;
  const na = a.template!.nodeCount;
  const nb = b.template!.nodeCount;
  if (na !== nb) return na > nb;
  return envRank(a.target.envType) < envRank(b.target.envType);
}

export function routeTicket(input: RoutingInput): Route {
  if (input.targets.length === 0) {
    return { decision: 'APPROVAL', template: input.defaults.other, targets: [], reasons: [`The ticket names no database: default template "${input.defaults.other.name}".`] };
  }
  const routes = input.targets.map((t) => routeOne(input, t));
  let winner = routes[0]!;
  for (const r of routes.slice(1)) if (moreDemanding(r, winner)) winner = r;
  const reasons = routes.map((r) => r.reason);
  if (routes.length > 1) reasons.push(`The most demanding route applies: ${describeWinner(winner)}.`);
  switch (winner.decision) {
    case 'FORBID':
      return { decision: 'FORBID', rule: winner.rule!, reasons };
    case 'NO_APPROVAL':
      return { decision: 'NO_APPROVAL', reasons };
    case 'APPROVAL': {
      const template = winner.template!;
      const targets = routes.filter((r) => r.decision === 'APPROVAL' && r.template!.id === template.id).map((r) => r.target);
      return { decision: 'APPROVAL', template, targets, reasons };
    }
  }
}

function describeWinner(r: TargetRoute): string {
  if (r.decision === 'APPROVAL') return `template "${r.template!.name}" from ${r.target.logic ? 'logical database' : 'database'} ${r.target.dbId}`;
  return r.decision === 'FORBID' ? `rule "${r.rule!.name}" forbids submission` : 'no approval needed';
}

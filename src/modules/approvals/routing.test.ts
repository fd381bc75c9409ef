/** Routing, table-driven: which route a ticket takes from the tenant's rules and the defaults. */
import { describe, expect, it } from 'vitest';
import { routeTicket, ruleMatches, type RoutedTarget, type RoutingRule, type TemplateSummary } from './routing.js';

const OWNER_DBA: TemplateSummary = { id: 1, name: 'Owner then DBA', nodeCount: 2, enabled: true };
const DBA: TemplateSummary = { id: 2, name: 'DBA', nodeCount: 1, enabled: true };
const ADMIN: TemplateSummary = { id: 3, name: 'Admin', nodeCount: 1, enabled: true };
const BIG: TemplateSummary = { id: 10, name: 'Big changes', nodeCount: 3, enabled: true };
const OFF: TemplateSummary = { id: 11, name: 'Disabled', nodeCount: 4, enabled: false };
const TEMPLATES = new Map([OWNER_DBA, DBA, ADMIN, BIG, OFF].map((t) => [t.id, t]));

let nextRule = 1;
function rule(r: Partial<RoutingRule> & Pick<RoutingRule, 'decision'>): RoutingRule {
  return { id: nextRule++, name: `rule-${nextRule}`, pluginTypes: [], envTypes: [], minEstimatedRows: null, templateId: null, ...r };
}

const db = (dbId: number, envType: string, logic = false): RoutedTarget => ({ dbId, envType, logic });

function route(pluginType: string, targets: RoutedTarget[], rules: RoutingRule[], estimatedRows?: number) {
  return routeTicket({ pluginType, estimatedRows, targets, rules, templates: TEMPLATES, defaults: { product: OWNER_DBA, other: DBA } });
}

/** What a route comes to, compactly: template name, NO_APPROVAL or FORBID:<rule>. */
function outcome(r: ReturnType<typeof route>): string {
  if (r.decision === 'APPROVAL') return `${r.template.name} @ ${r.targets.map((t) => t.dbId).join(',')}`;
  return r.decision === 'FORBID' ? `FORBID:${r.rule.name}` : 'NO_APPROVAL';
}

describe('ruleMatches', () => {
  const cases: [string, Partial<RoutingRule>, string, string, number | undefined, boolean][] = [
    ['empty rule matches anything', {}, 'DATA_EXPORT', 'dev', undefined, true],
    ['plugin type listed', { pluginTypes: ['DATA_EXPORT'] }, 'DATA_EXPORT', 'dev', undefined, true],
    ['plugin type not listed', { pluginTypes: ['NDDL'] }, 'DATA_EXPORT', 'dev', undefined, false],
    ['DATA_CORRECT stands for DC_COMMON', { pluginTypes: ['DATA_CORRECT'] }, 'DC_COMMON', 'dev', undefined, true],
    ['DATA_CORRECT does not cover DATA_EXPORT', { pluginTypes: ['DATA_CORRECT'] }, 'DATA_EXPORT', 'dev', undefined, false],
    ['env listed, any case', { envTypes: ['product'] }, 'DATA_EXPORT', 'PRODUCT', undefined, true],
    ['env not listed', { envTypes: ['product', 'pre'] }, 'DATA_EXPORT', 'dev', undefined, false],
    ['rows at the threshold', { minEstimatedRows: 1000 }, 'DC_COMMON', 'dev', 1000, true],
    ['rows above the threshold', { minEstimatedRows: 1000 }, 'DC_COMMON', 'dev', 5000, true],
    ['rows below the threshold', { minEstimatedRows: 1000 }, 'DC_COMMON', 'dev', 999, false],
    ['no estimate counts as large', { minEstimatedRows: 1000 }, 'DC_COMMON', 'dev', undefined, true],
    ['all conditions must hold', { pluginTypes: ['DC_COMMON'], envTypes: ['product'], minEstimatedRows: 10 }, 'DC_COMMON', 'dev', 50, false],
  ];
  for (const [name, r, type, env, rows, expected] of cases) {
    it(name, () => expect(ruleMatches(rule({ decision: 'NO_APPROVAL', ...r }), type, env, rows)).toBe(expected));
  }
});

describe('routeTicket', () => {
  const bigRule = rule({ name: 'big', pluginTypes: ['DATA_CORRECT'], minEstimatedRows: 10000, decision: 'APPROVAL', templateId: BIG.id });
  const devFree = rule({ name: 'dev free', envTypes: ['dev'], decision: 'NO_APPROVAL' });
  const noProdExport = rule({ name: 'no prod export', pluginTypes: ['DATA_EXPORT'], envTypes: ['product'], decision: 'FORBID' });
  const offRule = rule({ name: 'off', decision: 'APPROVAL', templateId: OFF.id });
  const adminForTest = rule({ name: 'test → admin', envTypes: ['test'], decision: 'APPROVAL', templateId: ADMIN.id });

  const cases: [string, string, RoutedTarget[], RoutingRule[], number | undefined, string][] = [
    ['default: product needs Owner then DBA', 'DATA_EXPORT', [db(1, 'product')], [], undefined, 'Owner then DBA @ 1'],
    ['default: other environments need the DBA', 'DATA_EXPORT', [db(1, 'dev')], [], undefined, 'DBA @ 1'],
    ['default: a logical database routes by its environment', 'NDDL', [db(7, 'product', true)], [], undefined, 'Owner then DBA @ 7'],
    ['rule by environment: no approval', 'DATA_EXPORT', [db(1, 'dev')], [devFree], undefined, 'NO_APPROVAL'],
    ['rule by type and environment: forbid', 'DATA_EXPORT', [db(1, 'product')], [noProdExport], undefined, 'FORBID:no prod export'],
    ['forbid rule does not touch other types', 'DC_COMMON', [db(1, 'product')], [noProdExport], 5, 'Owner then DBA @ 1'],
    ['threshold rule: above', 'DC_COMMON', [db(1, 'dev')], [bigRule, devFree], 20000, 'Big changes @ 1'],
    ['threshold rule: below falls through to the next rule', 'DC_COMMON', [db(1, 'dev')], [bigRule, devFree], 10, 'NO_APPROVAL'],
    ['threshold rule: no estimate counts as large', 'DC_COMMON', [db(1, 'dev')], [bigRule, devFree], undefined, 'Big changes @ 1'],
    ['first matching rule wins', 'DATA_EXPORT', [db(1, 'dev')], [devFree, adminForTest, bigRule], undefined, 'NO_APPROVAL'],
    ['a rule to a disabled template is skipped', 'DATA_EXPORT', [db(1, 'test')], [offRule, adminForTest], undefined, 'Admin @ 1'],
    ['several databases: FORBID beats approval', 'DATA_EXPORT', [db(1, 'dev'), db(2, 'product')], [noProdExport], undefined, 'FORBID:no prod export'],
    ['several databases: approval beats no approval', 'DC_COMMON', [db(1, 'dev'), db(2, 'test')], [devFree], 1, 'DBA @ 2'],
    ['several databases: more nodes win', 'DC_COMMON', [db(1, 'dev'), db(2, 'product')], [], 1, 'Owner then DBA @ 2'],
    ['several databases: same template resolves over all of them', 'DC_COMMON', [db(1, 'product'), db(2, 'product'), db(3, 'dev')], [], 1, 'Owner then DBA @ 1,2'],
    ['several databases: equal size, the more critical environment wins', 'DC_COMMON', [db(1, 'test'), db(2, 'pre')], [adminForTest], 1, 'DBA @ 2'],
    ['several databases: a threshold template outranks the defaults', 'DC_COMMON', [db(1, 'product'), db(2, 'dev')], [rule({ name: 'dev big', envTypes: ['dev'], minEstimatedRows: 100, decision: 'APPROVAL', templateId: BIG.id })], 500, 'Big changes @ 2'],
    ['no database: the DBA default', 'NDDL', [], [], undefined, 'DBA @ '],
  ];
  for (const [name, type, targets, rules, rows, expected] of cases) {
    it(name, () => expect(outcome(route(type, targets, rules, rows))).toBe(expected));
  }

  it('gives a reason per database and names the winner', () => {
    const r = route('DC_COMMON', [db(1, 'dev'), db(2, 'product')], [devFree], 1);
    expect(r.reasons).toEqual([
      'Database 1 (dev): routing rule "dev free" needs no approval.',
      'Database 2 (product): default route, product environments need the database Owner, then the DBA (template "Owner then DBA").',
      'The most demanding route applies: template "Owner then DBA" from database 2.',
    ]);
  });
});

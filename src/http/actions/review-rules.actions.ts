import { formatDmsTime } from '../../lib/time.js';
import { ENV_TYPES } from '../../modules/instances/instance.model.js';
import {
  ALL_ENVIRONMENTS,
  listReviewRules,
  resetReviewRule,
  RULE_IDS,
  SETTING_LEVELS,
  setReviewRule,
  type RuleView,
  type StoredSetting,
} from '../../modules/review/settings.js';
import { defineAction, type ActionContext } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'SQL review';

const RULE_FIELDS = '{RuleId, Scope (DML: data changes, DDL: schema designs), Description, DefaultLevel, DefaultLevelIn{EnvType: level} (defaults per environment), DefaultParams{name: number}, Level, Params{name: number}, LevelSource (DEFAULT, * or the EnvType), Settings.Setting[]{EnvType, Level, Params, UpdaterId, UpdateTime}}';

const PRECEDENCE =
  'For a database of environment E a rule runs with, field by field, the setting for E, else the setting for `*` (every environment), else its default: the level of the most specific setting, and each param from the most specific setting that gives it. ERROR blocks the precheck (SQL_REVIEW fails, the ticket cannot be submitted), WARNING is shown, NOTICE informs, OFF skips the rule.';

const presentSetting = (s: StoredSetting, tz: string) => ({
  EnvType: s.envType,
  Level: s.level,
  Params: s.params,
  UpdaterId: s.updatedBy,
  UpdateTime: formatDmsTime(s.updatedAt, tz),
});

const presentRule = (r: RuleView, tz: string) => ({
  RuleId: r.ruleId,
  Scope: r.scope,
  Description: r.description,
  DefaultLevel: r.defaultLevel,
  DefaultLevelIn: r.defaultLevelIn,
  DefaultParams: r.defaultParams,
  Level: r.level,
  Params: r.params,
  LevelSource: r.levelSource,
  Settings: { Setting: r.settings.map((s) => presentSetting(s, tz)) },
});

const ruleIdParam = p.enum(RULE_IDS, 'The review rule (src/modules/review/README.md lists them).', true).req();
const envTypeParam = (what: string) => p.enum([ALL_ENVIRONMENTS, ...ENV_TYPES] as const, `${what} \`*\` (the default) is every environment.`, true);

/** Settings changes are not ticket events; the service log keeps who changed what, next to updated_by/updated_at in the store. */
function audit(ctx: ActionContext, action: string, detail: Record<string, unknown>): void {
  ctx.log.info({ audit: action, tenantId: ctx.actor.tenantId, userId: ctx.actor.userId, requestId: ctx.requestId, ...detail }, `review rule setting: ${action}`);
}

/** Per-tenant SQL review rule settings; DMS configures its security rules only in its console. */
export const reviewRuleActions = [
  defineAction({
    name: 'ListSqlReviewRules',
    group: GROUP,
    extension: true,
    summary: `The SQL review rules of data change prechecks, each with its default level and params and the tenant's effective level and params for an environment. Any member of the tenant. ${PRECEDENCE}`,
    params: { EnvType: envTypeParam('Show the effective settings for databases of this environment;') },
    response: `\`Rules.Rule[]${RULE_FIELDS}\``,
    handler: async (input, ctx) => ({
      Rules: { Rule: (await listReviewRules(ctx.deps, ctx.actor, input.EnvType)).map((r) => presentRule(r, ctx.deps.config.timezone)) },
    }),
  }),
  defineAction({
    name: 'SetSqlReviewRule',
    group: GROUP,
    extension: true,
    summary: `Sets a review rule's level (and thresholds) for the tenant, for one environment or all (ADMIN or SECURITY_ADMIN). Replaces the setting of the same rule and environment; prechecks started afterwards use it. ${PRECEDENCE}`,
    params: {
      RuleId: ruleIdParam,
      Level: p.enum(SETTING_LEVELS, 'OFF skips the rule; ERROR blocks submission; WARNING is shown; NOTICE informs.', true).req(),
      EnvType: envTypeParam('The environment of the databases the setting applies to;'),
      Params: p.json('JSON object overriding the rule\'s params by name, each a non-negative integer, e.g. `{"maxRows": 5000}` (ListSqlReviewRules shows each rule\'s DefaultParams). Params not given come from the `*` setting or the defaults.').inBody(),
    },
    response: `\`Rule${RULE_FIELDS}\` (effective for EnvType)`,
    handler: async (input, ctx) => {
      const rule = await setReviewRule(ctx.deps, ctx.actor, { ruleId: input.RuleId, level: input.Level, envType: input.EnvType, params: input.Params });
      audit(ctx, 'SetSqlReviewRule', { ruleId: input.RuleId, envType: input.EnvType ?? ALL_ENVIRONMENTS, level: input.Level, params: rule.settings.find((s) => s.envType === (input.EnvType ?? ALL_ENVIRONMENTS))?.params });
      return { Rule: presentRule(rule, ctx.deps.config.timezone) };
    },
  }),
  defineAction({
    name: 'ResetSqlReviewRule',
    group: GROUP,
    extension: true,
    summary: 'Removes the tenant\'s setting of a review rule for one environment (or for `*`), so that the next less specific one applies (ADMIN or SECURITY_ADMIN). Without a setting there, nothing changes (`Removed` false).',
    params: {
      RuleId: ruleIdParam,
      EnvType: envTypeParam('Whose setting is removed;'),
    },
    response: `\`Removed\` (boolean), \`Rule${RULE_FIELDS}\` (effective for EnvType afterwards)`,
    handler: async (input, ctx) => {
      const r = await resetReviewRule(ctx.deps, ctx.actor, { ruleId: input.RuleId, envType: input.EnvType });
      if (r.removed) audit(ctx, 'ResetSqlReviewRule', { ruleId: input.RuleId, envType: r.removed.envType, removedLevel: r.removed.level, removedParams: r.removed.params });
      return { Removed: r.removed !== null, Rule: presentRule(r.rule, ctx.deps.config.timezone) };
    },
  }),
];

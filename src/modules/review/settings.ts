/**
 * Per-tenant settings of the SQL review rules (extension Actions ListSqlReviewRules,
 * SetSqlReviewRule, ResetSqlReviewRule; docs/data-changes.md "Review rule settings").
 *
 * The rules are the DML rules of data-change prechecks and the DDL rules of schema-design tickets
 * (one list, one id space; `RuleView.scope` tells them apart).
 *
 * A setting is stored per (tenant, environment, rule), the environment being a database EnvType
 * (`dev`, `product`, …) or `*` for every environment. For a database of environment E, a rule's
 * effective setting is, field by field:
 * - level: the setting for E, else the setting for `*`, else the rule's default level for E
 *   (`levelIn[E]`, e.g. ERROR in product for `ddl-drop-table`), else its default level;
 * - params: each param from the setting for E, else from the setting for `*`, else the default.
 * The engine (engine.ts) stays pure: this module turns the stored rows into `RuleSetting[]` and the
 * precheck passes them in `ReviewContext.settings`.
 */
import { invalidParam } from '../../errors.js';
import type { Deps } from '../context.js';
import { requireRole, type Actor } from '../identity/actor.js';
import { DDL_RULES } from './ddl-rules/index.js';
import { defaultLevelOf } from './engine.js';
import { DML_RULES } from './rules/index.js';
import * as repo from './settings.repository.js';
import type { RuleLevel, RuleMeta, RuleSetting } from './types.js';

/** The rules a tenant can configure: the DML rules of the DC_COMMON precheck, then the DDL rules of schema-design tickets. */
export const CONFIGURABLE_RULES: readonly RuleMeta[] = [...DML_RULES, ...DDL_RULES];
const DDL_IDS = new Set(DDL_RULES.map((r) => r.id));
export const RULE_IDS: readonly string[] = CONFIGURABLE_RULES.map((r) => r.id);

export const SETTING_LEVELS = ['OFF', 'ERROR', 'WARNING', 'NOTICE'] as const;
export type SettingLevel = (typeof SETTING_LEVELS)[number];

/** The environment of a setting that applies to every environment. */
export const ALL_ENVIRONMENTS = '*';

/** A stored setting, decoded. */
export interface StoredSetting {
  ruleId: string;
  /** A lower-case EnvType or `*`. */
  envType: string;
  level: SettingLevel;
  params: Record<string, number>;
  updatedBy: number;
  updatedAt: number;
}

/** One rule as ListSqlReviewRules shows it for an environment. */
export interface RuleView {
  ruleId: string;
  /** DML: data-change tickets (DC_COMMON precheck); DDL: schema-design tickets. */
  scope: 'DML' | 'DDL';
  description: string;
  /** The default for the environment asked for (`levelIn`), else the rule's level; for `*`, the rule's level. */
  defaultLevel: RuleLevel;
  /** Environments whose default differs from the rule's level (e.g. `{ product: 'ERROR' }`); {} when none. */
  defaultLevelIn: Record<string, RuleLevel>;
  defaultParams: Record<string, number>;
  /** Effective for the environment asked for. */
  level: SettingLevel;
  /** Effective: defaults overridden by `*`, then by the environment's setting. */
  params: Record<string, number>;
  /** Where the effective level comes from: `DEFAULT`, `*` or the EnvType. */
  levelSource: string;
  /** The tenant's stored settings of this rule, every environment (who changed them, when). */
  settings: StoredSetting[];
}

const decode = (r: repo.SettingRow): StoredSetting => ({
  ruleId: r.rule_id,
  envType: r.env_type,
  level: r.level as SettingLevel,
  params: JSON.parse(r.params) as Record<string, number>,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});

function ruleOf(ruleId: string): RuleMeta {
  const rule = CONFIGURABLE_RULES.find((r) => r.id === ruleId);
  if (!rule) throw invalidParam('RuleId', `there is no review rule "${ruleId}"; known rules: ${RULE_IDS.join(', ')}.`);
  return rule;
}

/** `*` or a lower-case EnvType; null (not given) means `*`. */
const envOf = (envType: string | null | undefined): string => (envType ? envType.toLowerCase() : ALL_ENVIRONMENTS);

interface Effective {
  level: SettingLevel;
  params: Record<string, number>;
  levelSource: string;
}

function effectiveOf(rule: RuleMeta, stored: readonly Pick<StoredSetting, 'ruleId' | 'envType' | 'level' | 'params'>[], envType: string): Effective {
  const general = stored.find((s) => s.ruleId === rule.id && s.envType === ALL_ENVIRONMENTS);
  const specific = envType === ALL_ENVIRONMENTS ? undefined : stored.find((s) => s.ruleId === rule.id && s.envType === envType);
  const params: Record<string, number> = { ...rule.params };
  for (const s of [general, specific]) {
    for (const [k, v] of Object.entries(s?.params ?? {})) if (k in params && Number.isFinite(v)) params[k] = v;
  }
  const from = specific ?? general;
  return { level: from?.level ?? defaultLevelOf(rule, envType === ALL_ENVIRONMENTS ? null : envType), params, levelSource: from ? from.envType : 'DEFAULT' };
}

/**
 * Pure: the `ReviewContext.settings` for a database of `envType` from a tenant's stored settings
 * (env-specific beats `*` beats the rule default, per field). Rules without any setting are left
 * out (they run at their defaults).
 */
export function resolveSettings(stored: readonly Pick<StoredSetting, 'ruleId' | 'envType' | 'level' | 'params'>[], envType: string, rules: readonly RuleMeta[] = CONFIGURABLE_RULES): RuleSetting[] {
  const env = envOf(envType);
  const out: RuleSetting[] = [];
  for (const rule of rules) {
    if (!stored.some((s) => s.ruleId === rule.id && (s.envType === ALL_ENVIRONMENTS || s.envType === env))) continue;
    const e = effectiveOf(rule, stored, env);
    out.push({ ruleId: rule.id, level: e.level, params: e.params });
  }
  return out;
}

/**
 * The tenant's settings, read once (e.g. before a precheck loops over its databases), as a
 * function of the database's environment.
 */
export async function loadReviewSettings(deps: Pick<Deps, 'db'>, tenantId: number): Promise<(envType: string) => RuleSetting[]> {
  const stored = (await repo.listSettings(deps.db, tenantId)).map(decode);
  const cache = new Map<string, RuleSetting[]>();
  return (envType) => {
    const env = envOf(envType);
    let s = cache.get(env);
    if (!s) cache.set(env, (s = resolveSettings(stored, env)));
    return s;
  };
}

function viewOf(rule: RuleMeta, stored: readonly StoredSetting[], env: string): RuleView {
  const e = effectiveOf(rule, stored, env);
  return {
    ruleId: rule.id,
    scope: DDL_IDS.has(rule.id) ? 'DDL' : 'DML',
    description: rule.description,
    defaultLevel: defaultLevelOf(rule, env === ALL_ENVIRONMENTS ? null : env),
    defaultLevelIn: { ...(rule.levelIn ?? {}) } as Record<string, RuleLevel>,
    defaultParams: { ...rule.params },
    level: e.level,
    params: e.params,
    levelSource: e.levelSource,
    settings: stored.filter((s) => s.ruleId === rule.id),
  };
}

/** Pure: every configurable rule (DML, then DDL) as ListSqlReviewRules shows it for `envType` (absent: `*`). */
export function ruleViews(stored: readonly StoredSetting[], envType?: string | null): RuleView[] {
  const env = envOf(envType);
  return CONFIGURABLE_RULES.map((rule) => viewOf(rule, stored, env));
}

/** ListSqlReviewRules: every rule with the tenant's effective level and params for `envType` (default `*`). Any member. */
export async function listReviewRules(deps: Deps, actor: Actor, envType?: string): Promise<RuleView[]> {
  return ruleViews((await repo.listSettings(deps.db, actor.tenantId)).map(decode), envType);
}

/**
 * The params of a setting, checked against the rule: a JSON object whose keys are the rule's
 * params and whose values are non-negative integers (every threshold is a count). Numeric strings
 * are accepted for the `Params.maxRows=…` flattening of legacy clients.
 */
export function checkParams(rule: RuleMeta, input: unknown): Record<string, number> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw invalidParam('Params', 'expected a JSON object of parameter names and numbers, e.g. {"maxRows": 5000}.');
  }
  const known = Object.keys(rule.params);
  const out: Record<string, number> = {};
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    if (!known.includes(name)) {
      throw invalidParam(
        'Params',
        known.length === 0
          ? `rule ${rule.id} has no parameters (got "${name}").`
          : `"${name}" is not a parameter of rule ${rule.id}; its parameters: ${known.join(', ')}.`,
      );
    }
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw invalidParam('Params', `${name} of rule ${rule.id} must be a non-negative integer, got ${JSON.stringify(raw)}.`);
    }
    out[name] = value;
  }
  return out;
}

export interface SetRuleInput {
  ruleId: string;
  level: SettingLevel;
  /** `*` or an EnvType; absent: `*`. */
  envType?: string | undefined;
  params?: unknown;
}

const MANAGERS = ['ADMIN', 'SECURITY_ADMIN'] as const;

/** SetSqlReviewRule (ADMIN or SECURITY_ADMIN): creates or replaces the setting of (tenant, env, rule). */
export async function setReviewRule(deps: Deps, actor: Actor, input: SetRuleInput): Promise<RuleView> {
  requireRole(actor, ...MANAGERS);
  const rule = ruleOf(input.ruleId);
  if (!(SETTING_LEVELS as readonly string[]).includes(input.level)) {
    throw invalidParam('Level', `"${input.level}" is not one of ${SETTING_LEVELS.join(', ')}.`);
  }
  const params = checkParams(rule, input.params);
  const env = envOf(input.envType);
  await repo.upsertSetting(deps.db, {
    tenant_id: actor.tenantId,
    env_type: env,
    rule_id: rule.id,
    level: input.level,
    params: JSON.stringify(params),
    updated_by: actor.userId,
    updated_at: deps.now(),
  });
  return viewOf(rule, (await repo.listSettings(deps.db, actor.tenantId)).map(decode), env);
}

/** ResetSqlReviewRule (ADMIN or SECURITY_ADMIN): removes the setting of (tenant, env, rule), if any. */
export async function resetReviewRule(deps: Deps, actor: Actor, input: { ruleId: string; envType?: string | undefined }): Promise<{ removed: StoredSetting | null; rule: RuleView }> {
  requireRole(actor, ...MANAGERS);
  const rule = ruleOf(input.ruleId);
  const env = envOf(input.envType);
  const before = (await repo.listSettings(deps.db, actor.tenantId)).map(decode);
  const existing = before.find((s) => s.ruleId === rule.id && s.envType === env);
  // Removed meanwhile by another call: nothing was removed by this one.
  const removed = existing && (await repo.deleteSetting(deps.db, actor.tenantId, env, rule.id)) ? existing : null;
  return { removed, rule: viewOf(rule, before.filter((s) => s !== existing), env) };
}

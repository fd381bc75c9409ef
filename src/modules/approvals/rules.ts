import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import { requireRole, type Actor } from '../identity/actor.js';
import { ENV_TYPES } from '../instances/instance.model.js';
import { zLong } from '../tickets/plugin-param.js';
import { KNOWN_PLUGIN_TYPES } from '../tickets/ticket-type.js';
import * as repo from './definition.repository.js';
import { ROUTE_DECISIONS, type RoutingInput, type RoutingRule, type TemplateSummary } from './routing.js';
import { DEFAULT_TEMPLATE_CODES } from './templates.js';

/**
 * Per-tenant routing rules (SetApprovalRoutingRules / ListApprovalRoutingRules, ADMIN only). The
 * whole ordered list is replaced at once; an empty list leaves only the default routes.
 */

export const MAX_RULES = 100;

const upper = (values: readonly string[], what: string) =>
  z
    .string()
    .transform((s) => s.trim())
    .refine((s) => values.some((v) => v.toLowerCase() === s.toLowerCase()), { message: `not a known ${what} (${values.join(', ')})` })
    .transform((s) => values.find((v) => v.toLowerCase() === s.toLowerCase())!);

/** A list given as a JSON array or a comma-separated string. */
const listOf = (item: z.ZodType<string, string>) =>
  z
    .union([z.array(z.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))])
    .pipe(z.array(item))
    .default([]);

const ruleSchema = z
  .object({
    Name: z.string().trim().min(1, 'a rule needs a Name').max(128),
    PluginTypes: listOf(upper(KNOWN_PLUGIN_TYPES, 'PluginType')),
    EnvTypes: listOf(upper(ENV_TYPES, 'EnvType')),
    MinEstimatedRows: zLong.pipe(z.number().min(0)).nullable().optional(),
    Decision: upper(ROUTE_DECISIONS, 'Decision'),
    TemplateId: zLong.pipe(z.number().positive()).nullable().optional(),
  })
  .refine((r) => (r.Decision === 'APPROVAL') === (r.TemplateId !== undefined && r.TemplateId !== null), {
    message: 'TemplateId is required with Decision APPROVAL and not allowed otherwise',
    path: ['TemplateId'],
  });

const rulesSchema = z.array(ruleSchema).max(MAX_RULES, `at most ${MAX_RULES} rules`);

export interface RuleView extends RoutingRule {
  position: number;
  templateName: string | null;
}

function toRule(r: repo.RuleRow): RoutingRule {
  const list = (s: string) => (s === '' ? [] : s.split(','));
  return {
    id: r.id,
    name: r.name,
    pluginTypes: list(r.plugin_types),
    envTypes: list(r.env_types),
    minEstimatedRows: r.min_estimated_rows,
    decision: r.decision as RoutingRule['decision'],
    templateId: r.template_id,
  };
}

export async function listRoutingRules(deps: Deps, actor: Actor): Promise<RuleView[]> {
  requireRole(actor, 'ADMIN');
  const names = new Map((await repo.listTemplates(deps.db, actor.tenantId)).map((t) => [t.id, t.name]));
  return (await repo.listRules(deps.db, actor.tenantId)).map((r) => ({ ...toRule(r), position: r.position, templateName: r.template_id === null ? null : (names.get(r.template_id) ?? null) }));
}

/** Validates and replaces the tenant's rules (JSON from the wire, see the Action's schema). */
export async function setRoutingRules(deps: Deps, actor: Actor, input: unknown): Promise<RuleView[]> {
  requireRole(actor, 'ADMIN');
  const parsed = rulesSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('InvalidRules', `Specified parameter Rules is not valid: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}.`);
  }
  for (const [i, r] of parsed.data.entries()) {
    if (r.TemplateId && !(await repo.findTemplate(deps.db, actor.tenantId, r.TemplateId))) {
      throw new AppError('InvalidRules', `Specified parameter Rules is not valid: ${i}.TemplateId: template ${r.TemplateId} does not exist.`);
    }
  }
  await inTransaction(deps, (tx) =>
    repo.replaceRules(
      tx.db,
      actor.tenantId,
      parsed.data.map((r) => ({
        name: r.Name,
        pluginTypes: [...new Set(r.PluginTypes)].join(','),
        envTypes: [...new Set(r.EnvTypes)].join(','),
        minEstimatedRows: r.MinEstimatedRows ?? null,
        decision: r.Decision,
        templateId: r.TemplateId ?? null,
      })),
      tx.now(),
    ),
  );
  return listRoutingRules(deps, actor);
}

/** Everything routing.ts needs about a tenant, except the ticket. */
export async function loadRoutingTables(deps: Deps, tenantId: number): Promise<Pick<RoutingInput, 'rules' | 'templates' | 'defaults'>> {
  const templates = await repo.listTemplates(deps.db, tenantId);
  const chains = await repo.listTemplateNodes(deps.db, templates.map((t) => t.id));
  const summaries = new Map<number, TemplateSummary>(
    templates.map((t) => [t.id, { id: t.id, name: t.name, nodeCount: chains.filter((c) => c.template_id === t.id).length, enabled: t.enabled === 1 }]),
  );
  const bySystemCode = (code: string): TemplateSummary => summaries.get(templates.find((t) => t.tenant_id === null && t.system_code === code)!.id)!;
  return {
    rules: (await repo.listRules(deps.db, tenantId)).map(toRule),
    templates: summaries,
    defaults: { product: bySystemCode(DEFAULT_TEMPLATE_CODES.product), other: bySystemCode(DEFAULT_TEMPLATE_CODES.other) },
  };
}

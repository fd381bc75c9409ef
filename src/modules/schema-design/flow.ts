/**
 * The R&D flow of schema designs, per tenant: the ordered stages (by environment) a design is
 * published through. The first stage is the design stage, on the base database; each later stage
 * takes the design to databases of its environment. A project keeps the flow it was created with.
 */
import { AppError, noPermission } from '../../errors.js';
import type { Deps } from '../context.js';
import { hasRole, type Actor } from '../identity/actor.js';
import { ENV_TYPES } from '../instances/instance.model.js';
import * as repo from './design.repository.js';
import type { FlowConfig, FlowStage } from './design.table.js';

export const DEFAULT_FLOW: FlowConfig = {
  name: 'default',
  stages: [
    { envType: 'dev', title: 'Design (dev)', canSkip: false, backToDesign: true },
    { envType: 'test', title: 'Publish to test', canSkip: true, backToDesign: true },
    { envType: 'product', title: 'Publish to production', canSkip: false, backToDesign: false },
  ],
  pgConcurrentIndex: false,
};

export async function tenantFlow(deps: Deps, tenantId: number): Promise<FlowConfig> {
  const row = await repo.findFlow(deps.db, tenantId);
  if (!row) return DEFAULT_FLOW;
  return { name: row.name, stages: JSON.parse(row.stages) as FlowStage[], pgConcurrentIndex: row.pg_concurrent_index === 1 };
}

/** SetTableDesignFlow (ADMIN): the tenant's flow for projects created from now on. */
export async function setTenantFlow(deps: Deps, actor: Actor, input: { name: string; stages: unknown; pgConcurrentIndex: boolean }): Promise<FlowConfig> {
  if (!hasRole(actor, 'ADMIN')) throw noPermission('Only an ADMIN may change the schema design flow.');
  if (!Array.isArray(input.stages) || input.stages.length === 0) throw new AppError('InvalidStages', 'Specified parameter Stages is not valid: a JSON array of at least one stage {EnvType, Title, CanSkip, BackToDesign}.');
  if (input.stages.length > 10) throw new AppError('InvalidStages', 'Specified parameter Stages is not valid: at most 10 stages.');
  const stages: FlowStage[] = input.stages.map((raw, k) => {
    const s = (raw ?? {}) as Record<string, unknown>;
    const env = String(s['EnvType'] ?? s['envType'] ?? '').toLowerCase();
    if (!(ENV_TYPES as readonly string[]).includes(env)) throw new AppError('InvalidStages', `Specified parameter Stages is not valid: stage ${k + 1}: EnvType "${env}" is not one of ${ENV_TYPES.join(', ')}.`);
    const bool = (name: string, dflt: boolean): boolean => {
      const v = s[name] ?? s[name.charAt(0).toLowerCase() + name.slice(1)];
      if (v === undefined) return dflt;
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 1 || v === '1') return true;
      if (v === 'false' || v === 0 || v === '0') return false;
      throw new AppError('InvalidStages', `Specified parameter Stages is not valid: stage ${k + 1}: ${name} must be true or false.`);
    };
    const title = String(s['Title'] ?? s['title'] ?? (k === 0 ? `Design (${env})` : `Publish to ${env}`)).slice(0, 100);
    return { envType: env, title, canSkip: k === 0 ? false : bool('CanSkip', false), backToDesign: bool('BackToDesign', true) };
  });
  if (new Set(stages.map((s) => s.envType)).size !== stages.length) throw new AppError('InvalidStages', 'Specified parameter Stages is not valid: each environment may appear once.');
  const flow: FlowConfig = { name: input.name.trim() || 'custom', stages, pgConcurrentIndex: input.pgConcurrentIndex };
  await repo.upsertFlow(deps.db, { tenantId: actor.tenantId, name: flow.name, stages: JSON.stringify(stages), pgConcurrentIndex: flow.pgConcurrentIndex, by: actor.userId }, deps.now());
  return flow;
}

/** GetTableDesignProjectFlow's nodes: START, the design stage, the publish stages, END (1-based positions). */
export function flowNodes(flow: FlowConfig): { position: number; role: 'START' | 'DESIGN' | 'PUBLISH' | 'END'; title: string; canSkip: boolean; backToDesign: boolean; envType: string | null }[] {
  return [
    { position: 1, role: 'START' as const, title: 'Create the project', canSkip: false, backToDesign: false, envType: null },
    ...flow.stages.map((s, k) => ({ position: k + 2, role: k === 0 ? ('DESIGN' as const) : ('PUBLISH' as const), title: s.title, canSkip: s.canSkip, backToDesign: s.backToDesign, envType: s.envType })),
    { position: flow.stages.length + 2, role: 'END' as const, title: 'Published', canSkip: false, backToDesign: false, envType: null },
  ];
}

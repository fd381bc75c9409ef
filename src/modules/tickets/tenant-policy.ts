import { z } from 'zod';
import { getSetting, setSetting } from '../identity/identity.repository.js';
import type { Deps } from '../context.js';
import { requireRole, type Actor } from '../identity/actor.js';

/**
 * Per-tenant ticket rules (extension Actions GetTenantTicketPolicy / SetTenantTicketPolicy):
 * - filing: OPEN (default) — every member may file against any database of the tenant, the
 *   approval workflow being the gate; RESTRICTED — only the database's owners and DBA, and users
 *   with role ADMIN or DBA, may file (permission tickets, a later issue, will add grants);
 * - allowSelfApproval: whether a committer who is also an approver may approve their own ticket
 *   (default false: the node then needs another approver).
 */
const policySchema = z.object({
  filing: z.enum(['OPEN', 'RESTRICTED']).default('OPEN'),
  allowSelfApproval: z.boolean().default(false),
});
export type TenantTicketPolicy = z.infer<typeof policySchema>;

const keyOf = (tenantId: number): string => `tenant-ticket-policy:${tenantId}`;

export async function getTenantPolicy(deps: Deps, tenantId: number): Promise<TenantTicketPolicy> {
  const text = await getSetting(deps.db, keyOf(tenantId));
  return policySchema.parse(text ? JSON.parse(text) : {});
}

export async function setTenantPolicy(deps: Deps, actor: Actor, patch: Partial<TenantTicketPolicy>): Promise<TenantTicketPolicy> {
  requireRole(actor, 'ADMIN');
  const next = policySchema.parse({ ...(await getTenantPolicy(deps, actor.tenantId)), ...patch });
  await setSetting(deps.db, keyOf(actor.tenantId), JSON.stringify(next));
  return next;
}

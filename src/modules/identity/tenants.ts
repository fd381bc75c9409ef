import { AppError, noPermission } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from './actor.js';
import * as repo from './identity.repository.js';
import { formatRoles } from './roles.js';

export interface TenantView {
  tenantId: number;
  name: string;
  status: 'ACTIVE' | 'IN_ACTIVE';
}

export async function activeTenant(deps: Deps, actor: Actor): Promise<TenantView> {
  const t = await repo.findTenant(deps.db, actor.tenantId);
  if (!t) throw new AppError('TenantNotExist', 'The specified tenant does not exist.');
  return { tenantId: t.id, name: t.name, status: t.status === 'ACTIVE' ? 'ACTIVE' : 'IN_ACTIVE' };
}

/** The tenants the caller belongs to; the active one is ACTIVE, the others IN_ACTIVE (DMS semantics). */
export async function tenantsOf(deps: Deps, actor: Actor): Promise<TenantView[]> {
  const rows = await repo.listTenantsOfUser(deps.db, actor.userId);
  return rows
    .filter((r) => r.state === 'NORMAL')
    .map((r) => ({ tenantId: r.id, name: r.name, status: r.id === actor.tenantId ? 'ACTIVE' : 'IN_ACTIVE' }));
}

/** Extension: a deployment system administrator creates a tenant and becomes its ADMIN. */
export async function createTenant(deps: Deps, actor: Actor, name: string): Promise<number> {
  if (!actor.isSysadmin) throw noPermission('Only a system administrator of this deployment may create tenants.');
  const now = deps.now();
  const tenantId = await repo.insertTenant(deps.db, name, now);
  await repo.insertMembership(deps.db, { tenantId, userId: actor.userId, roles: formatRoles(['ADMIN']) }, now);
  return tenantId;
}

/** Extension: grants or revokes the deployment-wide right to create tenants. */
export async function setSystemAdmin(deps: Deps, actor: Actor, userId: number, enabled: boolean): Promise<void> {
  if (!actor.isSysadmin) throw noPermission('Only a system administrator of this deployment may grant that right.');
  const user = await repo.findUserById(deps.db, userId);
  const m = user && (await repo.findMembership(deps.db, actor.tenantId, userId));
  if (!user || !m || m.state === 'DELETE') throw new AppError('UserNotExist', 'The specified user not exists.');
  if (!enabled && userId === actor.userId) throw noPermission('You cannot revoke your own system administrator right.');
  await repo.updateUser(deps.db, userId, { is_sysadmin: enabled ? 1 : 0 });
}

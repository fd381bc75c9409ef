/**
 * Users are shared by tenants (RegisterUser adds an existing person to another tenant). What acts
 * as the user everywhere — their AccessKeys, like their console password (admin-passwords.ts) — a
 * tenant's ADMIN may manage only for someone whose every tenant they administer as well, and never
 * for a deployment administrator (unless one themselves). Otherwise an ADMIN could register another
 * tenant's ADMIN (or the deployment administrator) in their own tenant, create a key for them and
 * sign requests as them in the other tenant.
 */
import { noPermission } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from './actor.js';
import * as repo from './identity.repository.js';
import { parseStoredRoles } from './roles.js';

export async function assertAdministersEveryTenantOf(deps: Deps, actor: Actor, userId: number, what: string): Promise<void> {
  const user = await repo.findUserById(deps.db, userId);
  if (user?.is_sysadmin === 1 && !actor.isSysadmin) throw noPermission(`User ${userId} is a deployment administrator: only one of them (or an operator) manages their ${what}.`);
  for (const t of await repo.listTenantsOfUser(deps.db, userId)) {
    if (t.id === actor.tenantId) continue;
    const mine = await repo.findMember(deps.db, t.id, actor.userId);
    if (!mine || mine.state !== 'NORMAL' || !parseStoredRoles(mine.roles).includes('ADMIN')) {
      throw noPermission(`User ${userId} is also a member of tenant ${t.id}, which you do not administer: only they (or an operator) manage their ${what}.`);
    }
  }
}

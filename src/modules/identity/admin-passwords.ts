/**
 * An ADMIN sets a member's console password (SetUserPassword, for the console's user pages; the
 * operator's way is `opendms user set-password`). Users are shared by tenants, so a tenant's ADMIN
 * may set the password only of someone whose every tenant they administer as well, and never of a
 * deployment administrator (unless one themselves): otherwise one tenant's ADMIN could take over an
 * account that matters elsewhere. Setting it ends the user's sessions and lifts a login block.
 */
import { AppError, noPermission } from '../../errors.js';
import type { Deps } from '../context.js';
import { requireRole, type Actor } from './actor.js';
import * as repo from './identity.repository.js';
import { parseStoredRoles } from './roles.js';
import { resetPassword } from './sessions.js';

export async function setMemberPassword(deps: Deps, actor: Actor, uid: string, password: string): Promise<void> {
  requireRole(actor, 'ADMIN');
  const user = await repo.findUserByUid(deps.db, uid);
  const member = user && (await repo.findMember(deps.db, actor.tenantId, user.id));
  if (!user || !member || member.state === 'DELETE') throw new AppError('UserNotExist', 'The specified user not exists.');
  if (user.is_sysadmin === 1 && !actor.isSysadmin) throw noPermission(`User ${uid} is a deployment administrator: only one of them (or an operator) sets their password.`);
  for (const t of await repo.listTenantsOfUser(deps.db, user.id)) {
    if (t.id === actor.tenantId) continue;
    const mine = await repo.findMember(deps.db, t.id, actor.userId);
    if (!mine || mine.state !== 'NORMAL' || !parseStoredRoles(mine.roles).includes('ADMIN')) {
      throw noPermission(`User ${uid} is also a member of tenant ${t.id}, which you do not administer: an operator sets their password (opendms user set-password).`);
    }
  }
  await resetPassword(deps, user, password);
}

import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { getMember } from '../identity/users.js';
import type { OwnerType, Person } from './instance.model.js';
import * as owners from './owner.repository.js';

/** People attached to resources: DBAs and owners, who must be members of the tenant. */

/**
 * A member of the actor's tenant chosen as DBA or owner, by DMS user id or by Uid. A user of another
 * tenant (or a deleted member) is refused the same way as an unknown one.
 */
export async function requireTenantMember(deps: Deps, actor: Actor, by: { userId: number } | { uid: string }, what: string): Promise<Person> {
  const label = 'uid' in by ? `Uid ${by.uid}` : `user ${by.userId}`;
  try {
    const m = await getMember(deps, actor, by);
    return { userId: m.userId, nickName: m.nickName };
  } catch (e) {
    if (e instanceof AppError && e.code === 'UserNotExist') {
      throw new AppError('UserNotExist', `The ${what} ${label} is not a member of tenant ${actor.tenantId}.`);
    }
    throw e;
  }
}

/** Owners of several resources of one type, by resource id (resources without owners map to []). */
export async function ownersByResource(deps: Deps, tenantId: number, type: OwnerType, ids: readonly number[]): Promise<Map<number, Person[]>> {
  const map = new Map<number, Person[]>(ids.map((id) => [id, []]));
  for (const r of await owners.listOwners(deps.db, tenantId, type, ids)) {
    map.get(r.resource_id)?.push({ userId: r.user_id, nickName: r.nick_name });
  }
  return map;
}

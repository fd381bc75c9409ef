import type { Db } from '../../storage/db.js';

/** Resource owners, one function per query. `resource_type` is an OwnerType code. */

/** Owners of several resources of one type, with nicknames, ordered by user id. */
export function listOwners(db: Db, tenantId: number, resourceType: string, resourceIds: readonly number[]) {
  if (resourceIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('resource_owner')
    .innerJoin('app_user', 'app_user.id', 'resource_owner.user_id')
    .select(['resource_owner.resource_id', 'resource_owner.user_id', 'app_user.nick_name'])
    .where('resource_owner.tenant_id', '=', tenantId)
    .where('resource_owner.resource_type', '=', resourceType)
    .where('resource_owner.resource_id', 'in', resourceIds)
    .orderBy('resource_owner.user_id')
    .execute();
}

export async function deleteOwners(db: Db, resourceType: string, resourceIds: readonly number[]): Promise<void> {
  if (resourceIds.length === 0) return;
  await db.deleteFrom('resource_owner').where('resource_type', '=', resourceType).where('resource_id', 'in', resourceIds).execute();
}

export async function insertOwners(db: Db, tenantId: number, resourceType: string, resourceId: number, userIds: readonly number[], now: number): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .insertInto('resource_owner')
    .values(userIds.map((userId) => ({ tenant_id: tenantId, resource_type: resourceType, resource_id: resourceId, user_id: userId, created_at: now })))
    .execute();
}

/** Ids of the resources of one type a user owns in a tenant. */
export async function listOwnedResourceIds(db: Db, tenantId: number, userId: number, resourceType: string): Promise<number[]> {
  const rows = await db
    .selectFrom('resource_owner')
    .select('resource_id')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('resource_type', '=', resourceType)
    .orderBy('resource_id')
    .execute();
  return rows.map((r) => r.resource_id);
}

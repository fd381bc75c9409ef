import { AppError, noPermission } from '../../errors.js';
import type { Deps } from '../context.js';
import { requireRole, type Actor } from './actor.js';
import { assertAdministersEveryTenantOf } from './shared-users.js';
import * as repo from './identity.repository.js';
import { formatRoles, parseStoredRoles, type Role, type UserState } from './roles.js';

/** A user as seen in one tenant (DMS `User`). */
export interface Member {
  userId: number;
  uid: string;
  nickName: string;
  mobile: string | null;
  email: string | null;
  roles: Role[];
  state: UserState;
  maxExecuteCount: number | null;
  maxResultCount: number | null;
  lastLoginAt: number | null;
}

function toMember(r: repo.MemberRow): Member {
  return {
    userId: r.id,
    uid: r.uid,
    nickName: r.nick_name,
    mobile: r.mobile,
    email: r.email,
    roles: parseStoredRoles(r.roles),
    state: r.state as UserState,
    maxExecuteCount: r.max_execute_count,
    maxResultCount: r.max_result_count,
    lastLoginAt: r.last_login_at,
  };
}

/**
 * Adds a user to the actor's tenant (ADMIN only). The `uid` names the person across tenants: an
 * existing user joins this tenant; otherwise the user is created. Re-registering a member whose
 * membership was deleted restores it.
 */
export async function registerUser(
  deps: Deps,
  actor: Actor,
  input: { uid: string; nickName?: string | undefined; mobile?: string | undefined; roles?: Role[] | undefined },
): Promise<Member> {
  requireRole(actor, 'ADMIN');
  const roles = input.roles && input.roles.length > 0 ? input.roles : (['USER'] as Role[]);
  const now = deps.now();
  let user = await repo.findUserByUid(deps.db, input.uid);
  if (!user) {
    const id = await repo.insertUser(deps.db, { uid: input.uid, nickName: input.nickName ?? input.uid, mobile: input.mobile ?? null, activeTenantId: actor.tenantId }, now);
    user = (await repo.findUserById(deps.db, id))!;
  }
  const existing = await repo.findMembership(deps.db, actor.tenantId, user.id);
  if (existing && existing.state !== 'DELETE') throw new AppError('UserAlreadyExists', 'The specified user already exists.');
  if (existing) await repo.updateMembership(deps.db, actor.tenantId, user.id, { roles: formatRoles(roles), state: 'NORMAL' });
  else await repo.insertMembership(deps.db, { tenantId: actor.tenantId, userId: user.id, roles: formatRoles(roles) }, now);
  return getMember(deps, actor, { userId: user.id });
}

export async function getMember(deps: Deps, actor: Actor, by: { userId?: number | undefined; uid?: string | undefined }): Promise<Member> {
  let userId = by.userId;
  if (userId === undefined && by.uid !== undefined) userId = (await repo.findUserByUid(deps.db, by.uid))?.id;
  if (userId === undefined) {
    if (by.uid !== undefined) throw new AppError('UserNotExist', 'The specified user not exists.');
    userId = actor.userId;
  }
  const row = await repo.findMember(deps.db, actor.tenantId, userId);
  if (!row || row.state === 'DELETE') throw new AppError('UserNotExist', 'The specified user not exists.');
  return toMember(row);
}

export async function listMembers(
  deps: Deps,
  actor: Actor,
  filter: { role?: Role | undefined; state?: UserState | undefined; search?: string | undefined },
  page: { number: number; size: number },
): Promise<{ members: Member[]; total: number }> {
  const { rows, total } = await repo.listMembers(deps.db, actor.tenantId, filter, { offset: (page.number - 1) * page.size, limit: page.size });
  return { members: rows.map(toMember), total };
}

async function memberByUid(deps: Deps, actor: Actor, uid: string): Promise<repo.MemberRow> {
  const user = await repo.findUserByUid(deps.db, uid);
  const row = user && (await repo.findMember(deps.db, actor.tenantId, user.id));
  if (!row || row.state === 'DELETE') throw new AppError('UserNotExist', 'The specified user not exists.');
  return row;
}

/** Changes nickname, mobile, roles and quotas of a member (ADMIN only). */
export async function updateMember(
  deps: Deps,
  actor: Actor,
  uid: string,
  patch: { nickName?: string | undefined; mobile?: string | undefined; roles?: Role[] | undefined; maxExecuteCount?: number | undefined; maxResultCount?: number | undefined },
): Promise<void> {
  requireRole(actor, 'ADMIN');
  const row = await memberByUid(deps, actor, uid);
  // Nickname and mobile belong to the person, in every tenant they are in.
  if ((patch.nickName !== undefined || patch.mobile !== undefined) && row.id !== actor.userId) await assertAdministersEveryTenantOf(deps, actor, row.id, 'nickname and mobile');
  if (patch.roles !== undefined) {
    if (patch.roles.length === 0) throw new AppError('InvalidRoleNames', 'Specified parameter RoleNames is not valid: at least one role is needed.');
    await assertNotLastAdmin(deps, actor, row, patch.roles.includes('ADMIN'));
  }
  await repo.updateUser(deps.db, row.id, {
    ...(patch.nickName !== undefined && { nick_name: patch.nickName }),
    ...(patch.mobile !== undefined && { mobile: patch.mobile }),
  });
  await repo.updateMembership(deps.db, actor.tenantId, row.id, {
    ...(patch.roles !== undefined && { roles: formatRoles(patch.roles) }),
    ...(patch.maxExecuteCount !== undefined && { max_execute_count: patch.maxExecuteCount }),
    ...(patch.maxResultCount !== undefined && { max_result_count: patch.maxResultCount }),
  });
}

/** DisableUser / EnableUser / DeleteUser: the member's state in this tenant (ADMIN only). */
export async function setMemberState(deps: Deps, actor: Actor, uid: string, state: UserState): Promise<void> {
  requireRole(actor, 'ADMIN');
  const row = await memberByUid(deps, actor, uid);
  if (row.id === actor.userId && state !== 'NORMAL') throw noPermission('You cannot disable or delete yourself.');
  if (state !== 'NORMAL') await assertNotLastAdmin(deps, actor, row, false);
  await repo.updateMembership(deps.db, actor.tenantId, row.id, { state });
}

/** A tenant always keeps one enabled ADMIN, or nobody could administer it again. */
async function assertNotLastAdmin(deps: Deps, actor: Actor, row: repo.MemberRow, staysAdmin: boolean): Promise<void> {
  if (staysAdmin || !parseStoredRoles(row.roles).includes('ADMIN') || row.state !== 'NORMAL') return;
  const admins = await repo.listMembers(deps.db, actor.tenantId, { role: 'ADMIN', state: 'NORMAL' }, { offset: 0, limit: 2 });
  if (admins.total <= 1) throw new AppError('InvalidStatus', `User ${row.uid} is the last enabled ADMIN of tenant ${actor.tenantId}.`);
}

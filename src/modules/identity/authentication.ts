import { AppError, noPermission } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from './actor.js';
import * as repo from './identity.repository.js';
import { parseStoredRoles } from './roles.js';

export type KeyLookup =
  | { kind: 'ok'; userId: number; secret: string }
  | { kind: 'unknown' }
  | { kind: 'inactive' };

/** Finds the secret of an AccessKey so the protocol layer can verify a signature. */
export async function lookupAccessKey(deps: Deps, accessKeyId: string): Promise<KeyLookup> {
  const row = await repo.findAccessKey(deps.db, accessKeyId);
  if (!row) return { kind: 'unknown' };
  if (row.status !== 'Active') return { kind: 'inactive' };
  return { kind: 'ok', userId: row.user_id, secret: deps.secrets.decrypt(row.secret_enc) };
}

/** Records a signature nonce for the window; false when it was used already (a replay). */
export function claimNonce(deps: Deps, accessKeyId: string, nonce: string, windowSeconds: number): Promise<boolean> {
  // Kept twice the window: a timestamp may be skewed by the window in either direction.
  return repo.insertNonce(deps.db, accessKeyId, nonce, deps.now() + 2 * windowSeconds * 1000);
}

/**
 * The caller as an actor of one tenant: `tid` absent or -1 means the user's active tenant (or the
 * first one they belong to). A user who is not a member, or is disabled or deleted there, is refused.
 */
export async function resolveActor(deps: Deps, userId: number, tid: number | undefined): Promise<Actor> {
  const user = await repo.findUserById(deps.db, userId);
  if (!user) throw new AppError('UserNotExist', 'The specified user not exists.');
  let tenantId = tid === undefined || tid === -1 ? user.active_tenant_id : tid;
  if (tenantId === null) {
    const first = (await repo.listTenantsOfUser(deps.db, userId))[0];
    if (!first) throw noPermission(`User ${userId} does not belong to any tenant.`);
    tenantId = first.id;
  }
  const m = await repo.findMembership(deps.db, tenantId, userId);
  if (!m || m.state === 'DELETE') {
    throw new AppError('InvalidTid', `Specified parameter Tid is not valid: user ${userId} can not access tenant ${tenantId}.`);
  }
  if (m.state !== 'NORMAL') throw noPermission(`User ${userId} is disabled in tenant ${tenantId}.`);
  return {
    userId,
    uid: user.uid,
    nickName: user.nick_name,
    isSysadmin: user.is_sysadmin === 1,
    tenantId,
    roles: parseStoredRoles(m.roles),
    delegatedBy: undefined,
  };
}

/**
 * `RealLoginUserUid`: an ADMIN acts for another (enabled) user of the same tenant. The returned
 * actor is that user, with the ADMIN recorded in `delegatedBy`.
 */
export async function actOnBehalf(deps: Deps, admin: Actor, realLoginUserUid: string): Promise<Actor> {
  if (realLoginUserUid === admin.uid) return admin;
  if (!admin.roles.includes('ADMIN')) throw noPermission('Only an ADMIN may act on behalf of another user (RealLoginUserUid).');
  const user = await repo.findUserByUid(deps.db, realLoginUserUid);
  const m = user && (await repo.findMembership(deps.db, admin.tenantId, user.id));
  if (!user || !m || m.state === 'DELETE') {
    throw new AppError('UserNotExist', `RealLoginUserUid ${realLoginUserUid} is not a user of tenant ${admin.tenantId}.`);
  }
  if (m.state !== 'NORMAL') throw noPermission(`User ${realLoginUserUid} is disabled in tenant ${admin.tenantId}.`);
  return {
    userId: user.id,
    uid: user.uid,
    nickName: user.nick_name,
    isSysadmin: user.is_sysadmin === 1,
    tenantId: admin.tenantId,
    roles: parseStoredRoles(m.roles),
    delegatedBy: { userId: admin.userId, uid: admin.uid },
  };
}

export async function noteKeyUse(deps: Deps, accessKeyId: string): Promise<void> {
  await repo.touchAccessKey(deps.db, accessKeyId, deps.now());
}

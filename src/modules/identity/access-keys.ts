import crypto from 'node:crypto';
import { AppError, noPermission, notFound } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from './actor.js';
import { hasRole } from './actor.js';
import { assertAdministersEveryTenantOf } from './shared-users.js';
import * as repo from './identity.repository.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomToken(length: number): string {
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 62]; // 62*4=248: bias below 1%, irrelevant for 30 chars of entropy
  return out;
}

/** Shaped like Alibaba's: `LTAI` + 20 characters, and a 30-character secret. */
export function generateAccessKey(): { accessKeyId: string; accessKeySecret: string } {
  return { accessKeyId: `LTAI${randomToken(20)}`, accessKeySecret: randomToken(30) };
}

export interface AccessKeyView {
  accessKeyId: string;
  userId: number;
  status: 'Active' | 'Inactive';
  createdAt: number;
  lastUsedAt: number | null;
}

export interface NewAccessKey extends AccessKeyView {
  accessKeySecret: string;
}

/** A user manages their own keys; an ADMIN manages the keys of members of their tenant. */
async function assertMayManageKeysOf(deps: Deps, actor: Actor, userId: number): Promise<void> {
  if (userId === actor.userId) return;
  if (!hasRole(actor, 'ADMIN')) throw noPermission('Only an ADMIN may manage the AccessKeys of another user.');
  const m = await repo.findMembership(deps.db, actor.tenantId, userId);
  if (!m || m.state === 'DELETE') throw new AppError('UserNotExist', `The specified user ${userId} does not exist in tenant ${actor.tenantId}.`);
  await assertAdministersEveryTenantOf(deps, actor, userId, 'AccessKeys');
}

export async function createAccessKeyFor(
  deps: Deps,
  userId: number,
  given?: { accessKeyId: string; accessKeySecret: string },
): Promise<NewAccessKey> {
  const key = given ?? generateAccessKey();
  const now = deps.now();
  await repo.insertAccessKey(deps.db, { accessKeyId: key.accessKeyId, userId, secretEnc: deps.secrets.encrypt(key.accessKeySecret) }, now);
  return { ...key, userId, status: 'Active', createdAt: now, lastUsedAt: null };
}

export async function createAccessKey(deps: Deps, actor: Actor, userId: number | undefined): Promise<NewAccessKey> {
  const target = userId ?? actor.userId;
  await assertMayManageKeysOf(deps, actor, target);
  const count = (await repo.listAccessKeys(deps.db, target)).length;
  if (count >= MAX_KEYS_PER_USER) {
    throw new AppError('QuotaExceeded', `User ${target} already has ${count} AccessKeys (at most ${MAX_KEYS_PER_USER}); delete one first.`);
  }
  return createAccessKeyFor(deps, target);
}

/** Alibaba RAM allows two keys per user; we allow a few more for rotation across several clients. */
export const MAX_KEYS_PER_USER = 5;

export async function listAccessKeys(deps: Deps, actor: Actor, userId: number | undefined): Promise<AccessKeyView[]> {
  const target = userId ?? actor.userId;
  await assertMayManageKeysOf(deps, actor, target);
  const rows = await repo.listAccessKeys(deps.db, target);
  return rows.map((r) => ({
    accessKeyId: r.access_key_id,
    userId: r.user_id,
    status: r.status === 'Inactive' ? 'Inactive' : 'Active',
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  }));
}

async function ownedKey(deps: Deps, actor: Actor, accessKeyId: string) {
  const row = await repo.findAccessKey(deps.db, accessKeyId);
  if (!row) throw notFound('AccessKey', accessKeyId);
  try {
    await assertMayManageKeysOf(deps, actor, row.user_id);
  } catch (e) {
    // Do not reveal that a key of someone outside the caller's reach exists.
    if (e instanceof AppError && e.code === 'UserNotExist') throw notFound('AccessKey', accessKeyId);
    throw e;
  }
  return row;
}

export async function updateAccessKeyStatus(deps: Deps, actor: Actor, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
  await ownedKey(deps, actor, accessKeyId);
  await repo.updateAccessKeyStatus(deps.db, accessKeyId, status);
}

export async function deleteAccessKey(deps: Deps, actor: Actor, accessKeyId: string, callerKeyId: string | undefined): Promise<void> {
  await ownedKey(deps, actor, accessKeyId);
  if (accessKeyId === callerKeyId) {
    throw new AppError('ResourceInUse', `AccessKey ${accessKeyId} signed this request; delete it with another key.`);
  }
  await repo.deleteAccessKey(deps.db, accessKeyId);
}

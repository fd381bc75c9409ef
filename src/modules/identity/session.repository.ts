import type { Db } from '../../storage/db.js';

/** Console sessions and failed logins (migration 0017), one function per query. */

export async function insertSession(db: Db, v: { tokenHash: string; userId: number; csrfToken: string; now: number; expiresAt: number }): Promise<void> {
  await db.insertInto('console_session').values({ token_hash: v.tokenHash, user_id: v.userId, csrf_token: v.csrfToken, created_at: v.now, last_seen_at: v.now, expires_at: v.expiresAt, revoked_at: null }).execute();
}

export function findSession(db: Db, tokenHash: string) {
  return db.selectFrom('console_session').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function touchSession(db: Db, tokenHash: string, now: number): Promise<void> {
  await db.updateTable('console_session').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
}

export async function revokeSession(db: Db, tokenHash: string, now: number): Promise<void> {
  await db.updateTable('console_session').set({ revoked_at: now }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
}

/** Every session of a user but `keep` (a password change ends the others). */
export async function revokeUserSessions(db: Db, userId: number, keep: string | null, now: number): Promise<void> {
  let q = db.updateTable('console_session').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (keep !== null) q = q.where('token_hash', '<>', keep);
  await q.execute();
}

export async function deleteEndedSessions(db: Db, before: number): Promise<void> {
  await db.deleteFrom('console_session').where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)])).execute();
  await db.deleteFrom('login_failure').where('at', '<', before).execute();
}

export async function insertLoginFailure(db: Db, uid: string, at: number): Promise<void> {
  await db.insertInto('login_failure').values({ uid, at }).execute();
}

/** Failed logins of `uid` since `since`, oldest first (their times). */
export async function loginFailuresSince(db: Db, uid: string, since: number): Promise<number[]> {
  const rows = await db.selectFrom('login_failure').select('at').where('uid', '=', uid).where('at', '>=', since).orderBy('at').execute();
  return rows.map((r) => Number(r.at));
}

export async function clearLoginFailures(db: Db, uid: string): Promise<void> {
  await db.deleteFrom('login_failure').where('uid', '=', uid).execute();
}

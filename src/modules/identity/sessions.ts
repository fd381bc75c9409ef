/**
 * Web console sessions (docs/console.md). A user logs in with their `Uid` and password; the
 * session is a random 256-bit token in an HttpOnly, SameSite=Strict cookie, stored only as its
 * SHA-256, with a CSRF token the console echoes in a header. A session ends after
 * `idleMinutes` without a request, after `maxHours` whatever the activity, at logout, or when the
 * password changes (the other sessions of that user). Failed logins are counted per user id in the
 * store: after `maxFailures` within `failureWindowMinutes` the next attempts are refused until the
 * oldest of them leaves the window, whatever the password (so guessing is slow on every process).
 */
import crypto from 'node:crypto';
import { AppError } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import * as repo from './identity.repository.js';
import { assertAcceptablePassword, hashPassword, verifyPassword } from './passwords.js';
import * as sessionRepo from './session.repository.js';

export interface SessionUser {
  userId: number;
  uid: string;
  nickName: string;
}

export interface OpenSession {
  user: SessionUser;
  csrfToken: string;
  /** The session's token hash (its key in the store). */
  key: string;
}

const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');
const randomToken = (): string => crypto.randomBytes(32).toString('base64url');

/** Why a console request is refused; the routes map it to a status. */
export class SessionError extends Error {
  constructor(
    readonly code: 'NotLoggedIn' | 'SessionExpired' | 'InvalidCsrfToken',
    message: string,
  ) {
    super(message);
  }
}

/** Logs in; returns the cookie's token and the session. Wrong credentials, a disabled user and the rate limit are AppErrors. */
export async function login(deps: Deps, uid: string, password: string): Promise<{ token: string; session: OpenSession }> {
  const c = deps.config.console;
  const now = deps.now();
  const failures = await sessionRepo.loginFailuresSince(deps.db, uid, now - c.failureWindowMinutes * 60_000);
  if (failures.length >= c.maxFailures) {
    const retry = Math.max(1, Math.ceil((failures[failures.length - c.maxFailures]! + c.failureWindowMinutes * 60_000 - now) / 1000));
    throw new AppError('Throttling.User', `Too many failed logins for ${uid}: try again in ${retry} s.`);
  }
  const user = await repo.findUserByUid(deps.db, uid);
  const ok = user?.password_hash ? await verifyPassword(password, user.password_hash) : false;
  if (!user || !ok) {
    await sessionRepo.insertLoginFailure(deps.db, uid, now);
    throw new AppError('InvalidCredentials', 'The user name or the password is wrong (a user without a password cannot log in: `opendms user set-password`).');
  }
  const tenants = await repo.listTenantsOfUser(deps.db, user.id);
  if (tenants.length === 0 && user.is_sysadmin !== 1) throw new AppError('NoPermission', `User ${uid} is not enabled in any tenant.`);
  const token = randomToken();
  const csrfToken = randomToken();
  await inTransaction(deps, async (tx) => {
    await sessionRepo.insertSession(tx.db, { tokenHash: hashToken(token), userId: user.id, csrfToken, now, expiresAt: now + c.maxHours * 3_600_000 });
    await sessionRepo.clearLoginFailures(tx.db, uid);
    await repo.updateUser(tx.db, user.id, { last_login_at: now });
  });
  return { token, session: { user: { userId: user.id, uid: user.uid, nickName: user.nick_name }, csrfToken, key: hashToken(token) } };
}

/**
 * The live session of a cookie token; throws SessionError when there is none or it ended. Marks
 * it used (at most once a minute, to keep reads cheap).
 */
export async function openSession(deps: Deps, token: string | undefined): Promise<OpenSession> {
  if (!token) throw new SessionError('NotLoggedIn', 'Log in first.');
  const key = hashToken(token);
  const row = await sessionRepo.findSession(deps.db, key);
  const now = deps.now();
  if (!row || row.revoked_at !== null) throw new SessionError('NotLoggedIn', 'This session has ended; log in again.');
  const idleMs = deps.config.console.idleMinutes * 60_000;
  if (now > Number(row.expires_at) || now - Number(row.last_seen_at) > idleMs) throw new SessionError('SessionExpired', 'The session expired; log in again.');
  const user = await repo.findUserById(deps.db, row.user_id);
  if (!user) throw new SessionError('NotLoggedIn', 'This user no longer exists.');
  if (now - Number(row.last_seen_at) > 60_000) await sessionRepo.touchSession(deps.db, key, now);
  return { user: { userId: user.id, uid: user.uid, nickName: user.nick_name }, csrfToken: row.csrf_token, key };
}

/** A state-changing request must carry the session's CSRF token (compared in constant time). */
export function assertCsrf(session: OpenSession, header: string | undefined): void {
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(header ?? '');
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw new SessionError('InvalidCsrfToken', 'The request lacks the session\'s CSRF token (X-CSRF-Token); reload the page.');
}

export async function logout(deps: Deps, session: OpenSession): Promise<void> {
  await sessionRepo.revokeSession(deps.db, session.key, deps.now());
}

/** The user changes their own password; their other sessions end. */
export async function changePassword(deps: Deps, session: OpenSession, current: string, next: string): Promise<void> {
  const user = await repo.findUserById(deps.db, session.user.userId);
  if (!user?.password_hash || !(await verifyPassword(current, user.password_hash))) throw new AppError('InvalidPassword', 'Specified parameter Password is not valid: the current password is wrong.');
  assertAcceptablePassword(next);
  const hash = await hashPassword(next);
  await inTransaction(deps, async (tx) => {
    await repo.updateUser(tx.db, user.id, { password_hash: hash });
    await sessionRepo.revokeUserSessions(tx.db, user.id, session.key, tx.now());
  });
}

/** `opendms user set-password`: sets a user's password (operator action); every session of the user ends. */
export async function setPassword(deps: Deps, uid: string, password: string): Promise<void> {
  const user = await repo.findUserByUid(deps.db, uid);
  if (!user) throw new AppError('UserNotExist', `There is no user ${uid}.`);
  await resetPassword(deps, user, password);
}

/**
 * Gives `user` a new password (checked as acceptable, parameter `Password`): every session of the
 * user ends and a login block is lifted. For the operator (setPassword) and an ADMIN (admin-passwords.ts).
 */
export async function resetPassword(deps: Deps, user: { id: number; uid: string }, password: string): Promise<void> {
  assertAcceptablePassword(password, 'Password');
  const hash = await hashPassword(password);
  await inTransaction(deps, async (tx) => {
    await repo.updateUser(tx.db, user.id, { password_hash: hash });
    await sessionRepo.revokeUserSessions(tx.db, user.id, null, tx.now());
    await sessionRepo.clearLoginFailures(tx.db, user.uid);
  });
}

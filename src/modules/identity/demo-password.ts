import crypto from 'node:crypto';
import type { Deps } from '../context.js';
import { findUserById, insertSettingIfAbsent } from './identity.repository.js';
import { setPassword } from './sessions.js';

/** Setting row marking that the demo administrator got a console password. */
const MARKER = 'demo_console_password_set';

/**
 * `serve --demo`, first start: gives the administrator (normally uid "admin") a random console
 * password and returns it, so it can be printed once. Later starts return undefined and change
 * nothing (the marker is claimed first, so concurrent processes set it only once).
 */
export async function setDemoConsolePassword(deps: Deps, adminUserId: number): Promise<{ uid: string; password: string } | undefined> {
  const admin = await findUserById(deps.db, adminUserId);
  if (!admin) return undefined;
  if (!(await insertSettingIfAbsent(deps.db, MARKER, new Date(deps.now()).toISOString()))) return undefined;
  // 18 random bytes in base64url: 24 characters, upper, lower and digits (meets the password rules).
  let password = crypto.randomBytes(18).toString('base64url');
  if (!/[0-9]/.test(password)) password += '7';
  if (!/[A-Z]/.test(password)) password += 'Q';
  await setPassword(deps, admin.uid, password);
  return { uid: admin.uid, password };
}

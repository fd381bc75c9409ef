/**
 * Console passwords: scrypt (node:crypto) with a random salt, stored as
 * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` so the cost can rise later without breaking old
 * hashes; compared in constant time.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../../errors.js';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;
const COST = { N: 16384, r: 8, p: 1 };
const KEY_LEN = 32;

/** The rule for new passwords: 10 to 200 characters, not only one kind of character. */
export function assertAcceptablePassword(password: string, name = 'NewPassword'): void {
  if (password.length < 10 || password.length > 200) throw new AppError(`Invalid${name}`, `Specified parameter ${name} is not valid: a password has 10 to 200 characters.`);
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(password)).length;
  if (kinds < 2) throw new AppError(`Invalid${name}`, `Specified parameter ${name} is not valid: mix at least two of lower case, upper case, digits and other characters.`);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LEN, { ...COST, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** False for a wrong password or a hash this code does not know. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

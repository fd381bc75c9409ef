import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Encrypts secrets at rest (access-key secrets, target database passwords) with AES-256-GCM.
 * Access-key secrets cannot be hashed: verifying an HMAC signature needs the secret itself.
 * Stored form: `v1:<base64(iv[12] | tag[16] | ciphertext)>`.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
    this.#key = key;
  }

  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.#key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
  }

  /**
   * A 32-byte key for one purpose (e.g. signing download URLs), derived from the master key with
   * HKDF-SHA256, so the master key itself never signs anything and purposes cannot be confused.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(crypto.hkdfSync('sha256', this.#key, Buffer.alloc(0), `opendms:${purpose}`, 32));
  }

  decrypt(stored: string): string {
    if (!stored.startsWith('v1:')) throw new Error('unknown secret format');
    const raw = Buffer.from(stored.slice(3), 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

function parseKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('OPENDMS_MASTER_KEY must be 32 bytes, as 64 hex digits or base64');
  return key;
}

/**
 * The master key: OPENDMS_MASTER_KEY when set (all processes of a cluster must share it), otherwise
 * `<dataDir>/master.key`, created once with mode 0600.
 */
export function loadMasterKey(masterKey: string | undefined, dataDir: string): Buffer {
  if (masterKey) return parseKey(masterKey);
  const file = path.join(dataDir, 'master.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process created it first
    }
  }
  return parseKey(fs.readFileSync(file, 'utf8'));
}

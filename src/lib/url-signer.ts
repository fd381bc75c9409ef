import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Self-contained, expiring tokens for URLs handed to callers (download links): the payload and an
 * HMAC-SHA256 over it, both base64url, `<payload>.<mac>`. The payload is readable, not secret;
 * the MAC makes it unforgeable and the embedded expiry makes it short-lived. Nothing is stored:
 * verification needs only the key, so every process of a cluster (same master key) accepts them.
 */
export type TokenCheck<P> = { ok: true; payload: P; expiresAt: number } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export class UrlSigner {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('the URL signing key must be at least 32 bytes');
    this.#key = key;
  }

  /** A token carrying `payload` (a JSON object), valid until `expiresAt` (epoch ms). */
  sign(payload: Record<string, unknown>, expiresAt: number): string {
    const body = Buffer.from(JSON.stringify({ ...payload, exp: Math.ceil(expiresAt / 1000) })).toString('base64url');
    return `${body}.${this.#mac(body)}`;
  }

  /** Checks the MAC first (so a forged payload is never parsed), then the expiry. */
  verify<P extends Record<string, unknown>>(token: string, now: number): TokenCheck<P> {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 4096) return { ok: false, reason: 'malformed' };
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return { ok: false, reason: 'bad-signature' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { exp?: unknown }).exp !== 'number') return { ok: false, reason: 'malformed' };
    const { exp, ...payload } = parsed as { exp: number } & Record<string, unknown>;
    if (exp * 1000 <= now) return { ok: false, reason: 'expired' };
    return { ok: true, payload: payload as P, expiresAt: exp * 1000 };
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}

import type { Readable } from 'node:stream';
import { AppError, notFound } from '../../errors.js';
import { UrlSigner } from '../../lib/url-signer.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { getVisibleTicket } from '../tickets/tickets.js';

/**
 * GetOrderAttachmentFile: a short-lived download link for a ticket's attachment, served by
 * OpenDMS itself. The link is a token (lib/url-signer.ts) naming the tenant and the attachment,
 * MACed with a key derived from the master key; whoever holds it may download until it expires,
 * like a pre-signed object-storage URL. Only users who can see the ticket get one.
 */

/** Separate derived key per purpose: a download token is never valid as anything else. */
const SIGNING_PURPOSE = 'attachment-download-url';

interface DownloadClaim extends Record<string, unknown> {
  /** Tenant id. */
  t: number;
  /** AttachmentKey. */
  k: string;
}

function signer(deps: Deps): UrlSigner {
  return new UrlSigner(deps.secrets.deriveKey(SIGNING_PURPOSE));
}

/** A download token for the attachment of a ticket the actor may see. */
export async function ticketAttachmentToken(deps: Deps, actor: Actor, orderId: number): Promise<{ token: string; expiresAt: number }> {
  const { row } = await getVisibleTicket(deps, actor, orderId);
  if (!row.attachment_key) throw new AppError('ResourceNotFound', `Ticket ${orderId} has no attachment.`);
  const att = await deps.db
    .selectFrom('attachment')
    .select(['attachment_key'])
    .where('attachment_key', '=', row.attachment_key)
    .where('tenant_id', '=', row.tenant_id)
    .executeTakeFirst();
  if (!att) throw notFound('Attachment', row.attachment_key);
  const expiresAt = deps.now() + deps.config.downloadUrlTtlSeconds * 1000;
  const claim: DownloadClaim = { t: row.tenant_id, k: att.attachment_key };
  return { token: signer(deps).sign(claim, expiresAt), expiresAt };
}

export type Download =
  | { ok: true; fileName: string; size: number; stream: Readable }
  | { ok: false; reason: 'invalid' | 'expired' | 'not-found' };

/**
 * The file behind a download token. Only a complete attachment is served: its row exists (written
 * after the file was complete) and the stored size matches the recorded one.
 */
export async function openDownload(deps: Deps, token: string): Promise<Download> {
  const check = signer(deps).verify<DownloadClaim>(token, deps.now());
  if (!check.ok) return { ok: false, reason: check.reason === 'expired' ? 'expired' : 'invalid' };
  const { t, k } = check.payload;
  if (typeof t !== 'number' || typeof k !== 'string') return { ok: false, reason: 'invalid' };
  const att = await deps.db.selectFrom('attachment').selectAll().where('attachment_key', '=', k).where('tenant_id', '=', t).executeTakeFirst();
  if (!att) return { ok: false, reason: 'not-found' };
  const file = await deps.files.get(att.storage_key);
  if (!file) return { ok: false, reason: 'not-found' };
  if (file.size !== att.size_bytes) {
    file.stream.destroy();
    return { ok: false, reason: 'not-found' };
  }
  return { ok: true, fileName: att.file_name, size: file.size, stream: file.stream };
}

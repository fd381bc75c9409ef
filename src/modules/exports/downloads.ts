import type { Readable } from 'node:stream';
import { UrlSigner } from '../../lib/url-signer.js';
import { formatDmsTime } from '../../lib/time.js';
import type { ByteRange } from '../../storage/files/file-store.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { recordEvent } from '../tickets/events.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { getVisibleTicket } from '../tickets/tickets.js';
import * as repo from './export.repository.js';

/**
 * GetDataExportDownloadURL and the download behind it. The URL carries a token (lib/url-signer.ts)
 * naming the tenant, the ticket, the job, its run and the exact result file, MACed with a key
 * derived for this purpose only, expiring after OPENDMS_EXPORT_URL_TTL_SECONDS (default 1 hour).
 * A token serves that file and nothing else: a re-run, a removal or the retention purge makes it
 * useless. Only users who can see the ticket get one; each download is an audit event.
 */

const SIGNING_PURPOSE = 'export-download-url';

interface ExportClaim extends Record<string, unknown> {
  t: number;
  o: number;
  j: number;
  r: number;
  k: string;
  /** Who asked for the link: the download event names them. */
  u: number;
}

const signer = (deps: Deps) => new UrlSigner(deps.secrets.deriveKey(SIGNING_PURPOSE));

export type DownloadLink = { hasResult: true; token: string; expiresAt: number; tip: string } | { hasResult: false; tip: string };

export async function exportDownloadLink(deps: Deps, actor: Actor, orderId: number): Promise<DownloadLink> {
  const { row } = await getVisibleTicket(deps, actor, orderId);
  const job = await repo.findJobByTicket(deps.db, orderId);
  const tz = deps.config.timezone;
  if (!job) return { hasResult: false, tip: `Ticket ${orderId} has not been exported yet (status ${row.status}).` };
  if (job.removed) return { hasResult: false, tip: `The result of export job ${job.id} was removed (RemoveDataExportJob).` };
  if (job.purged_at !== null) return { hasResult: false, tip: `The result of export job ${job.id} was deleted on ${formatDmsTime(job.purged_at, tz)} after the retention period of ${deps.config.exports.retentionDays} days.` };
  if (job.status !== 'EXPORT_SUCCESS' || !job.file_key) {
    return { hasResult: false, tip: `Export job ${job.id} has no result: it is ${job.status}${job.message ? ` (${job.message})` : ''}.` };
  }
  const expiresAt = deps.now() + deps.config.exports.downloadUrlTtlSeconds * 1000;
  const claim: ExportClaim = { t: job.tenant_id, o: orderId, j: job.id, r: job.run, k: job.file_key, u: actor.userId };
  const kept = job.expires_at === null ? '' : ` The file is kept until ${formatDmsTime(job.expires_at, tz)}.`;
  return { hasResult: true, token: signer(deps).sign(claim, expiresAt), expiresAt, tip: `${job.rows_done} rows, ${job.file_bytes} bytes; the link expires at ${formatDmsTime(expiresAt, tz)}.${kept}` };
}

export type ExportDownload =
  | { ok: true; fileName: string; size: number; sha256: string | null; open: (range?: ByteRange) => Promise<Readable | null> }
  | { ok: false; reason: 'invalid' | 'expired' | 'gone' };

/** The result file behind a token, if it is still that job's complete result. */
export async function openExportDownload(deps: Deps, token: string): Promise<ExportDownload> {
  const check = signer(deps).verify<ExportClaim>(token, deps.now());
  if (!check.ok) return { ok: false, reason: check.reason === 'expired' ? 'expired' : 'invalid' };
  const c = check.payload;
  if (![c.t, c.o, c.j, c.r, c.u].every((n) => typeof n === 'number') || typeof c.k !== 'string') return { ok: false, reason: 'invalid' };
  const job = await repo.findJob(deps.db, c.j);
  if (!job || job.tenant_id !== c.t || job.ticket_id !== c.o || job.run !== c.r || job.file_key !== c.k || job.status !== 'EXPORT_SUCCESS' || job.removed || job.purged_at !== null) {
    return { ok: false, reason: 'gone' };
  }
  const size = job.file_bytes ?? 0;
  return {
    ok: true,
    fileName: `order_${c.o}_export.zip`,
    size,
    sha256: job.file_sha256,
    open: async (range) => {
      const file = await deps.files.get(c.k, range);
      if (!file) return null;
      if (file.size !== size) {
        file.stream.destroy();
        return null;
      }
      await inTransaction(deps, async (tx) => {
        const ticket = await ticketRepo.findTicket(tx.db, c.t, c.o);
        await recordEvent(tx, {
          ticketId: c.o,
          tenantId: c.t,
          actor: { userId: c.u, delegatedBy: undefined },
          action: 'EXPORT_DOWNLOAD',
          fromStatus: ticket?.status ?? null,
          toStatus: ticket?.status ?? null,
          comment: range ? `bytes ${range.start}-${range.end} of ${size}` : `${size} bytes`,
        });
      });
      return file.stream;
    },
  };
}

import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { AppError } from '../../errors.js';
import { FileTooLargeError } from '../../storage/files/file-store.js';
import type { Db } from '../../storage/db.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { attachmentStorageKey, checkFileName, newAttachmentKey, type FileSource } from './file-names.js';

/**
 * Attachments: files a ticket references by AttachmentKey. They are created by an upload job
 * (uploads.ts) or a direct upload (`POST /api/attachments`), live in the file store, and expire
 * after {@link ATTACHMENT_TTL_MS} unless a ticket references them; then they stay with the ticket.
 */

/** Unused uploads are kept a week: time enough to file the ticket, not a permanent file drop. */
export const ATTACHMENT_TTL_MS = 7 * 24 * 3600_000;
/**
 * The purge waits this long past expiry, so a CreateOrder that checked the attachment just before
 * it expired has committed its reference before the purge looks for references.
 */
const PURGE_GRACE_MS = 3600_000;

export interface AttachmentInfo {
  key: string;
  fileName: string;
  sizeBytes: number;
  fileSource: string;
}

/**
 * A ticket may reference an attachment only if it exists in the tenant, was uploaded by the
 * committer and has not expired.
 */
export async function assertAttachmentUsable(deps: Deps, actor: Actor, key: string, paramName = 'AttachmentKey'): Promise<AttachmentInfo> {
  const row = await deps.db.selectFrom('attachment').selectAll().where('attachment_key', '=', key).executeTakeFirst();
  if (!row || row.tenant_id !== actor.tenantId) {
    throw new AppError(`Invalid${paramName}`, `Specified parameter ${paramName} is not valid: attachment ${key} does not exist.`);
  }
  if (row.user_id !== actor.userId) {
    throw new AppError(`Invalid${paramName}`, `Specified parameter ${paramName} is not valid: attachment ${key} was uploaded by another user.`);
  }
  if (row.expires_at < deps.now()) {
    throw new AppError(`Invalid${paramName}`, `Specified parameter ${paramName} is not valid: attachment ${key} has expired; upload it again.`);
  }
  return { key: row.attachment_key, fileName: row.file_name, sizeBytes: row.size_bytes, fileSource: row.file_source };
}

export interface NewAttachment {
  key: string;
  tenantId: number;
  userId: number;
  fileName: string;
  fileSource: FileSource;
  sizeBytes: number;
  sha256: string;
}

/** Records a file already complete in the store (the caller's transaction, if any). */
export async function insertAttachment(db: Db, a: NewAttachment, now: number): Promise<void> {
  await db
    .insertInto('attachment')
    .values({
      attachment_key: a.key,
      tenant_id: a.tenantId,
      user_id: a.userId,
      file_name: a.fileName,
      file_source: a.fileSource,
      size_bytes: a.sizeBytes,
      sha256: a.sha256,
      storage_key: attachmentStorageKey(a.tenantId, a.key),
      created_at: now,
      expires_at: now + ATTACHMENT_TTL_MS,
    })
    .execute();
}

export function tooLargeMessage(maxBytes: number): string {
  return `The file is larger than the limit of ${formatBytes(maxBytes)} (OPENDMS_UPLOAD_MAX_BYTES).`;
}

export function formatBytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * Direct upload: stores the stream as a new attachment of `actor` (size limit from the config)
 * and records it. The row is written only once the file is complete in the store.
 */
export async function createAttachment(
  deps: Deps,
  actor: Actor,
  input: { fileName: string; fileSource: FileSource; body: Readable },
): Promise<AttachmentInfo> {
  checkFileName(input.fileName, input.fileSource);
  const key = newAttachmentKey(input.fileName);
  const storageKey = attachmentStorageKey(actor.tenantId, key);
  let stored;
  try {
    stored = await deps.files.put(storageKey, input.body, { maxBytes: deps.config.uploadMaxBytes });
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new AppError('InvalidFileSize', tooLargeMessage(e.maxBytes));
    throw e;
  }
  try {
    await insertAttachment(deps.db, { key, tenantId: actor.tenantId, userId: actor.userId, fileName: input.fileName, fileSource: input.fileSource, sizeBytes: stored.size, sha256: stored.sha256 }, deps.now());
  } catch (e) {
    await deps.files.delete(storageKey);
    throw e;
  }
  return { key, fileName: input.fileName, sizeBytes: stored.size, fileSource: input.fileSource };
}

/**
 * Deletes expired attachments no ticket references (neither as the ticket's AttachmentKey nor
 * inside its parameters, e.g. a data change's attachmentName), in batches; the row goes first, so
 * a failure leaves at worst an orphan file, never a row without its file. Returns how many.
 */
export async function purgeExpiredAttachments(deps: Deps, batchSize = 200): Promise<number> {
  const cutoff = deps.now() - PURGE_GRACE_MS;
  let purged = 0;
  for (;;) {
    const batch = await deps.db
      .selectFrom('attachment as a')
      .select(['a.attachment_key', 'a.storage_key'])
      .where('a.expires_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('ticket as t')
              .select('t.id')
              .whereRef('t.tenant_id', '=', 'a.tenant_id')
              // Keys are `upload_<uuid>_…`: a LIKE match on the parameters cannot hit by accident;
              // `_` being a LIKE wildcard only ever keeps more, never less.
              .where((eb) => eb.or([eb('t.attachment_key', '=', eb.ref('a.attachment_key')), eb('t.params', 'like', sql<string>`'%' || a.attachment_key || '%'`)])),
          ),
        ),
      )
      .limit(batchSize)
      .execute();
    for (const row of batch) {
      const deleted = await deps.db.deleteFrom('attachment').where('attachment_key', '=', row.attachment_key).where('expires_at', '<', cutoff).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) continue;
      await deps.files.delete(row.storage_key);
      purged++;
    }
    if (batch.length < batchSize) return purged;
  }
}

/** Removes an attachment nobody can reference yet (e.g. a direct upload refused after storing). */
export async function discardAttachment(deps: Deps, tenantId: number, key: string): Promise<void> {
  const row = await deps.db.selectFrom('attachment').select('storage_key').where('attachment_key', '=', key).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) return;
  await deps.db.deleteFrom('attachment').where('attachment_key', '=', key).execute();
  await deps.files.delete(row.storage_key);
}

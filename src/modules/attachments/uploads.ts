import { randomBytes } from 'node:crypto';
import { AppError, noPermission, notFound } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import { hasRole, type Actor } from '../identity/actor.js';
import { checkFileName, newAttachmentKey, type FileSource } from './file-names.js';
import { fetchToStore, type FetchOutcome } from './upload-fetch.js';
import { insertAttachment } from './attachments.js';
import type { UploadJobStatus, UploadJobTable } from './upload-job.table.js';
import { parseUploadUrl } from './url-guard.js';

/**
 * Upload jobs (CreateUploadFileJob / GetUserUploadFileJob): the caller names a URL, a background
 * job (`fetch-upload`) downloads it into the file store and turns it into an attachment.
 *
 * Idempotent and retry-safe: the AttachmentKey (and so the file's place in the store) is fixed
 * when the job is created, so a retried attempt overwrites the same file; the attachment row and
 * the job's SUCCESS are written in one transaction guarded by `status = RUNNING`, so a second run
 * of a finished job does nothing and a job finished twice records one attachment. A failed or
 * partial download never leaves a file (the store's `put` is atomic) nor a row.
 */

/** Attempts of one fetch (network errors, 5xx, time-outs); refusals and 4xx fail at once. */
export const FETCH_UPLOAD_MAX_ATTEMPTS = 3;
/** An unfinished job untouched this long lost its worker (the queue gave up): it is failed. */
const STALE_JOB_MS = 3600_000;
/** Finished jobs are kept for GetUserUploadFileJob this long, then deleted. */
const FINISHED_JOB_TTL_MS = 30 * 24 * 3600_000;

export interface UploadJob {
  jobKey: string;
  fileName: string;
  fileSource: string;
  uploadType: string;
  uploadUrl: string;
  status: UploadJobStatus;
  statusDesc: string;
  fileSize: number | null;
  uploadedSize: number;
  /** Only once SUCCESS. */
  attachmentKey: string | null;
}

/** CreateUploadFileJob: checks the parameters, records the job and queues its fetch (one commit). */
export async function createUploadJob(deps: Deps, actor: Actor, input: { fileName: string; fileSource: FileSource; url: string }): Promise<string> {
  checkFileName(input.fileName, input.fileSource);
  parseUploadUrl(input.url);
  const jobKey = randomBytes(16).toString('hex');
  const now = deps.now();
  await inTransaction(deps, async (tx) => {
    await tx.db
      .insertInto('upload_job')
      .values({
        job_key: jobKey,
        tenant_id: actor.tenantId,
        user_id: actor.userId,
        file_name: input.fileName,
        file_source: input.fileSource,
        upload_type: 'URL',
        upload_url: input.url.trim(),
        status: 'PENDING',
        status_desc: 'pending',
        file_size: null,
        uploaded_size: 0,
        attachment_key: newAttachmentKey(input.fileName),
        created_at: now,
        modified_at: now,
        finished_at: null,
      })
      .execute();
    await tx.jobs.enqueue('fetch-upload', { jobKey }, { trx: tx.db, key: jobKey, maxAttempts: FETCH_UPLOAD_MAX_ATTEMPTS, backoffSeconds: 5 });
  });
  return jobKey;
}

/** GetUserUploadFileJob: the job's owner and the tenant's ADMINs see it; other tenants' jobs do not exist. */
export async function getUploadJob(deps: Deps, actor: Actor, jobKey: string): Promise<UploadJob> {
  const row = await deps.db.selectFrom('upload_job').selectAll().where('job_key', '=', jobKey).executeTakeFirst();
  if (!row || row.tenant_id !== actor.tenantId) throw notFound('UploadFileJob', jobKey);
  if (row.user_id !== actor.userId && !hasRole(actor, 'ADMIN')) throw noPermission(`Upload job ${jobKey} belongs to another user.`);
  return {
    jobKey: row.job_key,
    fileName: row.file_name,
    fileSource: row.file_source,
    uploadType: row.upload_type,
    uploadUrl: row.upload_url,
    status: row.status,
    statusDesc: row.status_desc,
    fileSize: row.file_size,
    uploadedSize: row.uploaded_size,
    attachmentKey: row.status === 'SUCCESS' ? row.attachment_key : null,
  };
}

async function setJob(deps: Deps, jobKey: string, patch: Partial<UploadJobTable>, onlyIf?: UploadJobStatus[]): Promise<boolean> {
  let q = deps.db.updateTable('upload_job').set({ ...patch, modified_at: deps.now() }).where('job_key', '=', jobKey);
  if (onlyIf) q = q.where('status', 'in', onlyIf);
  return Number((await q.executeTakeFirst()).numUpdatedRows) > 0;
}

/**
 * One attempt of the `fetch-upload` job. Resolves when the job is settled (SUCCESS or FAIL, or
 * nothing to do); throws to have the queue retry it (transient failure, attempts left).
 */
export async function runUploadJob(deps: Deps, jobKey: string, attempt: { number: number; signal: AbortSignal }): Promise<void> {
  const job = await deps.db.selectFrom('upload_job').selectAll().where('job_key', '=', jobKey).executeTakeFirst();
  if (!job || job.status === 'SUCCESS' || job.status === 'FAIL') return;
  await setJob(deps, jobKey, { status: 'RUNNING', status_desc: 'running', uploaded_size: 0 });

  const outcome: FetchOutcome = await fetchToStore(deps, job, attempt.signal);
  if (outcome.ok) {
    const { stored, storageKey } = outcome;
    const recorded = await inTransaction(deps, async (tx) => {
      const now = tx.now();
      const won = await setJob(tx, jobKey, { status: 'SUCCESS', status_desc: 'success', file_size: stored.size, uploaded_size: stored.size, finished_at: now }, ['RUNNING']);
      if (won) {
        await insertAttachment(tx.db, { key: job.attachment_key, tenantId: job.tenant_id, userId: job.user_id, fileName: job.file_name, fileSource: job.file_source as FileSource, sizeBytes: stored.size, sha256: stored.sha256 }, now);
      }
      return won;
    });
    // Someone else settled the job meanwhile (a stale-job sweep): this file is nobody's.
    if (!recorded) await deps.files.delete(storageKey);
    return;
  }
  const last = outcome.permanent || attempt.number >= FETCH_UPLOAD_MAX_ATTEMPTS;
  if (last) {
    await setJob(deps, jobKey, { status: 'FAIL', status_desc: outcome.message, finished_at: deps.now() }, ['PENDING', 'RUNNING']);
    return;
  }
  await setJob(deps, jobKey, { status: 'PENDING', status_desc: `retrying after attempt ${attempt.number} of ${FETCH_UPLOAD_MAX_ATTEMPTS}: ${outcome.message}` }, ['RUNNING']);
  throw new AppError('ConnectionFailed', outcome.message);
}

/**
 * Housekeeping: fails unfinished jobs whose worker is gone (their queue job ended without
 * settling the row, e.g. a crash on the last attempt), and deletes jobs finished long ago.
 */
export async function purgeUploadJobs(deps: Deps): Promise<{ failed: number; deleted: number }> {
  const now = deps.now();
  const failed = await deps.db
    .updateTable('upload_job')
    .set({ status: 'FAIL', status_desc: 'the upload was interrupted (the server stopped during the download); create a new job', finished_at: now, modified_at: now })
    .where('status', 'in', ['INIT', 'PENDING', 'RUNNING'])
    .where('modified_at', '<', now - STALE_JOB_MS)
    .executeTakeFirst();
  const deleted = await deps.db.deleteFrom('upload_job').where('status', 'in', ['SUCCESS', 'FAIL']).where('modified_at', '<', now - FINISHED_JOB_TTL_MS).executeTakeFirst();
  return { failed: Number(failed.numUpdatedRows), deleted: Number(deleted.numDeletedRows) };
}

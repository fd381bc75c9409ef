/** DMS JobStatus values an upload job goes through (reference §8; `BE_SCHEDULED` is not used). */
export const UPLOAD_JOB_STATUSES = ['INIT', 'PENDING', 'RUNNING', 'SUCCESS', 'FAIL'] as const;
export type UploadJobStatus = (typeof UPLOAD_JOB_STATUSES)[number];

/**
 * One upload job (CreateUploadFileJob), migration 0007. Times are epoch milliseconds.
 * PENDING (queued, also between retries) → RUNNING → SUCCESS | FAIL; INIT is DMS's state before
 * queueing, which OpenDMS skips because the row and its background job commit together.
 */
export interface UploadJobTable {
  /** The DMS JobKey: random, unguessable. */
  job_key: string;
  tenant_id: number;
  /** The owner: only they (and ADMINs of the tenant) read the job or use its attachment. */
  user_id: number;
  file_name: string;
  /** DMS FileSource: datacorrect, order_info_attachment, big-file, sqlreview. */
  file_source: string;
  /** `URL` (CreateUploadFileJob); `OSS` is reserved for object storage (issue 8). */
  upload_type: string;
  upload_url: string;
  status: UploadJobStatus;
  /** JobStatusDesc: `pending`, `running`, `success`, or why the job failed or is retried. */
  status_desc: string;
  /** Total size when known (Content-Length, or the stored size once done). */
  file_size: number | null;
  uploaded_size: number;
  /**
   * The AttachmentKey this job produces, chosen when the job is created so that a retried attempt
   * writes the same file instead of leaving orphans. Shown to callers only once SUCCESS.
   */
  attachment_key: string;
  created_at: number;
  modified_at: number;
  finished_at: number | null;
}

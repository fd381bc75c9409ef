import { Transform, pipeline } from 'node:stream';
import { parseAllowList } from '../../lib/net-guard.js';
import { FileTooLargeError, type StoredFile } from '../../storage/files/file-store.js';
import type { Deps } from '../context.js';
import { tooLargeMessage } from './attachments.js';
import { attachmentStorageKey } from './file-names.js';
import type { UploadJobTable } from './upload-job.table.js';
import { fetchGuarded, UrlFetchError } from './url-guard.js';

export type FetchOutcome =
  | { ok: true; stored: StoredFile; storageKey: string }
  | { ok: false; permanent: boolean; /** JobStatusDesc: for the person who created the job. */ message: string };

/** RFC 9110 redirects are followed by the guard; the GET must end in 200. */
const MAX_REDIRECTS = 3;
/** Progress (UploadedSize) is written at most this often, so large files cost few store writes. */
const PROGRESS_INTERVAL_MS = 500;

/**
 * Downloads the job's URL into the file store under the job's AttachmentKey, within the size and
 * time limits of the config. Never throws: every failure becomes an outcome with a message meant
 * for GetUserUploadFileJob and whether retrying could help.
 */
export async function fetchToStore(deps: Deps, job: UploadJobTable, stop: AbortSignal): Promise<FetchOutcome> {
  const { uploadMaxBytes: maxBytes, uploadTimeoutSeconds } = deps.config;
  const storageKey = attachmentStorageKey(job.tenant_id, job.attachment_key);
  const timeout = AbortSignal.timeout(uploadTimeoutSeconds * 1000);
  const signal = AbortSignal.any([stop, timeout]);
  try {
    const { response } = await fetchGuarded(new URL(job.upload_url), { allow: parseAllowList(deps.config.uploadAllowedHosts), signal, maxRedirects: MAX_REDIRECTS });
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      response.resume();
      // 408/429 and 5xx are the server's momentary trouble; other answers will not change.
      return { ok: false, permanent: status < 500 && status !== 408 && status !== 429, message: `The server answered HTTP ${status} ${response.statusMessage ?? ''}`.trim() + '.' };
    }
    const declared = contentLength(response.headers['content-length']);
    if (declared !== undefined && declared > maxBytes) {
      response.destroy();
      return { ok: false, permanent: true, message: `${tooLargeMessage(maxBytes)} The server announced ${declared} bytes.` };
    }
    if (declared !== undefined) await deps.db.updateTable('upload_job').set({ file_size: declared }).where('job_key', '=', job.job_key).execute();
    const progress = progressMeter(deps, job.job_key);
    const stored = await deps.files.put(storageKey, pipeline(response, progress.stream, () => undefined), { maxBytes });
    await progress.flush();
    if (declared !== undefined && stored.size !== declared) {
      await deps.files.delete(storageKey);
      return { ok: false, permanent: false, message: `The connection ended after ${stored.size} of ${declared} bytes.` };
    }
    return { ok: true, stored, storageKey };
  } catch (e) {
    if (e instanceof UrlFetchError) return { ok: false, permanent: e.permanent, message: `The upload URL was not fetched: ${e.message}.` };
    if (e instanceof FileTooLargeError) return { ok: false, permanent: true, message: tooLargeMessage(e.maxBytes) };
    if (timeout.aborted) return { ok: false, permanent: false, message: `The download did not complete within ${uploadTimeoutSeconds} seconds (OPENDMS_UPLOAD_TIMEOUT_SECONDS).` };
    if (stop.aborted) return { ok: false, permanent: false, message: 'The download was interrupted by a server shutdown.' };
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, permanent: false, message: `The download failed: ${code ? `${code} ` : ''}${(e as Error).message}.` };
  }
}

function contentLength(header: string | undefined): number | undefined {
  return header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
}

/** Counts the bytes passing through and writes UploadedSize now and then (never blocking the data). */
function progressMeter(deps: Deps, jobKey: string): { stream: Transform; flush(): Promise<void> } {
  let bytes = 0;
  let lastWrite = 0;
  let writing: Promise<unknown> = Promise.resolve();
  const write = (): void => {
    const size = bytes;
    lastWrite = Date.now();
    writing = writing
      .then(() => deps.db.updateTable('upload_job').set({ uploaded_size: size, modified_at: deps.now() }).where('job_key', '=', jobKey).where('status', '=', 'RUNNING').execute())
      .catch(() => undefined); // progress is informative; the outcome is recorded separately
  };
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (Date.now() - lastWrite >= PROGRESS_INTERVAL_MS) write();
      done(null, chunk);
    },
  });
  return { stream, flush: () => writing.then(() => undefined) };
}

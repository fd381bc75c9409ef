import { AppError, invalidParam } from '../../errors.js';
import { ticketAttachmentToken } from '../../modules/attachments/downloads.js';
import { checkFileName, FILE_SOURCES } from '../../modules/attachments/file-names.js';
import { createUploadJob, getUploadJob } from '../../modules/attachments/uploads.js';
import { serverUrl } from './common.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Attachments';

const FILE_PARAMS = {
  FileName: p.string('Bare file name; .sql or .txt (big-file also .csv).').req().maxLen(255),
  FileSource: p.enum(FILE_SOURCES, 'What the file is for.', true).req(),
};

/** UploadTarget of CreateUploadOSSFileJob: checked so that callers learn of mistakes first. */
function checkUploadTarget(value: unknown): void {
  const t = value as Record<string, unknown> | null;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw invalidParam('UploadTarget', 'expected a JSON object {BucketName, Endpoint, ObjectName}.');
  for (const field of ['BucketName', 'Endpoint', 'ObjectName']) {
    const v = t[field];
    if (typeof v !== 'string' || v.trim() === '') throw invalidParam('UploadTarget', `${field} is required (a non-empty string).`);
  }
}

export const attachmentActions = [
  defineAction({
    name: 'CreateUploadFileJob',
    group: GROUP,
    summary:
      'Starts a background job that downloads an http(s) URL into an attachment; poll GetUserUploadFileJob for the AttachmentKey. Internal addresses (loopback, private, link-local…) are refused unless listed in OPENDMS_UPLOAD_ALLOWED_HOSTS; size and time are limited (OPENDMS_UPLOAD_MAX_BYTES, OPENDMS_UPLOAD_TIMEOUT_SECONDS).',
    coverage: 'All parameters. A non-http(s) URL answers InvalidParameterValid as DMS does; a refused or failed download ends the job FAIL with the reason in JobStatusDesc.',
    params: {
      ...FILE_PARAMS,
      UploadURL: p.string('The http(s) URL to download, e.g. a pre-signed object URL. At most 3 redirects are followed.').req().maxLen(4096),
    },
    response: '`JobKey` (string)',
    handler: async (input, ctx) => {
      const jobKey = await createUploadJob(ctx.deps, ctx.actor, { fileName: input.FileName, fileSource: input.FileSource, url: input.UploadURL });
      return { JobKey: jobKey };
    },
  }),
  defineAction({
    name: 'CreateUploadOSSFileJob',
    group: GROUP,
    summary: 'Would copy an OSS object into an attachment. Object storage is not configured in this version: the parameters are checked, then NotSupported.',
    coverage: 'Parameters validated; always answers NotSupported (object storage comes with S3 support). Use CreateUploadFileJob with a pre-signed URL instead.',
    params: {
      ...FILE_PARAMS,
      UploadTarget: p.json('JSON object {BucketName, Endpoint, ObjectName}.').req(),
    },
    response: '`JobKey` (string), once object storage is supported',
    handler: async (input) => {
      checkFileName(input.FileName, input.FileSource);
      checkUploadTarget(input.UploadTarget);
      throw new AppError(
        'NotSupported',
        'Object storage is not configured: CreateUploadOSSFileJob is not available. Upload through CreateUploadFileJob with a (pre-signed) http(s) URL, or POST /api/attachments.',
      );
    },
  }),
  defineAction({
    name: 'GetUserUploadFileJob',
    group: GROUP,
    summary: "An upload job's state, and its AttachmentKey once SUCCESS. Only the job's owner and ADMINs of the tenant see it.",
    coverage: 'All parameters and response fields (UploadOSSParam never, as OSS jobs are not supported). JobStatus PENDING → RUNNING → SUCCESS or FAIL.',
    params: { JobKey: p.string('Key returned by CreateUploadFileJob.').req().maxLen(64) },
    response:
      '`UploadFileJobDetail{AttachmentKey, FileName, FileSize, FileSource, JobKey, JobStatus, JobStatusDesc, UploadType, UploadURL, UploadedSize}`; AttachmentKey only when JobStatus is SUCCESS; FileSize 0 while unknown',
    handler: async (input, ctx) => {
      const job = await getUploadJob(ctx.deps, ctx.actor, input.JobKey);
      return {
        UploadFileJobDetail: {
          AttachmentKey: job.attachmentKey ?? undefined,
          FileName: job.fileName,
          FileSize: job.fileSize ?? 0,
          FileSource: job.fileSource,
          JobKey: job.jobKey,
          JobStatus: job.status,
          JobStatusDesc: job.statusDesc,
          UploadType: job.uploadType,
          UploadURL: job.uploadUrl,
          UploadedSize: job.uploadedSize,
        },
      };
    },
  }),
  defineAction({
    name: 'GetOrderAttachmentFile',
    group: GROUP,
    summary:
      "A download URL for a visible ticket's attachment, served by OpenDMS (`/api/files/<token>`), signed and valid for OPENDMS_DOWNLOAD_URL_TTL_SECONDS (default 300).",
    coverage: 'All parameters and response fields. The URL is built from the Host the request came to.',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`FileUrl` (string)',
    handler: async (input, ctx) => {
      const { token } = await ticketAttachmentToken(ctx.deps, ctx.actor, input.OrderId);
      return { FileUrl: serverUrl(ctx, `/api/files/${token}`) };
    },
  }),
];

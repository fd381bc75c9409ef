// Multipart parsing: @fastify/busboy, the Fastify team's maintained busboy fork (what
// @fastify/multipart uses inside), no dependencies, typed. @fastify/multipart itself does not fit:
// it consumes the request stream, and the V3 signature must first be checked over the raw body.
import { Busboy, type BusboyHeaders } from '@fastify/busboy';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { createAttachment, discardAttachment, type AttachmentInfo } from '../modules/attachments/attachments.js';
import { openDownload } from '../modules/attachments/downloads.js';
import { isFileSource } from '../modules/attachments/file-names.js';
import type { Deps } from '../modules/context.js';
import type { Actor } from '../modules/identity/actor.js';
import { resolveActor } from '../modules/identity/authentication.js';
import { isStoreUnavailable } from '../storage/unavailable.js';
import { authenticate } from './rpc/authenticate.js';
import { STORE_UNAVAILABLE_MESSAGE } from './rpc/dispatch.js';
import { renderGatewayError } from './rpc/envelope.js';
import { GatewayError } from './rpc/gateway-error.js';
import { decodeForm, type RawRequest } from './rpc/signature.js';

/**
 * File routes beside the RPC endpoint:
 * - `GET /api/files/:token`: the download behind a GetOrderAttachmentFile URL (the token is the
 *   credential; expired or tampered → 403).
 * - `POST /api/attachments`: direct upload (OpenDMS extension), multipart/form-data with one file
 *   field `file` and an optional `FileSource` (as a field before the file, or in the query), signed
 *   like an RPC call (V3 over the exact body, or V1 over the query parameters). Answers
 *   `{RequestId, Success:true, AttachmentKey, FileName, FileSize}`.
 *
 * The upload body is held in memory once (bounded by OPENDMS_UPLOAD_MAX_BYTES plus the multipart
 * overhead), because V3 signs the hash of the exact bytes and the signature code takes a buffer;
 * it is then parsed and streamed to the file store without another copy.
 */

/** Room for the multipart framing and the FileSource field around a file of the maximum size. */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;
/** Slices the buffered body is fed to the parser in, so the file store's back-pressure applies. */
const FEED_CHUNK_BYTES = 64 * 1024;

export function fileRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    // Errors Fastify raises itself here (body too large, aborted upload) in the gateway's shape.
    app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
      if (isStoreUnavailable(err)) return sendGatewayError(reply, req, new GatewayError(503, 'ServiceUnavailable', STORE_UNAVAILABLE_MESSAGE));
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) req.log.error({ err }, 'file route failure');
      const code = status === 413 ? 'RequestEntityTooLarge' : status === 500 ? 'InternalError' : 'InvalidRequest';
      const message = status === 413 ? `The request body is larger than the upload limit of ${deps.config.uploadMaxBytes} bytes (OPENDMS_UPLOAD_MAX_BYTES).` : status === 500 ? `The request processing has failed due to some unknown error. RequestId: ${req.id}` : err.message;
      return sendGatewayError(reply, req, new GatewayError(status, code, message));
    });

    // A wildcard, not `:token`: tokens are longer than Fastify's 100-character parameter limit.
    app.get<{ Params: { '*': string } }>('/api/files/*', async (req, reply) => {
      const d = await openDownload(deps, req.params['*']);
      if (!d.ok) {
        const e =
          d.reason === 'expired'
            ? new GatewayError(403, 'Forbidden.DownloadUrlExpired', 'The download URL has expired; call GetOrderAttachmentFile for a new one.')
            : d.reason === 'invalid'
              ? new GatewayError(403, 'Forbidden.DownloadUrlInvalid', 'The download URL is not valid.')
              : new GatewayError(404, 'ResourceNotFound', 'The file of this download URL does not exist any more.');
        req.log.info({ route: 'download', status: e.httpStatus, code: e.code }, 'download refused');
        return sendGatewayError(reply, req, e);
      }
      return reply
        .header('x-acs-request-id', req.id)
        .header('content-type', 'application/octet-stream')
        .header('content-length', d.size)
        .header('content-disposition', contentDisposition(d.fileName))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(d.stream);
    });

    app.post('/api/attachments', { bodyLimit: deps.config.uploadMaxBytes + MULTIPART_OVERHEAD_BYTES }, async (req, reply) => {
      try {
        const raw = rawRequest(req);
        if (!/^multipart\/form-data\s*;/i.test(String(req.headers['content-type'] ?? ''))) {
          throw new GatewayError(415, 'InvalidContentType', 'POST /api/attachments expects a multipart/form-data body with a file field "file".');
        }
        const caller = await authenticate(deps, raw);
        const query = new Map(decodeForm(raw.rawQuery));
        const actor = await resolveActor(deps, caller.userId, tidFrom(query.get('Tid')));
        const info = await receiveUpload(deps, actor, raw, query.get('FileSource'));
        req.log.info({ route: 'upload', userId: actor.userId, tenantId: actor.tenantId, size: info.sizeBytes }, 'attachment uploaded');
        return reply
          .header('x-acs-request-id', req.id)
          .send({ RequestId: req.id, Success: true, AttachmentKey: info.key, FileName: info.fileName, FileSize: info.sizeBytes });
      } catch (e) {
        if (e instanceof GatewayError) return sendGatewayError(reply, req, e);
        if (e instanceof AppError) {
          const status = e.code === 'NoPermission' ? 403 : e.code === 'ResourceNotFound' ? 404 : e.code === 'InvalidFileSize' ? 413 : 400;
          return reply.code(status).header('x-acs-request-id', req.id).send({ RequestId: req.id, Success: false, ErrorCode: e.code, ErrorMessage: e.message });
        }
        throw e;
      }
    });
  };
}

function rawRequest(req: FastifyRequest): RawRequest {
  const url = req.raw.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method,
    path: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    headers: req.headers,
  };
}

function tidFrom(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^-?\d{1,15}$/.test(text)) throw new GatewayError(400, 'InvalidTid', 'Specified parameter Tid is not valid: expected an integer.');
  return Number(text);
}

const badUpload = (message: string): GatewayError => new GatewayError(400, 'InvalidParameter', message);

/**
 * Parses the multipart body and streams its one file part into a new attachment. A problem found
 * after the file was stored (a second file, a late FileSource) removes it again. Also the
 * console's upload (console.routes.ts, the same parsing behind a session instead of a signature).
 */
export async function receiveUpload(deps: Deps, actor: Actor, raw: RawRequest, querySource: string | undefined): Promise<AttachmentInfo> {
  let parser;
  try {
    parser = Busboy({ headers: raw.headers as BusboyHeaders, limits: { files: 1, fields: 4, parts: 5, fieldSize: 1024, headerPairs: 20 } });
  } catch (e) {
    throw badUpload(`The multipart body cannot be parsed: ${(e as Error).message}`);
  }
  const source = Readable.from(slices(raw.rawBody, FEED_CHUNK_BYTES));
  let fileSource = querySource;
  let upload: Promise<AttachmentInfo> | undefined;
  let problem: unknown;
  let current: Readable | undefined;
  const fail = (e: unknown): void => {
    problem ??= e;
    // Stop feeding and parsing (busboy would otherwise wait for the file part to be read).
    source.destroy();
    parser.destroy();
    // The parser stops feeding the file part: end its reader, or the upload would wait forever.
    if (current && !current.readableEnded) current.destroy(new Error('upload refused'));
  };
  parser.on('field', (name: string, value: string) => {
    if (name !== 'FileSource') return;
    if (upload) fail(badUpload('FileSource must come before the file part (or go in the query string).'));
    else fileSource = value;
  });
  parser.on('file', (field: string, stream: Readable, fileName: string) => {
    if (field !== 'file' || upload) {
      stream.resume();
      return fail(badUpload('Exactly one file part, named "file", is expected.'));
    }
    const purpose = fileSource ?? 'order_info_attachment';
    if (!isFileSource(purpose)) {
      stream.resume();
      return fail(new AppError('InvalidFileSource', `Specified parameter FileSource is not valid: "${purpose.slice(0, 64)}" is not one of datacorrect, order_info_attachment, big-file, sqlreview.`));
    }
    current = stream;
    stream.on('error', () => undefined); // the upload's own pipeline reports failures
    upload = createAttachment(deps, actor, { fileName, fileSource: purpose, body: stream });
    // A refused or failed file stops the parser too (it would wait for the file to be read).
    upload.catch(fail);
  });
  for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) {
    parser.on(limit, () => fail(badUpload('Exactly one file part, named "file", and at most a FileSource field are expected.')));
  }
  try {
    await pipeline(source, parser);
  } catch (e) {
    if (problem === undefined) throw badUpload(`The multipart body cannot be parsed: ${(e as Error).message}`);
  }
  if (!upload) throw problem ?? new GatewayError(400, 'MissingFile', 'A file part named "file" is mandatory.');
  const outcome = await upload.then(
    (info) => ({ info }),
    (error: unknown) => ({ error }),
  );
  if ('error' in outcome) throw problem ?? outcome.error;
  if (problem !== undefined) {
    await discardAttachment(deps, actor.tenantId, outcome.info.key);
    throw problem;
  }
  return outcome.info;
}

function* slices(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function sendGatewayError(reply: FastifyReply, req: FastifyRequest, e: GatewayError): FastifyReply {
  const r = renderGatewayError(req.id, String(req.headers.host ?? 'opendms'), e.code, e.message, 'JSON');
  return reply.code(e.httpStatus).header('x-acs-request-id', req.id).type(r.contentType).send(r.body);
}

import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../modules/context.js';
import { openExportDownload } from '../modules/exports/downloads.js';
import { renderGatewayError } from './rpc/envelope.js';
import { GatewayError } from './rpc/gateway-error.js';

/**
 * `GET /api/exports/<token>` (and HEAD): the export result behind a GetDataExportDownloadURL link.
 * The token is the credential. Supports one `Range: bytes=a-b` (also `a-` and `-n`), answering 206
 * with Content-Range, 416 when it lies outside the file; `ETag` is the file's SHA-256, so a client
 * resuming with `If-Range` never mixes two files.
 */
export function exportRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.route<{ Params: { '*': string } }>({
      method: ['GET', 'HEAD'],
      url: '/api/exports/*',
      handler: async (req, reply) => {
        const fail = (e: GatewayError) => {
          const r = renderGatewayError(req.id, String(req.headers.host ?? 'opendms'), e.code, e.message, 'JSON');
          return reply.code(e.httpStatus).header('x-acs-request-id', req.id).type(r.contentType).send(r.body);
        };
        const d = await openExportDownload(deps, req.params['*']);
        if (!d.ok) {
          if (d.reason === 'expired') return fail(new GatewayError(403, 'Forbidden.DownloadUrlExpired', 'The download URL has expired; call GetDataExportDownloadURL for a new one.'));
          if (d.reason === 'invalid') return fail(new GatewayError(403, 'Forbidden.DownloadUrlInvalid', 'The download URL is not valid.'));
          return fail(new GatewayError(404, 'ResourceNotFound', 'This export result does not exist any more (re-run, removed or past its retention); GetDataExportDownloadURL says why.'));
        }
        const etag = d.sha256 ? `"${d.sha256}"` : undefined;
        const ifRange = req.headers['if-range'];
        const rangeHeader = typeof req.headers.range === 'string' && (ifRange === undefined || ifRange === etag) ? req.headers.range : undefined;
        const range = rangeHeader === undefined ? undefined : parseRange(rangeHeader, d.size);
        if (range === 'unsatisfiable') {
          return reply.code(416).header('content-range', `bytes */${d.size}`).header('x-acs-request-id', req.id).send();
        }
        reply
          .header('x-acs-request-id', req.id)
          .header('content-type', 'application/zip')
          .header('accept-ranges', 'bytes')
          .header('content-disposition', `attachment; filename="${d.fileName}"`)
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-store');
        if (etag) reply.header('etag', etag);
        if (req.method === 'HEAD') return reply.header('content-length', d.size).send();
        const stream = await d.open(range ?? undefined);
        if (!stream) return fail(new GatewayError(404, 'ResourceNotFound', 'This export result does not exist any more.'));
        if (range) {
          return reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${d.size}`).header('content-length', range.end - range.start + 1).send(stream);
        }
        return reply.header('content-length', d.size).send(stream);
      },
    });
  };
}

/** One byte range of RFC 9110 §14.1.2; null (serve it all) for anything else, such as several ranges. */
export function parseRange(header: string, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

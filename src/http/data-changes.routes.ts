import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../modules/context.js';
import { openDataChangeFile } from '../modules/data-changes/files.js';
import { renderGatewayError } from './rpc/envelope.js';
import { GatewayError } from './rpc/gateway-error.js';

/**
 * `GET /api/data-changes/<token>`: a data change's backup, SQL or rollback file behind the links of
 * GetDataCorrectBackupFiles, GetDataCorrectSQLFile and GetDataCorrectRollbackFile. The token is
 * the credential; the file is produced as it is sent (chunked), and a failure midway aborts the
 * response, so a client never takes a short file for a complete one.
 */
export function dataChangeRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { '*': string } }>('/api/data-changes/*', async (req, reply) => {
      const fail = (e: GatewayError) => {
        const r = renderGatewayError(req.id, String(req.headers.host ?? 'opendms'), e.code, e.message, 'JSON');
        return reply.code(e.httpStatus).header('x-acs-request-id', req.id).type(r.contentType).send(r.body);
      };
      const f = await openDataChangeFile(deps, req.params['*']);
      if (!f.ok) {
        if (f.reason === 'expired') return fail(new GatewayError(403, 'Forbidden.DownloadUrlExpired', 'The download URL has expired; ask for a new one.'));
        if (f.reason === 'invalid') return fail(new GatewayError(403, 'Forbidden.DownloadUrlInvalid', 'The download URL is not valid.'));
        return fail(new GatewayError(404, 'ResourceNotFound', 'This file does not exist any more.'));
      }
      return reply
        .header('x-acs-request-id', req.id)
        .header('content-type', f.contentType)
        .header('content-disposition', `attachment; filename="${f.fileName}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(f.stream);
    });
  };
}

import crypto from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Deps } from '../modules/context.js';
import { isStoreUnavailable } from '../storage/unavailable.js';
import { consoleRoutes } from './console.routes.js';
import { consoleStaticRoutes, wantsConsole } from './console-static.routes.js';
import { dataChangeRoutes } from './data-changes.routes.js';
import { exportRoutes } from './exports.routes.js';
import { fileRoutes } from './files.routes.js';
import { dispatchRpc, STORE_UNAVAILABLE_MESSAGE } from './rpc/dispatch.js';
import { renderGatewayError } from './rpc/envelope.js';
import { recordRpc } from './rpc/record.js';
import type { AnyAction } from './rpc/registry.js';

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && crypto.timingSafeEqual(given, want);
}

export interface AppOptions {
  deps: Deps;
  registry: ReadonlyMap<string, AnyAction>;
  logger: FastifyServerOptions['logger'];
  /** Largest accepted request body (a data-change SQL text can be large). */
  bodyLimitBytes?: number;
}

/**
 * Builds the HTTP application without listening (tests use `inject` or listen on port 0).
 * `/` is the DMS RPC endpoint (GET and POST); `/healthz` reports whether the store answers.
 */
export function buildApp(opts: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: opts.logger,
    bodyLimit: opts.bodyLimitBytes ?? 32 * 1024 * 1024,
    genReqId: () => crypto.randomUUID().toUpperCase(),
    // The default request log line carries the URL, whose query may hold parameters such as a
    // database password: log the method and path only.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    forceCloseConnections: false,
    return503OnClosing: true,
  });

  // Keep bodies as raw bytes: the V3 signature hashes the exact body, and parameters are decoded
  // by the protocol layer itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Prometheus metrics (docs/operations.md); with OPENDMS_METRICS_TOKEN only for `Authorization: Bearer <token>`.
  app.get('/metrics', async (req, reply) => {
    const token = opts.deps.config.metricsToken;
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) return reply.code(401).header('www-authenticate', 'Bearer').send('metrics need the bearer token (OPENDMS_METRICS_TOKEN)\n');
    const m = await opts.deps.metrics.render();
    return reply.type(m.contentType).send(m.body);
  });

  app.get('/healthz', async (_req, reply) => {
    const ok = await opts.deps.store.ping();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', store: opts.deps.store.dialect });
  });

  // A store that cannot be reached (restart, outage) answers 503 ServiceUnavailable on the other
  // routes too (downloads, console), in the gateway's shape; other errors keep Fastify's handling.
  app.setErrorHandler((err, req, reply) => {
    if (!isStoreUnavailable(err)) return reply.send(err);
    req.log.warn({ err }, 'metadata store unavailable');
    const r = renderGatewayError(req.id, req.headers.host ?? 'opendms', 'ServiceUnavailable', STORE_UNAVAILABLE_MESSAGE, 'JSON');
    return reply.code(503).header('x-acs-request-id', req.id).type(r.contentType).send(r.body);
  });

  // Attachment download (signed URLs) and direct upload: src/http/files.routes.ts.
  app.register(fileRoutes(opts.deps));
  // Export results behind GetDataExportDownloadURL links: src/http/exports.routes.ts.
  app.register(exportRoutes(opts.deps));
  // Backup, SQL and rollback files of data changes: src/http/data-changes.routes.ts.
  app.register(dataChangeRoutes(opts.deps));
  // The web console's login, session and RPC bridge: src/http/console.routes.ts.
  app.register(consoleRoutes(opts.deps, opts.registry));
  // The console's static files at /console/ (dist/console or OPENDMS_CONSOLE_DIR): src/http/console-static.routes.ts.
  app.register(consoleStaticRoutes(opts.deps.config.consoleDir));

  app.route({
    method: ['GET', 'POST'],
    url: '/',
    handler: async (req, reply) => {
      if (wantsConsole(req)) return reply.redirect('/console/', 302);
      const rawUrl = req.raw.url ?? '/';
      const q = rawUrl.indexOf('?');
      const started = process.hrtime.bigint();
      const res = await dispatchRpc(
        opts.deps,
        opts.registry,
        {
          method: req.method,
          path: q === -1 ? rawUrl : rawUrl.slice(0, q),
          rawQuery: q === -1 ? '' : rawUrl.slice(q + 1),
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          headers: req.headers,
        },
        req.id,
        req.log,
      );
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info({ action: res.action, status: res.status, outcome: res.outcome, code: res.errorCode, ms }, 'rpc');
      recordRpc(opts.deps, opts.registry, res, 'api', ms);
      return reply.code(res.status).header('x-acs-request-id', req.id).type(res.contentType).send(res.body);
    },
  });

  return app;
}

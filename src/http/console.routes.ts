/**
 * The web console's HTTP side (docs/console.md), under `/console/`:
 * - `POST /console/api/login` `{uid, password}` → a session cookie (`opendms_session`, HttpOnly,
 *   SameSite=Strict, Path=/, Secure with OPENDMS_COOKIE_SECURE) and `{User, CsrfToken}`;
 * - `GET /console/api/session` → the same for the current cookie (401 when none);
 * - `POST /console/api/logout`, `POST /console/api/password` `{current, next}`;
 * - `POST /console/api/rpc`: any Action, parameters as for the RPC endpoint, run by the same
 *   dispatcher (validation, tenant, roles, handler, envelope) with the session's user instead of
 *   a signature. Every POST but login needs the session's `X-CSRF-Token` header.
 * - `POST /console/api/attachments`: the upload of `POST /api/attachments` (same multipart parsing
 *   and limits, files.routes.ts) for the session's user, e.g. a data change's .sql file.
 * Errors of the session itself are a DMS-style envelope with HTTP 401 (NotLoggedIn,
 * SessionExpired) or 403 (InvalidCsrfToken), so the console can send the user to the login page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { Deps } from '../modules/context.js';
import { assertCsrf, changePassword, login, logout, openSession, SessionError, type OpenSession } from '../modules/identity/sessions.js';
import { resolveActor } from '../modules/identity/authentication.js';
import { MULTIPART_OVERHEAD_BYTES, receiveUpload } from './files.routes.js';
import { dispatchRpc, type CallerAuthentication } from './rpc/dispatch.js';
import { GatewayError } from './rpc/gateway-error.js';
import { recordRpc } from './rpc/record.js';
import type { AnyAction } from './rpc/registry.js';
import type { RawRequest } from './rpc/signature.js';

export const SESSION_COOKIE = 'opendms_session';

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

const headerOf = (req: FastifyRequest | RawRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  try {
    const v = raw.trim() === '' ? {} : JSON.parse(raw);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new AppError('InvalidParameter', 'The request body must be a JSON object.');
}

const text = (body: Record<string, unknown>, name: string): string => {
  const v = body[name];
  if (typeof v !== 'string' || v === '') throw new AppError(`Missing${name[0]!.toUpperCase()}${name.slice(1)}`, `${name} is mandatory for this request.`);
  return v;
};

export function consoleRoutes(deps: Deps, registry: ReadonlyMap<string, AnyAction>) {
  const cookie = (token: string, maxAgeSeconds: number): string =>
    `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${deps.config.console.secureCookie ? '; Secure' : ''}`;

  const fail = (reply: FastifyReply, req: FastifyRequest, status: number, code: string, message: string) =>
    reply.code(status).header('x-acs-request-id', req.id).send({ RequestId: req.id, Success: false, Code: code, ErrorCode: code, Message: message, ErrorMessage: message });

  /** Runs `fn` with the request's session; session and business errors become envelopes. */
  const withSession = async (req: FastifyRequest, reply: FastifyReply, csrf: boolean, fn: (s: OpenSession) => Promise<unknown>) => {
    try {
      const s = await openSession(deps, cookieOf(headerOf(req, 'cookie'), SESSION_COOKIE));
      if (csrf) assertCsrf(s, headerOf(req, 'x-csrf-token'));
      return await fn(s);
    } catch (e) {
      if (e instanceof SessionError) return fail(reply, req, e.code === 'InvalidCsrfToken' ? 403 : 401, e.code, e.message);
      if (e instanceof AppError) return fail(reply, req, 200, e.code, e.message);
      throw e;
    }
  };

  // TimeZone: the service zone of every time in the Actions' answers, so the console shows them in the browser's.
  const present = (s: OpenSession) => ({ User: { UserId: s.user.userId, Uid: s.user.uid, NickName: s.user.nickName }, CsrfToken: s.csrfToken, TimeZone: deps.config.timezone });

  return async (app: FastifyInstance): Promise<void> => {
    app.post('/console/api/login', async (req, reply) => {
      try {
        const body = jsonBody(req);
        const { token, session } = await login(deps, text(body, 'uid'), text(body, 'password'));
        return reply.header('set-cookie', cookie(token, deps.config.console.maxHours * 3600)).send({ RequestId: req.id, Success: true, ...present(session) });
      } catch (e) {
        if (e instanceof AppError) return fail(reply, req, e.code === 'Throttling.User' ? 429 : e.code === 'InvalidCredentials' ? 401 : 400, e.code, e.message);
        throw e;
      }
    });

    app.get('/console/api/session', (req, reply) => withSession(req, reply, false, async (s) => reply.send({ RequestId: req.id, Success: true, ...present(s) })));

    app.post('/console/api/logout', (req, reply) =>
      withSession(req, reply, true, async (s) => {
        await logout(deps, s);
        return reply.header('set-cookie', cookie('', 0)).send({ RequestId: req.id, Success: true });
      }),
    );

    app.post('/console/api/password', (req, reply) =>
      withSession(req, reply, true, async (s) => {
        const body = jsonBody(req);
        await changePassword(deps, s, text(body, 'current'), text(body, 'next'));
        return reply.send({ RequestId: req.id, Success: true });
      }),
    );

    app.post('/console/api/attachments', { bodyLimit: deps.config.uploadMaxBytes + MULTIPART_OVERHEAD_BYTES }, (req, reply) =>
      withSession(req, reply, true, async (s) => {
        const url = req.raw.url ?? '';
        const q = url.indexOf('?');
        const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
        if (!/^multipart\/form-data\s*;/i.test(String(req.headers['content-type'] ?? ''))) {
          return fail(reply, req, 415, 'InvalidContentType', 'POST /console/api/attachments expects a multipart/form-data body with a file field "file".');
        }
        const raw: RawRequest = { method: req.method, path: '/console/api/attachments', rawQuery: q === -1 ? '' : url.slice(q + 1), rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), headers: req.headers };
        try {
          const info = await receiveUpload(deps, await resolveActor(deps, s.user.userId, undefined), raw, query.get('FileSource') ?? undefined);
          return reply.header('x-acs-request-id', req.id).send({ RequestId: req.id, Success: true, AttachmentKey: info.key, FileName: info.fileName, FileSize: info.sizeBytes });
        } catch (e) {
          if (e instanceof GatewayError) return fail(reply, req, e.httpStatus, e.code, e.message);
          throw e;
        }
      }),
    );

    app.post('/console/api/rpc', async (req, reply) => {
      const rawUrl = req.raw.url ?? '';
      const q = rawUrl.indexOf('?');
      const raw: RawRequest = { method: req.method, path: '/', rawQuery: q === -1 ? '' : rawUrl.slice(q + 1), rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), headers: req.headers };
      const bySession: CallerAuthentication = async (d, r) => {
        try {
          const s = await openSession(d, cookieOf(headerOf(r, 'cookie'), SESSION_COOKIE));
          assertCsrf(s, headerOf(r, 'x-csrf-token'));
          return { userId: s.user.userId, accessKeyId: '' };
        } catch (e) {
          if (e instanceof SessionError) throw new GatewayError(e.code === 'InvalidCsrfToken' ? 403 : 401, e.code, e.message);
          throw e;
        }
      };
      const started = process.hrtime.bigint();
      const res = await dispatchRpc(deps, registry, raw, req.id, req.log, bySession);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info({ action: res.action, status: res.status, outcome: res.outcome, code: res.errorCode, ms, via: 'console' }, 'rpc');
      recordRpc(deps, registry, res, 'console', ms);
      return reply.code(res.status).header('x-acs-request-id', req.id).type(res.contentType).send(res.body);
    });
  };
}

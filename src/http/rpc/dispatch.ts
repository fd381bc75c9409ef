import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../errors.js';
import type { Deps } from '../../modules/context.js';
import { actOnBehalf, resolveActor } from '../../modules/identity/authentication.js';
import { authenticate } from './authenticate.js';
import { renderBusinessError, renderGatewayError, renderSuccess, type Rendered, type ResponseFormat } from './envelope.js';
import { GatewayError } from './gateway-error.js';
import { mergeParams } from './params.js';
import type { AnyAction } from './registry.js';
import { validateParams } from './schema.js';
import type { RawRequest } from './signature.js';
import { isStoreUnavailable } from '../../storage/unavailable.js';

export const API_VERSION = '2018-11-01';

/** The message of `ServiceUnavailable` (HTTP 503): the metadata store cannot be reached (ADR 0009). */
export const STORE_UNAVAILABLE_MESSAGE = 'The request has failed due to a temporary failure of the server: the metadata store cannot be reached. Retry later.';

export interface RpcResponse extends Rendered {
  status: number;
  action: string | undefined;
  outcome: 'success' | 'business_error' | 'gateway_error' | 'internal_error';
  errorCode: string | undefined;
}

function header(req: RawRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * One RPC call, from raw request to rendered response: parameters → Action → signature → schema →
 * tenant and actor → handler. Everything HTTP-specific stays here and in app.ts.
 */
/** Who sends a request: by default the owner of the AccessKey that signed it; the console's session (console.routes.ts). */
export type CallerAuthentication = (deps: Deps, req: RawRequest) => Promise<{ userId: number; accessKeyId: string }>;

export async function dispatchRpc(
  deps: Deps,
  registry: ReadonlyMap<string, AnyAction>,
  req: RawRequest,
  requestId: string,
  log: FastifyBaseLogger,
  authenticateCaller: CallerAuthentication = authenticate,
): Promise<RpcResponse> {
  let format: ResponseFormat = 'JSON';
  let actionName: string | undefined;
  const hostId = header(req, 'host') ?? 'opendms';
  try {
    const params = mergeParams(req.rawQuery, req.rawBody, header(req, 'content-type'));
    format = (params.get('Format') ?? '').toUpperCase() === 'XML' ? 'XML' : 'JSON';
    actionName = params.get('Action') ?? header(req, 'x-acs-action');
    const version = params.get('Version') ?? header(req, 'x-acs-version');
    if (!actionName) throw new GatewayError(400, 'MissingAction', 'Action is mandatory for this request.');
    const action = registry.get(actionName);
    if (!action) throw new GatewayError(404, 'InvalidApi.NotFound', `Specified api is not found, please check your url and method.`);
    if (!version) throw new GatewayError(400, 'MissingVersion', 'Version is mandatory for this request.');
    if (version !== API_VERSION) throw new GatewayError(400, 'InvalidVersion', `Specified parameter Version is not valid: only ${API_VERSION} is served.`);

    const caller = await authenticateCaller(deps, req);
    const input = validateParams(action.params, params) as Record<string, unknown>;
    const result = await runAction(deps, action, input, caller, requestId, log, header(req, 'host') ?? '');
    return { status: 200, action: actionName, outcome: 'success', errorCode: undefined, ...renderSuccess(actionName, requestId, result, format) };
  } catch (e) {
    if (e instanceof GatewayError) {
      return { status: e.httpStatus, action: actionName, outcome: 'gateway_error', errorCode: e.code, ...renderGatewayError(requestId, hostId, e.code, e.message, format) };
    }
    if (e instanceof AppError && actionName) {
      return { status: 200, action: actionName, outcome: 'business_error', errorCode: e.code, ...renderBusinessError(actionName, requestId, e.code, e.message, format) };
    }
    if (isStoreUnavailable(e)) {
      // The store is down or restarting: nothing of this request committed (its transaction, if
      // any, was lost with the connection); the client may retry. The pool reconnects by itself.
      log.warn({ err: e, action: actionName }, 'metadata store unavailable');
      return { status: 503, action: actionName, outcome: 'gateway_error', errorCode: 'ServiceUnavailable', ...renderGatewayError(requestId, hostId, 'ServiceUnavailable', STORE_UNAVAILABLE_MESSAGE, format) };
    }
    log.error({ err: e, action: actionName }, 'unexpected failure');
    return {
      status: 500,
      action: actionName,
      outcome: 'internal_error',
      errorCode: 'InternalError',
      ...renderGatewayError(requestId, hostId, 'InternalError', `The request processing has failed due to some unknown error. RequestId: ${requestId}`, format),
    };
  }
}

async function runAction(
  deps: Deps,
  action: AnyAction,
  input: Record<string, unknown>,
  caller: { userId: number; accessKeyId: string },
  requestId: string,
  log: FastifyBaseLogger,
  host: string,
): Promise<Record<string, unknown>> {
  let actor = await resolveActor(deps, caller.userId, input.Tid as number | undefined);
  const realLoginUserUid = input.RealLoginUserUid as string | undefined;
  if (action.acceptsRealLoginUser && realLoginUserUid) actor = await actOnBehalf(deps, actor, realLoginUserUid);
  return action.handler(input, { requestId, actor, accessKeyId: caller.accessKeyId, deps, host, log: log.child({ action: action.name, userId: actor.userId, tenantId: actor.tenantId }) });
}

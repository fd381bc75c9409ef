/**
 * Starts a real OpenDMS server on a loopback port (SQLite store in a temp folder, or a PostgreSQL
 * store in its own schema) and gives real Alibaba Cloud clients pointed at it:
 * - `pop(key)`: @alicloud/pop-core RPCClient (signature V1), GET or POST;
 * - `v3(key)` / `v2(key)`: @alicloud/openapi-client callApi, signature V3 or legacy V1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createPgSchema, PG_URL } from './servers.js';

const require = createRequire(import.meta.url);
const PopCore = require('@alicloud/pop-core') as new (cfg: Record<string, unknown>) => {
  request<T>(action: string, params: Record<string, unknown>, options?: Record<string, unknown>): Promise<T>;
};
const OpenApi = require('@alicloud/openapi-client') as any;
const Util = require('@alicloud/tea-util') as any;

export interface Key {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface TestServer {
  url: string;
  port: number;
  admin: Key & { userId: number; tid: number };
  server: RunningServer;
  dataDir: string;
  close(): Promise<void>;
}

export const ADMIN_KEY: Key = { accessKeyId: 'LTAItestadmin000000000001', accessKeySecret: 'test-admin-secret-+/=!*()' };

/**
 * `demo`: start as `serve --demo`. `dataDir`: use this folder (to restart on the same data); the
 * caller then removes it, `close()` does not.
 */
export async function startTestServer(
  opts: { store?: 'sqlite' | 'postgres'; env?: Record<string, string>; demo?: boolean; dataDir?: string } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-srv-'));
  let dropSchema: (() => Promise<void>) | undefined;
  const env: Record<string, string | undefined> = {
    OPENDMS_BOOTSTRAP_ACCESS_KEY_ID: ADMIN_KEY.accessKeyId,
    OPENDMS_BOOTSTRAP_ACCESS_KEY_SECRET: ADMIN_KEY.accessKeySecret,
    OPENDMS_LOG_LEVEL: process.env.OPENDMS_TEST_LOG_LEVEL ?? 'silent',
    // Tests leave response bodies unread (refused downloads): cut those sockets quickly at close.
    OPENDMS_SHUTDOWN_GRACE_SECONDS: '1',
    // A console built elsewhere (vite build web --outDir …), for console tests of a work in progress.
    OPENDMS_CONSOLE_DIR: process.env.OPENDMS_CONSOLE_DIR,
    ...opts.env,
  };
  if (opts.store === 'postgres') {
    const s = await createPgSchema('opendms_srv');
    dropSchema = s.drop;
    env.OPENDMS_DATABASE_URL = PG_URL;
    env.OPENDMS_DATABASE_SCHEMA = s.schema;
  }
  const config = loadConfig({ host: '127.0.0.1', port: 0, dataDir, demo: opts.demo }, env);
  const server = await startServer(config);
  const port = Number(new URL(server.url).port);
  return {
    url: server.url,
    port,
    admin: { ...ADMIN_KEY, userId: server.bootstrap.userId, tid: server.bootstrap.tenantId },
    server,
    dataDir,
    close: async () => {
      await server.close();
      await dropSchema?.();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Response body of a DMS call, loosely typed for assertions. */
export type Body = Record<string, any>;

/** Where a client sends its requests: the server itself or a proxy in front of it. */
export interface Target {
  url: string;
  port: number;
}

export function pop(srv: Target, key: Key) {
  const client = new PopCore({ endpoint: srv.url, apiVersion: '2018-11-01', accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret });
  return (action: string, params: Record<string, unknown> = {}, method: 'GET' | 'POST' = 'POST'): Promise<Body> =>
    client.request<Body>(action, params, { method, timeout: 15_000 });
}

function openApiClient(srv: Target, key: Key, signatureAlgorithm?: string) {
  const cfg = new OpenApi.Config({ accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret, endpoint: `127.0.0.1:${srv.port}`, protocol: 'http' });
  if (signatureAlgorithm) cfg.signatureAlgorithm = signatureAlgorithm;
  return new OpenApi.default(cfg);
}

export interface OpenApiResult {
  statusCode: number;
  body: Body;
  headers: Record<string, string>;
}

/**
 * openapi-client callApi, RPC style. `query` and `body` as the DMS SDK would place them
 * (most parameters in the query; CreateOrder.PluginParam and a few others in the form body).
 */
export function openapi(srv: Target, key: Key, version: 'v3' | 'v2' = 'v3') {
  const client = openApiClient(srv, key, version === 'v2' ? 'v2' : undefined);
  return async (action: string, query: Record<string, unknown> = {}, body?: Record<string, unknown>, method: 'GET' | 'POST' = 'POST'): Promise<OpenApiResult> => {
    const params = new OpenApi.Params({
      action,
      version: '2018-11-01',
      protocol: 'HTTP',
      pathname: '/',
      method,
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const strQuery = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    const req = new OpenApi.OpenApiRequest({ query: strQuery, ...(body ? { body } : {}) });
    return client.callApi(params, req, new Util.RuntimeOptions({ readTimeout: 15_000, connectTimeout: 5_000 }));
  };
}

/** Asserts a DMS business success and returns the body. */
export function ok(body: Body): Body {
  if (body.Success !== true) throw new Error(`expected Success:true, got ${JSON.stringify(body)}`);
  return body;
}

/** Runs a call expected to throw a gateway (HTTP 4xx/5xx) error and returns the thrown error. */
export async function gatewayError(p: Promise<unknown>): Promise<{ code: string; message: string; data?: any; statusCode?: number }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected the call to fail with a gateway error');
}

/** Creates a user in the admin's tenant and an AccessKey for them (through the API). */
export async function createUser(srv: Target & { admin: Key }, uid: string, roles = 'USER', tid?: number): Promise<Key & { userId: number }> {
  const call = pop(srv, srv.admin);
  ok(await call('RegisterUser', { Uid: uid, UserNick: uid, RoleNames: roles, ...(tid ? { Tid: tid } : {}) }));
  const user = ok(await call('GetUser', { Uid: uid, ...(tid ? { Tid: tid } : {}) })).User;
  const key = ok(await call('CreateAccessKey', { UserId: user.UserId, ...(tid ? { Tid: tid } : {}) })).AccessKey;
  return { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret, userId: Number(user.UserId) };
}

/**
 * Waits until a DATA_EXPORT ticket's precheck (a background job started on filing) has settled,
 * and returns its JobStatus; SubmitOrderApproval needs PRE_CHECK_SUCCESS.
 */
export async function awaitPrecheck(call: (action: string, params: Record<string, unknown>) => Promise<Body>, orderId: number, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const body = ok(await call('GetDataExportOrderDetail', { OrderId: orderId }));
    const status: string = body.DataExportOrderDetail.KeyInfo.JobStatus;
    if (status !== 'PRE_CHECKING') return status;
    if (Date.now() > until) throw new Error(`the precheck of ticket ${orderId} did not settle within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Logs are JSON lines carrying the RequestId, and secrets never reach them: not the AccessKey
 * secret returned by CreateAccessKey, not the Authorization header, not a database password sent
 * as a parameter.
 */
import { Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { ADMIN_KEY, ok, openapi, pop } from '../helpers/server.js';

const lines: string[] = [];
let server: RunningServer;
let dataDir: string;
let target: { url: string; port: number };

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-log-'));
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const config = loadConfig(
    { host: '127.0.0.1', port: 0, dataDir },
    { OPENDMS_BOOTSTRAP_ACCESS_KEY_ID: ADMIN_KEY.accessKeyId, OPENDMS_BOOTSTRAP_ACCESS_KEY_SECRET: ADMIN_KEY.accessKeySecret, OPENDMS_LOG_LEVEL: 'debug' },
  );
  server = await startServer(config, { logger: { stream } });
  target = { url: server.url, port: Number(new URL(server.url).port) };
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('logging', () => {
  it('writes one JSON line per RPC call with the RequestId, and no secret', async () => {
    const created = ok(await pop(target, ADMIN_KEY)('CreateAccessKey')).AccessKey;
    const res = await openapi(target, ADMIN_KEY)('GetUserActiveTenant', { DatabasePassword: 'hunter2-very-secret' });
    const all = lines.join('\n');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const rpc = parsed.filter((l) => l.msg === 'rpc');
    expect(rpc.length).toBeGreaterThanOrEqual(2);
    expect(rpc.map((l) => l.requestId)).toContain(res.body.RequestId);
    expect(rpc.find((l) => l.requestId === res.body.RequestId)).toMatchObject({ action: 'GetUserActiveTenant', status: 200, outcome: 'success' });
    expect(all).not.toContain(created.AccessKeySecret);
    expect(all).not.toContain(ADMIN_KEY.accessKeySecret);
    expect(all).not.toContain('hunter2-very-secret');
    expect(all).not.toContain('ACS3-HMAC-SHA256 Credential');
  });
});

describe('when the store stops answering', () => {
  it('/healthz answers 503 and a call answers InternalError with its RequestId, logged in full', async () => {
    await server.deps.store.db.destroy();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    const res = await fetch(`${server.url}/?Action=GetUserActiveTenant&Version=2018-11-01&AccessKeyId=${ADMIN_KEY.accessKeyId}&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=abc&Timestamp=${encodeURIComponent(new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'))}&Signature=x`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, string>;
    expect(body.Code).toBe('InternalError');
    expect(body.Message).toContain(body.RequestId);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    const logged = lines.map((l) => JSON.parse(l) as Record<string, any>).find((l) => l.requestId === body.RequestId && l.err);
    expect(logged?.err?.stack).toBeTruthy();
  });
});

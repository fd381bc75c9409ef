/**
 * A client whose clock is off by more than the signature window (issue 8 §4): the real pop-core
 * (V1) and openapi-client (V3) clients sign with a Timestamp 20 minutes in the past or the future
 * (the test process's Date is moved, as on a machine with a wrong clock; the server is a child
 * process with the real time). The answer is the reference's gateway error
 * `InvalidTimeStamp.Expired` (HTTP 400), saying how far off the request is, that this is outside
 * the window, and what the server's time is. (protocol.test.ts covers the window's edges with
 * hand-signed URLs.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { ADMIN_KEY, gatewayError, ok, openapi, pop } from '../helpers/server.js';

const SKEW_MS = 20 * 60_000;

describe('a client clock outside the signature window', () => {
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-faults-clock-'));
    server = await startServerProcess({ dataDir });
  }, 60_000);

  afterAll(async () => {
    await server?.kill();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** Runs `fn` with the test process's clock moved by `offsetMs`. */
  async function withClockOff<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + offsetMs);
    try {
      return await fn();
    } finally {
      vi.useRealTimers();
    }
  }

  /** The server time the message names, checked against this machine's real clock. */
  function expectServerTime(message: string): void {
    const m = /the server time (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)/.exec(message);
    expect(m, message).not.toBeNull();
    expect(Math.abs(Date.parse(m![1]!) - Date.now())).toBeLessThan(60_000);
  }

  it('pop-core (V1), clock 20 minutes behind: InvalidTimeStamp.Expired with the window and the server time', async () => {
    const e = await withClockOff(-SKEW_MS, () => gatewayError(pop(server, ADMIN_KEY)('GetUserActiveTenant')));
    expect(e.code).toBe('InvalidTimeStamp.Expired');
    expect(e.message).toContain('Specified time stamp or date value is expired.');
    expect(e.message).toMatch(/is (119\d|120\d) s behind the server time/);
    expect(e.message).toContain('outside the accepted window of ±900 s');
    expectServerTime(e.message);
  });

  it('openapi-client (V3), clock 20 minutes ahead: the same, saying ahead', async () => {
    const e = await withClockOff(SKEW_MS, () => gatewayError(openapi(server, ADMIN_KEY)('GetUserActiveTenant')));
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe('InvalidTimeStamp.Expired');
    expect(e.message).toMatch(/is (119\d|120\d) s ahead of the server time/);
    expect(e.message).toContain('outside the accepted window of ±900 s');
    expectServerTime(e.message);
  });

  it('the same clients with the clock right again are served', async () => {
    expect(ok(await pop(server, ADMIN_KEY)('GetUserActiveTenant')).Tenant.Tid).toBeGreaterThan(0);
    expect((await openapi(server, ADMIN_KEY)('GetUserActiveTenant')).body.Success).toBe(true);
  });
});

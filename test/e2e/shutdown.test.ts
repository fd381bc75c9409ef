/**
 * SIGTERM on a real `opendms serve` process: a request in flight is answered (drain), and a client
 * that never finishes its request does not hold the shutdown beyond OPENDMS_SHUTDOWN_GRACE_SECONDS.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

let dataDir: string;
let server: ServerProcess;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-shutdown-'));
});
afterAll(async () => {
  if (server?.child.exitCode === null) await server.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A POST whose body is sent in two parts; resolves with the status once answered. */
function slowPost(port: number): { finish(): void; status: Promise<number> } {
  const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.write('Action=ListUsers&');
  return { finish: () => req.end('Version=2018-11-01'), status };
}

const exited = (s: ServerProcess) => new Promise<number | null>((resolve) => (s.child.exitCode !== null ? resolve(s.child.exitCode) : s.child.once('exit', (code) => resolve(code))));

it('answers the request in flight, then exits 0', async () => {
  server = await startServerProcess({ dataDir, env: { OPENDMS_SHUTDOWN_GRACE_SECONDS: '10' } });
  const inFlight = slowPost(server.port);
  await new Promise((r) => setTimeout(r, 200));
  server.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  expect(server.child.exitCode, 'still draining').toBeNull();
  inFlight.finish();
  expect(await inFlight.status).toBe(400); // unsigned: answered with the gateway error, not cut off
  expect(await exited(server)).toBe(0);
}, 30_000);

it('a client that never finishes its request does not hold the shutdown past the grace period', async () => {
  server = await startServerProcess({ dataDir, env: { OPENDMS_SHUTDOWN_GRACE_SECONDS: '1' } });
  const abandoned = slowPost(server.port);
  abandoned.status.catch(() => undefined); // its socket is cut
  await new Promise((r) => setTimeout(r, 200));
  server.child.kill('SIGTERM');
  expect(await exited(server)).toBe(0);
}, 30_000);

/**
 * The console's static files at /console/ (src/http/console-static.routes.ts), the redirect of a
 * browser opening `/`, and the demo administrator's console password
 * (src/modules/identity/demo-password.ts). Needs dist/console (`npm run build:console`, run by
 * `pretest`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIR } from '../../src/http/console-static.routes.js';
import { getSetting } from '../../src/modules/identity/identity.repository.js';
import { setDemoConsolePassword } from '../../src/modules/identity/demo-password.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
beforeAll(async () => {
  if (!fs.existsSync(path.join(CONSOLE_DIR, 'index.html'))) throw new Error(`${CONSOLE_DIR} is not built: run npm run build:console`);
  srv = await startTestServer({ demo: true });
});
afterAll(async () => srv?.close());

const get = (p: string, headers: Record<string, string> = {}) => fetch(srv.url + p, { headers, redirect: 'manual' });

describe('console static files', () => {
  it('serves index.html without caching, for the root and for client routes', async () => {
    for (const p of ['/console/', '/console/index.html', '/console/tickets/12', '/console/some/deep/route']) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('cache-control')).toBe('no-cache');
      expect(await r.text()).toContain('<div id="root">');
    }
    const bare = await get('/console');
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/console/');
  });

  it('serves hashed assets with their type and a long cache; a missing asset is 404', async () => {
    const html = await (await get('/console/')).text();
    const js = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const css = /href="(\/console\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(js).toBeDefined();
    const r = await get(js!);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await r.arrayBuffer()).byteLength).toBe(fs.statSync(path.join(CONSOLE_DIR, js!.slice('/console/'.length))).size);
    expect((await get(css!)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await get('/console/assets/index-missing.js')).status).toBe(404);
  });

  it('never leaves the folder and keeps /console/api/ for the API', async () => {
    for (const p of ['/console/..%2f..%2fpackage.json', '/console/%2e%2e/%2e%2e/package.json', '/console/assets/..%2f..%2f..%2fpackage.json', '/console/%00']) {
      const r = await get(p);
      const body = await r.text();
      expect(body, p).not.toContain('"name": "opendms"');
    }
    const api = await get('/console/api/nothing');
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ Success: false, Code: 'NotFound' });
    expect((await get('/console/api/session')).status).toBe(401);
  });

  it('sends a browser opening / to the console; RPC calls on / are unchanged', async () => {
    const browser = await get('/', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/console/');
    const rpc = await get('/', { accept: '*/*' });
    expect(rpc.status).not.toBe(302);
    const withQuery = await get('/?Action=ListUsers', { accept: 'text/html' });
    expect(withQuery.status).not.toBe(302);
    expect(await withQuery.text()).toMatch(/MissingVersion|Version|Signature|AccessKey/i);
  });
});

describe('demo console password', () => {
  it('is set once on the first demo start and never again', async () => {
    expect(await getSetting(srv.server.deps.db, 'demo_console_password_set')).toBeDefined();
    expect(await setDemoConsolePassword(srv.server.deps, srv.admin.userId)).toBeUndefined();
  });

  it('gives a password the administrator can log in with', async () => {
    const other = await startTestServer();
    try {
      const pw = await setDemoConsolePassword(other.server.deps, other.admin.userId);
      expect(pw?.uid).toBe('admin');
      const login = await fetch(other.url + '/console/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'admin', password: pw!.password }) });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({ Success: true, User: { Uid: 'admin' }, TimeZone: 'UTC' });
      expect(await setDemoConsolePassword(other.server.deps, other.admin.userId)).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

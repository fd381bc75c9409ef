/**
 * The web console's static files (docs/console.md): `dist/console/` (built by `npm run
 * build:console` from `web/`) served at `/console/`. Hashed assets (`/console/assets/…`) are cached
 * for a year; `index.html`, also the answer for any other path under `/console/` that is not a file
 * (client-side routes), is never cached. `/console/api/…` is the console's API
 * (console.routes.ts), never a file. Paths cannot leave the folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** src/http and dist/http are both two levels below the package root. */
export const CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** A browser opening `/` (GET, no query, asking for HTML) is sent to the console; API calls are not. */
export function wantsConsole(req: FastifyRequest): boolean {
  const url = req.raw.url ?? '/';
  return req.method === 'GET' && url === '/' && /\btext\/html\b/.test(String(req.headers.accept ?? ''));
}

/** The file for a request path under /console/, or undefined when it is not a file inside dir. */
function fileFor(dir: string, rel: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(dir, '.' + path.posix.normalize('/' + decoded));
  if (file !== dir && !file.startsWith(dir + path.sep)) return undefined;
  try {
    return fs.statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

export function consoleStaticRoutes(dir: string = CONSOLE_DIR) {
  const sendFile = (reply: FastifyReply, file: string, immutable: boolean) =>
    reply
      .type(TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream')
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(fs.createReadStream(file));

  const index = (reply: FastifyReply) => {
    const file = path.join(dir, 'index.html');
    if (!fs.existsSync(file)) {
      return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send('The web console is not built: run `npm run build:console`.\n');
    }
    // Only the console's own files and API; CodeMirror adds <style> elements, hence 'unsafe-inline' for styles.
    return sendFile(reply, file, false)
      .header('x-frame-options', 'DENY')
      .header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
      .header('referrer-policy', 'same-origin');
  };

  return async (app: FastifyInstance): Promise<void> => {
    app.get('/console', (_req, reply) => reply.redirect('/console/', 302));
    app.get('/console/*', async (req, reply) => {
      const rel = (req.params as { '*': string })['*'].split('?')[0] ?? '';
      if (rel === 'api' || rel.startsWith('api/')) {
        return reply.code(404).send({ RequestId: req.id, Success: false, Code: 'NotFound', ErrorCode: 'NotFound', Message: `No console API at /console/${rel}.`, ErrorMessage: `No console API at /console/${rel}.` });
      }
      const file = rel === '' || rel === 'index.html' ? undefined : fileFor(dir, rel);
      if (file) return sendFile(reply, file, rel.startsWith('assets/'));
      // A missing asset is a 404 (a stale page asking for an old hash), any other path is a route.
      if (rel.startsWith('assets/')) return reply.code(404).type('text/plain; charset=utf-8').send('Not found.\n');
      return index(reply);
    });
  };
}

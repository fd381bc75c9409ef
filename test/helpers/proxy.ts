/**
 * A loopback HTTP proxy between a real client and the server: records each request exactly as
 * sent (for replay tests) and can rewrite it on the way (for tampering tests).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface Proxy {
  port: number;
  last(): CapturedRequest;
  /** Rewrites the next requests; return the request to forward. */
  setTransform(fn: ((r: CapturedRequest) => CapturedRequest) | undefined): void;
  /** Sends a captured request again, byte for byte (to another server's port if given). */
  replay(r: CapturedRequest, port?: number): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<Proxy> {
  let transform: ((r: CapturedRequest) => CapturedRequest) | undefined;
  let last: CapturedRequest | undefined;
  const forward = (r: CapturedRequest, port = targetPort): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...r.headers };
      delete headers['transfer-encoding'];
      headers['content-length'] = String(r.body.length);
      const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.url, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(r.body);
    });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const captured: CapturedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      last = captured;
      forward(transform ? transform(captured) : captured).then(
        (r) => {
          res.writeHead(r.status, { 'content-type': r.headers['content-type'] ?? 'application/json' });
          res.end(r.body);
        },
        (e: Error) => {
          res.writeHead(502);
          res.end(e.message);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    last: () => {
      if (!last) throw new Error('no request captured yet');
      return last;
    },
    setTransform: (fn) => {
      transform = fn;
    },
    replay: async (r, port) => {
      const res = await forward(r, port);
      return { status: res.status, body: JSON.parse(res.body.toString('utf8')) };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

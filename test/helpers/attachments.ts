/** Uploading a SQL file as an attachment (POST /api/attachments, signed with V1 as pop-core signs). */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { Body, Key } from './server.js';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default as { getRPCSignature(p: Record<string, string>, m: string, s: string): string };

/** A multipart/form-data body with one file. */
export async function multipart(name: string, data: Buffer, source = 'datacorrect'): Promise<{ body: Buffer; contentType: string }> {
  const fd = new FormData();
  fd.append('FileSource', source);
  fd.append('file', new Blob([data]), name);
  const req = new Request('http://x/', { method: 'POST', body: fd });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

/** Uploads `sql` as file `name` to the server on `port` (FileSource `source`; `big-file` takes .csv too); returns the AttachmentKey. */
export async function uploadSql(port: number, key: Key, name: string, sql: string | Buffer, source = 'datacorrect'): Promise<string> {
  const m = await multipart(name, Buffer.from(sql), source);
  const params: Record<string, string> = {
    AccessKeyId: key.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Format: 'JSON',
  };
  const Signature = OpenApiUtil.getRPCSignature(params, 'POST', key.accessKeySecret);
  const res = await new Promise<Body>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: `/api/attachments?${new URLSearchParams({ ...params, Signature })}`, method: 'POST', headers: { 'content-type': m.contentType, 'content-length': String(m.body.length) } },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end(m.body);
  });
  expect(res, JSON.stringify(res)).toMatchObject({ Success: true });
  return res.AttachmentKey;
}

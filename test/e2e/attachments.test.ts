/**
 * Attachments through the real clients: upload jobs fetching from a local http server (limits,
 * SSRF refusals, redirects), GetUserUploadFileJob, CreateOrder with the AttachmentKey,
 * GetOrderAttachmentFile and its signed download URL, the direct upload `POST /api/attachments`
 * signed by hand with the clients' own signing code, and who may see and use what.
 *
 * Network: only loopback. Every refused address (169.254.169.254, 10.0.0.1, …) is refused before
 * a connection is attempted, and `localhost` resolves locally.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UrlSigner } from '../../src/lib/url-signer.js';
import { createUser, gatewayError, ok, openapi, pop, startTestServer, type Body, type Key, type TestServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default as {
  getRPCSignature(p: Record<string, string>, m: string, s: string): string;
  getAuthorization(req: { pathname: string; method: string; query: Record<string, string>; headers: Record<string, string> }, alg: string, payload: string, ak: string, secret: string): string;
};

const MiB = 1024 * 1024;
const LIMIT = 16 * MiB;
const SMALL = Buffer.from('select id, name from customers;\n-- Zoë\n');
/** A 15 MB SQL script: numbered insert lines, so a shifted or truncated copy cannot compare equal. */
const BIG = (() => {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 15 * MiB; i++) {
    const line = `insert into t (id, v) values (${i}, 'row ${i}');\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
})();

let srv: TestServer; // allows 127.0.0.1 (the file server)
let strict: TestServer; // allows nothing internal
let files: http.Server;
let filesBase: string;
const hits = new Map<string, number>();
let dbId: number;
let alice: Key & { userId: number };
let bob: Key & { userId: number };

beforeAll(async () => {
  files = http.createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/small.sql') res.writeHead(200, { 'content-length': SMALL.length }).end(SMALL);
    else if (path === '/big.sql') res.writeHead(200, { 'content-length': BIG.length }).end(BIG);
    else if (path === '/too-big-chunked.sql') {
      res.writeHead(200); // no Content-Length: the limit must cut the stream
      const chunk = Buffer.alloc(MiB, 0x61);
      let sent = 0;
      const pump = (): void => {
        while (sent < 17 && res.write(chunk)) sent++;
        if (sent >= 17) res.end();
        else res.once('drain', () => { sent++; pump(); });
      };
      res.on('error', () => undefined);
      pump();
    } else if (path === '/too-big-declared.sql') {
      res.on('error', () => undefined);
      res.writeHead(200, { 'content-length': 17 * MiB }).write('x');
    } else if (path === '/to-metadata') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    else if (path === '/to-private') res.writeHead(302, { location: 'http://10.0.0.1/x.sql' }).end();
    else if (path === '/to-small') res.writeHead(301, { location: '/small.sql' }).end();
    else res.writeHead(404).end('no such file');
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesBase = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

  srv = await startTestServer({ demo: true, env: { OPENDMS_UPLOAD_ALLOWED_HOSTS: '127.0.0.1', OPENDMS_UPLOAD_MAX_BYTES: String(LIMIT) } });
  strict = await startTestServer();
  dbId = Number(ok(await pop(srv, srv.admin)('ListDatabases', { InstanceId: 1 })).DatabaseList.Database[0].DatabaseId);
  alice = await createUser(srv, 'alice');
  bob = await createUser(srv, 'bob');
});
afterAll(async () => {
  await srv?.close();
  await strict?.close();
  files?.closeAllConnections();
  await new Promise<void>((r) => (files ? files.close(() => r()) : r()));
});

async function startJob(s: TestServer, key: Key, url: string, fileName = 'script.sql', fileSource = 'datacorrect'): Promise<string> {
  const res = ok(await pop(s, key)('CreateUploadFileJob', { FileName: fileName, FileSource: fileSource, UploadURL: url }));
  expect(res.JobKey).toMatch(/^[0-9a-f]{32}$/);
  return res.JobKey;
}

/** Polls GetUserUploadFileJob until the job is SUCCESS or FAIL. */
async function settle(s: TestServer, key: Key, jobKey: string): Promise<Body> {
  const deadline = Date.now() + 25_000;
  for (;;) {
    const detail = ok(await pop(s, key)('GetUserUploadFileJob', { JobKey: jobKey })).UploadFileJobDetail;
    if (detail.JobStatus === 'SUCCESS' || detail.JobStatus === 'FAIL') return detail;
    if (Date.now() > deadline) throw new Error(`job ${jobKey} still ${detail.JobStatus}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function upload(key: Key, url: string, fileName = 'script.sql'): Promise<string> {
  const detail = await settle(srv, key, await startJob(srv, key, url, fileName));
  expect(detail.JobStatus, detail.JobStatusDesc).toBe('SUCCESS');
  return detail.AttachmentKey;
}

async function exportTicket(key: Key, attachmentKey?: string): Promise<Body> {
  return pop(srv, key)('CreateOrder', {
    Comment: 'export with attachment',
    PluginType: 'DATA_EXPORT',
    PluginParam: JSON.stringify({ dbId, exeSQL: 'select 1' }),
    ...(attachmentKey ? { AttachmentKey: attachmentKey } : {}),
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('upload job → ticket → download', () => {
  it('fetches a URL, attaches it to a ticket and serves it back through a signed URL', async () => {
    const jobKey = await startJob(srv, alice, `${filesBase}/to-small`, 'Zoë report.sql', 'order_info_attachment');
    const detail = await settle(srv, alice, jobKey);
    expect(Object.keys(detail).sort()).toEqual(['AttachmentKey', 'FileName', 'FileSize', 'FileSource', 'JobKey', 'JobStatus', 'JobStatusDesc', 'UploadType', 'UploadURL', 'UploadedSize']);
    expect(detail).toMatchObject({
      FileName: 'Zoë report.sql',
      FileSize: SMALL.length,
      FileSource: 'order_info_attachment',
      JobKey: jobKey,
      JobStatus: 'SUCCESS',
      JobStatusDesc: 'success',
      UploadType: 'URL',
      UploadURL: `${filesBase}/to-small`,
      UploadedSize: SMALL.length,
    });
    expect(detail.AttachmentKey).toMatch(/^upload_[0-9a-f-]{36}_Zo__report\.sql$/);

    const orderId = ok(await exportTicket(alice, detail.AttachmentKey)).CreateOrderResult.OrderIds[0];
    const info = ok(await pop(srv, alice)('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo;
    expect(info).toMatchObject({ AttachmentKey: detail.AttachmentKey, OriginAttachmentName: 'Zoë report.sql' });

    const fileUrl: string = ok(await pop(srv, alice)('GetOrderAttachmentFile', { OrderId: orderId })).FileUrl;
    expect(fileUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${srv.port}/api/files/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    const res = await fetch(fileUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(SMALL.length));
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Zo_ report.sql"; filename*=UTF-8''Zo%C3%AB%20report.sql`);
    expect(Buffer.from(await res.arrayBuffer()).equals(SMALL)).toBe(true);

    // the V3 client gets the same kind of URL; an ADMIN sees every ticket, so gets one too
    const v3 = await openapi(srv, srv.admin)('GetOrderAttachmentFile', { OrderId: orderId });
    expect(v3.body.FileUrl).toContain('/api/files/');
  });

  it('a 15 MB script goes through the job and the download byte for byte', async () => {
    const key = await upload(alice, `${filesBase}/big.sql`, 'big.sql');
    const orderId = ok(await exportTicket(alice, key)).CreateOrderResult.OrderIds[0];
    const res = await fetch(ok(await pop(srv, alice)('GetOrderAttachmentFile', { OrderId: orderId })).FileUrl);
    const got = Buffer.from(await res.arrayBuffer());
    expect(got.length).toBe(BIG.length);
    expect(sha(got)).toBe(sha(BIG));
  });

  it('a file over OPENDMS_UPLOAD_MAX_BYTES fails the job with a clear reason, streamed or announced', async () => {
    for (const path of ['/too-big-chunked.sql', '/too-big-declared.sql']) {
      const detail = await settle(srv, alice, await startJob(srv, alice, `${filesBase}${path}`));
      expect(detail.JobStatus).toBe('FAIL');
      expect(detail.JobStatusDesc).toContain('larger than the limit of 16 MiB (OPENDMS_UPLOAD_MAX_BYTES)');
      expect(detail).not.toHaveProperty('AttachmentKey');
    }
  });

  it('an HTTP error answer fails the job', async () => {
    const detail = await settle(srv, alice, await startJob(srv, alice, `${filesBase}/missing.sql`));
    expect(detail.JobStatus).toBe('FAIL');
    expect(detail.JobStatusDesc).toMatch(/HTTP 404/);
  });
});

describe('internal addresses are refused', () => {
  it('link-local, private and redirects to them, even when the first host is allowed', async () => {
    const cases: [string, RegExp][] = [
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254.*not in the allowed hosts/],
      ['http://10.0.0.1/x.sql', /10\.0\.0\.1.*not in the allowed hosts/],
      ['http://[::1]/x.sql', /::1.*not in the allowed hosts/],
      [`${filesBase}/to-metadata`, /redirect target.*169\.254\.169\.254/],
      [`${filesBase}/to-private`, /redirect target.*10\.0\.0\.1/],
    ];
    for (const [url, reason] of cases) {
      const detail = await settle(srv, alice, await startJob(srv, alice, url));
      expect(detail.JobStatus, url).toBe('FAIL');
      expect(detail.JobStatusDesc).toMatch(reason);
      expect(detail.JobStatusDesc).toContain('OPENDMS_UPLOAD_ALLOWED_HOSTS');
      expect(detail.UploadedSize).toBe(0);
    }
  });

  it('without an allow list, 127.0.0.1 and names resolving to loopback are refused before connecting', async () => {
    const port = (files.address() as AddressInfo).port;
    const before = hits.get('/small.sql') ?? 0;
    for (const url of [`http://127.0.0.1:${port}/small.sql`, `http://localhost:${port}/small.sql`]) {
      const detail = await settle(strict, strict.admin, await startJob(strict, strict.admin, url));
      expect(detail.JobStatus, url).toBe('FAIL');
      expect(detail.JobStatusDesc).toMatch(/loopback, private, link-local or reserved/);
    }
    expect(hits.get('/small.sql') ?? 0).toBe(before);
  });

  it('only http and https: ftp:// and friends answer InvalidParameterValid at once', async () => {
    for (const [url, scheme] of [['ftp://127.0.0.1/x.sql', 'ftp'], ['file:///etc/passwd', 'file'], ['127.0.0.1/x.sql', 'null']]) {
      const body = await pop(srv, alice)('CreateUploadFileJob', { FileName: 'x.sql', FileSource: 'datacorrect', UploadURL: url });
      expect(body).toMatchObject({ Success: false, ErrorCode: 'InvalidParameterValid', ErrorMessage: `Unsupported url scheme : ${scheme}, scheme must be https or http` });
    }
  });
});

describe('parameters', () => {
  it('FileName and FileSource are validated', async () => {
    const call = pop(srv, alice);
    const bad = (fileName: string, fileSource = 'datacorrect') => call('CreateUploadFileJob', { FileName: fileName, FileSource: fileSource, UploadURL: `${filesBase}/small.sql` });
    expect(await bad('run.exe')).toMatchObject({ ErrorCode: 'InvalidFileName', ErrorMessage: expect.stringMatching(/\.sql, \.txt/) });
    expect(await bad('../../etc/x.sql')).toMatchObject({ ErrorCode: 'InvalidFileName', ErrorMessage: expect.stringMatching(/without "\/"/) });
    expect(await bad('data.csv')).toMatchObject({ ErrorCode: 'InvalidFileName' });
    expect(ok(await bad('data.csv', 'big-file')).JobKey).toBeTruthy();
    expect(ok(await bad('notes.TXT', 'sqlreview')).JobKey).toBeTruthy();
    const e = await gatewayError(bad('x.sql', 'somewhere'));
    expect(e.code).toBe('InvalidFileSource');
  });

  it('CreateUploadOSSFileJob checks its parameters, then says object storage is not configured', async () => {
    const call = pop(srv, alice);
    const target = JSON.stringify({ BucketName: 'b', Endpoint: 'http://oss-cn-hangzhou.aliyuncs.com', ObjectName: 'x.sql' });
    expect(await call('CreateUploadOSSFileJob', { FileName: 'x.sql', FileSource: 'datacorrect', UploadTarget: target })).toMatchObject({
      Success: false,
      ErrorCode: 'NotSupported',
      ErrorMessage: expect.stringMatching(/Object storage is not configured/),
    });
    expect(await call('CreateUploadOSSFileJob', { FileName: 'x.sql', FileSource: 'datacorrect', UploadTarget: JSON.stringify({ BucketName: 'b' }) })).toMatchObject({ ErrorCode: 'InvalidUploadTarget' });
    expect((await gatewayError(call('CreateUploadOSSFileJob', { FileName: 'x.sql', FileSource: 'datacorrect' }))).code).toBe('MissingUploadTarget');
  });
});

describe('ownership and visibility', () => {
  let jobKey: string;
  let attachmentKey: string;
  let orderId: number;
  beforeAll(async () => {
    jobKey = await startJob(srv, alice, `${filesBase}/small.sql`);
    attachmentKey = (await settle(srv, alice, jobKey)).AttachmentKey;
    orderId = ok(await exportTicket(alice, attachmentKey)).CreateOrderResult.OrderIds[0];
  });

  it("another user can neither read the job nor use its attachment; an ADMIN can read the job", async () => {
    expect(await pop(srv, bob)('GetUserUploadFileJob', { JobKey: jobKey })).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    expect(ok(await pop(srv, srv.admin)('GetUserUploadFileJob', { JobKey: jobKey })).UploadFileJobDetail.AttachmentKey).toBe(attachmentKey);
    expect(await pop(srv, bob)('GetUserUploadFileJob', { JobKey: 'f'.repeat(32) })).toMatchObject({ ErrorCode: 'ResourceNotFound' });
    expect(await exportTicket(bob, attachmentKey)).toMatchObject({ Success: false, ErrorCode: 'InvalidAttachmentKey', ErrorMessage: expect.stringMatching(/another user/) });
  });

  it("only users who can see the ticket get its download URL; a ticket without attachment has none", async () => {
    expect(await pop(srv, bob)('GetOrderAttachmentFile', { OrderId: orderId })).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    const plain = ok(await exportTicket(alice)).CreateOrderResult.OrderIds[0];
    expect(await pop(srv, alice)('GetOrderAttachmentFile', { OrderId: plain })).toMatchObject({ ErrorCode: 'ResourceNotFound', ErrorMessage: expect.stringMatching(/no attachment/) });
    // another tenant's server never knows this ticket
    expect(await pop(strict, strict.admin)('GetOrderAttachmentFile', { OrderId: orderId })).toMatchObject({ Success: false });
  });

  it('an expired or tampered download URL is refused with 403', async () => {
    const fileUrl: string = ok(await pop(srv, alice)('GetOrderAttachmentFile', { OrderId: orderId })).FileUrl;
    const token = fileUrl.slice(fileUrl.lastIndexOf('/') + 1);
    const [payload, mac] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ k: attachmentKey });

    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3600 })).toString('base64url');
    const flipped = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [`${forged}.${mac}`, `${payload}.${flipped}`, 'garbage', `${payload}.`]) {
      const res = await fetch(`${srv.url}/api/files/${bad}`);
      expect(res.status, bad).toBe(403);
      expect(((await res.json()) as Body).Code).toBe('Forbidden.DownloadUrlInvalid');
    }
    // a correctly signed token whose time is up (signed here with the server's derived key)
    const signer = new UrlSigner(srv.server.deps.secrets.deriveKey('attachment-download-url'));
    const expired = signer.sign({ t: claims.t, k: attachmentKey }, Date.now() - 1000);
    const res = await fetch(`${srv.url}/api/files/${expired}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ Code: 'Forbidden.DownloadUrlExpired', Message: expect.stringMatching(/GetOrderAttachmentFile/) });
    // and the genuine URL still works
    expect((await fetch(fileUrl)).status).toBe(200);
  });
});

/** A multipart/form-data body as a browser or curl would send it. */
async function multipart(fields: [string, string][], file?: { name: string; data: Buffer; field?: string }): Promise<{ body: Buffer; contentType: string }> {
  const fd = new FormData();
  for (const [k, v] of fields) fd.append(k, v);
  if (file) fd.append(file.field ?? 'file', new Blob([file.data]), file.name);
  const req = new Request('http://x/', { method: 'POST', body: fd });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

function post(path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: Body }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POST /api/attachments signed with V3 by openapi-util's own getAuthorization. */
function postV3(key: Key, m: { body: Buffer; contentType: string }, query: Record<string, string> = {}, sendBody = m.body) {
  const headers: Record<string, string> = {
    host: `127.0.0.1:${srv.port}`,
    'content-type': m.contentType,
    'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': sha(m.body),
  };
  const authorization = OpenApiUtil.getAuthorization({ pathname: '/api/attachments', method: 'POST', query, headers }, 'ACS3-HMAC-SHA256', headers['x-acs-content-sha256']!, key.accessKeyId, key.accessKeySecret);
  const qs = new URLSearchParams(query).toString();
  return post(`/api/attachments${qs ? `?${qs}` : ''}`, { ...headers, authorization }, sendBody);
}

/** POST /api/attachments signed with V1 (the signature covers the query parameters). */
function postV1(key: Key, m: { body: Buffer; contentType: string }, extra: Record<string, string> = {}) {
  const params: Record<string, string> = {
    AccessKeyId: key.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Format: 'JSON',
    ...extra,
  };
  const Signature = OpenApiUtil.getRPCSignature(params, 'POST', key.accessKeySecret);
  return post(`/api/attachments?${new URLSearchParams({ ...params, Signature })}`, { 'content-type': m.contentType }, m.body);
}

describe('POST /api/attachments (direct upload)', () => {
  it('V3-signed multipart upload returns an AttachmentKey usable in CreateOrder and downloadable', async () => {
    const m = await multipart([['FileSource', 'datacorrect']], { name: 'fix.sql', data: SMALL });
    const res = await postV3(alice, m);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ Success: true, FileName: 'fix.sql', FileSize: SMALL.length, AttachmentKey: expect.stringMatching(/^upload_[0-9a-f-]{36}_fix\.sql$/) });
    expect(res.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    const orderId = ok(await exportTicket(alice, res.body.AttachmentKey)).CreateOrderResult.OrderIds[0];
    const download = await fetch(ok(await pop(srv, alice)('GetOrderAttachmentFile', { OrderId: orderId })).FileUrl);
    expect(Buffer.from(await download.arrayBuffer()).equals(SMALL)).toBe(true);
    expect(await exportTicket(bob, res.body.AttachmentKey)).toMatchObject({ ErrorCode: 'InvalidAttachmentKey' });
  });

  it('a 15 MB file, FileSource in the signed query string', async () => {
    const m = await multipart([], { name: 'big.sql', data: BIG });
    const res = await postV3(alice, m, { FileSource: 'big-file' });
    expect(res.status).toBe(200);
    expect(res.body.FileSize).toBe(BIG.length);
  });

  it('V1-signed upload works too', async () => {
    const res = await postV1(alice, await multipart([], { name: 'v1.txt', data: SMALL }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ Success: true, FileName: 'v1.txt' });
  });

  it('a wrong signature, a tampered body, or none at all is refused', async () => {
    const m = await multipart([], { name: 'x.sql', data: SMALL });
    const wrong = await postV3({ ...alice, accessKeySecret: 'not-the-secret' }, m);
    expect(wrong.status).toBe(400);
    expect(wrong.body.Code).toBe('SignatureDoesNotMatch');
    const tampered = Buffer.from(m.body.toString('latin1').replace('customers', 'customerz'), 'latin1');
    expect(tampered.equals(m.body)).toBe(false);
    const t = await postV3(alice, m, {}, tampered);
    expect(t.status).toBe(400);
    expect(t.body.Code).toBe('SignatureDoesNotMatch');
    const badV1 = await postV1({ ...alice, accessKeySecret: 'nope' }, m);
    expect(badV1.body.Code).toBe('SignatureDoesNotMatch');
    const none = await post('/api/attachments', { 'content-type': m.contentType }, m.body);
    expect(none.status).toBe(400);
    expect(none.body.Code).toBe('MissingSignature');
  });

  it('refuses bad file names, a missing file part, and files over the limit', async () => {
    const exe = await postV3(alice, await multipart([], { name: 'tool.exe', data: SMALL }));
    expect(exe).toMatchObject({ status: 400, body: { Success: false, ErrorCode: 'InvalidFileName' } });
    const noFile = await postV3(alice, await multipart([['FileSource', 'datacorrect']]));
    expect(noFile).toMatchObject({ status: 400, body: { Code: 'MissingFile' } });
    const wrongField = await postV3(alice, await multipart([], { name: 'x.sql', data: SMALL, field: 'upload' }));
    expect(wrongField.status).toBe(400);
    const tooBig = await postV3(alice, await multipart([], { name: 'huge.sql', data: Buffer.alloc(LIMIT + 1, 0x61) }));
    expect(tooBig).toMatchObject({ status: 413, body: { ErrorCode: 'InvalidFileSize', ErrorMessage: expect.stringMatching(/16 MiB/) } });
  });
});

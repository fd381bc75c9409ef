import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { GatewayError } from './gateway-error.js';
import {
  checkTimestamp,
  decodeForm,
  percentEncode,
  readSignatureClaim,
  serverStringToSign,
  verifySignature,
  type RawRequest,
} from './signature.js';

// The real clients are CommonJS; load them (and the HTTP layer they share) with require.
const require = createRequire(import.meta.url);
interface OpenApiUtilStatic {
  getRPCSignature(signedParams: Record<string, string>, method: string, secret: string): string;
  getAuthorization(
    request: { pathname: string; method: string; query: Record<string, string>; headers: Record<string, string> },
    signatureAlgorithm: string, payload: string, accessKey: string, secret: string,
  ): string;
  toForm(filter: Record<string, unknown>): string;
}
const OpenApiUtil = (require('@alicloud/openapi-util') as { default: OpenApiUtilStatic }).default;
const querystring = require('node:querystring') as typeof import('node:querystring');

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function req(partial: Partial<RawRequest>): RawRequest {
  return { method: 'POST', path: '/', rawQuery: '', rawBody: Buffer.alloc(0), headers: {}, ...partial };
}

/** Parameters sorted and RFC 3986-encoded, `Signature` last: the wire form pop-core sends. */
function popCoreWire(params: Record<string, string>, signature: string): string {
  const pairs = Object.keys(params).sort().map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`);
  return [...pairs, `Signature=${percentEncode(signature)}`].join('&');
}

function expectGatewayError(fn: () => unknown, code: string, messagePart?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    const err = e as GatewayError;
    expect(err.httpStatus).toBe(400);
    expect(err.code).toBe(code);
    if (messagePart !== undefined) expect(err.message).toContain(messagePart);
    return;
  }
  throw new Error(`expected GatewayError ${code}`);
}

const verify = (r: RawRequest, secret: string): boolean => verifySignature(r, readSignatureClaim(r), secret);

// ---------------------------------------------------------------------------------------------
describe('known-answer vectors (wire-protocol.md §2)', () => {
  const v1Params: Record<string, string> = {
    AccessKeyId: 'testid', Action: 'CreateOrder', Format: 'JSON', SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: 'nonce-1', SignatureVersion: '1.0', Timestamp: '2024-01-01T00:00:00Z',
    Version: '2018-11-01', Tid: '1', Comment: 'a b*~', PluginType: 'DATA_EXPORT', PluginParam: '{"DbId":1}',
  };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('V1 POST (all parameters in the form body)', () => {
    const sig = '7J+OC3uYulJu6+6i69JortO9by8=';
    const r = req({ rawBody: Buffer.from(popCoreWire(v1Params, sig)), headers: form });
    const claim = readSignatureClaim(r);
    expect(claim).toMatchObject({ scheme: 'V1', accessKeyId: 'testid', nonce: 'nonce-1', timestamp: '2024-01-01T00:00:00Z', signature: sig, method: 'POST' });
    expect(verifySignature(r, claim, 'testsecret')).toBe(true);
    expect(verifySignature(r, claim, 'wrongsecret')).toBe(false);
    const tampered = req({ rawBody: Buffer.from(popCoreWire({ ...v1Params, Tid: '2' }, sig)), headers: form });
    expect(verify(tampered, 'testsecret')).toBe(false);
    // Same parameters signed for POST do not verify as GET.
    expect(verify({ ...r, method: 'GET' }, 'testsecret')).toBe(false);
  });

  it('V1 GET (all parameters in the query)', () => {
    const sig = 'Kfnwqxdwb4WsWNlB0WAFPSQeLlo=';
    const r = req({ method: 'GET', rawQuery: popCoreWire(v1Params, sig) });
    expect(verify(r, 'testsecret')).toBe(true);
    expect(verify(r, 'testsecret2')).toBe(false);
    const tampered = req({ method: 'GET', rawQuery: popCoreWire({ ...v1Params, Comment: 'a b*' }, sig) });
    expect(verify(tampered, 'testsecret')).toBe(false);
    expect(serverStringToSign(r, readSignatureClaim(r))).toMatch(/^GET&%2F&AccessKeyId%3Dtestid%26Action%3DCreateOrder/);
  });

  it('V1 POST split between query and form body (openapi-client "v2" style) verifies the union', () => {
    const sig = '7J+OC3uYulJu6+6i69JortO9by8=';
    const { PluginParam, ...queryParams } = v1Params;
    const r = req({
      rawQuery: popCoreWire(queryParams, sig),
      rawBody: Buffer.from(`PluginParam=${percentEncode(PluginParam!)}`),
      headers: form,
    });
    expect(verify(r, 'testsecret')).toBe(true);
    // Without the form content-type the body is not a parameter source, so the signature fails.
    expect(verify({ ...r, headers: {} }, 'testsecret')).toBe(false);
  });

  const body = 'PluginParam=%7B%22DbId%22%3A1%7D';
  const v3Headers = (auth: string): RawRequest['headers'] => ({
    host: 'dms.example.test', 'x-acs-action': 'CreateOrder', 'x-acs-version': '2018-11-01',
    'x-acs-date': '2024-01-01T00:00:00Z', 'x-acs-signature-nonce': 'nonce-1',
    'content-type': 'application/x-www-form-urlencoded', accept: 'application/json',
    'x-acs-content-sha256': 'cf2f935830e216cf61a2113224483d5983e676fa7d39dd137da942e7bee218c5',
    authorization: auth,
  });
  const auth =
    'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=a3ef03f025a08118676c64f43b999619662110c92f714bae2cce344d63a4786b';

  it('V3 ACS3-HMAC-SHA256', () => {
    const r = req({ rawQuery: 'Tid=1&Comment=a%20b*~&PluginType=DATA_EXPORT', rawBody: Buffer.from(body), headers: v3Headers(auth) });
    expect(sha256(body)).toBe('cf2f935830e216cf61a2113224483d5983e676fa7d39dd137da942e7bee218c5');
    const claim = readSignatureClaim(r);
    expect(claim).toMatchObject({
      scheme: 'V3', algorithm: 'ACS3-HMAC-SHA256', accessKeyId: 'testid', nonce: 'nonce-1', timestamp: '2024-01-01T00:00:00Z',
      signedHeaders: ['content-type', 'host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'],
    });
    expect(serverStringToSign(r, claim)).toBe('ACS3-HMAC-SHA256\n59f9f99b0d1559700eac86b6b9c64e05209981d8e2de265be240d88199d8d859');
    expect(verifySignature(r, claim, 'testsecret')).toBe(true);
    expect(verifySignature(r, claim, 'testsecret&')).toBe(false);
    // The query may arrive in any order or encoding ('+' for space, %2A for '*').
    expect(verify({ ...r, rawQuery: 'PluginType=DATA_EXPORT&Comment=a+b%2A%7E&Tid=1' }, 'testsecret')).toBe(true);
    expect(verify({ ...r, rawQuery: 'Tid=2&Comment=a%20b*~&PluginType=DATA_EXPORT' }, 'testsecret')).toBe(false);
    // A changed signed header value fails.
    expect(verify({ ...r, headers: { ...v3Headers(auth), 'x-acs-action': 'DeleteUser' } }, 'testsecret')).toBe(false);
    // A changed body with its own correct hash header fails.
    const body2 = 'PluginParam=%7B%22DbId%22%3A2%7D';
    const r2 = { ...r, rawBody: Buffer.from(body2), headers: { ...v3Headers(auth), 'x-acs-content-sha256': sha256(body2) } };
    expect(verify(r2, 'testsecret')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
/** Deterministic pseudo-random generator (mulberry32) so failures are reproducible. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const PIECES = ['a', 'Z', '0', ' ', '*', '(', ')', '!', "'", '~', '+', '&', '=', '%', '/', '?', '#', ',', ';', ':', '"',
  'ü', 'ï', '中文', '😀', '\n', '\t', '%20', '%2B', '-', '_', '.', 'select * from t where a=\'x\''];
function randomValue(next: () => number): string {
  let s = '';
  const n = Math.floor(next() * 12);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

describe('round trips with @alicloud/openapi-util signing code', () => {
  it('V1 getRPCSignature, query and body, GET and POST', () => {
    const next = rng(1);
    for (let i = 0; i < 40; i++) {
      const method = i % 2 === 0 ? 'POST' : 'GET';
      const secret = `s3cr+/=!*()${randomValue(next)}`;
      const params: Record<string, string> = {
        AccessKeyId: 'ak-1', Action: 'CreateOrder', Format: 'json', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
        SignatureNonce: `n${i}`, Timestamp: '2026-11-28T02:50:15Z', Version: '2018-11-01',
        Comment: randomValue(next), RelatedUserList: randomValue(next), 'PluginParam.Sql': randomValue(next), Empty: '',
      };
      const signature = OpenApiUtil.getRPCSignature(params, method, secret);
      // openapi-client "v2": business field in the form body (querystring encoding), the rest in the query.
      const { 'PluginParam.Sql': sql, ...query } = params;
      const r = req({
        method,
        rawQuery: querystring.stringify({ ...query, Signature: signature }),
        rawBody: Buffer.from(querystring.stringify({ 'PluginParam.Sql': sql })),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(verify(r, secret), JSON.stringify(params)).toBe(true);
      expect(verify(r, secret + 'x')).toBe(false);
    }
  });

  it('V3 getAuthorization (SHA256 and SM3) with unicode, spaces, +, and *()!\'~', () => {
    const next = rng(2);
    for (let i = 0; i < 40; i++) {
      const algorithm = i % 3 === 2 ? 'ACS3-HMAC-SM3' : 'ACS3-HMAC-SHA256';
      const hash = (b: string): string => createHash(algorithm === 'ACS3-HMAC-SM3' ? 'sm3' : 'sha256').update(b).digest('hex');
      const method = i % 2 === 0 ? 'POST' : 'GET';
      const secret = `key*()${randomValue(next)}`;
      const query: Record<string, string> = { Tid: String(i), Comment: randomValue(next), RelatedUserList: randomValue(next), Blank: '' };
      const bodyText = method === 'POST' ? OpenApiUtil.toForm({ PluginParam: { Sql: randomValue(next), DbId: i } }) : '';
      const headers: Record<string, string> = {
        host: '127.0.0.1:8080', 'x-acs-action': 'CreateOrder', 'x-acs-version': '2018-11-01', 'x-acs-date': '2026-11-28T02:50:15Z',
        'x-acs-signature-nonce': `nonce-${i}`, accept: 'application/json', 'user-agent': 'test',
        'x-acs-content-sha256': hash(bodyText), 'x-acs-credentials-provider': 'static_ak',
        ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      };
      const authorization = OpenApiUtil.getAuthorization({ pathname: '/', method, query, headers }, algorithm, hash(bodyText), 'ak-2', secret);
      const r = req({ method, rawQuery: querystring.stringify(query), rawBody: Buffer.from(bodyText), headers: { ...headers, authorization } });
      const claim = readSignatureClaim(r);
      expect(claim.scheme === 'V3' && claim.algorithm).toBe(algorithm);
      expect(verifySignature(r, claim, secret), JSON.stringify(query)).toBe(true);
      expect(verifySignature(r, claim, secret.slice(1))).toBe(false);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Full client calls with the shared HTTP layer (httpx) stubbed: captures exactly what the clients
// would put on the wire, without a socket.
interface Captured { url: string; method: string; headers: Record<string, unknown>; data?: unknown }
const httpx = require(require.resolve('httpx', { paths: [require.resolve('@alicloud/pop-core')] })) as { request: (url: string, opts: unknown) => unknown };
const CAPTURED = new Error('captured');

async function capture(call: () => Promise<unknown>): Promise<RawRequest> {
  const original = httpx.request;
  let seen: Captured | undefined;
  httpx.request = (url: string, opts: unknown) => {
    seen = { url, ...(opts as Omit<Captured, 'url'>) };
    throw CAPTURED;
  };
  try {
    await expect(call()).rejects.toBe(CAPTURED);
  } finally {
    httpx.request = original;
  }
  const c = seen!;
  const afterScheme = c.url.indexOf('://') + 3;
  const pathStart = c.url.indexOf('/', afterScheme);
  const target = c.url.slice(pathStart);
  const q = target.indexOf('?');
  const headers: Record<string, string> = { host: c.url.slice(afterScheme, pathStart) };
  for (const [k, v] of Object.entries(c.headers)) headers[k.toLowerCase()] = String(v);
  let rawBody = Buffer.alloc(0);
  if (typeof c.data === 'string') rawBody = Buffer.from(c.data);
  else if (c.data instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of c.data) chunks.push(Buffer.from(chunk as Buffer));
    rawBody = Buffer.concat(chunks);
  }
  return {
    method: c.method.toUpperCase(),
    path: q < 0 ? target : target.slice(0, q),
    rawQuery: q < 0 ? '' : target.slice(q + 1),
    rawBody,
    headers,
  };
}

describe('real clients, transport stubbed', () => {
  const secret = 'sec+/=!*()ret';
  const pluginParam = JSON.stringify({ DbId: 1, Sql: "select * from t where a='x' + 1 -- ü 中文 😀", Classify: 'test' });
  const comment = "c with spaces & ünïcode *()!'~+%20";

  it('@alicloud/pop-core RPCClient POST, GET and lower-case post', async () => {
    const RPCClient = require('@alicloud/pop-core').RPCClient as new (cfg: object) => { request(a: string, p: object, o: object): Promise<unknown> };
    const client = new RPCClient({ endpoint: 'http://127.0.0.1:8080', apiVersion: '2018-11-01', accessKeyId: 'testAccessKeyId', accessKeySecret: secret });
    for (const method of ['POST', 'GET', 'post']) {
      const r = await capture(() => client.request('CreateOrder', { Tid: 1, Comment: comment, PluginType: 'DATA_EXPORT', PluginParam: pluginParam, RelatedUserList: '1,2' }, { method }));
      const claim = readSignatureClaim(r);
      expect(claim).toMatchObject({ scheme: 'V1', accessKeyId: 'testAccessKeyId', method: method.toUpperCase() });
      // POST: everything in the body; GET and the lower-case 'post' quirk: everything in the query.
      expect(method === 'POST' ? r.rawBody.toString() : r.rawQuery).toMatch(/^AccessKeyId=.*&Signature=[^&]+$/);
      expect(method === 'POST' ? r.rawQuery : r.rawBody.toString()).toBe('');
      expect(verifySignature(r, claim, secret), method).toBe(true);
      expect(verifySignature(r, claim, 'other')).toBe(false);
      expect(() => checkTimestamp(claim.timestamp, Date.now(), 900)).not.toThrow();
    }
  });

  async function openApiCall(config: Record<string, unknown>, method: string, reqBodyType: string): Promise<RawRequest> {
    const OpenApi = require('@alicloud/openapi-client');
    const Util = require('@alicloud/tea-util');
    const client = new OpenApi.default(new OpenApi.Config({ accessKeyId: 'testAccessKeyId', accessKeySecret: secret, endpoint: '127.0.0.1:8080', protocol: 'http', ...config }));
    const params = new OpenApi.Params({ action: 'CreateOrder', version: '2018-11-01', protocol: 'HTTP', pathname: '/', method, authType: 'AK', style: 'RPC', reqBodyType, bodyType: 'json' });
    const request = new OpenApi.OpenApiRequest({
      query: { Tid: '1', Comment: comment, PluginType: 'DATA_EXPORT', RelatedUserList: '1,2' },
      // GET sends no body; nested object is flattened (PluginParam.DbId=…) for formData.
      ...(method === 'POST' ? { body: { PluginParam: pluginParam, Nested: { DbId: 1, Sql: comment } } } : {}),
    });
    return capture(() => client.callApi(params, request, new Util.RuntimeOptions({})));
  }

  for (const [label, config] of [
    ['V3 SHA256', {}],
    ['V3 SM3', { signatureAlgorithm: 'ACS3-HMAC-SM3' }],
    ['v2 (V1)', { signatureAlgorithm: 'v2' }],
  ] as const) {
    for (const [method, bodyType] of [['POST', 'formData'], ['POST', 'json'], ['GET', 'formData']] as const) {
      if (label === 'v2 (V1)' && bodyType === 'json') continue; // RPC v2 has no JSON body
      it(`@alicloud/openapi-client ${label} ${method} ${bodyType}`, async () => {
        const r = await openApiCall(config, method, bodyType);
        const claim = readSignatureClaim(r);
        expect(claim.scheme).toBe(label.startsWith('V3') ? 'V3' : 'V1');
        expect(r.rawQuery).toContain('Comment=');
        if (claim.scheme === 'V3') {
          expect(claim.signedHeaders).toContain('x-acs-credentials-provider');
          expect(claim.signedHeaders.includes('content-type')).toBe(method === 'POST');
        }
        expect(verifySignature(r, claim, secret)).toBe(true);
        expect(verifySignature(r, claim, secret + ' ')).toBe(false);
        if (method === 'POST') {
          const tampered = { ...r, rawBody: Buffer.from(r.rawBody.toString().replace('DbId', 'DbIx')) };
          expect(tampered.rawBody.equals(r.rawBody)).toBe(false);
          // V1 verifies the parameters carried by the claim; V3 recomputes the body hash from the bytes.
          if (claim.scheme === 'V1') {
            expect(verifySignature(tampered, readSignatureClaim(tampered), secret)).toBe(false);
          } else {
            expectGatewayError(() => readSignatureClaim(tampered), 'SignatureDoesNotMatch');
            expect(verifySignature(tampered, claim, secret)).toBe(false);
          }
        }
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
describe('percentEncode and decodeForm', () => {
  it('percentEncode follows RFC 3986', () => {
    expect(percentEncode("a b*~!'()+/ü")).toBe('a%20b%2A~%21%27%28%29%2B%2F%C3%BC');
  });

  it('decodes +, %20, %2B, empty values, keys without =, and keeps order and duplicates', () => {
    expect(decodeForm('a=1+2&b=1%202&c=1%2B2&d=&e&a=x%3Dy&&=v&f=%E4%B8%AD%F0%9F%98%80')).toEqual([
      ['a', '1 2'], ['b', '1 2'], ['c', '1+2'], ['d', ''], ['e', ''], ['a', 'x=y'], ['', 'v'], ['f', '中😀'],
    ]);
    expect(decodeForm('')).toEqual([]);
    expect(decodeForm('k%2Bx+y=a=b')).toEqual([['k+x y', 'a=b']]);
  });

  it('rejects malformed %-sequences and invalid UTF-8 with 400 InvalidParameter', () => {
    expectGatewayError(() => decodeForm('a=%zz'), 'InvalidParameter');
    expectGatewayError(() => decodeForm('a=%E4%B8'), 'InvalidParameter');
    expectGatewayError(() => decodeForm('a%=1'), 'InvalidParameter');
  });
});

describe('checkTimestamp', () => {
  const now = Date.UTC(2024, 0, 1, 12, 0, 0);
  it('accepts timestamps within the window, with or without fractional seconds', () => {
    expect(checkTimestamp('2024-01-01T12:00:00Z', now, 900)).toBe(now);
    expect(checkTimestamp('2024-01-01T11:45:00Z', now, 900)).toBe(now - 900_000);
    expect(checkTimestamp('2024-01-01T12:15:00Z', now, 900)).toBe(now + 900_000);
    expect(checkTimestamp('2024-01-01T12:00:01.5Z', now, 900)).toBe(now + 1500);
    expect(checkTimestamp('2024-01-01T12:00:01.123Z', now, 900)).toBe(now + 1123);
  });
  it('rejects expired timestamps in both directions', () => {
    expectGatewayError(() => checkTimestamp('2024-01-01T11:44:59Z', now, 900), 'InvalidTimeStamp.Expired', 'expired');
    expectGatewayError(() => checkTimestamp('2024-01-01T12:15:01Z', now, 900), 'InvalidTimeStamp.Expired');
    expectGatewayError(() => checkTimestamp('2023-01-01T12:00:00Z', now, 900), 'InvalidTimeStamp.Expired');
  });
  it('rejects badly formatted timestamps', () => {
    for (const bad of ['', '2024-01-01 12:00:00', '2024-01-01T12:00:00', '2024-01-01T12:00:00+08:00', '2024-1-1T12:00:00Z',
      '2024-02-30T12:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T12:60:00Z', '1704110400', '2024-01-01T12:00:00.Z']) {
      expectGatewayError(() => checkTimestamp(bad, now, 900), 'InvalidTimeStamp.Format', 'not well formatted');
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('readSignatureClaim errors', () => {
  const v1 = (params: Record<string, string>): RawRequest => req({ method: 'GET', rawQuery: querystring.stringify(params) });
  const base: Record<string, string> = {
    AccessKeyId: 'ak', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: 'n', Timestamp: '2024-01-01T00:00:00Z', Signature: 'x',
  };

  it('no signature at all', () => {
    expectGatewayError(() => readSignatureClaim(req({ rawQuery: 'Action=CreateOrder' })), 'MissingSignature');
    expectGatewayError(() => readSignatureClaim(req({ headers: { authorization: 'Bearer abc' } })), 'IncompleteSignature');
  });

  it('V1: missing system parameters, unsupported method/version, duplicates', () => {
    for (const name of ['SignatureNonce', 'Timestamp', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion']) {
      const { [name]: _omit, ...rest } = base;
      expectGatewayError(() => readSignatureClaim(v1(rest)), `Missing${name}`, `${name} is mandatory`);
    }
    expectGatewayError(() => readSignatureClaim(v1({ ...base, SignatureNonce: '' })), 'MissingSignatureNonce');
    expectGatewayError(() => readSignatureClaim(v1({ ...base, SignatureMethod: 'HMAC-SHA256' })), 'InvalidSignatureMethod', 'HMAC-SHA256');
    expectGatewayError(() => readSignatureClaim(v1({ ...base, SignatureVersion: '2.0' })), 'InvalidSignatureVersion', '2.0');
    const dup = req({ rawQuery: querystring.stringify(base) + '&Tid=1', rawBody: Buffer.from('Tid=2'), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } });
    expectGatewayError(() => readSignatureClaim(dup), 'InvalidParameter', 'Tid');
    expectGatewayError(() => readSignatureClaim(req({ method: 'GET', rawQuery: querystring.stringify(base) + '&A=1&A=2' })), 'InvalidParameter', 'Parameter A ');
    // Signature found in the form body only.
    const inBody = req({ rawBody: Buffer.from(querystring.stringify(base)), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(readSignatureClaim(inBody).scheme).toBe('V1');
  });

  const body = Buffer.from('PluginParam=1');
  const good: Record<string, string> = {
    host: 'h', 'content-type': 'application/x-www-form-urlencoded', 'x-acs-action': 'CreateOrder', 'x-acs-date': '2024-01-01T00:00:00Z',
    'x-acs-signature-nonce': 'n', 'x-acs-content-sha256': sha256(body),
    authorization: 'ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce,Signature=abcd',
  };
  const v3 = (headers: Record<string, string | undefined>, rawBody = body): RawRequest => req({ rawBody, headers: { ...good, ...headers } });

  it('V3: the well-formed base case reads', () => {
    expect(readSignatureClaim(v3({}))).toMatchObject({ scheme: 'V3', accessKeyId: 'ak', nonce: 'n', signature: 'abcd' });
  });

  it('V3: malformed Authorization and unsupported algorithms', () => {
    for (const bad of ['ACS3-HMAC-SHA256', 'ACS3-HMAC-SHA256 Credential=ak', 'ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host',
      'ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ab', 'ACS3-HMAC-SHA256 garbage']) {
      expectGatewayError(() => readSignatureClaim(v3({ authorization: bad })), 'IncompleteSignature');
    }
    expectGatewayError(() => readSignatureClaim(v3({ authorization: 'ACS3-RSA-SHA256 Credential=ak,SignedHeaders=host,Signature=ab' })), 'InvalidSignatureMethod', 'ACS3-RSA-SHA256');
  });

  it('V3: missing nonce or date', () => {
    expectGatewayError(() => readSignatureClaim(v3({ 'x-acs-signature-nonce': undefined })), 'MissingSignatureNonce', 'x-acs-signature-nonce');
    expectGatewayError(() => readSignatureClaim(v3({ 'x-acs-date': undefined })), 'MissingTimestamp', 'x-acs-date');
  });

  it('V3: a received host, content-type or x-acs-* header that is not signed', () => {
    expectGatewayError(() => readSignatureClaim(v3({ 'x-acs-version': '2018-11-01' })), 'IncompleteSignature', 'x-acs-version');
    const auth = good.authorization!.replace('content-type;', '');
    expectGatewayError(() => readSignatureClaim(v3({ authorization: auth })), 'IncompleteSignature', 'content-type');
    // Unrelated headers need not be signed.
    expect(readSignatureClaim(v3({ 'user-agent': 'x', accept: 'application/json' })).scheme).toBe('V3');
  });

  it('V3: body hash missing or different', () => {
    expectGatewayError(() => readSignatureClaim(v3({}, Buffer.from('PluginParam=2'))), 'SignatureDoesNotMatch', 'hash of the request body');
    const { 'x-acs-content-sha256': _h, ...noHash } = good;
    const auth = good.authorization!.replace('x-acs-content-sha256;', '');
    expectGatewayError(() => readSignatureClaim(req({ rawBody: body, headers: { ...noHash, authorization: auth } })), 'SignatureDoesNotMatch', 'x-acs-content-sha256');
  });
});

/**
 * Request signatures of the Alibaba Cloud POP gateway, both schemes the real clients use
 * (reference: wire-protocol.md §2, dms-api.md §1.3):
 *
 * - V1 (RPC, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`): a `Signature` parameter in the
 *   query or form body, computed over every other parameter (query ∪ form body).
 * - V3 (`Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`, or the same
 *   with SM3): computed over method, path, query, the signed headers and the body hash.
 *
 * Pure functions over the raw request (no HTTP framework). The caller looks up the secret for the
 * claimed AccessKeyId, checks the timestamp ({@link checkTimestamp}) and the nonce, then calls
 * {@link verifySignature}.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { GatewayError, missingParameter } from './gateway-error.js';

export interface RawRequest {
  /** HTTP method as received, e.g. 'POST'. */
  method: string;
  /** Path without query, e.g. '/'. */
  path: string;
  /** Text after '?', '' if none. */
  rawQuery: string;
  /** Exact body bytes (empty buffer when none). */
  rawBody: Buffer;
  /** Node-style lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
}

export type V3Algorithm = 'ACS3-HMAC-SHA256' | 'ACS3-HMAC-SM3';

export type SignatureClaim =
  | {
      scheme: 'V1';
      accessKeyId: string;
      nonce: string;
      timestamp: string;
      signature: string;
      /** Upper-case HTTP method. */
      method: string;
      /** Merged query ∪ form-body parameters, decoded, without `Signature`. */
      params: Array<[string, string]>;
    }
  | {
      scheme: 'V3';
      algorithm: V3Algorithm;
      accessKeyId: string;
      nonce: string;
      timestamp: string;
      /** Lower-cased, sorted by byte order. */
      signedHeaders: string[];
      signature: string;
    };

/** RFC 3986 percent-encoding used by both schemes (encodeURIComponent + ! ' ( ) * escaped). */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/**
 * Decode application/x-www-form-urlencoded or query text: '+' → space, %XX → UTF-8; keeps order and
 * duplicates. A segment without '=' is a name with an empty value; empty segments are skipped.
 */
export function decodeForm(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const segment of text.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const rawName = eq < 0 ? segment : segment.slice(0, eq);
    const rawValue = eq < 0 ? '' : segment.slice(eq + 1);
    out.push([decodeComponent(rawName), decodeComponent(rawValue)]);
  }
  return out;
}

function decodeComponent(raw: string): string {
  try {
    // '+' must become a space before %-decoding, so that '%2B' stays a literal '+'.
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // Malformed %-sequence or %-encoded bytes that are not valid UTF-8.
    throw new GatewayError(400, 'InvalidParameter', `The request contains malformed percent-encoding: ${raw.slice(0, 64)}`);
  }
}

/** Byte order of the UTF-8 names (what the Go SDK does; identical to JS sort for BMP names). */
function byName(a: [string, string], b: [string, string]): number {
  return Buffer.compare(Buffer.from(a[0], 'utf8'), Buffer.from(b[0], 'utf8'));
}

/** A header as one string: arrays (repeated headers) are trimmed, sorted and joined with ','. */
function headerValue(headers: RawRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((x) => x.trim()).sort().join(',');
  return v.trim();
}

function isFormBody(req: RawRequest): boolean {
  const ct = headerValue(req.headers, 'content-type');
  return ct !== undefined && ct.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/**
 * Works out which scheme the request uses and extracts the claim; does not need the secret.
 * V3 when `authorization` starts with 'ACS3-'; V1 when a `Signature` parameter is present.
 */
export function readSignatureClaim(req: RawRequest): SignatureClaim {
  const authorization = headerValue(req.headers, 'authorization');
  if (authorization !== undefined && authorization.startsWith('ACS3-')) return readV3Claim(req, authorization);

  const params = [...decodeForm(req.rawQuery), ...(isFormBody(req) ? decodeForm(req.rawBody.toString('utf8')) : [])];
  if (params.some(([name]) => name === 'Signature')) return readV1Claim(req, params);

  if (authorization !== undefined) {
    throw new GatewayError(400, 'IncompleteSignature', 'The Authorization header is not an ACS3 signature and no Signature parameter is present.');
  }
  throw new GatewayError(400, 'MissingSignature', 'Signature is mandatory for this action.');
}

function readV1Claim(req: RawRequest, all: Array<[string, string]>): SignatureClaim {
  // The signature covers the union of query and body; a name given twice would make the signed set
  // ambiguous (clients never send duplicates), so reject it.
  const seen = new Map<string, string>();
  for (const [name, value] of all) {
    if (seen.has(name)) throw new GatewayError(400, 'InvalidParameter', `Parameter ${name} is specified more than once.`);
    seen.set(name, value);
  }
  const required = (name: string): string => {
    const v = seen.get(name);
    if (v === undefined || v === '') throw missingParameter(name);
    return v;
  };
  const signature = required('Signature');
  const method = required('SignatureMethod');
  if (method !== 'HMAC-SHA1') {
    throw new GatewayError(400, 'InvalidSignatureMethod', `Specified signature method ${method} is not supported.`);
  }
  const version = required('SignatureVersion');
  if (version !== '1.0') {
    throw new GatewayError(400, 'InvalidSignatureVersion', `Specified signature version ${version} is not supported.`);
  }
  return {
    scheme: 'V1',
    accessKeyId: required('AccessKeyId'),
    nonce: required('SignatureNonce'),
    timestamp: required('Timestamp'),
    signature,
    method: req.method.toUpperCase(),
    params: all.filter(([name]) => name !== 'Signature'),
  };
}

const V3_ALGORITHMS: ReadonlySet<string> = new Set<V3Algorithm>(['ACS3-HMAC-SHA256', 'ACS3-HMAC-SM3']);

function readV3Claim(req: RawRequest, authorization: string): SignatureClaim {
  // `ACS3-HMAC-SHA256 Credential=<ak>,SignedHeaders=<h1;h2>,Signature=<hex>`
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (!V3_ALGORITHMS.has(algorithm)) {
    throw new GatewayError(400, 'InvalidSignatureMethod', `Specified signature algorithm ${algorithm} is not supported.`);
  }
  const fields = new Map<string, string>();
  for (const part of (space < 0 ? '' : authorization.slice(space + 1)).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaderList = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaderList || !signature) {
    throw new GatewayError(400, 'IncompleteSignature', 'The Authorization header must contain Credential, SignedHeaders and Signature.');
  }
  const signedHeaders = [...new Set(signedHeaderList.split(';').map((h) => h.trim().toLowerCase()))]
    .filter((h) => h !== '')
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  const timestamp = headerValue(req.headers, 'x-acs-date');
  if (!timestamp) throw new GatewayError(400, 'MissingTimestamp', 'The x-acs-date header is mandatory for this action.');
  const nonce = headerValue(req.headers, 'x-acs-signature-nonce');
  if (!nonce) throw new GatewayError(400, 'MissingSignatureNonce', 'The x-acs-signature-nonce header is mandatory for this action.');

  // Every header the client would have signed must be signed, or a proxy/attacker could add one.
  const signedSet = new Set(signedHeaders);
  for (const [rawName, value] of Object.entries(req.headers)) {
    const name = rawName.toLowerCase();
    if (value === undefined) continue;
    if ((name === 'host' || name === 'content-type' || name.startsWith('x-acs-')) && !signedSet.has(name)) {
      throw new GatewayError(400, 'IncompleteSignature', `The header ${name} is present but not listed in SignedHeaders.`);
    }
  }

  // The client sends the body hash (SHA-256, or SM3 for ACS3-HMAC-SM3) in x-acs-content-sha256.
  const claimedHash = headerValue(req.headers, 'x-acs-content-sha256');
  if (claimedHash === undefined) {
    throw new GatewayError(400, 'SignatureDoesNotMatch', 'The x-acs-content-sha256 header (hash of the request body) is missing.');
  }
  const bodyHash = hashHex(req.rawBody, algorithm as V3Algorithm);
  if (claimedHash !== bodyHash) {
    throw new GatewayError(400, 'SignatureDoesNotMatch', `The x-acs-content-sha256 header does not match the hash of the request body; server hash is [${bodyHash}].`);
  }
  return { scheme: 'V3', algorithm: algorithm as V3Algorithm, accessKeyId, nonce, timestamp, signedHeaders, signature };
}

function hashHex(data: Buffer | string, algorithm: V3Algorithm): string {
  return createHash(algorithm === 'ACS3-HMAC-SM3' ? 'sm3' : 'sha256').update(data).digest('hex');
}

/**
 * The string-to-sign the server computes for this request and claim, for failure messages
 * (`Specified signature does not match our calculation. server StringToSign is [...]`).
 * V1: `METHOD&%2F&<encoded canonical query>`. V3: `<algorithm>\n<hex hash of canonical request>`.
 */
export function serverStringToSign(req: RawRequest, claim: SignatureClaim): string {
  if (claim.scheme === 'V1') {
    const canonical = [...claim.params]
      .sort(byName)
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
      .join('&');
    return `${claim.method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  }
  const canonicalQuery = decodeForm(req.rawQuery)
    .sort(byName)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  // An absent signed header is canonicalized as empty, like the client does (`header[key] || ""`).
  const canonicalHeaders = claim.signedHeaders.map((h) => `${h}:${headerValue(req.headers, h) ?? ''}\n`).join('');
  const canonicalRequest = [
    req.method.toUpperCase(),
    req.path,
    canonicalQuery,
    canonicalHeaders, // ends with '\n', so an empty line precedes the signed-header list
    claim.signedHeaders.join(';'),
    // Recomputed from the bytes (not taken from the header) so verification stands on its own.
    hashHex(req.rawBody, claim.algorithm),
  ].join('\n');
  return `${claim.algorithm}\n${hashHex(canonicalRequest, claim.algorithm)}`;
}

/** Recomputes the signature with the secret; constant-time comparison. */
export function verifySignature(req: RawRequest, claim: SignatureClaim, secret: string): boolean {
  const stringToSign = serverStringToSign(req, claim);
  let expected: string;
  let received: string;
  if (claim.scheme === 'V1') {
    // V1 key is the secret followed by '&' (an empty token-secret slot); base64 signature.
    expected = createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
    received = claim.signature;
  } else {
    const hmac = claim.algorithm === 'ACS3-HMAC-SM3' ? 'sm3' : 'sha256';
    expected = createHmac(hmac, secret).update(stringToSign, 'utf8').digest('hex');
    received = claim.signature.toLowerCase();
  }
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  // timingSafeEqual needs equal lengths; the length of a signature is not secret.
  return a.length === b.length && timingSafeEqual(a, b);
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/**
 * Validates a UTC timestamp `YYYY-MM-DDThh:mm:ssZ` (optional fractional seconds) and that it lies
 * within ±windowSeconds of nowMs. Returns the parsed epoch milliseconds.
 */
export function checkTimestamp(timestamp: string, nowMs: number, windowSeconds: number): number {
  const m = TIMESTAMP_RE.exec(timestamp);
  const badFormat = (): GatewayError =>
    new GatewayError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
  if (!m) throw badFormat();
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const epoch = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC silently rolls over (Feb 30 → Mar 2, 24:00 → next day); a round trip catches that.
  const back = new Date(epoch);
  if (
    back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d ||
    back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s
  ) {
    throw badFormat();
  }
  if (Math.abs(epoch - nowMs) > windowSeconds * 1000) {
    // The reference's text first; then what a client with a wrong clock needs to see (issue 8 §4).
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const off = Math.round(Math.abs(epoch - nowMs) / 1000);
    throw new GatewayError(
      400,
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired. The request time ${timestamp} is ${off} s ${epoch < nowMs ? 'behind' : 'ahead of'} the server time ${iso(nowMs)}, outside the accepted window of ±${windowSeconds} s: check the client's clock.`,
    );
  }
  return epoch;
}

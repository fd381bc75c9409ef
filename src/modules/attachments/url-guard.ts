import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { AppError } from '../../errors.js';
import { AddressNotAllowedError, resolveAllowed, type AllowList } from '../../lib/net-guard.js';

/**
 * Fetching a caller-supplied URL without letting the caller reach the service's own network
 * (SSRF). The address policy (loopback, private, link-local, CGNAT, multicast, reserved refused
 * unless in OPENDMS_UPLOAD_ALLOWED_HOSTS) is `lib/net-guard.ts`, shared with webhooks; this file
 * applies it to every hop of a download:
 * - only http and https, also for redirect targets;
 * - the host is resolved once (all addresses), every address checked (one bad address refuses
 *   the host), and the connection goes to exactly those addresses through a pinned `lookup`: no
 *   second DNS answer can slip in between check and connect (DNS rebinding);
 * - IP literals are checked the same way (Node does not call `lookup` for them);
 * - at most `maxRedirects` redirects, each target checked before it is contacted;
 * - no proxy, no connection reuse (`agent: false`), no credentials in the URL.
 * Size and time limits are the caller's (the body stream is returned as it arrives).
 */

/** A refusal or failure of the fetch; `permanent` ones are not worth retrying. */
export class UrlFetchError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'UrlFetchError';
  }
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * The UploadURL as DMS validates it: anything but http(s) is `InvalidParameterValid` with DMS's own
 * message (`scheme : null` when there is no scheme at all).
 */
export function parseUploadUrl(text: string): URL {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text.trim())?.[1]?.toLowerCase() ?? 'null';
  if (scheme !== 'http' && scheme !== 'https') {
    throw new AppError('InvalidParameterValid', `Unsupported url scheme : ${scheme}, scheme must be https or http`);
  }
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new AppError('InvalidUploadURL', 'Specified parameter UploadURL is not valid: not a well-formed URL.');
  }
  if (url.hostname === '') throw new AppError('InvalidUploadURL', 'Specified parameter UploadURL is not valid: the URL has no host.');
  if (url.username !== '' || url.password !== '') {
    throw new AppError('InvalidUploadURL', 'Specified parameter UploadURL is not valid: user names and passwords in the URL are not supported; use a pre-signed URL.');
  }
  return url;
}

export interface GuardedFetchOptions {
  allow: AllowList;
  /** Aborts connecting, redirects and the body stream (time limit, shutdown). */
  signal: AbortSignal;
  maxRedirects: number;
  /** For tests: resolves a host name to all its addresses (default: the system resolver). */
  lookup?: Parameters<typeof resolveAllowed>[2];
}

/**
 * GETs `url`, following redirects under the rules above, and returns the final response with its
 * body unread (any status but a redirect). Refusals are permanent `UrlFetchError`s; network
 * failures are passed through as they come.
 */
export async function fetchGuarded(start: URL, opts: GuardedFetchOptions): Promise<{ response: http.IncomingMessage; url: URL }> {
  let url = start;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UrlFetchError(`redirected to the unsupported scheme ${url.protocol.slice(0, -1)} (only http and https are fetched)`, true);
    }
    if (url.username !== '' || url.password !== '') throw new UrlFetchError('redirected to a URL with credentials, which is not followed', true);
    const addresses = await resolveChecked(url, opts, hop > 0);
    const response = await get(url, addresses, opts.signal);
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0)) return { response, url };
    response.resume();
    const location = response.headers.location;
    if (!location) throw new UrlFetchError(`HTTP ${response.statusCode} redirect without a Location header`, true);
    if (hop >= opts.maxRedirects) throw new UrlFetchError(`more than ${opts.maxRedirects} redirects`, true);
    try {
      url = new URL(location, url);
    } catch {
      throw new UrlFetchError('redirected to a malformed URL', true);
    }
  }
}

async function resolveChecked(url: URL, opts: GuardedFetchOptions, redirected: boolean): Promise<string[]> {
  try {
    return await resolveAllowed(url.hostname, opts.allow, opts.lookup);
  } catch (e) {
    if (e instanceof AddressNotAllowedError) {
      throw new UrlFetchError(`refused to fetch from ${url.host}${redirected ? ' (redirect target)' : ''}: ${e.message} (OPENDMS_UPLOAD_ALLOWED_HOSTS)`, true);
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') throw new UrlFetchError(`the host ${url.hostname} does not resolve`, true);
    throw e;
  }
}

/** A `lookup` that answers with the already checked addresses and never asks DNS again. */
function pinnedLookup(addresses: readonly string[]): net.LookupFunction {
  return ((_hostname: string, options: { family?: number | string; all?: boolean }, callback: (...args: unknown[]) => void) => {
    const want = options.family === 'IPv4' || options.family === 4 ? 4 : options.family === 'IPv6' || options.family === 6 ? 6 : 0;
    const list = addresses.map((address) => ({ address, family: net.isIP(address) })).filter((a) => want === 0 || a.family === want);
    if (list.length === 0) return callback(Object.assign(new Error('no checked address of the wanted family'), { code: 'ENOTFOUND' }));
    if (options.all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  }) as net.LookupFunction;
}

function get(url: URL, addresses: readonly string[], signal: AbortSignal): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        protocol: url.protocol,
        hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { 'user-agent': 'OpenDMS-upload/1', accept: '*/*' },
        lookup: pinnedLookup(addresses),
        agent: false,
        signal,
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * The upload URL guard: URL validation, the address policy (CIDR ranges, IPv4 inside IPv6, the
 * allow list) as the upload jobs apply it, and redirects / pinned connections against a loopback
 * server. No traffic leaves the machine: refused addresses are refused before connecting, and host
 * names resolve through a fake resolver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { parseAllowList, resolveAllowed } from '../../lib/net-guard.js';
import { fetchGuarded, parseUploadUrl, UrlFetchError } from './url-guard.js';

describe('parseUploadUrl', () => {
  it('accepts http and https only, with the DMS error text', () => {
    expect(parseUploadUrl('https://files.example.com/a.sql').hostname).toBe('files.example.com');
    expect(parseUploadUrl('HTTP://files.example.com/a.sql').protocol).toBe('http:');
    for (const [url, scheme] of [
      ['ftp://files.example.com/a.sql', 'ftp'],
      ['file:///etc/passwd', 'file'],
      ['gopher://x/', 'gopher'],
      ['files.example.com/a.sql', 'null'],
      ['//files.example.com/a.sql', 'null'],
    ] as const) {
      const e = (() => {
        try {
          parseUploadUrl(url);
        } catch (err) {
          return err as AppError;
        }
        throw new Error(`accepted ${url}`);
      })();
      expect(e).toBeInstanceOf(AppError);
      expect(e.code).toBe('InvalidParameterValid');
      expect(e.message).toBe(`Unsupported url scheme : ${scheme}, scheme must be https or http`);
    }
  });

  it('refuses malformed URLs and credentials in the URL', () => {
    expect(() => parseUploadUrl('http://')).toThrow(/not a well-formed URL|no host/);
    expect(() => parseUploadUrl('http://user:pw@files.example.com/a.sql')).toThrow(/passwords in the URL/);
  });
});

/** A resolver that knows a few names and never asks DNS. */
const fakeDns: Record<string, string[]> = {
  'public.test': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'loopback.test': ['127.0.0.1'],
  'mixed.test': ['93.184.216.34', '10.0.0.5'],
  'v6private.test': ['fd00::1'],
  'files.corp': ['10.20.0.7'],
};
const lookup = async (host: string) => {
  const list = fakeDns[host];
  if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

async function allowed(host: string, allowList = ''): Promise<boolean> {
  try {
    await resolveAllowed(host, parseAllowList(allowList), lookup);
    return true;
  } catch (e) {
    if ((e as Error).name === 'AddressNotAllowedError') return false;
    throw e;
  }
}

describe('address policy (CIDR ranges)', () => {
  it.each([
    // loopback, "this network", private ranges with their edges
    ['127.0.0.1', false],
    ['127.255.255.254', false],
    ['0.0.0.0', false],
    ['0.1.2.3', false],
    ['10.0.0.1', false],
    ['10.255.255.255', false],
    ['11.0.0.1', true],
    ['172.15.255.255', true],
    ['172.16.0.0', false],
    ['172.31.255.255', false],
    ['172.32.0.0', true],
    ['192.168.0.1', false],
    ['192.169.0.1', true],
    // link-local (cloud metadata), CGNAT, multicast, reserved and broadcast
    ['169.254.169.254', false],
    ['169.255.0.1', true],
    ['100.63.255.255', true],
    ['100.64.0.1', false],
    ['100.127.255.255', false],
    ['100.128.0.0', true],
    ['224.0.0.1', false],
    ['239.255.255.250', false],
    ['240.0.0.1', false],
    ['255.255.255.255', false],
    // IPv6: loopback, unspecified, unique local, link-local, multicast, public
    ['::1', false],
    ['::', false],
    ['fc00::1', false],
    ['fdff:ffff::1', false],
    ['fe80::1', false],
    ['febf:ffff::1', false],
    ['ff02::1', false],
    ['2606:4700:4700::1111', true],
    // IPv4 inside IPv6 is judged by its IPv4 address
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:169.254.169.254', false],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::10.0.0.1', false],
    ['64:ff9b::8.8.8.8', true],
    ['[::1]', false],
    ['8.8.8.8', true],
  ])('%s allowed: %s', async (address, expected) => {
    expect(await allowed(address)).toBe(expected);
  });

  it('a host name is judged by every address it resolves to', async () => {
    expect(await allowed('public.test')).toBe(true);
    expect(await allowed('loopback.test')).toBe(false);
    expect(await allowed('mixed.test')).toBe(false); // one private address refuses the host
    expect(await allowed('v6private.test')).toBe(false);
  });

  it('the allow list opens exactly the listed hosts, addresses and ranges', async () => {
    expect(await allowed('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(await allowed('127.0.0.2', '127.0.0.1')).toBe(false);
    expect(await allowed('loopback.test', '127.0.0.1')).toBe(true); // the address is listed
    expect(await allowed('10.1.2.3', '10.1.0.0/16')).toBe(true);
    expect(await allowed('10.2.0.1', '10.1.0.0/16')).toBe(false);
    expect(await allowed('::ffff:10.1.2.3', '10.1.0.0/16')).toBe(true);
    expect(await allowed('fd12::1', 'fd00::/8')).toBe(true);
    expect(await allowed('fe80::1', 'fd00::/8')).toBe(false);
    expect(await allowed('files.corp', 'files.corp')).toBe(true); // the host is listed
    expect(await allowed('files.corp', 'other.corp, 127.0.0.1')).toBe(false);
    expect(await allowed('169.254.169.254', '10.0.0.0/8,files.corp')).toBe(false);
  });

  it('malformed allow-list entries are refused', () => {
    expect(() => parseAllowList('10.0.0.0/33')).toThrow(/CIDR/);
    expect(() => parseAllowList('10.0.0.0/x')).toThrow(/CIDR/);
    expect(() => parseAllowList('http://x')).toThrow();
  });
});

describe('fetchGuarded', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const hops = /^\/hop\/(\d+)$/.exec(req.url ?? '');
      if (hops) {
        const n = Number(hops[1]);
        res.writeHead(302, { location: n === 0 ? '/file' : `/hop/${n - 1}` }).end();
      } else if (req.url === '/to-metadata') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.url === '/to-ftp') res.writeHead(301, { location: 'ftp://127.0.0.1/x.sql' }).end();
      else if (req.url === '/to-loopback-name') res.writeHead(307, { location: `http://loopback.test:${(server.address() as AddressInfo).port}/file` }).end();
      else res.writeHead(200, { 'content-type': 'text/plain', 'x-host': req.headers.host ?? '' }).end('select 1;');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const opts = (allow = '127.0.0.1') => ({ allow: parseAllowList(allow), signal: AbortSignal.timeout(5000), maxRedirects: 3, lookup });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => {
        expect(e).toBeInstanceOf(UrlFetchError);
        expect((e as UrlFetchError).permanent).toBe(true);
        return (e as Error).message;
      },
    );

  it('fetches an allowed address and follows up to 3 redirects', async () => {
    const { response, url } = await fetchGuarded(new URL(`${base}/hop/2`), opts());
    expect(response.statusCode).toBe(200);
    expect(url.pathname).toBe('/file');
    response.resume();
    expect(await refusal(fetchGuarded(new URL(`${base}/hop/3`), opts()))).toMatch(/more than 3 redirects/);
  });

  it('refuses loopback unless allowed, before connecting', async () => {
    expect(await refusal(fetchGuarded(new URL(`${base}/file`), opts('')))).toMatch(/127\.0\.0\.1/);
  });

  it('checks every redirect target', async () => {
    expect(await refusal(fetchGuarded(new URL(`${base}/to-metadata`), opts()))).toMatch(/169\.254\.169\.254.*redirect target|redirect target.*169\.254\.169\.254/);
    expect(await refusal(fetchGuarded(new URL(`${base}/to-ftp`), opts()))).toMatch(/unsupported scheme ftp/);
  });

  it('connects to the checked addresses of a name (pinned lookup, Host header kept)', async () => {
    // loopback.test exists only in the fake resolver: reaching the server proves the connection
    // used the checked answer, not a second DNS lookup.
    const { response } = await fetchGuarded(new URL(`${base}/to-loopback-name`), opts());
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-host']).toBe(`loopback.test:${(server.address() as AddressInfo).port}`);
    response.resume();
    expect(await refusal(fetchGuarded(new URL('http://mixed.test/x.sql'), opts()))).toMatch(/mixed\.test resolves to 10\.0\.0\.5/);
    expect(await refusal(fetchGuarded(new URL('http://nowhere.test/x.sql'), opts()))).toMatch(/does not resolve/);
  });
});

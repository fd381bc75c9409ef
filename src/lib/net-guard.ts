import dns from 'node:dns';
import net from 'node:net';

/**
 * Keeps outbound requests made on a user's behalf (webhooks, URL uploads) away from the service's
 * own network (SSRF): loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT,
 * multicast and reserved addresses are refused unless an operator allows them with a list of
 * hosts and CIDR ranges (e.g. `OPENDMS_WEBHOOK_ALLOWED_HOSTS=127.0.0.1,10.1.0.0/16,hooks.corp`).
 *
 * Checking a hostname once and connecting later is not enough (DNS rebinding): senders pass
 * `guardedLookup` to `http.request`, so the addresses actually connected to are the checked ones.
 */

/** IPv4 ranges that are not the public internet (RFC 6890 special-purpose registry). */
const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/** IPv6 ranges that are not the public internet. IPv4-embedding forms are unwrapped first. */
const BLOCKED_V6: readonly [string, number][] = [
  ['::', 96], // unspecified, loopback, deprecated IPv4-compatible
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

const BLOCKED = (() => {
  const list = new net.BlockList();
  for (const [a, p] of BLOCKED_V4) list.addSubnet(a, p, 'ipv4');
  for (const [a, p] of BLOCKED_V6) list.addSubnet(a, p, 'ipv6');
  return list;
})();

/** Hosts and address ranges an operator allowed despite the rules above. */
export interface AllowList {
  /** Lower-case hostnames (or IP literals) matched against the URL's host as written. */
  readonly hosts: ReadonlySet<string>;
  /** IPs and CIDR ranges matched against every address the host resolves to. */
  readonly ranges: net.BlockList;
}

/** Refused by the guard; callers treat it as permanent (retrying will not help). */
export class AddressNotAllowedError extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(
      host === address
        ? `address ${address} is loopback, private, link-local or reserved, and not in the allowed hosts`
        : `host ${host} resolves to ${address}, which is loopback, private, link-local or reserved, and not in the allowed hosts`,
    );
    this.name = 'AddressNotAllowedError';
  }
}

/**
 * Parses a comma-separated list (or its items) of hostnames, IP addresses and CIDR ranges.
 * Throws on a malformed range, so a typo in the configuration stops the service at start.
 */
export function parseAllowList(entries: string | readonly string[] | undefined): AllowList {
  const items = (typeof entries === 'string' ? entries.split(',') : (entries ?? [])).map((s) => s.trim()).filter((s) => s !== '');
  const hosts = new Set<string>();
  const ranges = new net.BlockList();
  for (const item of items) {
    const slash = item.indexOf('/');
    if (slash >= 0) {
      const addr = stripBrackets(item.slice(0, slash));
      const bits = Number(item.slice(slash + 1));
      const family = net.isIP(addr);
      if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
        throw new Error(`"${item}" is not a valid CIDR range`);
      }
      ranges.addSubnet(addr, bits, family === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const addr = stripBrackets(item);
    const family = net.isIP(addr);
    if (family !== 0) ranges.addAddress(addr, family === 4 ? 'ipv4' : 'ipv6');
    else if (/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(item)) hosts.add(item.toLowerCase());
    else throw new Error(`"${item}" is neither a hostname, an IP address nor a CIDR range`);
  }
  return { hosts, ranges };
}

/** An IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address's IPv4 part. */
function embeddedV4(ip: string): string | undefined {
  const words = expandV6(ip);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (n: number) => words.slice(0, n).every((w) => w === 0);
  if (zeros(5) && words[5] === 0xffff) return v4(words[6]!, words[7]!);
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (with `::` and a trailing dotted quad expanded). */
function expandV6(ip: string): number[] | undefined {
  if (net.isIPv6(ip) === false) return undefined;
  let text = ip.split('%')[0]!;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, quad.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  const words = [...left, ...fill, ...right];
  return words.length === 8 ? words : undefined;
}

/** True for addresses outside the public internet (see the tables above). */
export function isPrivateAddress(ip: string): boolean {
  const addr = stripBrackets(ip);
  const family = net.isIP(addr);
  if (family === 4) return BLOCKED.check(addr, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(addr);
    return v4 !== undefined ? BLOCKED.check(v4, 'ipv4') : BLOCKED.check(addr.split('%')[0]!, 'ipv6');
  }
  return true; // not an address at all: never connect to it
}

/** Whether connecting to `ip` is allowed: a public address, or one inside the allowed ranges. */
export function isAddressAllowed(ip: string, allow: AllowList): boolean {
  const addr = stripBrackets(ip).split('%')[0]!;
  const family = net.isIP(addr);
  if (family === 0) return false;
  if (!isPrivateAddress(addr)) return true;
  if (allow.ranges.check(addr, family === 4 ? 'ipv4' : 'ipv6')) return true;
  const v4 = family === 6 ? embeddedV4(addr) : undefined;
  return v4 !== undefined && allow.ranges.check(v4, 'ipv4');
}

export function isHostAllowlisted(host: string, allow: AllowList): boolean {
  return allow.hosts.has(stripBrackets(host).toLowerCase());
}

type LookupAll = (host: string, options: dns.LookupAllOptions) => Promise<dns.LookupAddress[]>;

/**
 * Resolves `host` (a hostname or an IP literal) and checks every address; throws
 * `AddressNotAllowedError` if any is refused (a host with one private address is refused whole).
 * Returns the addresses. DNS failures are thrown as they come (`ENOTFOUND`, …).
 */
export async function resolveAllowed(host: string, allow: AllowList, lookup: LookupAll = dns.promises.lookup): Promise<string[]> {
  const name = stripBrackets(host);
  if (net.isIP(name) !== 0) {
    if (!isHostAllowlisted(name, allow) && !isAddressAllowed(name, allow)) throw new AddressNotAllowedError(name, name);
    return [name];
  }
  const addresses = (await lookup(name, { all: true, verbatim: true })).map((a) => a.address);
  if (isHostAllowlisted(name, allow)) return addresses;
  for (const a of addresses) if (!isAddressAllowed(a, allow)) throw new AddressNotAllowedError(name, a);
  return addresses;
}

/**
 * A `lookup` for `http.request`/`net.connect` that refuses disallowed addresses at connect time.
 * Node skips `lookup` for IP literals: check those with `resolveAllowed` before connecting.
 */
export function guardedLookup(allow: AllowList): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: any[]) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const list = addresses as dns.LookupAddress[];
      if (!isHostAllowlisted(hostname, allow)) {
        const bad = list.find((a) => !isAddressAllowed(a.address, allow));
        if (bad) return callback(new AddressNotAllowedError(hostname, bad.address));
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
      return callback(null, first.address, first.family);
    });
  }) as net.LookupFunction;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

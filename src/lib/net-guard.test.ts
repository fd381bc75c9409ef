import { describe, expect, it } from 'vitest';
import { AddressNotAllowedError, isAddressAllowed, isPrivateAddress, parseAllowList, resolveAllowed } from './net-guard.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'fd00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.1.2.3',
    '64:ff9b::a9fe:a9fe',
    '2002:c0a8:0101::1',
    'not-an-ip',
  ])('%s is refused', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:0808:0808::1'])('%s is public', (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  );
});

describe('allow list', () => {
  const allow = parseAllowList('127.0.0.1, 10.1.0.0/16, [fd00::5], hooks.CORP.example');

  it('allows listed addresses and ranges, also in IPv4-mapped form, and public addresses', () => {
    expect(isAddressAllowed('127.0.0.1', allow)).toBe(true);
    expect(isAddressAllowed('::ffff:127.0.0.1', allow)).toBe(true);
    expect(isAddressAllowed('10.1.200.3', allow)).toBe(true);
    expect(isAddressAllowed('fd00::5', allow)).toBe(true);
    expect(isAddressAllowed('8.8.4.4', allow)).toBe(true);
    expect(isAddressAllowed('127.0.0.2', allow)).toBe(false);
    expect(isAddressAllowed('10.2.0.1', allow)).toBe(false);
    expect(isAddressAllowed('fd00::6', allow)).toBe(false);
    expect(allow.hosts.has('hooks.corp.example')).toBe(true);
  });

  it('rejects malformed entries', () => {
    expect(() => parseAllowList('10.0.0.0/33')).toThrow(/CIDR/);
    expect(() => parseAllowList('nope/8')).toThrow(/CIDR/);
    expect(() => parseAllowList('bad host!')).toThrow(/neither/);
    expect(parseAllowList(undefined).hosts.size).toBe(0);
  });

  it('resolveAllowed refuses a host if any of its addresses is refused (and the host is not listed)', async () => {
    const lookup = async (host: string) =>
      (host === 'mixed.example' ? ['93.184.216.34', '10.9.9.9'] : ['192.168.0.7']).map((address) => ({ address, family: 4 }));
    await expect(resolveAllowed('mixed.example', allow, lookup)).rejects.toBeInstanceOf(AddressNotAllowedError);
    await expect(resolveAllowed('mixed.example', allow, lookup)).rejects.toThrow(/mixed\.example resolves to 10\.9\.9\.9/);
    await expect(resolveAllowed('hooks.corp.example', allow, lookup)).resolves.toEqual(['192.168.0.7']);
    await expect(resolveAllowed('[::1]', allow, lookup)).rejects.toThrow(/address ::1/);
    await expect(resolveAllowed('127.0.0.1', allow, lookup)).resolves.toEqual(['127.0.0.1']);
  });
});

// The SSRF guard: sesd connects to hosts its users name (HTTP/S subscriptions' endpoints, the
// domains of the addresses it delivers to in mx mode), so unless the operator allows it (capture
// mode, where the developer's app runs on this machine, or sns.allowPrivateEndpoints /
// delivery.allowPrivateAddresses) it refuses loopback, private, link-local and other non-public
// addresses. A host is resolved here and the connection goes to the address that was checked, so a
// DNS answer that changes between check and connect cannot get around it.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  // No ::ffff:0:0/96 rule: BlockList matches IPv4 addresses against it; mapped addresses are checked as IPv4 below.
  // ::/96 holds :: and ::1, and the old IPv4-compatible form (::7f00:1 is 127.0.0.1); NAT64 (64:ff9b::/96 and the
  // local-use 64:ff9b:1::/48), 6to4 (2002::/16) and Teredo (2001::/32) carry an IPv4 address inside.
  ['::', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 32], ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');

export class EndpointRefused extends Error {}

/** Whether an address is one the guard refuses (loopback, private, link-local, reserved...). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Resolves `host` to the address to connect to; throws EndpointRefused for a non-public one unless allowed. */
export async function resolveEndpoint(host: string, allowPrivate: boolean): Promise<{ address: string; family: number }> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  const candidates = family ? [{ address: bare, family }] : await lookup(bare, { all: true, verbatim: true });
  if (candidates.length === 0) throw new Error(`${host} has no address`);
  if (!allowPrivate) {
    const refused = candidates.find((c) => isNonPublicAddress(c.address));
    if (refused) throw new EndpointRefused(`${host} resolves to ${refused.address}, a loopback or private address: refused (set sns.allowPrivateEndpoints to allow it)`);
  }
  return candidates[0]!;
}

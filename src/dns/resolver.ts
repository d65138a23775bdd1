// The DNS resolver sesd uses for identity verification (and MX lookups): the system's, or the
// servers configured in SESD_DNS_SERVERS (`host:port,...`), so tests can run their own.
import { promises as dns } from 'node:dns';

export function createResolver(servers: string): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
  const list = servers.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length) resolver.setServers(list.map(toResolverAddress));
  return resolver;
}

/** `127.0.0.1:5353` and `[::1]:5353` as node wants them; a bare host uses port 53. */
function toResolverAddress(server: string): string {
  return /^\[.*\]$|^[^:]+$|^[^:]+:\d+$|^\[.*\]:\d+$/.test(server) ? server : `[${server}]`;
}

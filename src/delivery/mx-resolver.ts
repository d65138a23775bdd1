// Where mail for a domain goes (RFC 5321 5.1): its MX hosts in preference order (equal preferences
// shuffled), each with its IPv4 then IPv6 addresses; without MX records the domain itself (implicit
// MX); a null MX (RFC 7505) means the domain takes no mail. The resolver is sesd's (src/dns), whose
// servers are configurable so tests run their own.
import type { Resolver } from 'node:dns/promises';
import { isNonPublicAddress } from '../net/endpoint-guard.js';

export interface MxRoute {
  host: string;
  addresses: string[];
}

export type MxLookup =
  | { kind: 'routes'; routes: MxRoute[] }
  | { kind: 'null-mx' }
  /** Every address of the domain is loopback, private or reserved, which sesd does not deliver to unless allowed. */
  | { kind: 'non-public'; addresses: string[] }
  /** Nothing to try now; DNS may answer differently later, so this defers rather than bounces. */
  | { kind: 'unresolved'; reason: string };

export type MxResolve = (domain: string) => Promise<MxLookup>;

/**
 * `allowPrivate`: deliver to loopback, private and reserved addresses too. Without it (the default:
 * the recipients' domains are the senders' choice, and an address literal or an MX pointing inside
 * the operator's network would make sesd an SMTP client there) such addresses are left out.
 */
export function mxResolver(resolver: Resolver, allowPrivate = false): MxResolve {
  const resolve = routesOf(resolver);
  return async (domain) => {
    const lookup = await resolve(domain);
    if (allowPrivate || lookup.kind !== 'routes') return lookup;
    const routes = lookup.routes.map((r) => ({ ...r, addresses: r.addresses.filter((a) => !isNonPublicAddress(a)) })).filter((r) => r.addresses.length > 0);
    return routes.length > 0 ? { kind: 'routes', routes } : { kind: 'non-public', addresses: lookup.routes.flatMap((r) => r.addresses) };
  };
}

function routesOf(resolver: Resolver): MxResolve {
  const addresses = async (host: string): Promise<string[]> => {
    const [v4, v6] = await Promise.all([resolver.resolve4(host).catch(() => []), resolver.resolve6(host).catch(() => [])]);
    return [...v4, ...v6];
  };

  return async (domain) => {
    const literal = /^\[(?:IPv6:)?([0-9a-fA-F:.]+)\]$/.exec(domain);
    if (literal) return { kind: 'routes', routes: [{ host: literal[1]!, addresses: [literal[1]!] }] };
    let records: { exchange: string; priority: number }[];
    try {
      records = await resolver.resolveMx(domain);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ENODATA' && code !== 'ENOTFOUND') return { kind: 'unresolved', reason: `451 4.4.3 MX lookup for ${domain} failed (${code ?? String(err)})` };
      records = [];
    }
    if (records.length === 1 && (records[0]!.exchange === '' || records[0]!.exchange === '.')) return { kind: 'null-mx' };
    if (records.length === 0) {
      const own = await addresses(domain);
      if (own.length === 0) return { kind: 'unresolved', reason: `451 4.4.4 ${domain} has no MX, A or AAAA records` };
      return { kind: 'routes', routes: [{ host: domain, addresses: own }] };
    }
    const ordered = records.map((r) => ({ ...r, tie: Math.random() })).sort((a, b) => a.priority - b.priority || a.tie - b.tie);
    const routes = await Promise.all(ordered.map(async (r) => ({ host: r.exchange, addresses: await addresses(r.exchange) })));
    const usable = routes.filter((r) => r.addresses.length > 0);
    if (usable.length === 0) return { kind: 'unresolved', reason: `451 4.4.4 no address for the MX hosts of ${domain}` };
    return { kind: 'routes', routes: usable };
  };
}

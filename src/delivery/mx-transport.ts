// mx mode: direct delivery to the recipient domain's MX hosts. Every host and address is tried in
// preference order until one answers; an answer (accept, 4xx, 5xx) ends the walk, a failure to get
// one moves on. Connections are reused per host; concurrency is capped per destination domain.
import { KeyedLimiter } from './keyed-limiter.js';
import type { MxResolve } from './mx-resolver.js';
import { failedAll, isConnectionFailure, resultsFromError, resultsFromInfo, type SmtpSendError, type SmtpSendInfo } from './smtp-results.js';
import { SmtpPools } from './smtp-pools.js';
import type { RecipientResult, Transport } from './transport.js';

export interface MxOptions {
  /** EHLO name. */
  hostname: string;
  port: number;
  resolve: MxResolve;
  maxConnectionsPerDomain: number;
}

export function mxTransport(opts: MxOptions): Transport {
  const pools = new SmtpPools({ hostname: opts.hostname, maxConnectionsPerHost: opts.maxConnectionsPerDomain });
  const limiter = new KeyedLimiter(opts.maxConnectionsPerDomain);

  const deliver = async (message: Parameters<Transport['send']>[0]): Promise<RecipientResult[]> => {
    const lookup = await opts.resolve(message.domain);
    if (lookup.kind === 'null-mx') {
      return message.to.map((recipient) => ({ recipient, kind: 'rejected', reply: `556 5.1.10 ${message.domain} does not accept mail (null MX)` }));
    }
    if (lookup.kind === 'unresolved') return failedAll(message.to, lookup.reason, 'Undetermined');
    if (lookup.kind === 'non-public') {
      const reply = `550 5.4.4 ${message.domain} resolves only to non-public addresses (${lookup.addresses.join(', ')}); sesd delivers there only with delivery.allowPrivateAddresses`;
      return message.to.map((recipient) => ({ recipient, kind: 'rejected', reply }));
    }
    let last: RecipientResult[] | undefined;
    for (const route of lookup.routes) {
      for (const address of route.addresses) {
        const transporter = pools.get({ address, port: opts.port, servername: route.host, requireTls: message.requireTls });
        try {
          const info = (await transporter.sendMail({ envelope: { from: message.from, to: message.to }, raw: message.raw })) as SmtpSendInfo;
          return resultsFromInfo(message.to, info, { remoteMtaIp: address, outgoingIp: pools.outgoingIp(address) });
        } catch (err) {
          const e = err as SmtpSendError;
          const peer = { remoteMtaIp: address, outgoingIp: pools.outgoingIp(address) };
          if (!isConnectionFailure(e)) return resultsFromError(message.to, e, peer);
          last = resultsFromError(message.to, e, peer);
        }
      }
    }
    return last ?? failedAll(message.to, `451 4.4.1 no MX host of ${message.domain} answered`, 'TransientCommunicationFailure');
  };

  return {
    name: 'mx',
    async send(message) {
      try {
        return await limiter.run(message.domain, () => deliver(message));
      } catch (err) {
        return failedAll(message.to, `451 4.3.0 ${(err as Error).message}`, 'InternalFailure');
      }
    },
    async close() {
      pools.close();
    },
  };
}

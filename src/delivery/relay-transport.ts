// relay mode: every message goes to one smarthost (SESD_RELAY_URL, smtp:// or smtps://, optional
// user:pass, nodemailer URL options such as ?requireTLS=true) over nodemailer's connection pool.
// STARTTLS is used whenever the smarthost offers it.
import nodemailer from 'nodemailer';
import SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { noDelaySockets } from './smtp-socket.js';
import { failedAll, resultsFromError, resultsFromInfo, type SmtpSendError, type SmtpSendInfo } from './smtp-results.js';
import type { Transport } from './transport.js';

export interface RelayOptions {
  url: string;
  /** EHLO name. */
  hostname: string;
  maxConnections: number;
}

export function relayTransport(opts: RelayOptions): Transport {
  // One smarthost, one route: every connection to it leaves from the same address.
  let outgoingIp: string | undefined;
  const getSocket = noDelaySockets((address) => (outgoingIp = address));
  // SMTPPool itself, not createTransport({url}): the latter keeps only what the URL says.
  const pool = (requireTLS: boolean) =>
    nodemailer.createTransport(new SMTPPool({ pool: true, url: opts.url, name: opts.hostname, getSocket, maxConnections: opts.maxConnections, maxMessages: Infinity, ...(requireTLS ? { requireTLS } : {}) }));
  const base = pool(false);
  // A configuration set's TlsPolicy REQUIRE gets its own pool, one that refuses to go on in clear.
  let strict: nodemailer.Transporter | undefined;
  const transporter = (requireTls: boolean) => (requireTls ? (strict ??= pool(true)) : base);
  return {
    name: 'relay',
    async send(message) {
      if (message.to.length === 0) return failedAll(message.to, 'no recipients', 'InternalFailure');
      try {
        const info = (await transporter(message.requireTls).sendMail({ envelope: { from: message.from, to: message.to }, raw: message.raw })) as SmtpSendInfo;
        return resultsFromInfo(message.to, info, { outgoingIp });
      } catch (err) {
        return resultsFromError(message.to, err as SmtpSendError, { outgoingIp });
      }
    },
    async close() {
      base.close();
      strict?.close();
    },
  };
}

// Connections to receiving hosts, reused across messages (nodemailer's pool, one per host address,
// port and TLS requirement) and closed once a host has been idle for a while.
import nodemailer from 'nodemailer';
import SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { noDelaySockets } from './smtp-socket.js';

export interface HostKey {
  address: string;
  port: number;
  /** The MX host name: the TLS server name. */
  servername: string;
  requireTls: boolean;
}

const IDLE_MS = 30_000;

export class SmtpPools {
  private readonly pools = new Map<string, { transporter: nodemailer.Transporter; lastUsed: number }>();
  /** sesd's own address on its connections to each host address. */
  private readonly localAddresses = new Map<string, string>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly opts: { hostname: string; maxConnectionsPerHost: number }) {
    this.sweeper = setInterval(() => this.sweep(), IDLE_MS).unref();
  }

  get(key: HostKey): nodemailer.Transporter {
    const id = `${key.address}|${key.port}|${key.servername}|${key.requireTls}`;
    let entry = this.pools.get(id);
    if (!entry) {
      const transporter = nodemailer.createTransport(
        new SMTPPool({
          pool: true,
          host: key.address,
          port: key.port,
          name: this.opts.hostname,
          maxConnections: this.opts.maxConnectionsPerHost,
          maxMessages: Infinity,
          connectionTimeout: 30_000,
          greetingTimeout: 30_000,
          socketTimeout: 300_000,
          getSocket: noDelaySockets((local) => this.localAddresses.set(key.address, local)),
          // Opportunistic TLS as MTAs do it: certificates of MX hosts are not verified (no DANE).
          tls: { servername: key.servername, rejectUnauthorized: false },
          ...(key.requireTls ? { requireTLS: true } : { opportunisticTLS: true }),
        }),
      );
      this.pools.set(id, (entry = { transporter, lastUsed: Date.now() }));
    }
    entry.lastUsed = Date.now();
    return entry.transporter;
  }

  /** The local address of the last connection made to `address`. */
  outgoingIp(address: string): string | undefined {
    return this.localAddresses.get(address);
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_MS;
    for (const [id, entry] of this.pools) {
      if (entry.lastUsed < cutoff && entry.transporter.isIdle()) {
        entry.transporter.close();
        this.pools.delete(id);
      }
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const entry of this.pools.values()) entry.transporter.close();
    this.pools.clear();
  }
}

// sesd's authoritative DNS listener for its Easy DKIM zone (dkim.cnameDomain), the part of SES that
// answers for dkim.amazonses.com: a domain publishes `TOKEN._domainkey.DOMAIN CNAME TOKEN.<zone>`,
// delegates <zone> to sesd, and receivers verifying a signature get `TOKEN.<zone> TXT "v=DKIM1; k=rsa;
// p=..."` from here. UDP and TCP (RFC 7766); answers too large for UDP are truncated (TC) so the
// resolver retries over TCP. The zone apex has SOA and NS; unknown names are NXDOMAIN, names outside
// the zone REFUSED. Work per packet is bounded: small packets only, one question, token-shaped names
// only reach the database, a cache, and a cap on lookups in flight. Malformed packets never throw.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';
import type { Logger } from 'pino';
import { txtStrings } from '../domain/identities/dns-records.js';
import { dkimTxtRecord } from '../domain/identities/dkim-keys.js';

export interface AuthoritativeDnsOptions {
  /** The zone served, e.g. `dkim.sesd.local`. */
  zone: string;
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  /** Host name of this server: the zone's NS record and the SOA's primary name server. */
  nameServer: string;
  /** The public key (base64 DER) of an Easy DKIM token, from the store. */
  publicKey: (token: string) => Promise<string | undefined>;
  log?: Logger;
}

export interface AuthoritativeDns {
  port: number;
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const QR = 1 << 15;
// Queries are tiny; anything larger is not one (and would only cost decoding).
const MAX_QUERY_BYTES = 4096;
// RFC 1035's UDP limit, and the EDNS buffer size DNS Flag Day 2020 settled on.
const CLASSIC_UDP = 512;
const MAX_EDNS_UDP = 1232;
const TTL = 300;
// How long a miss is cached by resolvers (SOA minimum) and by this server.
const NEGATIVE_TTL = 60;
// Easy DKIM tokens are 32 base32 characters (dkim-keys.ts): other names never reach the database.
const TOKEN = /^[a-z2-7]{32}$/;
const MAX_LOOKUPS_IN_FLIGHT = 64;
const MAX_TCP_CONNECTIONS = 256;
const TCP_IDLE_MS = 10_000;

/** Answers one DNS message (`maxBytes`: the transport's limit); undefined when it deserves no answer. */
export function createResponder(opts: Pick<AuthoritativeDnsOptions, 'zone' | 'nameServer' | 'publicKey'>): (message: Buffer, transport: 'udp' | 'tcp') => Promise<Buffer | undefined> {
  const zone = opts.zone.toLowerCase().replace(/\.$/, '');
  const serial = Math.floor(Date.now() / 1000) >>> 0;
  const soa = (name: string): Answer => ({
    type: 'SOA',
    name,
    ttl: NEGATIVE_TTL,
    data: { mname: opts.nameServer, rname: `hostmaster.${zone}`, serial, refresh: 3600, retry: 600, expire: 604800, minimum: NEGATIVE_TTL },
  });
  const keys = new KeyCache(opts.publicKey);

  return async (message, transport) => {
    if (message.length < 12 || message.length > MAX_QUERY_BYTES) return undefined;
    const id = message.readUInt16BE(0);
    const flags = message.readUInt16BE(2);
    if (flags & QR) return undefined; // a response: answering it could start a loop between servers
    // A query has one question, no answers or authorities, and at most one additional (EDNS's OPT).
    // Checked before decoding: dns-packet would otherwise walk the counts a header claims (65535 each).
    const [qd, an, ns, ar] = [4, 6, 8, 10].map((at) => message.readUInt16BE(at));
    if (qd !== 1 || an !== 0 || ns !== 0 || ar! > 1) return headerOnly(id, flags, RCODE.FORMERR);
    let query: Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return headerOnly(id, flags, RCODE.FORMERR);
    }
    if ((flags >> 11) & 0xf) return headerOnly(id, flags, RCODE.NOTIMP); // only opcode QUERY
    const questions = query.questions ?? [];
    const question = questions[0];
    if (questions.length !== 1 || !question) return headerOnly(id, flags, RCODE.FORMERR);
    const opt = (query.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;

    try {
      return await respondTo(id, flags, question, opt, transport);
    } catch {
      // A name dns-packet decodes but cannot encode again (a label holding a dot, say).
      return headerOnly(id, flags, RCODE.FORMERR);
    }
  };

  async function respondTo(id: number, flags: number, question: Question, opt: { udpPayloadSize?: number } | undefined, transport: 'udp' | 'tcp'): Promise<Buffer> {
    const limit = transport === 'tcp' ? 65535 : opt ? Math.min(Math.max(opt.udpPayloadSize ?? CLASSIC_UDP, CLASSIC_UDP), MAX_EDNS_UDP) : CLASSIC_UDP;
    const result = await answer(question);
    const response: Packet = {
      type: 'response',
      id,
      flags: (result.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (flags & dnsPacket.RECURSION_DESIRED) | result.rcode,
      questions: [question],
      answers: result.answers,
      authorities: result.authorities,
      additionals: opt ? [{ type: 'OPT', name: '.', udpPayloadSize: MAX_EDNS_UDP, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
    };
    const encoded = dnsPacket.encode(response);
    if (encoded.length <= limit) return encoded;
    // Too large for this UDP exchange: say so (TC) and let the resolver ask again over TCP.
    return dnsPacket.encode({ ...response, flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [] });
  }

  async function answer(question: Question): Promise<{ rcode: number; authoritative: boolean; answers: Answer[]; authorities: Answer[] }> {
    const name = question.name.toLowerCase().replace(/\.$/, '');
    const inZone = name === zone || name.endsWith(`.${zone}`);
    const klass = question.class ?? 'IN';
    if (!inZone || (klass !== 'IN' && klass !== 'ANY')) return { rcode: RCODE.REFUSED, authoritative: false, answers: [], authorities: [] };
    if (question.type === 'AXFR' || question.type === 'IXFR') return { rcode: RCODE.REFUSED, authoritative: false, answers: [], authorities: [] };
    const wants = (type: string) => question.type === type || (question.type as string) === 'ANY';
    const nodata = { rcode: RCODE.NOERROR, authoritative: true, answers: [] as Answer[], authorities: [soa(zone)] };

    if (name === zone) {
      const answers: Answer[] = [];
      if (wants('SOA')) answers.push(soa(question.name));
      if (wants('NS')) answers.push({ type: 'NS', name: question.name, ttl: TTL, data: opts.nameServer });
      return answers.length > 0 ? { ...nodata, answers, authorities: [] } : nodata;
    }
    const label = name.slice(0, -(zone.length + 1));
    const publicKey = TOKEN.test(label) ? await keys.get(label) : undefined;
    if (publicKey === 'busy') return { rcode: RCODE.SERVFAIL, authoritative: false, answers: [], authorities: [] };
    if (!publicKey) return { rcode: RCODE.NXDOMAIN, authoritative: true, answers: [], authorities: [soa(zone)] };
    if (!wants('TXT')) return nodata;
    const data = txtStrings(dkimTxtRecord(publicKey)).map((s) => Buffer.from(s));
    return { ...nodata, answers: [{ type: 'TXT', name: question.name, ttl: TTL, data }], authorities: [] };
  }
}

/** A response of just a header: for queries that cannot be answered (malformed, unsupported). */
function headerOnly(id: number, queryFlags: number, rcode: number): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(QR | (queryFlags & 0x7800) | (queryFlags & dnsPacket.RECURSION_DESIRED) | rcode, 2);
  return buf;
}

/**
 * Public keys by token, cached (a found key for TTL seconds, a miss for NEGATIVE_TTL) so that a burst
 * of queries for one name reads the store once; at most MAX_LOOKUPS_IN_FLIGHT reads at a time ('busy'
 * beyond, answered SERVFAIL so the resolver tries again).
 */
class KeyCache {
  private readonly entries = new Map<string, { key: string | undefined; expires: number }>();
  private readonly pending = new Map<string, Promise<string | undefined>>();

  constructor(private readonly lookup: (token: string) => Promise<string | undefined>) {}

  async get(token: string): Promise<string | undefined | 'busy'> {
    const hit = this.entries.get(token);
    if (hit && hit.expires > Date.now()) return hit.key;
    let read = this.pending.get(token);
    if (!read) {
      if (this.pending.size >= MAX_LOOKUPS_IN_FLIGHT) return 'busy';
      read = this.lookup(token).finally(() => this.pending.delete(token));
      this.pending.set(token, read);
    }
    let key: string | undefined;
    try {
      key = await read;
    } catch {
      return 'busy'; // the database is unavailable: SERVFAIL, never a false NXDOMAIN
    }
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(token, { key, expires: Date.now() + (key ? TTL : NEGATIVE_TTL) * 1000 });
    return key;
  }
}

export async function startAuthoritativeDns(opts: AuthoritativeDnsOptions): Promise<AuthoritativeDns> {
  const respond = createResponder(opts);
  const warn = (err: unknown, what: string) => opts.log?.warn({ err }, `DNS listener: ${what}`);

  // Port 0: UDP picks a free port and TCP takes the same number, which a TCP socket (an outgoing
  // connection's ephemeral port) may hold; then both are tried again on another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await listenOn(opts, respond, warn);
    } catch (err) {
      if (opts.port !== 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === FREE_PORT_ATTEMPTS) throw err;
    }
  }
}

const FREE_PORT_ATTEMPTS = 10;

async function listenOn(
  opts: AuthoritativeDnsOptions,
  respond: (message: Buffer, transport: 'udp' | 'tcp') => Promise<Buffer | undefined>,
  warn: (err: unknown, what: string) => void,
): Promise<AuthoritativeDns> {
  const udp: UdpSocket = createSocket({ type: opts.host.includes(':') ? 'udp6' : 'udp4' });
  udp.on('error', (err) => warn(err, 'UDP socket error'));
  udp.on('message', (msg: Buffer, peer: RemoteInfo) => {
    respond(msg, 'udp').then(
      (out) => out && udp.send(out, peer.port, peer.address),
      (err: unknown) => warn(err, 'answering a UDP query failed'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port, opts.host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;

  const tcp: Server = createServer((socket) => serveTcp(socket, respond, warn));
  tcp.maxConnections = MAX_TCP_CONNECTIONS;
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, opts.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    udp.close();
    throw err;
  }
  const sockets = new Set<Socket>();
  tcp.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** DNS over TCP: two-byte length, message; queries on one connection are answered in order. */
function serveTcp(socket: Socket, respond: (m: Buffer, t: 'tcp') => Promise<Buffer | undefined>, warn: (err: unknown, what: string) => void): void {
  let buffered = Buffer.alloc(0);
  let busy = false;
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  const drain = async () => {
    if (busy) return;
    busy = true;
    try {
      while (buffered.length >= 2 && !socket.destroyed) {
        const length = buffered.readUInt16BE(0);
        if (length > MAX_QUERY_BYTES) return void socket.destroy();
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const out = await respond(Buffer.from(message), 'tcp');
        if (!out) return void socket.destroy();
        const framed = Buffer.alloc(2 + out.length);
        framed.writeUInt16BE(out.length, 0);
        out.copy(framed, 2);
        if (!socket.destroyed) socket.write(framed);
      }
    } catch (err) {
      warn(err, 'answering a TCP query failed');
      socket.destroy();
    } finally {
      busy = false;
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    // More than one maximal query waiting: the peer is not talking DNS, or floods.
    if (buffered.length > 2 * (2 + MAX_QUERY_BYTES)) return void socket.destroy();
    // A drain already running reads what arrived here before it stops.
    void drain();
  });
}

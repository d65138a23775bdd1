// A tiny authoritative DNS server on 127.0.0.1 (UDP, dns-packet) so tests control MX, A, AAAA
// (delivery), CNAME and TXT (identity verification) answers. Unknown names are NXDOMAIN; a known
// name without the asked type is NODATA. The zone may be changed while the server runs.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface Zone {
  [name: string]: { MX?: { preference: number; exchange: string }[]; A?: string[]; AAAA?: string[]; CNAME?: string[]; TXT?: string[] };
}

export interface DnsServer {
  /** `127.0.0.1:PORT`, for SESD_DNS_SERVERS. */
  address: string;
  zone: Zone;
  close(): Promise<void>;
}

export async function startDnsServer(zone: Zone = {}): Promise<DnsServer> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const query = dnsPacket.decode(msg);
    const question = query.questions?.[0];
    if (!question) return;
    const entry = zone[question.name.toLowerCase()];
    const answers: dnsPacket.Answer[] = [];
    if (entry && question.type === 'MX') {
      for (const mx of entry.MX ?? []) answers.push({ type: 'MX', name: question.name, ttl: 60, data: { preference: mx.preference, exchange: mx.exchange } });
    }
    if (entry && question.type === 'A') for (const a of entry.A ?? []) answers.push({ type: 'A', name: question.name, ttl: 60, data: a });
    if (entry && question.type === 'AAAA') for (const a of entry.AAAA ?? []) answers.push({ type: 'AAAA', name: question.name, ttl: 60, data: a });
    if (entry && question.type === 'CNAME') for (const c of entry.CNAME ?? []) answers.push({ type: 'CNAME', name: question.name, ttl: 60, data: c });
    // A TXT record is a list of strings of at most 255 bytes each (DKIM keys are longer).
    if (entry && question.type === 'TXT') for (const t of entry.TXT ?? []) answers.push({ type: 'TXT', name: question.name, ttl: 60, data: t.match(/.{1,255}/g) ?? [''] });
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (entry ? 0 : 3), // rcode 3: NXDOMAIN
      questions: query.questions,
      answers,
    });
    socket.send(response, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    zone,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

// A DNS server on 127.0.0.1 (UDP) answering from a zone the test controls, so identity
// verification and MX lookups run against records the test publishes.
import { createSocket } from 'node:dgram';
import dnsPacket, { type Answer } from 'dns-packet';

export type ZoneRecord = { type: 'CNAME'; data: string } | { type: 'TXT'; data: string } | { type: 'MX'; data: { preference: number; exchange: string } } | { type: 'A'; data: string };

export interface ZoneDnsServer {
  /** `127.0.0.1:PORT`, ready for SESD_DNS_SERVERS. */
  address: string;
  set(name: string, records: ZoneRecord[]): void;
  close(): Promise<void>;
}

export async function startZoneDnsServer(): Promise<ZoneDnsServer> {
  const zone = new Map<string, ZoneRecord[]>();
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    const records = question ? zone.get(question.name.toLowerCase()) : undefined;
    const answers: Answer[] = (records ?? [])
      .filter((r) => r.type === question!.type)
      // A TXT record is a list of strings of at most 255 bytes each (DKIM keys are longer).
      .map((r) => ({ name: question!.name, type: r.type, class: 'IN', ttl: 60, data: r.type === 'TXT' ? (r.data.match(/.{1,255}/g) ?? []) : r.data }) as Answer);
    const response = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (records ? 0 : 3), // rcode 3 = NXDOMAIN when the name is unknown
      questions: query.questions,
      answers,
    });
    socket.send(response, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    set: (name, records) => zone.set(name.toLowerCase(), records),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

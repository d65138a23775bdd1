// sesd's DNS listener for its Easy DKIM zone, over real UDP and TCP sockets: node's resolver (c-ares)
// for what receivers do, raw dns-packet exchanges for the protocol details (TC, rcodes), and a fuzz
// run of malformed packets that must never crash the listener.
import { createSocket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { connect } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import dnsPacket, { type Packet } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponder, startAuthoritativeDns, type AuthoritativeDns } from '../../../src/dns/authoritative-server.js';

const ZONE = 'dkim.sesd.test';
const TOKEN = 'abcdefghijklmnopqrstuvwxyz234567';
const PUBLIC_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const lookups: string[] = [];
const publicKey = async (token: string) => {
  lookups.push(token);
  return token === TOKEN ? PUBLIC_KEY : undefined;
};

let server: AuthoritativeDns;
let resolver: dns.Resolver;
beforeAll(async () => {
  server = await startAuthoritativeDns({ zone: ZONE, host: '127.0.0.1', port: 0, nameServer: 'ns.sesd.test', publicKey });
  resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${server.port}`]);
});
afterAll(() => server.close());

function udpExchange(message: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (out: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(out);
    };
    socket.on('message', (msg) => finish(msg));
    socket.send(message, server.port, '127.0.0.1');
  });
}

function tcpExchange(message: Buffer): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        socket.end();
        resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    socket.on('error', reject);
    const framed = Buffer.alloc(2 + message.length);
    framed.writeUInt16BE(message.length, 0);
    message.copy(framed, 2);
    socket.write(framed);
  });
}

const query = (name: string, type: dnsPacket.RecordType = 'TXT', extra: Partial<Packet> = {}) =>
  dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }], ...extra });

describe('authoritative DNS listener for the Easy DKIM zone', () => {
  it("answers a held key's token with the DKIM TXT record, split into strings of at most 255 bytes (node's resolver)", async () => {
    const txt = await resolver.resolveTxt(`${TOKEN}.${ZONE}`);
    expect(txt).toHaveLength(1);
    expect(txt[0]!.every((s) => Buffer.byteLength(s) <= 255)).toBe(true);
    expect(txt[0]!.length).toBeGreaterThan(1);
    expect(txt[0]!.join('')).toBe(`v=DKIM1; k=rsa; p=${PUBLIC_KEY}`);
  });

  it('sets TC over plain UDP when the 2048-bit key does not fit 512 bytes, and answers in full over TCP', async () => {
    const udp = dnsPacket.decode((await udpExchange(query(`${TOKEN}.${ZONE}`)))!);
    expect(udp).toMatchObject({ id: 4242, flag_tc: true, flag_aa: true, rcode: 'NOERROR', answers: [] });
    const tcp = await tcpExchange(query(`${TOKEN}.${ZONE}`));
    expect(tcp).toMatchObject({ id: 4242, flag_tc: false, flag_aa: true, rcode: 'NOERROR' });
    expect(((tcp.answers![0] as { data: Buffer[] }).data).map(String).join('')).toBe(`v=DKIM1; k=rsa; p=${PUBLIC_KEY}`);
  });

  it('answers over UDP without truncation when EDNS0 offers a larger buffer', async () => {
    const msg = query(`${TOKEN}.${ZONE}`, 'TXT', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as never] });
    const res = dnsPacket.decode((await udpExchange(msg))!);
    expect(res.flag_tc).toBe(false);
    expect(res.answers).toHaveLength(1);
  });

  it('keeps the case of the question name (0x20 randomisation) and matches names case-insensitively', async () => {
    const name = `${TOKEN.toUpperCase()}.DKIM.Sesd.Test`;
    const res = await tcpExchange(query(name));
    expect(res.answers![0]!.name).toBe(name);
  });

  it('answers SOA and NS at the zone apex', async () => {
    expect(await resolver.resolveSoa(ZONE)).toMatchObject({ nsname: 'ns.sesd.test', hostmaster: `hostmaster.${ZONE}`, minttl: 60 });
    expect(await resolver.resolveNs(ZONE)).toEqual(['ns.sesd.test']);
  });

  it('answers NXDOMAIN with the SOA for unknown names, and does not read the store for names that are no token', async () => {
    await expect(resolver.resolveTxt(`${'b'.repeat(32)}.${ZONE}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const before = lookups.length;
    const res = dnsPacket.decode((await udpExchange(query(`not-a-token.${ZONE}`)))!);
    expect(res).toMatchObject({ rcode: 'NXDOMAIN', flag_aa: true });
    expect(res.authorities![0]).toMatchObject({ type: 'SOA' });
    expect(lookups.length).toBe(before);
  });

  it('answers NODATA for other types of a known name', async () => {
    const res = dnsPacket.decode((await udpExchange(query(`${TOKEN}.${ZONE}`, 'A')))!);
    expect(res).toMatchObject({ rcode: 'NOERROR', flag_aa: true, answers: [] });
    expect(res.authorities![0]).toMatchObject({ type: 'SOA' });
  });

  it('refuses names outside its zone and zone transfers', async () => {
    await expect(resolver.resolveTxt('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
    expect(dnsPacket.decode((await udpExchange(query(`x.sesd.test`)))!)).toMatchObject({ rcode: 'REFUSED', flag_aa: false });
    expect(await tcpExchange(query(ZONE, 'AXFR'))).toMatchObject({ rcode: 'REFUSED' });
  });

  it('answers FORMERR to a query with two questions and NOTIMP to other opcodes, and ignores responses', async () => {
    const two = dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'TXT', name: ZONE }, { type: 'SOA', name: ZONE }] });
    expect(dnsPacket.decode((await udpExchange(two))!)).toMatchObject({ id: 7, rcode: 'FORMERR' });
    const notify = Buffer.from(query(ZONE, 'SOA'));
    notify.writeUInt16BE((4 << 11) | 0, 2); // opcode NOTIFY
    expect(dnsPacket.decode((await udpExchange(notify))!)).toMatchObject({ rcode: 'NOTIMP' });
    const response = Buffer.from(query(ZONE, 'SOA'));
    response.writeUInt16BE(0x8000, 2);
    expect(await udpExchange(response, 200)).toBeUndefined();
  });

  it('survives thousands of malformed and random packets over UDP and TCP, and still answers', async () => {
    const valid = query(`${TOKEN}.${ZONE}`);
    const mutants: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const kind = i % 3;
      if (kind === 0) mutants.push(randomBytes(1 + (i % 600)));
      else if (kind === 1) mutants.push(valid.subarray(0, i % valid.length));
      else {
        const m = Buffer.from(valid);
        for (let j = 0; j < 1 + (i % 5); j++) m[(i * 7 + j * 13) % m.length] = randomBytes(1)[0]!;
        m[2]! &= 0x7f; // keep it a query so it is decoded
        mutants.push(m);
      }
    }
    const socket = createSocket('udp4');
    for (const m of mutants) socket.send(m, server.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    socket.close();
    // Direct calls cover the decoder paths without packet loss, and must never reject.
    const respond = createResponder({ zone: ZONE, nameServer: 'ns.sesd.test', publicKey });
    for (const m of mutants) {
      const out = await respond(m, 'udp');
      if (out) expect(out.length).toBeGreaterThanOrEqual(12);
    }
    // A TCP peer sending garbage lengths is disconnected, and the listener still answers.
    await new Promise<void>((resolve) => {
      const s = connect(server.port, '127.0.0.1', () => s.write(Buffer.from([0xff, 0xff, 1, 2, 3])));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    expect((await resolver.resolveTxt(`${TOKEN}.${ZONE}`))[0]!.join('')).toContain(PUBLIC_KEY);
  });

  it('answers SERVFAIL, not NXDOMAIN, while the store is unavailable', async () => {
    const respond = createResponder({ zone: ZONE, nameServer: 'ns', publicKey: () => Promise.reject(new Error('database down')) });
    expect(dnsPacket.decode((await respond(query(`${TOKEN}.${ZONE}`), 'udp'))!)).toMatchObject({ rcode: 'SERVFAIL' });
  });
});

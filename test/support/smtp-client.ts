// A raw SMTP client for tests: writes exactly the bytes it is given (smuggling sequences
// included) and reads replies, over a plain socket upgraded with STARTTLS or over implicit TLS.
import net from 'node:net';
import tls from 'node:tls';
import type { RunningApp } from '../../src/app.js';
import { smtpPassword } from '../../src/smtp/smtp-password.js';
import { TEST_KEY } from './sesd.js';

export interface SmtpReply {
  code: number;
  /** Reply text, lines joined with \n, without the codes. */
  text: string;
}

export class RawSmtpClient {
  private buffer = '';
  private readonly replies: SmtpReply[] = [];
  private waiter: ((reply: SmtpReply) => void) | undefined;
  private closedPromise: Promise<void>;
  greeting!: SmtpReply;

  private constructor(private socket: net.Socket) {
    this.closedPromise = this.attach(socket);
  }

  /** Connects to `smtp://host:port` (plain, for STARTTLS) or `smtps://host:port` (implicit TLS) and reads the greeting. */
  static async connect(url: string): Promise<RawSmtpClient> {
    const client = new RawSmtpClient(await RawSmtpClient.open(url));
    client.greeting = await client.reply();
    return client;
  }

  /**
   * Connects and writes `input` at once, before the greeting, as `openssl s_client -crlf -quiet
   * -connect HOST:465 < commands.txt` does; the greeting is then the first reply.
   */
  static async talkingEarly(url: string, input: string | Buffer): Promise<RawSmtpClient> {
    const client = new RawSmtpClient(await RawSmtpClient.open(url));
    client.write(input);
    return client;
  }

  private static async open(url: string): Promise<net.Socket> {
    const { hostname, port, protocol } = new URL(url);
    const host = hostname.replace(/^\[|\]$/g, '');
    const socket =
      protocol === 'smtps:'
        ? tls.connect({ host, port: Number(port), rejectUnauthorized: false })
        : net.connect({ host, port: Number(port) });
    await new Promise<void>((resolve, reject) => {
      socket.once(protocol === 'smtps:' ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return socket;
  }

  private attach(socket: net.Socket): Promise<void> {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => undefined);
    return new Promise((resolve) => socket.once('close', () => resolve()));
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const m = /^(?:\d{3}-[^\r\n]*\r\n)*(\d{3})(?: ([^\r\n]*))?\r\n/.exec(this.buffer);
      if (!m) return;
      const lines = m[0].split('\r\n').filter(Boolean);
      this.buffer = this.buffer.slice(m[0].length);
      const reply = { code: Number(m[1]), text: lines.map((l) => l.slice(4)).join('\n') };
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(reply);
      } else {
        this.replies.push(reply);
      }
    }
  }

  /** The next reply; fails when none comes within the timeout. */
  reply(timeoutMs = 10_000): Promise<SmtpReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no SMTP reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      void this.closedPromise.then(() => {
        if (this.waiter) {
          clearTimeout(timer);
          this.waiter = undefined;
          reject(new Error('connection closed before a reply'));
        }
      });
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async command(line: string): Promise<SmtpReply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /**
   * STARTTLS and the TLS handshake; the caller says EHLO again afterwards. `injected` is sent in
   * plain text right behind the command, as in the STARTTLS command injection attack.
   */
  async startTls(injected = ''): Promise<SmtpReply> {
    this.write(`STARTTLS\r\n${injected}`);
    const reply = await this.reply();
    if (reply.code !== 220) return reply;
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.closedPromise = this.attach(secure);
    return reply;
  }

  /** AUTH PLAIN with an access key id and an SMTP password. */
  login(username: string, password: string): Promise<SmtpReply> {
    return this.command(`AUTH PLAIN ${Buffer.from(`\0${username}\0${password}`).toString('base64')}`);
  }

  /** Every reply until the server closes the connection. */
  async repliesUntilClosed(timeoutMs = 10_000): Promise<SmtpReply[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the server did not close the connection within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([this.closedPromise, timeout]).finally(() => clearTimeout(timer));
    return this.replies.splice(0);
  }

  /** Resolves once the server has closed the connection. */
  closed(): Promise<void> {
    return this.closedPromise;
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readyState === 'closed';
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** EHLO, STARTTLS (on smtp://), EHLO, AUTH with the test key's SMTP password for the app's region. */
export async function authenticatedSession(
  url: string,
  key: { accessKeyId: string; secretAccessKey: string } = TEST_KEY,
  region = 'us-east-1',
): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(url);
  await expectCode(client.command('EHLO client.test'), 250);
  if (url.startsWith('smtp:')) {
    await expectCode(client.startTls(), 220);
    await expectCode(client.command('EHLO client.test'), 250);
  }
  await expectCode(client.login(key.accessKeyId, smtpPassword(key.secretAccessKey, region)), 235);
  return client;
}

async function expectCode(pending: Promise<SmtpReply>, code: number): Promise<SmtpReply> {
  const reply = await pending;
  if (reply.code !== code) throw new Error(`expected ${code}, got ${reply.code} ${reply.text}`);
  return reply;
}

/** The listener URLs of a running app (both on in tests). */
export function smtpUrls(app: RunningApp): { smtp: string; smtps: string } {
  if (!app.smtpUrl || !app.smtpsUrl) throw new Error('the SMTP listeners are off');
  return { smtp: app.smtpUrl, smtps: app.smtpsUrl };
}

// The SMTP client of bench/smtp.ts: one session, one command at a time, and a message's content
// with its final "\r\n.\r\n" in one write on a socket with Nagle's algorithm off. A client that
// writes the final dot as its own small segment with Nagle on (Nodemailer does) waits for the
// server's delayed ACK, ~40 ms per message on Linux, so the bench would measure that timer and
// not the server: it did (≈ 410 msg/s for sesd and Postfix alike over 20 sessions).
import net from 'node:net';
import tls from 'node:tls';

export interface SmtpSessionOptions {
  host: string;
  port: number;
  /** Upgrade with STARTTLS after the first EHLO (any certificate is accepted). */
  starttls?: boolean;
  /** AUTH PLAIN after the (second) EHLO. */
  auth?: { user: string; pass: string };
}

/** A message ready for the wire: its content dot-stuffed and ending in "\r\n.\r\n". */
export interface WireMessage {
  from: string;
  to: string;
  data: Buffer;
}

export function wireMessage(from: string, to: string, raw: Buffer): WireMessage {
  let text = raw.toString('latin1').replace(/(^|\r\n)\./g, '$1..');
  if (!text.endsWith('\r\n')) text += '\r\n';
  return { from, to, data: Buffer.from(`${text}.\r\n`, 'latin1') };
}

export class SmtpBenchSession {
  private socket: net.Socket;
  private pending = '';
  private lines: string[] = [];
  private replies: string[] = [];
  private waiter: { resolve: (reply: string) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => this.read(chunk);
  private readonly onEnd = (err?: Error) => this.fail(err ?? new Error('connection closed'));

  private constructor(socket: net.Socket) {
    this.socket = this.attach(socket);
  }

  static async open(opts: SmtpSessionOptions): Promise<SmtpBenchSession> {
    const session = new SmtpBenchSession(net.connect({ host: opts.host, port: opts.port, noDelay: true }));
    try {
      await session.expect(220);
      await session.command('EHLO bench.example', 250);
      if (opts.starttls) {
        await session.command('STARTTLS', 220);
        await session.upgrade();
        await session.command('EHLO bench.example', 250);
      }
      if (opts.auth) await session.command(`AUTH PLAIN ${Buffer.from(`\0${opts.auth.user}\0${opts.auth.pass}`).toString('base64')}`, 235);
    } catch (err) {
      session.destroy();
      throw err;
    }
    return session;
  }

  /** MAIL, RCPT, DATA, then the content in one write; resolves with the final 250 reply. */
  async send(message: WireMessage): Promise<string> {
    await this.command(`MAIL FROM:<${message.from}>`, 250);
    await this.command(`RCPT TO:<${message.to}>`, 250);
    await this.command('DATA', 354);
    this.socket.write(message.data);
    return this.expect(250);
  }

  get broken(): boolean {
    return this.failure !== undefined;
  }

  quit(): void {
    if (!this.failure) this.socket.end('QUIT\r\n');
  }

  destroy(): void {
    this.socket.destroy();
  }

  private async command(line: string, code: number): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.expect(code);
  }

  private async expect(code: number): Promise<string> {
    const reply = await this.nextReply();
    if (!reply.startsWith(String(code))) throw new Error(`expected ${code}, got: ${reply}`);
    return reply;
  }

  private nextReply(): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  private read(chunk: Buffer): void {
    this.pending += chunk.toString('latin1');
    let end: number;
    while ((end = this.pending.indexOf('\r\n')) >= 0) {
      const line = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      this.lines.push(line);
      if (line[3] === '-') continue; // a multi-line reply goes on
      const reply = this.lines.join('\n');
      this.lines = [];
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter) waiter.resolve(reply);
      else this.replies.push(reply);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failure);
  }

  private attach<S extends net.Socket>(socket: S): S {
    socket.on('data', this.onData);
    socket.on('error', this.onEnd);
    socket.on('close', () => this.onEnd());
    return socket;
  }

  private upgrade(): Promise<void> {
    const plain = this.socket;
    plain.removeListener('data', this.onData);
    plain.removeAllListeners('close');
    plain.removeListener('error', this.onEnd);
    return new Promise((resolve, reject) => {
      const secure = tls.connect({ socket: plain, rejectUnauthorized: false });
      secure.once('secureConnect', () => {
        secure.removeListener('error', reject);
        resolve();
      });
      secure.once('error', reject);
      this.socket = this.attach(secure);
    });
  }
}

// A receiving SMTP server on 127.0.0.1 for delivery tests: records every message with its envelope
// and lets a test script replies per recipient or per message (451, 550, a dropped connection).
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMessage {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  /** STARTTLS was used. */
  secure: boolean;
  /** The EHLO name the client gave. */
  clientHostname: string;
  user?: string;
}

export type Scripted = { code: number; message: string } | 'drop' | undefined;

export interface SinkOptions {
  /** Do not offer STARTTLS. */
  noTls?: boolean;
  /** Require AUTH with this user and password (after STARTTLS). */
  auth?: { user: string; pass: string };
  onRcpt?: (recipient: string, session: SMTPServerSession) => Scripted;
  onData?: (rcptTo: string[]) => Scripted;
}

export interface SmtpSink {
  port: number;
  messages: ReceivedMessage[];
  /** Resolves once `count` messages have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: SinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMessage[] = [];
  const waiters: (() => void)[] = [];
  const fail = (s: { code: number; message: string }) => Object.assign(new Error(s.message), { responseCode: s.code });
  const server: SMTPServer = new SMTPServer({
    logger: false,
    authOptional: !opts.auth,
    disabledCommands: [...(opts.noTls ? ['STARTTLS'] : []), ...(opts.auth ? [] : ['AUTH'])],
    hideSTARTTLS: opts.noTls,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.auth?.user && auth.password === opts.auth?.pass) return cb(null, { user: auth.username });
      cb(fail({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
    },
    onRcptTo(address, session, cb) {
      const s = opts.onRcpt?.(address.address, session);
      if (s === 'drop') return dropConnection(server, session);
      cb(s ? fail(s) : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      const rcptTo = session.envelope.rcptTo.map((r) => r.address);
      const s = opts.onData?.(rcptTo);
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        if (s === 'drop') dropConnection(server, session);
      });
      stream.on('end', () => {
        if (s === 'drop') return;
        if (s) return cb(fail(s));
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        messages.push({ mailFrom, rcptTo, raw: Buffer.concat(chunks), secure: session.secure, clientHostname: session.hostNameAppearsAs, user: session.user as string | undefined });
        cb(null);
        for (const w of waiters.splice(0)) w();
      });
    },
  });
  // A client that dies (SIGKILL in the crash test) resets its connections; that is not the sink's error.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    messages,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`sink got ${messages.length} of ${count} messages`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function dropConnection(server: SMTPServer, session: SMTPServerSession): void {
  const connections = (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections;
  for (const c of connections) if (c.id === session.id) c._socket.destroy();
}

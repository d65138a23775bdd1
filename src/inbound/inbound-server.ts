// The inbound SMTP listener: where receiving servers send DSNs and mailbox providers send ARF
// complaints. It accepts mail only for sesd's bounce domains (its hostname, the custom MAIL FROM
// domains of verified identities) and the configured feedback address, refuses everything else at
// RCPT (it is no relay), and hardens the session as submission does: bare line ends refused, size,
// connection and command limits, idle timeouts. No AUTH: the peers are the world's MTAs.
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { MAX_MESSAGE_BYTES_V2 } from '../domain/sending-limits.js';
import { connectionHooks, type ConnectionLimit } from '../net/connection-limit.js';
import { dataHandler } from '../smtp/data-handler.js';
import { readMessage } from '../smtp/message-reader.js';
import { REPLIES, replyError, replyForError } from '../smtp/replies.js';
import type { HandlingResult, ReceivedReport } from './feedback-handler.js';

export interface InboundDeps {
  hostname: string;
  /** Lower-case; '' when none is configured. */
  feedbackAddress: string;
  /** A custom MAIL FROM domain of a verified identity. */
  isMailFromDomain(domain: string): Promise<boolean>;
  handle(report: ReceivedReport): Promise<HandlingResult>;
  tls: { cert: string; key: string };
  connections: ConnectionLimit;
  idleTimeoutMs: number;
  log: Logger;
}

export interface InboundServer {
  server: SMTPServer;
  close(): Promise<void>;
}

// A report carries at most a copy of the original message, which SES limits to 40 MB.
const MAX_REPORT_BYTES = MAX_MESSAGE_BYTES_V2;
// A report goes to one address; a few more allow the feedback address alongside.
const MAX_RCPT_COMMANDS = 10;
const MAX_COMMAND_LINE = 4096;
const CLOSE_GRACE_MS = 2000;

export const NOT_OURS = { code: 550, message: '5.7.1 Relaying denied: sesd accepts mail only for its bounce and feedback addresses' };

export function createInboundServer(deps: InboundDeps): InboundServer {
  const data = dataHandler(receive);
  const hostname = deps.hostname.toLowerCase();

  /** 'verp' for a bounce address, 'feedback' for the feedback address, undefined for anything else. */
  async function kindOf(address: string): Promise<'verp' | 'feedback' | undefined> {
    const lower = address.toLowerCase();
    if (deps.feedbackAddress && lower === deps.feedbackAddress) return 'feedback';
    const at = lower.lastIndexOf('@');
    if (at <= 0) return undefined;
    const domain = lower.slice(at + 1);
    if (domain === hostname || (await deps.isMailFromDomain(domain))) return 'verp';
    return undefined;
  }

  const server = new SMTPServer({
    key: deps.tls.key,
    cert: deps.tls.cert,
    minVersion: 'TLSv1.2',
    name: deps.hostname,
    banner: 'sesd inbound',
    size: MAX_REPORT_BYTES,
    authOptional: true,
    disabledCommands: ['AUTH'],
    hideSMTPUTF8: true,
    disableReverseLookup: true,
    logger: false,
    socketTimeout: deps.idleTimeoutMs,
    closeTimeout: CLOSE_GRACE_MS,
    maxCommandLength: MAX_COMMAND_LINE,
    maxRecipients: MAX_RCPT_COMMANDS,

    ...connectionHooks(deps.connections, () => replyError(REPLIES.tooManyConnections)),

    onRcptTo(address, session, callback) {
      kindOf(address.address).then(
        (kind) => {
          if (kind) return callback();
          deps.log.info({ smtp: session.id, remoteAddress: session.remoteAddress, rcptTo: address.address }, 'inbound recipient refused');
          callback(replyError(NOT_OURS));
        },
        (err: unknown) => {
          deps.log.error({ err, smtp: session.id }, 'inbound recipient could not be checked');
          callback(replyError(replyForError(err)));
        },
      );
    },

    onData: data.onData,
  });

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const context = { smtp: session.id, remoteAddress: session.remoteAddress, mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '' };
    const message = await readMessage(stream, MAX_REPORT_BYTES);
    if (message.tooLong) throw replyError(REPLIES.messageTooLong);
    if (message.bareLineEnding) {
      deps.log.info({ ...context, bytes: message.bytes }, 'inbound message refused: bare line ending');
      throw replyError(REPLIES.bareLineEnding);
    }
    const verpRecipients: string[] = [];
    for (const r of session.envelope.rcptTo) if ((await kindOf(r.address)) === 'verp') verpRecipients.push(r.address);
    try {
      const result = await deps.handle({ raw: message.raw, verpRecipients, peer: session.hostNameAppearsAs || session.remoteAddress });
      deps.log.info({ ...context, bytes: message.bytes, result }, 'inbound message');
      // Accepted whatever it was: a report sesd cannot use is dropped here rather than bounced back.
      return 'Ok';
    } catch (err) {
      // The store is unavailable: the sender keeps the report and tries again later.
      deps.log.error({ ...context, err }, 'inbound message could not be recorded');
      throw replyError(replyForError(err));
    }
  }

  server.on('error', (err) => deps.log.debug({ err }, 'inbound smtp connection error'));

  return {
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await data.settled();
    },
  };
}

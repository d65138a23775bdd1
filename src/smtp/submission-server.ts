// One SMTP submission listener (smtp-server) in front of intake: STARTTLS or implicit TLS, AUTH
// with SES SMTP passwords, limits, and SES's replies. The listeners share the limits and handlers.
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import { MAX_MESSAGE_BYTES_V2 } from '../domain/sending-limits.js';
import type { Intake } from '../intake/accept.js';
import type { AuthFailureLimit } from './auth-failure-limit.js';
import type { Authenticator } from './authenticator.js';
import { connectionHooks, type ConnectionLimit } from './connection-limit.js';
import { readMessage } from './message-reader.js';
import { accepted, REPLIES, replyError, replyForError } from './replies.js';
import { submissionRequest, type SmtpUser } from './submission.js';

export interface SubmissionDeps {
  intake: Intake;
  authenticate: Authenticator;
  region: string;
  hostname: string;
  tls: { cert: string; key: string };
  connections: ConnectionLimit;
  authFailures: AuthFailureLimit;
  idleTimeoutMs: number;
  log: Logger;
}

export interface SubmissionServer {
  server: SMTPServer;
  /** Stops listening and resolves once every accepted message has been answered or abandoned. */
  close(): Promise<void>;
}

/** Beyond SES's 50 (refused at the end of DATA, as SES does), a hard cap keeps envelopes small. */
const MAX_RCPT_COMMANDS = 1000;
const MAX_UNAUTHENTICATED_COMMANDS = 10;
const MAX_COMMAND_LINE = 4096;
// How long close() lets open sessions finish before smtp-server answers them 421 and hangs up.
const CLOSE_GRACE_MS = 2000;

export function createSubmissionServer(deps: SubmissionDeps, opts: { implicitTls: boolean }): SubmissionServer {
  const inFlight = new Set<Promise<unknown>>();

  const server = new SesSmtpServer({
    secure: opts.implicitTls,
    key: deps.tls.key,
    cert: deps.tls.cert,
    minVersion: 'TLSv1.2',
    name: deps.hostname,
    banner: 'sesd',
    size: MAX_MESSAGE_BYTES_V2,
    authMethods: ['PLAIN', 'LOGIN'],
    authRequiredMessage: REPLIES.authRequired.message,
    // SES has no SMTPUTF8: addresses are ASCII, international domains in Punycode.
    hideSMTPUTF8: true,
    disableReverseLookup: true,
    logger: false,
    socketTimeout: deps.idleTimeoutMs,
    closeTimeout: CLOSE_GRACE_MS,
    maxAllowedUnauthenticatedCommands: MAX_UNAUTHENTICATED_COMMANDS,
    maxCommandLength: MAX_COMMAND_LINE,
    maxRecipients: MAX_RCPT_COMMANDS,

    ...connectionHooks(deps.connections, () => replyError(REPLIES.tooManyConnections)),

    onAuth(auth, session, callback) {
      const address = session.remoteAddress;
      if (deps.authFailures.isBlocked(address)) return callback(replyError(REPLIES.tooManyAuthFailures));
      deps.authenticate(auth.username ?? '', auth.password ?? '').then(
        (user) => {
          if (user) return callback(null, { user });
          deps.authFailures.recordFailure(address);
          deps.log.info({ smtp: session.id, remoteAddress: address, username: auth.username }, 'smtp authentication failed');
          callback(null, { message: REPLIES.credentialsInvalid.message, responseCode: REPLIES.credentialsInvalid.code });
        },
        (err: unknown) => {
          deps.log.error({ err, smtp: session.id }, 'smtp authentication could not be checked');
          callback(replyError({ code: 454, message: 'Temporary authentication failure' }));
        },
      );
    },

    onData(stream, session, callback) {
      const work = receive(stream, session).then(
        (reply) => callback(null, reply),
        (err: unknown) => callback(err as Error),
      );
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
  });

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const started = performance.now();
    const user = session.user as SmtpUser;
    const envelope = session.envelope;
    const context = { smtp: session.id, remoteAddress: session.remoteAddress, accessKeyId: user.accessKeyId };
    // A client that leaves mid-DATA rejects here: nothing reaches intake, nothing is stored.
    const message = await readMessage(stream, MAX_MESSAGE_BYTES_V2);
    const logReply = (reply: { code: number; message: string }, extra: Record<string, unknown> = {}) =>
      deps.log.info({ ...context, ...extra, reply: reply.code, bytes: message.bytes, ms: +(performance.now() - started).toFixed(2) }, 'smtp message');
    if (message.tooLong) {
      logReply(REPLIES.messageTooLong);
      throw replyError(REPLIES.messageTooLong);
    }
    if (message.bareLineEnding) {
      logReply(REPLIES.bareLineEnding);
      throw replyError(REPLIES.bareLineEnding);
    }
    try {
      const request = submissionRequest({
        raw: message.raw,
        mailFrom: envelope.mailFrom ? envelope.mailFrom.address : '',
        rcptTo: envelope.rcptTo.map((r) => r.address),
        user,
        sourceIp: session.remoteAddress,
        region: deps.region,
      });
      const { messageId } = await deps.intake(request);
      const reply = accepted(messageId);
      logReply(reply, { messageId });
      return reply.message;
    } catch (err) {
      const reply = replyForError(err);
      if (reply === REPLIES.temporaryFailure) deps.log.error({ ...context, err }, 'smtp message failed');
      logReply(reply, { error: err instanceof Error ? err.message : String(err) });
      throw replyError(reply);
    }
  }

  server.on('error', (err) => deps.log.debug({ err }, 'smtp connection error'));

  return {
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** smtp-server, with SES's wording for the replies the library makes itself. */
class SesSmtpServer extends SMTPServer {
  // Mirrors SMTPServer#connect (smtp-server 3.21) with the connection class below.
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new SesSmtpConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data: Parameters<SMTPServer['_onClientConnect']>[0]) => this._onClientConnect(data));
    connection.init();
  }
}

class SesSmtpConnection extends SMTPConnection {
  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    // Before TLS the library says 538 to AUTH and "authentication required" to MAIL; SES (and
    // RFC 3207) say 530 "Must issue a STARTTLS command first" to both.
    if (!this.secure && (code === 538 || code === 530)) return super.send(REPLIES.startTlsFirst.code, REPLIES.startTlsFirst.message, context);
    // The library's only 552 is its size limit (SIZE= parameter, or DATA past `size`).
    if (code === 552) return super.send(REPLIES.messageTooLong.code, REPLIES.messageTooLong.message, context);
    super.send(code, data, context);
  }
}

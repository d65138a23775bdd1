// One SMTP submission listener (smtp-server) in front of intake: STARTTLS or implicit TLS, AUTH
// with SES SMTP passwords, limits, and SES's replies. The listeners share the limits and handlers.
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import { parseAddress } from '../domain/addresses.js';
import { AwsError } from '../domain/errors.js';
import { MAX_MESSAGE_BYTES_V2 } from '../domain/sending-limits.js';
import type { Intake } from '../intake/accept.js';
import type { AuthFailureLimit } from './auth-failure-limit.js';
import type { Authenticator } from './authenticator.js';
import type { ConnectionLimit } from '../net/connection-limit.js';
import { dataHandler } from './data-handler.js';
import { readMessage } from './message-reader.js';
import { accepted, REPLIES, replyError, replyForError, tooManyAuthFailures } from './replies.js';
import { asciiAddress, submissionRequest, type SmtpUser } from './submission.js';

export interface SubmissionDeps {
  intake: Intake;
  authenticate: Authenticator;
  region: string;
  hostname: string;
  tls: { cert: string; key: string };
  /** Every session, shared by the listeners. */
  connections: ConnectionLimit;
  /** Sessions until they authenticate: a smaller share. */
  unauthenticated: ConnectionLimit;
  authFailures: AuthFailureLimit;
  idleTimeoutMs: number;
  /** From connecting to a successful AUTH. */
  authTimeoutMs: number;
  /** How long close() lets open sessions finish (SESD_SHUTDOWN_TIMEOUT); default 2 s. */
  closeTimeoutMs?: number;
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
  // Sessions counted in the limits: their address, and whether they still hold an unauthenticated slot.
  const counted = new Map<string, { address: string; unauthenticated: boolean }>();
  const data = dataHandler(receive);

  const server = new SesSmtpServer(deps.authTimeoutMs, {
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
    closeTimeout: deps.closeTimeoutMs ?? CLOSE_GRACE_MS,
    maxAllowedUnauthenticatedCommands: MAX_UNAUTHENTICATED_COMMANDS,
    maxCommandLength: MAX_COMMAND_LINE,
    maxRecipients: MAX_RCPT_COMMANDS,

    onConnect(session, callback) {
      const address = session.remoteAddress;
      if (!deps.connections.tryAcquire(address)) return callback(replyError(REPLIES.tooManyConnections));
      if (!deps.unauthenticated.tryAcquire(address)) {
        deps.connections.release(address);
        return callback(replyError(REPLIES.tooManyConnections));
      }
      counted.set(session.id, { address, unauthenticated: true });
      callback();
    },

    onClose(session) {
      const entry = counted.get(session.id);
      if (entry === undefined) return;
      counted.delete(session.id);
      deps.connections.release(entry.address);
      if (entry.unauthenticated) deps.unauthenticated.release(entry.address);
    },

    onAuth(auth, session, callback) {
      const address = session.remoteAddress;
      const until = deps.authFailures.blockedUntil(address);
      if (until !== undefined) {
        deps.log.warn({ smtp: session.id, remoteAddress: address, username: auth.username, until: new Date(until).toISOString() }, 'smtp authentication refused: address locked out');
        return callback(replyError(tooManyAuthFailures(until)));
      }
      deps.authenticate(auth.username ?? '', auth.password ?? '').then(
        (user) => {
          if (user) {
            // Logged in: the session leaves the unauthenticated share.
            const entry = counted.get(session.id);
            if (entry?.unauthenticated) {
              entry.unauthenticated = false;
              deps.unauthenticated.release(entry.address);
            }
            return callback(null, { user });
          }
          const lockedUntil = deps.authFailures.recordFailure(address);
          deps.log.info({ smtp: session.id, remoteAddress: address, username: auth.username }, 'smtp authentication failed');
          if (lockedUntil !== undefined) {
            deps.log.warn({ remoteAddress: address, until: new Date(lockedUntil).toISOString() }, 'smtp authentication locked out for an address after repeated failures');
          }
          callback(null, { message: REPLIES.credentialsInvalid.message, responseCode: REPLIES.credentialsInvalid.code });
        },
        (err: unknown) => {
          deps.log.error({ err, smtp: session.id }, 'smtp authentication could not be checked');
          callback(replyError({ code: 454, message: 'Temporary authentication failure' }));
        },
      );
    },

    // Addresses are checked as they come, with the rules intake applies (so that a client learns
    // of a bad one at its command, not after sending the whole message).
    onMailFrom(address, _session, callback) {
      callback(address.address === '' ? undefined : addressError(address.address));
    },

    onRcptTo(address, _session, callback) {
      callback(addressError(address.address));
    },

    onData: data.onData,
  });

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const started = performance.now();
    const user = session.user as SmtpUser;
    const envelope = session.envelope;
    const context = { smtp: session.id, remoteAddress: session.remoteAddress, accessKeyId: user.accessKeyId };
    // A client that leaves mid-DATA rejects here: nothing reaches intake, nothing is stored.
    const message = await readMessage(stream, MAX_MESSAGE_BYTES_V2);
    const logReply = (reply: { code: number; message: string }, extra: Record<string, unknown> = {}) =>
      deps.log.info(
        { ...context, ...extra, reply: reply.code, ...(reply.code >= 400 ? { reason: reply.message } : {}), bytes: message.bytes, ms: +(performance.now() - started).toFixed(2) },
        'smtp message',
      );
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
      await data.settled();
    },
  };
}

/** 553 (mailbox name not allowed) for an address SES would refuse, with SES's reason. */
function addressError(address: string): Error | undefined {
  try {
    parseAddress(asciiAddress(address));
    return undefined;
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    return replyError({ code: REPLIES.invalidAddress.code, message: `${REPLIES.invalidAddress.message}: ${err.message}` });
  }
}

/** smtp-server, with SES's wording for the replies the library makes itself, and an AUTH deadline. */
class SesSmtpServer extends SMTPServer {
  constructor(
    readonly authTimeoutMs: number,
    options: ConstructorParameters<typeof SMTPServer>[0],
  ) {
    super(options);
  }

  // Mirrors SMTPServer#connect (smtp-server 3.21) with the connection class below.
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new SesSmtpConnection(this, socket, socketOptions, this.authTimeoutMs);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data: Parameters<SMTPServer['_onClientConnect']>[0]) => this._onClientConnect(data));
    connection.init();
  }
}

class SesSmtpConnection extends SMTPConnection {
  private authTimer: NodeJS.Timeout | undefined;

  constructor(
    server: SMTPServer,
    socket: net.Socket | tls.TLSSocket,
    options: SMTPConnectionOptions | null | undefined,
    private readonly authTimeoutMs: number,
  ) {
    super(server, socket, options);
  }

  // A session must log in within authTimeoutMs of connecting, however it spends the time: an
  // idle client, or one that trickles NOOPs, cannot keep an unauthenticated slot for long.
  override init(): void {
    super.init();
    this.authTimer = setTimeout(() => {
      if (!this.session.user && !this._closed) this.send(REPLIES.authTimeout.code, REPLIES.authTimeout.message);
    }, this.authTimeoutMs);
    this.authTimer.unref();
  }

  override _onClose(): void {
    clearTimeout(this.authTimer);
    super._onClose();
  }

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    // Before TLS, EHLO does not offer AUTH (as Postfix's smtpd_tls_auth_only): a client that
    // would log in anyway learns it must STARTTLS before it sends its password in clear text.
    if (!this.secure && code === 250 && Array.isArray(data)) data = data.filter((line) => !/^AUTH\b/i.test(line));
    // Before TLS the library says 538 to AUTH and "authentication required" to MAIL; SES (and
    // RFC 3207) say 530 "Must issue a STARTTLS command first" to both.
    if (!this.secure && (code === 538 || code === 530)) return super.send(REPLIES.startTlsFirst.code, REPLIES.startTlsFirst.message, context);
    // The library's only 552 is its size limit (SIZE= parameter, or DATA past `size`).
    if (code === 552) return super.send(REPLIES.messageTooLong.code, REPLIES.messageTooLong.message, context);
    super.send(code, data, context);
  }
}

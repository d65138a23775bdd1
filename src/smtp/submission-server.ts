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
import type { AuthFailureLimit } from '../net/auth-failure-limit.js';
import type { Authenticator } from './authenticator.js';
import type { ConnectionLimit } from '../net/connection-limit.js';
import { dataHandler } from './data-handler.js';
import { readMessage } from './message-reader.js';
import { accepted, REPLIES, replyError, replyForError, tooManyAuthFailures, type SmtpReply } from './replies.js';
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
    // of a bad one at its command, not after sending the whole message). SES's reply names no
    // reason, so the reason is logged. SES refuses the null sender `<>` too.
    onMailFrom(address, session, callback) {
      const reason = address.address === '' ? 'the null sender <>' : addressProblem(address.address);
      if (reason === undefined) return callback();
      deps.log.info({ smtp: session.id, mailFrom: address.address, reason }, 'smtp MAIL FROM refused');
      callback(replyError(REPLIES.invalidMailFrom));
    },

    onRcptTo(address, session, callback) {
      const reason = addressProblem(address.address);
      if (reason === undefined) return callback();
      deps.log.info({ smtp: session.id, rcptTo: address.address, reason }, 'smtp RCPT TO refused');
      callback(replyError(REPLIES.invalidRcptTo));
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
    // Built only when logged: at thousands of messages a second the fields are garbage when info is off.
    const logReply = (reply: { code: number; message: string }, extra: Record<string, unknown> = {}) =>
      deps.log.isLevelEnabled('info') &&
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

/** Why SES would refuse the address (intake's message), or undefined when it would take it. */
function addressProblem(address: string): string | undefined {
  try {
    parseAddress(asciiAddress(address));
    return undefined;
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    return err.message;
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
  /** True while the library handles an idle timeout, so that send() can word its reply as SES. */
  private timingOut = false;
  /** The command a client sent before the greeting, run once the greeting is out. */
  private early: (() => void) | undefined;

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

  // The library decides when a client is idle (not while a handler or the answer to DATA is
  // pending) and then replies 421; SES replies 451 4.4.2 and closes. Only the wording changes here.
  override _onTimeout(): void {
    this.timingOut = true;
    try {
      super._onTimeout();
    } finally {
      this.timingOut = false;
    }
  }

  override _onClose(): void {
    clearTimeout(this.authTimer);
    this.early = undefined;
    super._onClose();
  }

  // smtp-server answers a client that writes before the greeting `421 You talk too soon` and
  // hangs up. SES answers it normally, and AWS's own recipe for port 465 (`openssl s_client
  // -crlf -quiet ... < commands.txt`) writes the whole session at once. So the first command is
  // held, without its callback, until the greeting is out. The parser reads no further line
  // until that callback runs, and the socket's pipe stops reading once the parser's buffer is
  // full: early input is bounded exactly as input behind any slow command is.
  override _onCommand(command: Buffer, callback?: () => void): void {
    if (!this._ready && !this._upgrading && !this._closing && !this._closed) {
      this.early = () => this._onCommand(command, callback);
      return;
    }
    super._onCommand(command, callback);
  }

  override _sendGreeting(): void {
    super._sendGreeting();
    const early = this.early;
    this.early = undefined;
    early?.();
  }

  // SES takes `MAIL FROM: sender@example.com` without angle brackets (AWS's command-line example
  // sends it so); smtp-server parses only RFC 5321's `<address>`. A lone bare address is put in
  // brackets before parsing; parameters (SIZE=...) still need the bracketed form, as in RFC 5321.
  override _parseAddressCommand(rawName: string, rawCommand: Buffer | string): ReturnType<SMTPConnection['_parseAddressCommand']> {
    const bare = /^([^:<>]*:)\s*([^\s<>]+)\s*$/.exec(rawCommand.toString());
    return super._parseAddressCommand(rawName, bare ? `${bare[1]}<${bare[2]}>` : rawCommand);
  }

  // smtp-server's own replies, in SES's words.
  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    // Before TLS, EHLO does not offer AUTH (as Postfix's smtpd_tls_auth_only), although SES's does:
    // a client that sees it offered may log in over the plain connection, and AUTH PLAIN carries the
    // password in the command itself, so it would cross in clear text before any refusal.
    if (!this.secure && code === 250 && Array.isArray(data)) data = data.filter((line) => !/^AUTH\b/i.test(line));
    // The library closes the connection after a 421 only; a 451 needs the close said out loud.
    if (this.timingOut && code === 421) {
      super.send(REPLIES.idleTimeout.code, REPLIES.idleTimeout.message, context);
      return this.close();
    }
    const reply = BY_CODE[code] ?? (context ? BY_CONTEXT[context] : undefined);
    if (reply) return super.send(reply.code, reply.message, context);
    super.send(code, data, context);
  }
}

// The library's replies that SES words otherwise, by the library's reply code...
const BY_CODE: Partial<Record<number, SmtpReply>> = {
  // AUTH before STARTTLS (a client that logs in without being offered AUTH). The library checks
  // for TLS before it reads any credentials, so AUTH is never performed in clear text.
  538: REPLIES.startTlsFirst,
  235: REPLIES.authenticated,
  // The library's only 552 is its size limit (SIZE= parameter, or DATA past `size`).
  552: REPLIES.messageTooLong,
};

// ... and by the context it gives the reply.
const BY_CONTEXT: Partial<Record<string, SmtpReply>> = {
  MAIL_FROM_OK: REPLIES.ok,
  RCPT_TO_OK: REPLIES.ok,
  // An address the library cannot parse: SES answers as for any refused address.
  SENDER_SYNTAX_ERROR: REPLIES.invalidMailFrom,
  MAILBOX_SYNTAX_ERROR: REPLIES.invalidRcptTo,
};

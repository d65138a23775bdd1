// What a transport is given and what it answers. A transport never throws: every failure, from a
// refused connection to a 5xx after DATA, comes back as a per-recipient result.

export type DelayType =
  | 'InternalFailure'
  | 'General'
  | 'MailboxFull'
  | 'SpamDetected'
  | 'RecipientServerError'
  | 'IPFailure'
  | 'TransientCommunicationFailure'
  | 'Undetermined';

/** The two ends of the SMTP connection a result came over, when there was one. */
export interface SmtpPeer {
  /** The receiving server's address (identity notifications' `remoteMtaIp`). */
  remoteMtaIp?: string;
  /** sesd's own address on that connection (the Delivery event's `ses:outgoing-ip` tag). */
  outgoingIp?: string;
}

export type RecipientResult =
  | ({ recipient: string; kind: 'accepted'; reply: string } & SmtpPeer)
  /** A final refusal (5xx) by the receiving side. */
  | ({ recipient: string; kind: 'rejected'; reply: string } & SmtpPeer)
  /** Try again later: a 4xx reply, or no answer at all (DNS, connection, TLS). */
  | ({ recipient: string; kind: 'failed'; reply: string; delayType: DelayType } & SmtpPeer);

export interface OutgoingMessage {
  /** MAIL FROM; '' is the null sender. */
  from: string;
  /** RCPT TO: recipients of one domain. */
  to: string[];
  /** Lower-case domain of every recipient in `to`. */
  domain: string;
  raw: Buffer;
  /** The configuration set's TlsPolicy: REQUIRE refuses to send in clear. */
  requireTls: boolean;
}

export interface Transport {
  readonly name: string;
  send(message: OutgoingMessage): Promise<RecipientResult[]>;
  close(): Promise<void>;
}

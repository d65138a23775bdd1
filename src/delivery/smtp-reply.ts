// An SMTP reply as the remote side gave it: basic code, enhanced status code (RFC 3463) when
// present, and the text. Bounce rules and events read replies in this form.

export interface SmtpReply {
  code: number;
  /** `5.1.1`; derived from the basic code's class when the server gave none. */
  status: string;
  /** The whole reply on one line, as SES puts it in smtpResponse and diagnosticCode. */
  text: string;
}

export function parseReply(reply: string): SmtpReply {
  const text = reply.replace(/\r?\n\d{3}[ -]/g, ' ').replace(/\s+/g, ' ').trim();
  const code = Number(/^(\d{3})/.exec(text)?.[1] ?? 0);
  const enhanced = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1];
  const status = enhanced ?? (code >= 500 ? '5.0.0' : code >= 400 ? '4.0.0' : '2.0.0');
  return { code, status, text };
}

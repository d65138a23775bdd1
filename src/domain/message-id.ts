// SES MessageIds look like `0100018f5b8f1f0e-6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b-000000`:
// a time prefix (so ids sort by acceptance time), a UUID, and a sequence suffix.
import { randomUUID } from 'node:crypto';

export function newMessageId(now = Date.now()): string {
  return `01${now.toString(16).padStart(14, '0')}-${randomUUID()}-000000`;
}

/** The Message-ID header SES writes: `<MessageId@host>`. */
export function messageIdHeader(messageId: string, hostname: string): string {
  return `<${messageId}@${hostname}>`;
}

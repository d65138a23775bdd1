// Table types for Kysely. Times are epoch milliseconds (integers) so both dialects agree;
// JSON columns are text holding JSON.
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: string;
  created_at: number;
}

export interface AccessKeysTable {
  access_key_id: string;
  secret_access_key: string;
  account_id: string;
  created_at: number;
}

export interface MessagesTable {
  id: string;
  account_id: string;
  region: string;
  /** Which door it came in by: sesv2, ses, pinpoint, smtp. */
  source_api: string;
  /** Envelope sender (MAIL FROM / Source). */
  envelope_from: string;
  from_header: string | null;
  subject: string | null;
  /** JSON {ToAddresses, CcAddresses, BccAddresses} as given by the caller. */
  destination: string;
  configuration_set: string | null;
  /** JSON [{Name, Value}] */
  tags: string;
  /** The composed message, stored once; deliveries point at it. */
  raw: Uint8Array;
  size: number;
  created_at: number;
}

export interface DeliveriesTable {
  id: Generated<number>;
  message_id: string;
  recipient: string;
  /** queued | delivered | deferred | bounced | suppressed */
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_by: string | null;
  locked_until: number | null;
  last_response: string | null;
  updated_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  message_id: string;
  account_id: string;
  /** SES event type: Send, Delivery, Bounce, ... */
  type: string;
  /** JSON event document in SES's event publishing shape. */
  payload: string;
  created_at: number;
}

export interface Database {
  accounts: AccountsTable;
  access_keys: AccessKeysTable;
  messages: MessagesTable;
  deliveries: DeliveriesTable;
  events: EventsTable;
}

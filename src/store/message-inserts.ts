// The multi-row INSERTs of messages, their delivery rows and events: intake writes them for
// accepted mail, the delivery queue for the mail it generates (DSNs, feedback). One column list each.
import type { Dialect } from './database.js';
import { BulkInsert } from './raw-sql.js';
import type { DeliveriesTable, EventsTable, MessagesTable } from './schema.js';

export interface MessageInserts {
  messages: BulkInsert<MessagesTable>;
  deliveries: BulkInsert<Omit<DeliveriesTable, 'id'>>;
  events: BulkInsert<Omit<EventsTable, 'id'>>;
}

export function messageInserts(dialect: Dialect): MessageInserts {
  return {
    messages: new BulkInsert(dialect, 'messages', [
      'id',
      'account_id',
      'region',
      'source_api',
      'envelope_from',
      'from_header',
      'subject',
      'destination',
      'configuration_set',
      'tags',
      'raw',
      'size',
      'created_at',
    ]),
    deliveries: new BulkInsert(dialect, 'deliveries', [
      'message_id',
      'recipient',
      'status',
      'attempts',
      'next_attempt_at',
      'locked_by',
      'locked_until',
      'last_response',
      'updated_at',
    ]),
    events: new BulkInsert(dialect, 'events', ['message_id', 'account_id', 'type', 'payload', 'created_at']),
  };
}

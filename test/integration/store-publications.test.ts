// A message's publish attempts as the store gives them: all, oldest first, or only the latest few
// (the console's bound: a message opened and clicked for months gathers attempts without end).
import { describe, expect, it } from 'vitest';
import { EventDispatchRepository } from '../../src/store/event-dispatch-repository.js';
import { DIALECTS } from '../support/databases.js';
import { useOpenedStore } from '../support/opened-store.js';

describe.each(DIALECTS)('publicationsOf (%s)', (dialect) => {
  const store = useOpenedStore(dialect);

  it('gives every attempt oldest first, or the latest ones oldest first', async () => {
    const messageId = `m-${dialect}-publications`;
    const row = (attempt: number) => ({
      event_id: 1, message_id: messageId, account_id: '000000000000', event_type: 'Open', destination: 'configuration-set/s/d',
      kind: 'sns', target: 'arn:aws:sns:us-east-1:000000000000:t', attempt, status: 'failed', status_code: 500, latency_ms: 1, error: null, remote_id: null, created_at: attempt,
    });
    await store.opened.db.insertInto('event_publications').values([1, 2, 3, 4, 5].map(row)).execute();
    const repository = new EventDispatchRepository(store.opened.db, store.opened.dialect);
    expect((await repository.publicationsOf(messageId)).map((p) => p.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect((await repository.publicationsOf(messageId, 2)).map((p) => p.attempt)).toEqual([4, 5]);
  });
});

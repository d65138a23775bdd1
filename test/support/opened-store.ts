// A test database opened as sesd's store opens it, with the message and delivery repositories
// over it, for tests of the store's own rows: created before the file's tests, emptied of messages
// before each, closed and dropped after. Its fields are set once the file's tests start.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { DeliveriesRepository } from '../../src/store/deliveries-repository.js';
import { MessagesRepository } from '../../src/store/messages-repository.js';
import { createTestDatabase, type DialectName, type TestDatabase } from './databases.js';

export interface OpenedStore {
  db: TestDatabase;
  opened: OpenedDatabase;
  messages: MessagesRepository;
  deliveries: DeliveriesRepository;
}

export function useOpenedStore(dialect: DialectName): OpenedStore {
  const store = {} as OpenedStore;
  beforeAll(async () => {
    store.db = await createTestDatabase(dialect);
    store.opened = await openDatabase(store.db);
    store.messages = new MessagesRepository(store.opened.db, store.opened.dialect, store.opened.batchWriter);
    store.deliveries = new DeliveriesRepository(store.opened.db, store.opened.dialect);
  });
  beforeEach(async () => {
    await store.messages.delete();
  });
  afterAll(async () => {
    await store.opened?.close();
    await store.db?.drop();
  });
  return store;
}

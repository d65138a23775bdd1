// The store: one opened database and its repositories.
import { openDatabase, type Dialect } from './database.js';
import { AccountsRepository } from './accounts-repository.js';
import { MessagesRepository } from './messages-repository.js';

export interface Store {
  dialect: Dialect;
  location: string;
  accounts: AccountsRepository;
  messages: MessagesRepository;
  close(): Promise<void>;
}

export async function openStore(opts: { databaseUrl: string; dataDir: string }): Promise<Store> {
  const opened = await openDatabase(opts);
  return {
    dialect: opened.dialect,
    location: opened.location,
    accounts: new AccountsRepository(opened.db),
    messages: new MessagesRepository(opened.db),
    close: opened.close,
  };
}

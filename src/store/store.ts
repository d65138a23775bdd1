// The store: one opened database and its repositories.
import { openDatabase, type Dialect } from './database.js';
import { AccountsRepository } from './accounts-repository.js';
import { MessagesRepository } from './messages-repository.js';
import { IdentitiesRepository } from './identities-repository.js';
import { SuppressionRepository } from './suppression-repository.js';
import { AccountSettingsRepository } from './account-settings-repository.js';
import { DeliveriesRepository } from './deliveries-repository.js';

export interface Store {
  dialect: Dialect;
  location: string;
  accounts: AccountsRepository;
  messages: MessagesRepository;
  identities: IdentitiesRepository;
  suppression: SuppressionRepository;
  accountSettings: AccountSettingsRepository;
  deliveries: DeliveriesRepository;
  close(): Promise<void>;
}

export async function openStore(opts: { databaseUrl: string; dataDir: string }): Promise<Store> {
  const opened = await openDatabase(opts);
  return {
    dialect: opened.dialect,
    location: opened.location,
    accounts: new AccountsRepository(opened.db),
    messages: new MessagesRepository(opened.db),
    identities: new IdentitiesRepository(opened.db),
    suppression: new SuppressionRepository(opened.db),
    accountSettings: new AccountSettingsRepository(opened.db),
    deliveries: new DeliveriesRepository(opened.db, opened.dialect),
    close: opened.close,
  };
}

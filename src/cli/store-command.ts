// Runs a CLI command against the configured database, closing it afterwards.
import { configFrom } from './config-options.js';
import type { Config } from '../config/load-config.js';
import { openStore, type Store } from '../store/store.js';

export async function withStore<T>(options: Record<string, unknown>, fn: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = configFrom(options);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

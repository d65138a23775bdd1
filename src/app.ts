// Composition root: config → store → services → listeners. No logic of its own.
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { sesv2Handlers } from './api/sesv2/handlers.js';
import { createHttpServer } from './api/http-listener.js';
import { cachedKeyLookup } from './api/key-lookup.js';
import { createRouter } from './api/router.js';
import type { Config } from './config/load-config.js';
import { createIntake } from './intake/accept.js';
import { openStore, type Store } from './store/store.js';
import { registerInspectionRoutes } from './web/inspection-routes.js';
import { provisionAccessKeys, type ProvisionedKeys } from './domain/provision-access-keys.js';

export interface RunningApp {
  httpUrl: string;
  store: Store;
  keys: ProvisionedKeys;
  close(): Promise<void>;
}

export async function startApp(config: Config, log: Logger = pino({ level: config.logLevel }, pino.destination(2))): Promise<RunningApp> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let http: FastifyInstance | undefined;
  try {
    const keys = await provisionAccessKeys(store.accounts, { list: config.accessKeys, dataDir: config.dataDir });
    const intake = createIntake({ messages: store.messages, hostname: config.hostname });
    const router = createRouter({
      handlers: { sesv2: sesv2Handlers({ intake }) },
      lookupKey: cachedKeyLookup(store.accounts),
      defaultRegion: config.region,
      log,
    });
    http = createHttpServer(router);
    registerInspectionRoutes(http, {
      messages: store.messages,
      password: config.console.password,
      listensOnLoopback: isLoopback(config.http.host),
      health: () => ({ database: store.dialect, deliveryMode: config.delivery.mode }),
    });
    await http.listen({ host: config.http.host, port: config.http.port });
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const server = http;
    return {
      httpUrl: `http://${formatHost(config.http.host)}:${port}`,
      store,
      keys,
      close: async () => {
        await server.close();
        await store.close();
      },
    };
  } catch (err) {
    await http?.close();
    await store.close();
    throw err;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

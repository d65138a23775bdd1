// The store: one opened database and its repositories.
import { sql } from 'kysely';
import { openDatabase, type Dialect, type OpenDatabaseOptions } from './database.js';
import { AccountsRepository } from './accounts-repository.js';
import { MessagesRepository } from './messages-repository.js';
import { IdentitiesRepository } from './identities-repository.js';
import { SuppressionRepository } from './suppression-repository.js';
import { AccountSettingsRepository } from './account-settings-repository.js';
import { SendStatisticsRepository } from './send-statistics-repository.js';
import { DeliveriesRepository } from './deliveries-repository.js';
import { CustomVerificationTemplatesRepository, TemplatesRepository } from './templates-repository.js';
import { ConfigurationSetsRepository } from './configuration-sets-repository.js';
import { ContactsRepository } from './contacts-repository.js';
import { TrackingRepository } from './tracking-repository.js';
import { TagsRepository } from './tags-repository.js';
import { PinpointAppsRepository } from './pinpoint-apps-repository.js';
import { PinpointEndpointsRepository } from './pinpoint-endpoints-repository.js';
import { PinpointTemplatesRepository } from './pinpoint-templates-repository.js';
import { EventDispatchRepository } from './event-dispatch-repository.js';
import { SnsRepository } from './sns-repository.js';
import { RetentionRepository } from './retention-repository.js';
import { FeedbackRepository } from './feedback-repository.js';
import { ConsoleQueries } from './console-queries.js';
import { CoalescedReads } from './coalesced-reads.js';
import { keyedSelects } from './keyed-selects.js';

export interface Store {
  dialect: Dialect;
  location: string;
  accounts: AccountsRepository;
  messages: MessagesRepository;
  identities: IdentitiesRepository;
  suppression: SuppressionRepository;
  accountSettings: AccountSettingsRepository;
  sendStatistics: SendStatisticsRepository;
  deliveries: DeliveriesRepository;
  templates: TemplatesRepository;
  customVerificationTemplates: CustomVerificationTemplatesRepository;
  configurationSets: ConfigurationSetsRepository;
  contacts: ContactsRepository;
  tracking: TrackingRepository;
  tags: TagsRepository;
  pinpointApps: PinpointAppsRepository;
  pinpointEndpoints: PinpointEndpointsRepository;
  pinpointTemplates: PinpointTemplatesRepository;
  eventDispatch: EventDispatchRepository;
  sns: SnsRepository;
  retention: RetentionRepository;
  feedback: FeedbackRepository;
  /** The console's reads and queue actions. */
  console: ConsoleQueries;
  /** Resolves when the database answers a query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(opts: OpenDatabaseOptions): Promise<Store> {
  const opened = await openDatabase(opts);
  // The reads every send makes, of four repositories: those of one turn are one (coalesced-reads.ts).
  const sendReads = new CoalescedReads(keyedSelects(opened.db, opened.dialect));
  return {
    dialect: opened.dialect,
    location: opened.location,
    accounts: new AccountsRepository(opened.db),
    messages: new MessagesRepository(opened.db, opened.dialect, opened.batchWriter),
    identities: new IdentitiesRepository(opened.db, opened.dialect, sendReads),
    suppression: new SuppressionRepository(opened.db, opened.dialect, sendReads),
    accountSettings: new AccountSettingsRepository(opened.db, opened.dialect, sendReads),
    sendStatistics: new SendStatisticsRepository(opened.db),
    deliveries: new DeliveriesRepository(opened.db, opened.dialect),
    templates: new TemplatesRepository(opened.db),
    customVerificationTemplates: new CustomVerificationTemplatesRepository(opened.db),
    configurationSets: new ConfigurationSetsRepository(opened.db, opened.dialect, sendReads),
    contacts: new ContactsRepository(opened.db),
    tracking: new TrackingRepository(opened.db, opened.dialect),
    tags: new TagsRepository(opened.db),
    pinpointApps: new PinpointAppsRepository(opened.db),
    pinpointEndpoints: new PinpointEndpointsRepository(opened.db),
    pinpointTemplates: new PinpointTemplatesRepository(opened.db),
    eventDispatch: new EventDispatchRepository(opened.db, opened.dialect),
    sns: new SnsRepository(opened.db, opened.dialect, opened.batchWriter),
    retention: new RetentionRepository(opened.db),
    feedback: new FeedbackRepository(opened.db, opened.dialect),
    console: new ConsoleQueries(opened.db, opened.dialect),
    ping: async () => {
      await sql`select 1`.execute(opened.db);
    },
    close: opened.close,
  };
}

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
  /** Integer key the message's delivery rows and events refer to (migration 021; store/message-keys.ts). */
  seq: number;
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
  /** The composed message's size; the message itself is in message_bodies (migration 021). */
  size: number;
  created_at: number;
  /** Feedback forwarding address when not the envelope sender (migration 008). */
  feedback_address: string | null;
}

export interface DeliveriesTable {
  id: Generated<number>;
  /** Its message's `seq` (migration 021). */
  message_seq: number;
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
  /** Its message's `seq` (migration 021). */
  message_seq: number;
  account_id: string;
  /** SES event type: Send, Delivery, Bounce, ... */
  type: string;
  /** JSON event document in SES's event publishing shape. */
  payload: string;
  created_at: number;
}

/** Booleans are stored as 0/1 (SQLite has no boolean; PostgreSQL reads '1'/'0' as booleans). */
type Flag = number | boolean;

export interface IdentitiesTable {
  account_id: string;
  region: string;
  identity: string;
  type: string;
  verification_status: string;
  verification_token: string;
  dkim_origin: string;
  dkim_signing_enabled: Flag;
  dkim_status: string;
  /** JSON string[] */
  dkim_tokens: string;
  dkim_private_key: string | null;
  dkim_public_key: string | null;
  dkim_key_length: string | null;
  mail_from_domain: string | null;
  mail_from_behavior: string;
  feedback_forwarding: Flag;
  configuration_set: string | null;
  /** JSON [{Key, Value}] */
  tags: string;
  created_at: number;
  verified_at: number | null;
  checked_at: number | null;
  /** JSON IdentityNotifications */
  notifications: string;
}

export interface IdentityPoliciesTable {
  account_id: string;
  region: string;
  identity: string;
  policy_name: string;
  policy: string;
}

export interface SuppressedDestinationsTable {
  account_id: string;
  region: string;
  email_address: string;
  reason: string;
  message_id: string | null;
  feedback_id: string | null;
  last_update: number;
}

export interface AccountSettingsTable {
  account_id: string;
  region: string;
  sending_enabled: Flag;
  production_access: Flag;
  max_send_rate: number;
  max_24_hour_send: number;
  /** JSON string[] */
  suppressed_reasons: string;
  /** JSON of the account details (SES's member names: MailType, WebsiteURL, ...) */
  details: string | null;
  /** Migration 016: the latest production-access request's case id and status; NULL if none. */
  review_case_id: string | null;
  review_status: string | null;
}

export interface EmailTemplatesTable {
  account_id: string;
  region: string;
  name: string;
  subject: string | null;
  text_part: string | null;
  html_part: string | null;
  created_at: number;
  updated_at: number;
}

export interface CustomVerificationTemplatesTable {
  account_id: string;
  region: string;
  name: string;
  from_email_address: string;
  subject: string;
  content: string;
  success_redirection_url: string;
  failure_redirection_url: string;
  created_at: number;
}

export interface ConfigurationSetsTable {
  account_id: string;
  region: string;
  name: string;
  /** JSON ConfigurationSetOptions (domain/configuration-sets) */
  options: string;
  created_at: number;
  updated_at: number;
}

export interface EventDestinationsTable {
  account_id: string;
  region: string;
  configuration_set: string;
  name: string;
  /** JSON EventDestination (domain/configuration-sets) without its name */
  definition: string;
  created_at: number;
}

export interface ContactListsTable {
  account_id: string;
  region: string;
  name: string;
  description: string | null;
  /** JSON Topic[] */
  topics: string;
  created_at: number;
  updated_at: number;
}

export interface ContactsTable {
  account_id: string;
  region: string;
  contact_list: string;
  email_address: string;
  /** JSON TopicPreference[] */
  topic_preferences: string;
  unsubscribe_all: Flag;
  attributes_data: string | null;
  created_at: number;
  updated_at: number;
}

export interface ResourceTagsTable {
  arn: string;
  tag_key: string;
  tag_value: string;
  /** Order in which the keys were first set. */
  ordinal: number;
}

/** sesd's own settings that every node must share, e.g. the unsubscribe-link signing secret. */
export interface SettingsTable {
  name: string;
  value: string;
}

/** Console sessions that have not ended (migration 022); the cookie carries the id. */
export interface ConsoleSessionsTable {
  id: string;
  expires_at: number;
}

export interface Database {
  accounts: AccountsTable;
  access_keys: AccessKeysTable;
  messages: MessagesTable;
  deliveries: DeliveriesTable;
  events: EventsTable;
  identities: IdentitiesTable;
  identity_policies: IdentityPoliciesTable;
  suppressed_destinations: SuppressedDestinationsTable;
  account_settings: AccountSettingsTable;
  email_templates: EmailTemplatesTable;
  custom_verification_templates: CustomVerificationTemplatesTable;
  configuration_sets: ConfigurationSetsTable;
  event_destinations: EventDestinationsTable;
  contact_lists: ContactListsTable;
  contacts: ContactsTable;
  resource_tags: ResourceTagsTable;
  settings: SettingsTable;
  console_sessions: ConsoleSessionsTable;
}

// Amazon Pinpoint (migration 006). Declaration merging adds these tables to `Database`.

export interface PinpointAppsTable {
  account_id: string;
  region: string;
  /** 32 hex characters, as Pinpoint's application ids. */
  id: string;
  name: string;
  /** JSON {key: value} */
  tags: string;
  /** JSON of the last UpdateApplicationSettings input */
  settings: string;
  settings_updated_at: number;
  created_at: number;
}

export interface PinpointEmailChannelsTable {
  account_id: string;
  region: string;
  application_id: string;
  from_address: string;
  /** ARN of the SES identity the channel sends as. */
  identity: string;
  configuration_set: string | null;
  role_arn: string | null;
  orchestration_sending_role_arn: string | null;
  enabled: Flag;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface PinpointEndpointsTable {
  account_id: string;
  region: string;
  application_id: string;
  id: string;
  channel_type: string;
  address: string;
  /** ACTIVE | INACTIVE */
  endpoint_status: string;
  /** ALL | NONE */
  opt_out: string;
  user_id: string | null;
  /** JSON EndpointProfile (domain/pinpoint/endpoint): attributes, demographic, location, metrics, user attributes */
  profile: string;
  cohort_id: string;
  created_at: number;
  updated_at: number;
}

export interface PinpointTemplatesTable {
  account_id: string;
  region: string;
  name: string;
  /** EMAIL (the only type sesd keeps) */
  type: string;
  active_version: number;
  latest_version: number;
  /** JSON {key: value} */
  tags: string;
  created_at: number;
}

export interface PinpointTemplateVersionsTable {
  account_id: string;
  region: string;
  name: string;
  type: string;
  version: number;
  /** JSON EmailTemplateContent (domain/pinpoint/template) */
  content: string;
  created_at: number;
  updated_at: number;
}

export interface Database {
  pinpoint_apps: PinpointAppsTable;
  pinpoint_email_channels: PinpointEmailChannelsTable;
  pinpoint_endpoints: PinpointEndpointsTable;
  pinpoint_templates: PinpointTemplatesTable;
  pinpoint_template_versions: PinpointTemplateVersionsTable;
}

// SNS (migration 007). Declaration merging adds these tables to `Database`.

export interface SnsTopicsTable {
  arn: string;
  account_id: string;
  region: string;
  name: string;
  /** JSON {name: value} of the settable attributes (DisplayName, Policy, DeliveryPolicy, SignatureVersion...) */
  attributes: string;
  /** JSON [{Key, Value}] */
  tags: string;
  created_at: number;
}

/** An unsubscribed subscription, kept so its UnsubscribeConfirmation's SubscribeURL can restore it. */
export interface SnsUnsubscribedTable {
  /** The subscription's token: its SubscribeURL names it. */
  token: string;
  topic_arn: string;
  /** JSON of the sns_subscriptions row as it was. */
  subscription: string;
  deleted_at: number;
}

export interface SnsSubscriptionsTable {
  arn: string;
  topic_arn: string;
  account_id: string;
  region: string;
  /** http | https | email | email-json */
  protocol: string;
  endpoint: string;
  owner: string;
  /** 0 until confirmed (SubscribeURL or ConfirmSubscription). */
  confirmed: number;
  /** The confirmation token sent in the SubscriptionConfirmation. */
  token: string;
  /** JSON {name: value}: RawMessageDelivery, DeliveryPolicy, FilterPolicy... */
  attributes: string;
  created_at: number;
}

export interface SnsDeliveriesTable {
  id: Generated<number>;
  subscription_arn: string;
  message_id: string;
  /** Notification | SubscriptionConfirmation | UnsubscribeConfirmation */
  type: string;
  /** JSON of what the dispatcher needs to build the request (src/sns/sns-message.ts) */
  payload: string;
  /** pending | delivered | failed */
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_by: string | null;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface SnsDeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  subscription_arn: string;
  message_id: string;
  attempt: number;
  at: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  /** delivered | retry | failed */
  outcome: string;
}

export interface Database {
  sns_topics: SnsTopicsTable;
  sns_subscriptions: SnsSubscriptionsTable;
  sns_deliveries: SnsDeliveriesTable;
  sns_unsubscribed: SnsUnsubscribedTable;
  sns_delivery_attempts: SnsDeliveryAttemptsTable;
}

// Issue 12 (migration 011): a recipient's own copy of a message, and the account's quota guard flags.
export interface DeliveriesTable {
  /** This recipient's own copy (list-managed mail: their unsubscribe link); NULL: the message's `raw`. */
  raw: Uint8Array | null;
}

export interface AccountSettingsTable {
  /** Set by intake's quota guard; a CHECK constraint refuses 0 (store/quota-guard.ts). */
  daily_quota_ok: Generated<number>;
  send_rate_ok: Generated<number>;
}

// Access keys: where each came from (migration 012).
export interface AccessKeysTable {
  /** `env`: SESD_ACCESS_KEYS (removed when no longer listed); `cli`: `sesd keys`; `generated`: first start. */
  source: import('../domain/provision-access-keys.js').AccessKeySource;
}

// Event publishing (migration 008): the events table gains its dispatch state, every publish
// attempt is a row, and /metrics counters are shared through the database.

export interface EventDispatchColumns {
  /** When every destination of the event was settled (published or given up); null while pending. */
  dispatched_at: number | null;
  next_dispatch_at: Generated<number>;
  dispatch_attempts: Generated<number>;
  locked_by: string | null;
  locked_until: number | null;
}

export interface EventPublicationsTable {
  id: Generated<number>;
  event_id: number;
  message_id: string;
  account_id: string;
  event_type: string;
  destination: string;
  kind: string;
  target: string;
  attempt: number;
  /** published | failed | undeliverable */
  status: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  remote_id: string | null;
  created_at: number;
}

export interface MetricCountersTable {
  name: string;
  labels: string;
  /** Migration 024: which of a counter's rows (metric-counters.ts); a counter's value is their sum. */
  shard: number;
  value: number;
}

export interface Database {
  event_publications: EventPublicationsTable;
  metric_counters: MetricCountersTable;
}

// Issue 15 (migration 015): the recipient an Open or Click event is about (NULL for other events).
export interface EventsTable {
  recipient?: string | null;
}

// Easy DKIM tokens (migration 014): which identity a token of sesd's DKIM DNS zone belongs to.

export interface EasyDkimTokensTable {
  token: string;
  account_id: string;
  region: string;
  identity: string;
}

export interface Database {
  easy_dkim_tokens: EasyDkimTokensTable;
}

export interface IdentitiesTable {
  /** The custom MAIL FROM domain's MX check: PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE. */
  mail_from_status: string;
}

// Migration 023: when the identity's current DKIM key was generated or imported (epoch ms; NULL: no key).
export interface IdentitiesTable {
  dkim_key_generated_at: number | null;
}

// Issue 18 (migration 018): how `raw` holds the message (store/stored-raw.ts). 1: deflateRaw; NULL: as sent.
export interface DeliveriesTable {
  raw_deflated: number | null;
}

// Message keys (migration 021): on SQLite, the next free one (PostgreSQL: the sequence message_keys).

export interface MessageKeysTable {
  next: number;
}

/** The composed message, stored once per message (deliveries point at it), out of the messages' rows. */
export interface MessageBodiesTable {
  /** Its message's `seq`. */
  seq: number;
  raw: Uint8Array;
  /** How `raw` holds the message (store/stored-raw.ts). 1: deflateRaw; NULL: as sent. */
  raw_deflated: number | null;
}

export interface Database {
  message_keys: MessageKeysTable;
  message_bodies: MessageBodiesTable;
}

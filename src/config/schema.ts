// The one configuration schema of sesd. Every key has a type, a default, a description, an
// environment variable and a CLI flag; docs/configuration.md and `sesd config --print` come from here.
import { hostname } from 'node:os';
import { z } from 'zod';
import { DURATION_LIST_PATTERN, DURATION_PATTERN } from '../queue/duration.js';

export interface ConfigKey {
  /** Dotted path in the config object and in the config file, e.g. `http.port`. */
  path: string;
  env: string;
  flag: string;
  description: string;
  schema: z.ZodType;
  default: unknown;
  /** Values never printed (config --print, logs). */
  secret?: boolean;
}

const port = z.coerce.number().int().min(0).max(65535);
const portOrOff = z.union([z.literal('off'), port]);

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { path: 'http.host', env: 'SESD_HTTP_HOST', flag: '--http-host <host>', schema: z.string().min(1), default: '127.0.0.1',
    description: 'Address the HTTP API (SES v1, SES v2, Pinpoint) listens on. Loopback unless you mean to expose it.' },
  { path: 'http.port', env: 'SESD_HTTP_PORT', flag: '--http-port <port>', schema: port, default: 8005,
    description: 'HTTP API port; 0 picks any free port (the start line tells which).' },
  { path: 'smtp.host', env: 'SESD_SMTP_HOST', flag: '--smtp-host <host>', schema: z.string().min(1), default: '127.0.0.1',
    description: 'Address the SMTP interface (both listeners) listens on.' },
  { path: 'smtp.port', env: 'SESD_SMTP_PORT', flag: '--smtp-port <port>', schema: portOrOff, default: 2587,
    description: 'SMTP port with STARTTLS (as SES\'s 587/2587); 0 picks any free port, `off` disables it.' },
  { path: 'smtp.tlsPort', env: 'SESD_SMTPS_PORT', flag: '--smtps-port <port>', schema: portOrOff, default: 2465,
    description: 'SMTP port with implicit TLS (as SES\'s 465/2465); 0 picks any free port, `off` disables it.' },
  { path: 'smtp.maxConnections', env: 'SESD_SMTP_MAX_CONNECTIONS', flag: '--smtp-max-connections <n>', schema: z.coerce.number().int().min(1), default: 1000,
    description: 'Concurrent SMTP connections (both listeners); more are answered `421 Too many concurrent SMTP connections`.' },
  { path: 'smtp.maxConnectionsPerIp', env: 'SESD_SMTP_MAX_CONNECTIONS_PER_IP', flag: '--smtp-max-connections-per-ip <n>', schema: z.coerce.number().int().min(1), default: 100,
    description: 'Concurrent SMTP connections from one client address.' },
  { path: 'smtp.idleTimeout', env: 'SESD_SMTP_IDLE_TIMEOUT', flag: '--smtp-idle-timeout <seconds>', schema: z.coerce.number().positive(), default: 60,
    description: 'Seconds an SMTP client may stay silent before sesd closes the connection.' },
  { path: 'tls.cert', env: 'SESD_TLS_CERT', flag: '--tls-cert <file>', schema: z.string(), default: '',
    description: 'PEM certificate (chain) for the SMTP listeners. Empty: a self-signed one is created in the data dir.' },
  { path: 'tls.key', env: 'SESD_TLS_KEY', flag: '--tls-key <file>', schema: z.string(), default: '',
    description: 'PEM private key of tls.cert.' },
  { path: 'inbound.host', env: 'SESD_INBOUND_HOST', flag: '--inbound-host <host>', schema: z.string().min(1), default: '127.0.0.1',
    description: 'Address the inbound SMTP listener (bounces and complaints coming back) listens on. In production the MX of the bounce domain points here.' },
  { path: 'inbound.port', env: 'SESD_INBOUND_PORT', flag: '--inbound-port <port>', schema: portOrOff, default: 'off',
    description: 'Port of the inbound SMTP listener that receives DSNs and ARF complaints for sesd\'s bounce domain (the hostname), the custom MAIL FROM domains of verified identities and the feedback address; 25 in production, 0 any free port, `off` (default) disables it.' },
  { path: 'inbound.feedbackAddress', env: 'SESD_INBOUND_FEEDBACK_ADDRESS', flag: '--inbound-feedback-address <address>', schema: z.union([z.literal(''), z.email()]), default: '',
    description: 'An extra address the inbound listener accepts mail for, e.g. the address registered with mailbox providers\' feedback loops. Its reports are matched by the original Message-ID they quote.' },
  { path: 'dataDir', env: 'SESD_DATA_DIR', flag: '--data-dir <dir>', schema: z.string().min(1), default: './data',
    description: 'Directory for the SQLite database and generated files (first access key, TLS certificates).' },
  { path: 'databaseUrl', env: 'SESD_DATABASE_URL', flag: '--database-url <url>', schema: z.string(), default: '', secret: true,
    description: 'Empty: SQLite in the data dir. `postgres://user@host:5432/db`: PostgreSQL, shared by many sesd nodes.' },
  { path: 'region', env: 'SESD_REGION', flag: '--region <region>', schema: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/), default: 'us-east-1',
    description: 'Default region, used where a request carries none (legacy AWS3-HTTPS auth, the SMTP listeners).' },
  { path: 'accessKeys', env: 'SESD_ACCESS_KEYS', flag: '--access-keys <list>', schema: z.string(), default: '', secret: true,
    description: 'Keys to provision at start: `AKID:SECRET[,ACCOUNT/AKID:SECRET...]`. Without ACCOUNT/ a key belongs to 000000000000.' },
  { path: 'delivery.mode', env: 'SESD_DELIVERY_MODE', flag: '--delivery-mode <mode>', schema: z.enum(['capture', 'relay', 'mx']), default: 'capture',
    description: 'What happens to accepted mail. `capture`: stored and inspectable, nothing leaves the machine. `relay`: sent to the smarthost of `delivery.relayUrl`. `mx`: delivered directly to each recipient domain\'s MX hosts. The mailbox simulator works in every mode.' },
  { path: 'delivery.relayUrl', env: 'SESD_RELAY_URL', flag: '--relay-url <url>', schema: z.string().regex(/^(smtps?:\/\/.+)?$/), default: '', secret: true,
    description: 'Smarthost for `relay` mode: `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://` (TLS from the start). `?requireTLS=true` refuses to send without STARTTLS; `?tls.rejectUnauthorized=false` accepts an unverified certificate.' },
  { path: 'delivery.dnsServers', env: 'SESD_DNS_SERVERS', flag: '--dns-servers <list>', schema: z.string().regex(/^([^,\s]+(,[^,\s]+)*)?$/), default: '',
    description: 'DNS servers for MX lookups (`mx` mode) and identity verification, comma-separated `host[:port]` (`[v6addr]:port` for IPv6). Empty: the system\'s resolvers.' },
  { path: 'delivery.mxPort', env: 'SESD_MX_PORT', flag: '--mx-port <port>', schema: port, default: 25,
    description: 'Port `mx` mode connects to on the receiving hosts.' },
  { path: 'delivery.maxConnectionsPerDomain', env: 'SESD_MAX_CONNECTIONS_PER_DOMAIN', flag: '--max-connections-per-domain <n>', schema: z.coerce.number().int().min(1), default: 10,
    description: 'Concurrent SMTP transactions per destination domain (`mx`), or with the smarthost (`relay`). Connections are reused.' },
  { path: 'delivery.concurrency', env: 'SESD_DELIVERY_CONCURRENCY', flag: '--delivery-concurrency <n>', schema: z.coerce.number().int().min(1), default: 100,
    description: 'Recipients a worker process delivers at once.' },
  { path: 'delivery.threadNice', env: 'SESD_DELIVERY_THREAD_NICE', flag: '--delivery-thread-nice <n>', schema: z.coerce.number().int().min(0).max(19), default: 10,
    description: 'Linux nice value of the delivery thread of `sesd start` (role `all`; DKIM signing threads inherit it). When the CPU is short, accepting mail (API and SMTP answers) goes first and delivery catches up when it is not; measured on 2 cores, 10 raises accepted SendEmail/s by ~30%. 0: the same priority as intake. Ignored where threads have no nice value of their own.' },
  { path: 'delivery.retrySchedule', env: 'SESD_RETRY_SCHEDULE', flag: '--retry-schedule <delays>', schema: z.string().regex(DURATION_LIST_PATTERN), default: '5m,10m,20m,40m,1h,2h,4h',
    description: 'Delays before retrying a deferred recipient (4xx reply, connection or DNS failure), comma-separated, units ms, s, m, h, d; the last repeats until the message lifetime runs out. The default doubles from 5 minutes as Postfix does and caps at 4 hours as ZoneMTA does.' },
  { path: 'delivery.messageLifetime', env: 'SESD_MESSAGE_LIFETIME', flag: '--message-lifetime <duration>', schema: z.string().regex(DURATION_PATTERN), default: '14h',
    description: 'How long a message is retried before its remaining recipients bounce (Transient). 14h is SES\'s longest MaxDeliverySeconds; a configuration set\'s MaxDeliverySeconds shortens it.' },
  { path: 'queue.lease', env: 'SESD_QUEUE_LEASE', flag: '--queue-lease <duration>', schema: z.string().regex(DURATION_PATTERN), default: '10m',
    description: 'How long a worker holds the recipients it claimed. A crashed worker\'s recipients are delivered by another after this time; keep it above the longest SMTP transaction.' },
  { path: 'queue.pollInterval', env: 'SESD_QUEUE_POLL_INTERVAL', flag: '--queue-poll-interval <duration>', schema: z.string().regex(DURATION_PATTERN), default: '250ms',
    description: 'How often an idle worker looks for due recipients.' },
  { path: 'retention.maxAge', env: 'SESD_RETENTION_MAX_AGE', flag: '--retention-max-age <duration>', schema: z.union([z.literal('off'), z.string().regex(DURATION_PATTERN)]), default: 'off',
    description: 'Delete stored messages (with their recipients and events) once they are older than this (`30d`), when they are finished: no recipient still queued or deferred and no event newer than this age. `off` (default) keeps them: captured mail is what a developer inspects, and deleting it unasked would lose what they came for. Reaping runs where delivery runs (role `all` or `worker`).' },
  { path: 'retention.maxMessages', env: 'SESD_RETENTION_MAX_MESSAGES', flag: '--retention-max-messages <n>', schema: z.coerce.number().int().min(0), default: 0,
    description: 'Keep at most this many messages: finished messages beyond the newest n are deleted (with their recipients and events). 0 (default): no limit. Bounds the store of a long-running capture instance.' },
  { path: 'retention.interval', env: 'SESD_RETENTION_INTERVAL', flag: '--retention-interval <duration>', schema: z.string().regex(DURATION_PATTERN), default: '1m',
    description: 'How often retention looks for messages to delete; each run deletes at most 10,000, 100 per transaction.' },
  { path: 'role', env: 'SESD_ROLE', flag: '--role <role>', schema: z.enum(['all', 'api', 'worker']), default: 'all',
    description: 'What this process runs: `api` (HTTP, SMTP intake), `worker` (delivery), or `all`. Several processes on one PostgreSQL database share the queue.' },
  { path: 'hostname', env: 'SESD_HOSTNAME', flag: '--hostname <name>', schema: z.string().regex(/^[A-Za-z0-9.-]+$/), default: hostname(),
    description: 'Host name sesd writes into Message-ID headers (and, with real delivery, says in EHLO).' },
  { path: 'publicUrl', env: 'SESD_PUBLIC_URL', flag: '--public-url <url>', schema: z.union([z.literal(''), z.url()]), default: '',
    description: 'Base URL recipients use to reach sesd, for links sesd puts in mail (identity verification, one-click unsubscribe). Empty: the HTTP listener\'s own URL.' },
  { path: 'console.password', env: 'SESD_CONSOLE_PASSWORD', flag: '--console-password <password>', schema: z.string(), default: '', secret: true,
    description: 'Password (HTTP basic auth) for the inspection endpoints and console. Required when http.host is not loopback.' },
  { path: 'identities.autoVerify', env: 'SESD_AUTO_VERIFY', flag: '--auto-verify <mode>', schema: z.enum(['auto', 'any', 'identities', 'off', 'true', 'false']), default: 'auto',
    description: 'Development verification mode. `off`: as SES, identities are verified by their owner and only verified identities send. `identities`: identities are created verified, but a sender that is no identity is refused as SES refuses it. `any`: every sender and recipient counts as verified and identities are created verified. `auto`: `any` in capture mode, `off` otherwise. `true` and `false` (older values) mean `any` and `off`.' },
  { path: 'identities.recheckSeconds', env: 'SESD_IDENTITY_RECHECK_SECONDS', flag: '--identity-recheck-seconds <n>', schema: z.coerce.number().min(0.05), default: 60,
    description: 'How often pending domain identities have their DNS records checked again.' },
  { path: 'dkim.cnameDomain', env: 'SESD_DKIM_CNAME_DOMAIN', flag: '--dkim-cname-domain <domain>', schema: z.string().regex(/^[A-Za-z0-9.-]+$/), default: 'dkim.sesd.local',
    description: 'Easy DKIM: the domain the `TOKEN._domainkey.DOMAIN` CNAME records point into (`TOKEN.dkim.sesd.local`), like dkim.amazonses.com. Publishing a TXT record with the public key instead also verifies.' },
  { path: 'logLevel', env: 'SESD_LOG_LEVEL', flag: '--log-level <level>', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info',
    description: 'Log level of the structured (pino) log on stderr.' },
];

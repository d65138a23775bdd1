// The one configuration schema of sesd. Every key has a type, a default, a description, an
// environment variable and a CLI flag; docs/configuration.md and `sesd config --print` come from here.
import { hostname } from 'node:os';
import { z } from 'zod';

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

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { path: 'http.host', env: 'SESD_HTTP_HOST', flag: '--http-host <host>', schema: z.string().min(1), default: '127.0.0.1',
    description: 'Address the HTTP API (SES v1, SES v2, Pinpoint) listens on. Loopback unless you mean to expose it.' },
  { path: 'http.port', env: 'SESD_HTTP_PORT', flag: '--http-port <port>', schema: port, default: 8005,
    description: 'HTTP API port; 0 picks any free port (the start line tells which).' },
  { path: 'dataDir', env: 'SESD_DATA_DIR', flag: '--data-dir <dir>', schema: z.string().min(1), default: './data',
    description: 'Directory for the SQLite database and generated files (first access key, TLS certificates).' },
  { path: 'databaseUrl', env: 'SESD_DATABASE_URL', flag: '--database-url <url>', schema: z.string(), default: '', secret: true,
    description: 'Empty: SQLite in the data dir. `postgres://user@host:5432/db`: PostgreSQL, shared by many sesd nodes.' },
  { path: 'region', env: 'SESD_REGION', flag: '--region <region>', schema: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/), default: 'us-east-1',
    description: 'Default region, used where a request carries none (legacy AWS3-HTTPS auth, the SMTP listeners).' },
  { path: 'accessKeys', env: 'SESD_ACCESS_KEYS', flag: '--access-keys <list>', schema: z.string(), default: '', secret: true,
    description: 'Keys to provision at start: `AKID:SECRET[,ACCOUNT/AKID:SECRET...]`. Without ACCOUNT/ a key belongs to 000000000000.' },
  { path: 'delivery.mode', env: 'SESD_DELIVERY_MODE', flag: '--delivery-mode <mode>', schema: z.enum(['capture']), default: 'capture',
    description: 'What happens to accepted mail. `capture`: stored and inspectable, nothing leaves the machine.' },
  { path: 'hostname', env: 'SESD_HOSTNAME', flag: '--hostname <name>', schema: z.string().regex(/^[A-Za-z0-9.-]+$/), default: hostname(),
    description: 'Host name sesd writes into Message-ID headers (and, with real delivery, says in EHLO).' },
  { path: 'console.password', env: 'SESD_CONSOLE_PASSWORD', flag: '--console-password <password>', schema: z.string(), default: '', secret: true,
    description: 'Password (HTTP basic auth) for the inspection endpoints and console. Required when http.host is not loopback.' },
  { path: 'identities.autoVerify', env: 'SESD_AUTO_VERIFY', flag: '--auto-verify <mode>', schema: z.enum(['auto', 'true', 'false']), default: 'auto',
    description: 'Local development switch: every sender and recipient counts as verified and new identities are created verified. `auto`: on in capture mode, off otherwise.' },
  { path: 'identities.recheckSeconds', env: 'SESD_IDENTITY_RECHECK_SECONDS', flag: '--identity-recheck-seconds <n>', schema: z.coerce.number().min(0.05), default: 60,
    description: 'How often pending domain identities have their DNS records checked again.' },
  { path: 'dns.servers', env: 'SESD_DNS_SERVERS', flag: '--dns-servers <list>', schema: z.string(), default: '',
    description: 'DNS servers (`host:port`, comma-separated) for identity verification and MX lookups. Empty: the system resolver.' },
  { path: 'dkim.cnameDomain', env: 'SESD_DKIM_CNAME_DOMAIN', flag: '--dkim-cname-domain <domain>', schema: z.string().regex(/^[A-Za-z0-9.-]+$/), default: 'dkim.sesd.local',
    description: 'Easy DKIM: the domain the `TOKEN._domainkey.DOMAIN` CNAME records point into (`TOKEN.dkim.sesd.local`), like dkim.amazonses.com. Publishing a TXT record with the public key instead also verifies.' },
  { path: 'logLevel', env: 'SESD_LOG_LEVEL', flag: '--log-level <level>', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info',
    description: 'Log level of the structured (pino) log on stderr.' },
];

// Builds the effective configuration: defaults < config file < SESD_* environment < CLI flags.
import { readFileSync } from 'node:fs';
import { databaseTarget, DatabaseUrlError, maskDatabaseUrl } from '../store/database-url.js';
import { didYouMean } from './did-you-mean.js';
import { CONFIG_KEYS, type ConfigKey } from './schema.js';

export interface Config {
  http: {
    host: string;
    port: number;
    maxConnections: number;
    maxConnectionsPerIp: number;
    /** Seconds. */
    headersTimeout: number;
    keepAliveTimeout: number;
    requestTimeout: number;
    trustProxy: string;
  };
  smtp: {
    host: string;
    port: number | 'off';
    tlsPort: number | 'off';
    maxConnections: number;
    maxConnectionsPerIp: number;
    /** Seconds. */
    idleTimeout: number;
    maxUnauthenticatedConnections: number;
    maxUnauthenticatedConnectionsPerIp: number;
    /** Seconds from connecting to a successful AUTH. */
    authTimeout: number;
    authLockoutExemptLoopback: boolean;
  };
  /** PEM file paths; both empty means a self-signed pair in the data dir. */
  tls: { cert: string; key: string };
  /** The inbound listener for asynchronous bounces and complaints (src/inbound). */
  inbound: { host: string; port: number | 'off'; feedbackAddress: string };
  dataDir: string;
  databaseUrl: string;
  region: string;
  accessKeys: string;
  delivery: {
    mode: 'capture' | 'relay' | 'mx';
    relayUrl: string;
    /** `host:port,...`; empty: the system's resolvers. */
    dnsServers: string;
    /** mx mode: deliver to non-public addresses too (delivery.allowPrivateAddresses). */
    allowPrivateAddresses: boolean;
    mxPort: number;
    maxConnectionsPerDomain: number;
    concurrency: number;
    threadNice: number;
    /** Durations (`5m,10m`); parsed by src/queue/duration.ts. */
    retrySchedule: string;
    messageLifetime: string;
  };
  queue: { lease: string; pollInterval: string };
  /** Durations parsed by src/queue/duration.ts; maxAge may be `off`, maxMessages 0 (no limit). */
  retention: { maxAge: string; maxMessages: number; interval: string };
  /** Event publishing (src/events): retries, lease, and the external endpoints for EventBridge and Firehose destinations. */
  events: {
    retrySchedule: string;
    lease: string;
    concurrency: number;
    eventBridgeUrl: string;
    firehoseUrl: string;
    awsAccessKeyId: string;
    awsSecretAccessKey: string;
  };
  role: 'all' | 'api' | 'worker';
  hostname: string;
  publicUrl: string;
  console: { password: string };
  identities: { autoVerify: 'auto' | 'any' | 'identities' | 'off' | 'true' | 'false'; recheckSeconds: number };
  dkim: { cnameDomain: string };
  sns: {
    httpsPort: number | 'off';
    allowPrivateEndpoints: 'auto' | 'true' | 'false';
    /** Duration (`20s`). */
    retryDelay: string;
    concurrency: number;
    upstreamUrl: string;
    upstreamAccessKeyId: string;
    upstreamSecretAccessKey: string;
    /** Comma-separated ARN patterns. */
    upstreamTopics: string;
  };
  /** sesd's authoritative DNS listener for the Easy DKIM zone (src/dns/authoritative-server.ts). */
  dns: { host: string; port: number | 'off' };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logFormat: 'auto' | 'json' | 'pretty';
  /** Duration (`10s`); parsed by src/queue/duration.ts. */
  shutdownTimeout: string;
}

export class ConfigError extends Error {}

export interface ConfigSources {
  /** Parsed CLI options keyed by commander's camel-cased flag name (`httpPort`). */
  flags?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file with the same nested shape as {@link Config}. */
  file?: string;
}

/** SESD_* variables that are not configuration keys: the config file's path, the test suite's own. */
const OTHER_SESD_VARIABLES = /^SESD_(CONFIG|TEST_[A-Z0-9_]+)$/;

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  refuseUnknownVariables(env);
  const file = sources.file ?? env.SESD_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  if (file) refuseUnknownFileKeys(fromFile, file);
  const config: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const flagValue = sources.flags?.[flagOptionName(key)];
    const fileValue = getPath(fromFile, key.path);
    const [raw, source] =
      flagValue !== undefined ? [flagValue, `--${key.flag.split(' ')[0]!.replace(/^--/, '')}`]
      : env[key.env] !== undefined ? [env[key.env], key.env]
      : fileValue !== undefined ? [fileValue, `"${key.path}" in ${file}`]
      : [key.default, 'default'];
    const parsed = key.schema.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(`invalid ${key.path} (${source}): ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    setPath(config, key.path, parsed.data);
  }
  const result = config as unknown as Config;
  checkCombinations(result);
  return result;
}

/** Settings that are each valid but useless together: refused before anything starts. */
function checkCombinations(config: Config): void {
  try {
    databaseTarget(config.databaseUrl, config.dataDir);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new ConfigError(`invalid databaseUrl (SESD_DATABASE_URL): ${err.message}`);
    throw err;
  }
  if (config.delivery.mode === 'relay' && !config.delivery.relayUrl) {
    throw new ConfigError('delivery.mode relay needs a smarthost: set delivery.relayUrl (SESD_RELAY_URL, e.g. smtp://user:pass@smtp.example.com:587)');
  }
}

function refuseUnknownVariables(env: NodeJS.ProcessEnv): void {
  const known = CONFIG_KEYS.map((k) => k.env);
  for (const name of Object.keys(env)) {
    if (!name.startsWith('SESD_') || known.includes(name) || OTHER_SESD_VARIABLES.test(name)) continue;
    throw new ConfigError(`unknown environment variable ${name}${didYouMean(name, [...known, 'SESD_CONFIG'])} (the variables are listed in docs/configuration.md)`);
  }
}

function refuseUnknownFileKeys(fromFile: Record<string, unknown>, file: string): void {
  const known = CONFIG_KEYS.map((k) => k.path);
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(obj)) {
      const path = prefix + name;
      if (known.includes(path)) continue;
      const isSection = known.some((k) => k.startsWith(`${path}.`));
      if (isSection && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        walk(value as Record<string, unknown>, `${path}.`);
        continue;
      }
      // Suggest among the names at the same depth: a misspelt section gets a section.
      const depth = path.split('.').length;
      const candidates = new Set(known.map((k) => k.split('.').slice(0, depth).join('.')));
      throw new ConfigError(`unknown key "${path}" in ${file}${didYouMean(path, candidates)} (the keys are listed in docs/configuration.md)`);
    }
  };
  walk(fromFile, '');
}

/** The effective config with secrets masked, for `sesd config --print`. */
export function printableConfig(config: Config): Record<string, unknown> {
  const out = structuredClone(config) as unknown as Record<string, unknown>;
  for (const key of CONFIG_KEYS) {
    if (key.secret && getPath(out, key.path)) setPath(out, key.path, '***');
  }
  // Only the password of the database URL is secret; where the data lives is what one checks.
  out.databaseUrl = maskDatabaseUrl(config.databaseUrl);
  return out;
}

/** commander's attribute name for a flag: `--http-port <port>` → `httpPort`. */
export function flagOptionName(key: ConfigKey): string {
  const long = key.flag.split(' ')[0]!.replace(/^--/, '');
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${path} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}
function getPath(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    cur = (cur[part] ??= {}) as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

// Builds the effective configuration: defaults < config file < SESD_* environment < CLI flags.
import { readFileSync } from 'node:fs';
import { CONFIG_KEYS, type ConfigKey } from './schema.js';

export interface Config {
  http: { host: string; port: number };
  smtp: {
    host: string;
    port: number | 'off';
    tlsPort: number | 'off';
    maxConnections: number;
    maxConnectionsPerIp: number;
    /** Seconds. */
    idleTimeout: number;
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
  role: 'all' | 'api' | 'worker';
  hostname: string;
  publicUrl: string;
  console: { password: string };
  identities: { autoVerify: 'auto' | 'any' | 'identities' | 'off' | 'true' | 'false'; recheckSeconds: number };
  dkim: { cnameDomain: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {}

export interface ConfigSources {
  /** Parsed CLI options keyed by commander's camel-cased flag name (`httpPort`). */
  flags?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file with the same nested shape as {@link Config}. */
  file?: string;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const file = sources.file ?? env.SESD_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const config: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const flagValue = sources.flags?.[flagOptionName(key)];
    const raw = flagValue ?? env[key.env] ?? getPath(fromFile, key.path) ?? key.default;
    const parsed = key.schema.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(`invalid ${key.path} (${key.env}): ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    setPath(config, key.path, parsed.data);
  }
  return config as unknown as Config;
}

/** The effective config with secrets masked, for `sesd config --print`. */
export function printableConfig(config: Config): Record<string, unknown> {
  const out = structuredClone(config) as unknown as Record<string, unknown>;
  for (const key of CONFIG_KEYS) {
    if (key.secret && getPath(out, key.path)) setPath(out, key.path, '***');
  }
  return out;
}

/** commander's attribute name for a flag: `--http-port <port>` → `httpPort`. */
export function flagOptionName(key: ConfigKey): string {
  const long = key.flag.split(' ')[0]!.replace(/^--/, '');
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function readConfigFile(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
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

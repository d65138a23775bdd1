// The process's log: pino on stderr with ISO timestamps; JSON lines for log collectors, or
// pino-pretty's readable lines when a person watches a terminal (log.format `auto` picks by TTY).
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config/load-config.js';

/** `auto` decided by the process's stderr (a worker thread's stderr is never a TTY: resolve it first). */
export function resolveLogFormat(format: Config['logFormat']): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return process.stderr.isTTY === true ? 'pretty' : 'json';
}

export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  const options = { level: config.logLevel, timestamp: pino.stdTimeFunctions.isoTime };
  if (resolveLogFormat(config.logFormat) === 'json') return pino(options, pino.destination(2));
  return pino(options, pretty({ destination: 2, sync: true, translateTime: "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'", ignore: 'pid,hostname' }));
}

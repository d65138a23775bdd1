// The connection limits the listeners start with: the configured ones, lowered when the process's
// open-files limit cannot hold them with a reserve (said in the log, with how to raise it). The
// HTTP and SMTP listeners get separate budgets, so a flood on one never takes the other's.
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import { SMTP_REFUSAL_MARGIN } from '../smtp/listeners.js';
import { BASE_RESERVE, fitBudgets, openFilesLimit } from './open-files.js';

export function fitListenersToOpenFiles(config: Config, log: Logger, limit: number | undefined = openFilesLimit()): Config {
  const smtpListeners = (config.smtp.port === 'off' ? 0 : 1) + (config.smtp.tlsPort === 'off' ? 0 : 1);
  const smtpExtra = smtpListeners * SMTP_REFUSAL_MARGIN;
  const wanted = { http: config.http.maxConnections, smtp: smtpListeners === 0 ? 0 : config.smtp.maxConnections + smtpExtra };
  // Delivery (role all) holds one outgoing connection per recipient it delivers at once.
  const reserve = BASE_RESERVE + (config.role === 'all' ? config.delivery.concurrency : 0);
  const fitted = fitBudgets(wanted, limit, reserve);
  if (!fitted.shrunk) return config;
  const smtpMax = Math.max(1, fitted.smtp - smtpExtra);
  log.warn(
    {
      openFilesLimit: limit,
      reserve,
      httpMaxConnections: fitted.http,
      configuredHttpMaxConnections: config.http.maxConnections,
      smtpMaxConnections: smtpListeners === 0 ? undefined : smtpMax,
      configuredSmtpMaxConnections: config.smtp.maxConnections,
    },
    'connection limits lowered to fit the open-files limit (ulimit -n); raise it (e.g. LimitNOFILE=65536 in a systemd unit) to allow the configured ones',
  );
  return {
    ...config,
    http: { ...config.http, maxConnections: fitted.http, maxConnectionsPerIp: Math.min(config.http.maxConnectionsPerIp, fitted.http) },
    smtp: smtpListeners === 0 ? config.smtp : { ...config.smtp, maxConnections: smtpMax },
  };
}

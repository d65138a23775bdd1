import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { fitListenersToOpenFiles } from '../../../src/net/listener-budgets.js';
import { BASE_RESERVE, fitBudgets, openFilesLimit } from '../../../src/net/open-files.js';

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('openFilesLimit', () => {
  it('reads the soft limit from /proc/self/limits', () => {
    expect(openFilesLimit(PROC_LIMITS)).toBe(1024);
    expect(openFilesLimit(PROC_LIMITS.replace('1024    ', 'unlimited'))).toBeUndefined();
    expect(openFilesLimit('')).toBeUndefined();
  });

  it('finds this process\'s limit on Linux (Node raised the soft limit to the hard one)', () => {
    if (process.platform !== 'linux') return;
    expect(openFilesLimit()).toBeGreaterThan(0);
  });
});

describe('fitBudgets', () => {
  it('keeps the configured budgets when they fit with the reserve', () => {
    expect(fitBudgets({ http: 2048, smtp: 1064 }, 20_000, 356)).toEqual({ http: 2048, smtp: 1064, shrunk: false });
    expect(fitBudgets({ http: 2048, smtp: 1064 }, undefined, 356)).toEqual({ http: 2048, smtp: 1064, shrunk: false });
  });

  it('shrinks both in proportion when they do not, leaving the reserve free', () => {
    const fitted = fitBudgets({ http: 2048, smtp: 1024 }, 1024, 256);
    expect(fitted).toEqual({ http: 512, smtp: 256, shrunk: true });
    expect(fitted.http + fitted.smtp + 256).toBeLessThanOrEqual(1024);
  });

  it('refuses to start when the limit cannot hold even small budgets', () => {
    expect(() => fitBudgets({ http: 2048, smtp: 1024 }, 270, 256)).toThrow(/open-files limit \(ulimit -n\) is 270/);
  });
});

describe('fitListenersToOpenFiles', () => {
  const config = loadConfig({ env: {} });

  it('lowers the HTTP and SMTP connection limits under a low `ulimit -n` and says so', () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) });
    const limited = fitListenersToOpenFiles(config, log, 1024);
    const reserve = BASE_RESERVE + config.delivery.concurrency;
    expect(limited.http.maxConnections + limited.smtp.maxConnections + 2 * 32 + reserve).toBeLessThanOrEqual(1024);
    expect(limited.http.maxConnections).toBeLessThan(config.http.maxConnections);
    expect(limited.smtp.maxConnections).toBeLessThan(config.smtp.maxConnections);
    expect(limited.http.maxConnectionsPerIp).toBeLessThanOrEqual(limited.http.maxConnections);
    expect(lines.join('')).toContain('connection limits lowered to fit the open-files limit');
  });

  it('leaves them alone when the limit is ample', () => {
    expect(fitListenersToOpenFiles(config, pino({ level: 'silent' }), 1_048_576)).toBe(config);
  });
});

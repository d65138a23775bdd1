import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, printableConfig } from '../../../src/config/load-config.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({ http: { host: '127.0.0.1', port: 8005 }, dataDir: './data', databaseUrl: '', region: 'us-east-1', delivery: { mode: 'capture' }, logLevel: 'info' });
  });

  it('takes flags over environment over file over defaults', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sesd-config-')), 'sesd.json');
    writeFileSync(file, JSON.stringify({ http: { port: 9001, host: '0.0.0.0' }, region: 'eu-west-1', logLevel: 'debug' }));
    const c = loadConfig({ file, env: { SESD_HTTP_PORT: '9002', SESD_REGION: 'eu-central-1' }, flags: { httpPort: '9003' } });
    expect(c.http).toMatchObject({ host: '0.0.0.0', port: 9003 });
    expect(c.region).toBe('eu-central-1');
    expect(c.logLevel).toBe('debug');
  });

  it('refuses an invalid value naming the key and its variable', () => {
    expect(() => loadConfig({ env: { SESD_HTTP_PORT: 'eighty' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { SESD_HTTP_PORT: 'eighty' } })).toThrow(/http\.port \(SESD_HTTP_PORT\)/);
    expect(() => loadConfig({ env: { SESD_DELIVERY_MODE: 'carrier-pigeon' } })).toThrow(/delivery\.mode/);
  });

  it('masks secrets when printing', () => {
    const c = loadConfig({ env: { SESD_ACCESS_KEYS: 'AKID:secret', SESD_DATABASE_URL: 'postgres://u:pw@h/db' } });
    const printed = JSON.stringify(printableConfig(c));
    expect(printed).not.toContain('secret');
    expect(printed).not.toContain('pw');
  });
});

describe('docs/configuration.md', () => {
  it('is the reference generated from the schema (run `npx tsx src/cli/main.ts config --docs > docs/configuration.md`)', async () => {
    const { readFileSync } = await import('node:fs');
    const { configReference } = await import('../../../src/config/reference.js');
    expect(readFileSync(join(import.meta.dirname, '../../../docs/configuration.md'), 'utf8')).toBe(configReference());
  });
});

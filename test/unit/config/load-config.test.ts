import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, printableConfig } from '../../../src/config/load-config.js';
import { closest, levenshtein } from '../../../src/config/did-you-mean.js';
import { databaseTarget } from '../../../src/store/database-url.js';

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

  it('masks secrets when printing, and of the database URL only its password', () => {
    const c = loadConfig({ env: { SESD_ACCESS_KEYS: 'AKID:secret', SESD_DATABASE_URL: 'postgres://u:pw@db.internal:5433/sesd' } });
    const printed = printableConfig(c);
    expect(JSON.stringify(printed)).not.toContain('secret');
    expect(JSON.stringify(printed)).not.toContain('pw');
    expect(printed.databaseUrl).toBe('postgres://u:***@db.internal:5433/sesd');
    expect(printableConfig(loadConfig({ env: { SESD_DATABASE_URL: 'postgres://u@h/db?password=pw' } })).databaseUrl).toBe('postgres://u@h/db?password=***');
    // libpq's Unix-socket form, which pg takes and the WHATWG URL parser does not (no host after the @).
    expect(printableConfig(loadConfig({ env: { SESD_DATABASE_URL: 'postgres://u:pw@/db?host=/var/run/postgresql' } })).databaseUrl).toBe('postgres://u:***@/db?host=/var/run/postgresql');
    expect(printableConfig(loadConfig({ env: { SESD_DATABASE_URL: 'postgres://u@/db?host=/run/pg&password=pw' } })).databaseUrl).toBe('postgres://u@/db?host=/run/pg&password=***');
  });

  it('refuses an unknown SESD_ variable, suggesting the one meant', () => {
    expect(() => loadConfig({ env: { SESD_HTTP_PROT: '8080' } })).toThrow(/unknown environment variable SESD_HTTP_PROT; did you mean SESD_HTTP_PORT\?/);
    expect(() => loadConfig({ env: { SESD_COLOUR_SCHEME: 'dark' } })).toThrow(/^unknown environment variable SESD_COLOUR_SCHEME \(the variables/);
    // SESD_CONFIG names the file; SESD_TEST_* belong to the test suite.
    expect(() => loadConfig({ env: { SESD_TEST_DATABASE_URL: 'postgres://x/y' } })).not.toThrow();
  });

  it('refuses an unknown key in the config file, naming the file and suggesting the key meant', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sesd-config-')), 'sesd.json');
    writeFileSync(file, JSON.stringify({ htpp: { port: 9001 } }));
    expect(() => loadConfig({ file, env: {} })).toThrow(`unknown key "htpp" in ${file}; did you mean http?`);
    writeFileSync(file, JSON.stringify({ http: { prot: 9001 } }));
    expect(() => loadConfig({ file, env: {} })).toThrow(`unknown key "http.prot" in ${file}; did you mean http.port?`);
    writeFileSync(file, JSON.stringify({ delivery: { mode: 'mx' }, logLevel: 'warn' }));
    expect(loadConfig({ file, env: {} }).delivery.mode).toBe('mx');
  });

  it('blames a bad value on where it came from: the file, the variable or the flag', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sesd-config-')), 'sesd.json');
    writeFileSync(file, JSON.stringify({ http: { port: 'eighty' } }));
    expect(() => loadConfig({ file, env: {} })).toThrow(`invalid http.port ("http.port" in ${file})`);
    expect(() => loadConfig({ file, env: { SESD_HTTP_PORT: 'ninety' } })).toThrow('invalid http.port (SESD_HTTP_PORT)');
    expect(() => loadConfig({ file, env: {}, flags: { httpPort: 'x' } })).toThrow('invalid http.port (--http-port)');
  });

  it('takes SQLite paths and PostgreSQL URLs as the database, and refuses other schemes', () => {
    for (const url of ['', 'postgres://u@h/db', 'postgresql://u@h/db', 'file:/var/lib/sesd/sesd.db', '/var/lib/sesd/sesd.db', 'sqlite:./x.db']) {
      expect(loadConfig({ env: { SESD_DATABASE_URL: url } }).databaseUrl).toBe(url);
    }
    expect(() => loadConfig({ env: { SESD_DATABASE_URL: 'mysql://u@h/db' } })).toThrow(/SQLite .* or PostgreSQL .*, not mysql:/);
  });

  it('refuses relay mode without a smarthost', () => {
    expect(() => loadConfig({ env: { SESD_DELIVERY_MODE: 'relay' } })).toThrow(/relay needs a smarthost: set delivery\.relayUrl \(SESD_RELAY_URL/);
    expect(loadConfig({ env: { SESD_DELIVERY_MODE: 'relay', SESD_RELAY_URL: 'smtp://h:587' } }).delivery.relayUrl).toBe('smtp://h:587');
  });
});

describe('databaseTarget', () => {
  it('reads where the data lives from the URL', () => {
    expect(databaseTarget('', 'data')).toEqual({ dialect: 'sqlite', file: join('data', 'sesd.db') });
    expect(databaseTarget('file:///srv/sesd.db', 'data')).toEqual({ dialect: 'sqlite', file: '/srv/sesd.db' });
    expect(databaseTarget('file:rel.db', 'data')).toEqual({ dialect: 'sqlite', file: 'rel.db' });
    expect(databaseTarget('postgresql://h/db', 'data')).toEqual({ dialect: 'postgres', url: 'postgresql://h/db' });
  });
});

describe('did you mean', () => {
  it('suggests the closest name within a few edits, and nothing for another word', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(closest('SESD_LOG_LEVLE', ['SESD_LOG_LEVEL', 'SESD_LOG_FORMAT'])).toBe('SESD_LOG_LEVEL');
    expect(closest('colour', ['http.port', 'region'])).toBeUndefined();
  });
});

describe('docs/configuration.md', () => {
  it('is the reference generated from the schema (run `npx tsx src/cli/main.ts config --docs > docs/configuration.md`)', async () => {
    const { readFileSync } = await import('node:fs');
    const { configReference } = await import('../../../src/config/reference.js');
    expect(readFileSync(join(import.meta.dirname, '../../../docs/configuration.md'), 'utf8')).toBe(configReference());
  });
});

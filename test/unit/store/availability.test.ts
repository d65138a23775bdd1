import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../src/domain/errors.js';
import { DatabaseHealth, isDatabaseUnavailable } from '../../../src/store/availability.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['PostgreSQL terminating the session (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['PostgreSQL shutting down (57P03)', withCode('57P03', 'the database system is shutting down')],
    ['a connection exception (08006)', withCode('08006')],
    ['a full PostgreSQL disk (53100)', withCode('53100')],
    ['too many connections (53300)', withCode('53300')],
    ['a read-only standby (25006)', withCode('25006')],
    ['pg losing its connection', new Error('Connection terminated unexpectedly')],
    ['pg waiting too long for a connection', new Error('timeout exceeded when trying to connect')],
    ['a full SQLite disk', withCode('SQLITE_FULL', 'database or disk is full')],
    ['a SQLite lock held past busy_timeout', withCode('SQLITE_BUSY', 'database is locked')],
    ['a SQLite write error', withCode('SQLITE_IOERR_WRITE')],
    ['every address of a host refused', Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), { code: 'ECONNREFUSED' })],
  ])('counts %s as unavailable', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', withCode('23505')],
    ['a syntax error (42601)', withCode('42601')],
    ['a SQLite constraint', withCode('SQLITE_CONSTRAINT_UNIQUE')],
    ['a corrupt SQLite file', withCode('SQLITE_CORRUPT')],
    ['an AwsError', new AwsError('BadRequestException', 'no')],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
  ])('does not count %s as unavailable', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});

describe('DatabaseHealth', () => {
  function tracker() {
    const lines: { level: number; msg: string; failures?: number; err?: unknown }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    let now = 1_000_000;
    const health = new DatabaseHealth(log, () => now);
    return { health, lines, advance: (ms: number) => (now += ms) };
  }

  it('turns an unavailable database into ServiceUnavailable and leaves other errors alone', () => {
    const { health } = tracker();
    const translated = health.translate(withCode('ECONNREFUSED')) as AwsError;
    expect(translated).toBeInstanceOf(AwsError);
    expect([translated.code, translated.httpStatus, translated.senderFault]).toEqual(['ServiceUnavailable', 503, false]);
    const other = withCode('23505');
    expect(health.translate(other)).toBe(other);
    health.close();
  });

  it('logs an outage once with its first error, then its recovery with the number of failures', () => {
    const { health, lines, advance } = tracker();
    for (let i = 0; i < 500; i++) health.translate(withCode('SQLITE_FULL', 'database or disk is full'));
    expect(health.available).toBe(false);
    // Reads succeed on a full disk between failing writes: that is not a recovery yet.
    advance(500);
    health.succeeded();
    health.translate(withCode('SQLITE_FULL'));
    advance(1_000);
    health.succeeded();
    expect(health.available).toBe(false);
    advance(2_500);
    health.succeeded();
    expect(health.available).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual([
      'database unavailable: requests are answered ServiceUnavailable until it recovers',
      'database recovered after 0.5 s; 501 operations failed meanwhile',
    ]);
    expect(lines.filter((l) => l.err !== undefined)).toHaveLength(1);
    expect(lines[1]!.failures).toBe(501);
  });
});

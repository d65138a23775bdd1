// PostgreSQL batches of INSERTs as one statement (src/store/raw-sql.ts, combinedInserts): parameters
// renumbered in order, and every batch it cannot combine safely left to a transaction.
import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import { combinedInserts } from '../../../src/store/raw-sql.js';

const q = (sql: string, ...parameters: unknown[]) => CompiledQuery.raw(sql, parameters);

describe('combined INSERTs', () => {
  it('makes one statement of INSERTs into different tables, each numbering its parameters after the ones before', () => {
    const combined = combinedInserts([
      q('insert into messages (id, raw) values ($1, $2), ($3, $4)', 'm1', 'r1', 'm2', 'r2'),
      q('insert into deliveries (message_id) values ($1), ($2)', 'm1', 'm2'),
      q('insert into metric_counters (name, value) values ($1, $2) on conflict (name) do update set value = metric_counters.value + excluded.value', 'n', 1),
    ]);
    expect(combined?.sql).toBe(
      'with q0 as (insert into messages (id, raw) values ($1, $2), ($3, $4)), q1 as (insert into deliveries (message_id) values ($5), ($6)), ' +
        'q2 as (insert into metric_counters (name, value) values ($7, $8) on conflict (name) do update set value = metric_counters.value + excluded.value) select 1',
    );
    expect(combined?.parameters).toEqual(['m1', 'r1', 'm2', 'r2', 'm1', 'm2', 'n', 1]);
  });

  it('leaves a single query, another statement, two INSERTs into one table and too many parameters to a transaction', () => {
    const insert = q('insert into messages (id) values ($1)', 'm1');
    expect(combinedInserts([insert])).toBeUndefined();
    expect(combinedInserts([q('update account_settings set daily_quota_ok = 1 where account_id = $1', 'a'), insert])).toBeUndefined();
    expect(combinedInserts([insert, q('insert into messages (id) values ($1)', 'm2')])).toBeUndefined();
    const many = q('insert into deliveries (message_id) values ($1)', ...Array.from({ length: 65_535 }, () => 'm1'));
    expect(combinedInserts([insert, many])).toBeUndefined();
  });
});

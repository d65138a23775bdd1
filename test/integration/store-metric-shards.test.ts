// metric_counters' shards (migration 024): on PostgreSQL each writer adds to its own shard of a
// counter, so one transaction that holds its counter rows (until its commit) does not stop another
// node's; GET /metrics adds the shards up. Counters written before the migration keep their values.
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { EventDispatchRepository } from '../../src/store/event-dispatch-repository.js';
import { mergeIncrements, metricCounterUpserts } from '../../src/store/metric-counters.js';
import { databasePerTest, DIALECTS } from '../support/databases.js';

const ACCEPTED = { name: 'sesd_messages_accepted_total', labels: { door: 'smtp' }, value: 1 };

describe.each(DIALECTS)('metric counter shards (%s)', (dialect) => {
  const fixture = databasePerTest(dialect);

  it('keeps the values counted before migration 024 and adds every shard up', async () => {
    const db = await fixture.database();
    const before = await openDatabase({ ...db, migrateTo: '023-dkim-key-generated-at' });
    await sql`insert into metric_counters (name, labels, value) values ('sesd_messages_accepted_total', '{"door":"smtp"}', 5)`.execute(before.db);
    await before.close();

    const opened = await fixture.open();
    for (const shard of [0, 7, 7, 31]) {
      for (const q of metricCounterUpserts(opened.dialect, shard).queries(mergeIncrements([ACCEPTED]))) await opened.db.executeQuery(q);
    }
    const counters = await new EventDispatchRepository(opened.db, opened.dialect).counters();
    expect(counters).toEqual([{ name: 'sesd_messages_accepted_total', labels: { door: 'smtp' }, value: 9 }]);
  });

  it.runIf(dialect === 'postgres')("commits one writer's counters while another's transaction holds its own", async () => {
    const db = await fixture.database();
    const opened = await fixture.open();
    const [first] = metricCounterUpserts('postgres', 1).queries(mergeIncrements([ACCEPTED]));
    const [second] = metricCounterUpserts('postgres', 2).queries(mergeIncrements([ACCEPTED]));
    const holder = new pg.Client({ connectionString: db.databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(first!.sql, [...first!.parameters]);
      // The same counter, another shard: not held by the open transaction (in one shard this waits).
      const answered = await Promise.race([
        opened.db.executeQuery(second!).then(() => 'committed'),
        new Promise((r) => setTimeout(() => r('waited'), 2_000)),
      ]);
      expect(answered).toBe('committed');
      await holder.query('commit');
    } finally {
      await holder.end();
    }
    const counters = await new EventDispatchRepository(opened.db, opened.dialect).counters();
    expect(counters.find((c) => c.name === ACCEPTED.name)?.value).toBe(2);
  });
});

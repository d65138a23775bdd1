// A signing secret kept in `settings` (unsubscribe links, tracking links): made once, on first use,
// and kept in the database. Concurrent first uses (other nodes included) agree, because only one
// insert can win. A failed read is not remembered, so the next use tries again.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export class StoredSecret {
  private value?: Promise<string>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly name: string,
  ) {}

  get(): Promise<string> {
    this.value ??= this.load().catch((err: unknown) => {
      this.value = undefined;
      throw err;
    });
    return this.value;
  }

  private async load(): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ name: this.name, value: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('settings').select('value').where('name', '=', this.name).executeTakeFirstOrThrow();
    return row.value;
  }
}

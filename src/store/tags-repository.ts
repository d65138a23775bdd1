// Resource tags of every SES resource type, one row per tag, keyed by the resource's ARN (which
// holds the account and region). Tags come back in the order they were first set.
import type { Kysely } from 'kysely';
import type { Tag } from '../domain/tags/tags.js';
import type { Database } from './schema.js';

export class TagsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(arn: string): Promise<Tag[]> {
    const rows = await this.db.selectFrom('resource_tags').select(['tag_key', 'tag_value']).where('arn', '=', arn).orderBy('ordinal').execute();
    return rows.map((r) => ({ Key: r.tag_key, Value: r.tag_value }));
  }

  /** Adds tags, overwriting the value of keys the resource already has (they keep their place). */
  async put(arn: string, tags: readonly Tag[]): Promise<void> {
    if (tags.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const { last } = await trx
        .selectFrom('resource_tags')
        .select((eb) => eb.fn.max<number | null>('ordinal').as('last'))
        .where('arn', '=', arn)
        .executeTakeFirstOrThrow();
      let ordinal = Number(last ?? 0);
      for (const t of tags) {
        await trx
          .insertInto('resource_tags')
          .values({ arn, tag_key: t.Key, tag_value: t.Value, ordinal: ++ordinal })
          .onConflict((oc) => oc.columns(['arn', 'tag_key']).doUpdateSet({ tag_value: t.Value }))
          .execute();
      }
    });
  }

  async remove(arn: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.deleteFrom('resource_tags').where('arn', '=', arn).where('tag_key', 'in', keys).execute();
  }

  /** Drops every tag of a deleted resource, so a new resource of the same name starts untagged. */
  async removeAll(arn: string): Promise<void> {
    await this.db.deleteFrom('resource_tags').where('arn', '=', arn).execute();
  }
}

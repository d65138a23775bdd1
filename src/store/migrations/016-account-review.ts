// account_settings' production-access review: the latest request's case id and its status (PENDING
// until the operator grants or denies it). NULL: no request was made. The details the request came
// with stay in `details`; the review made up before this migration (`ReviewDetails` inside that
// JSON) is no longer read.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('account_settings').addColumn('review_case_id', 'text').execute();
  await db.schema.alterTable('account_settings').addColumn('review_status', 'text').execute();
}

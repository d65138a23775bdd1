// Configuration sets (their options as one JSON document) and their event destinations.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { ConfigurationSet, ConfigurationSetOptions } from '../domain/configuration-sets/configuration-set.js';
import type { EventDestination } from '../domain/configuration-sets/event-destinations.js';
import type { Scope } from '../domain/identities/identity.js';
import type { Dialect } from './database.js';
import { countNamed, deleteNamed } from './named-rows.js';
import { keyedReader, type KeyedRead } from './coalesced-reads.js';
import { placeholders, precompiled } from './raw-sql.js';
import type { ConfigurationSetsTable, Database, EventDestinationsTable } from './schema.js';

type SetRow = Pick<ConfigurationSetsTable, 'name' | 'options' | 'created_at'>;
type DestinationRow = Pick<EventDestinationsTable, 'configuration_set' | 'name' | 'definition'>;

export class ConfigurationSetsRepository {
  // Read on every send that names a set, with its event destinations (tracking), by hand (see
  // raw-sql.ts), the reads of concurrent sends coalesced (coalesced-reads.ts).
  private readonly readSets: KeyedRead<SetRow>;
  private readonly readDestinations: KeyedRead<DestinationRow>;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
  ) {
    const setsSql = precompiled(dialect, (n: number) => `select name, options, created_at from configuration_sets where account_id = ? and region = ? and name in (${placeholders(n)})`);
    this.readSets = keyedReader(
      async (scope, names) => (await this.db.executeQuery<SetRow>(CompiledQuery.raw(setsSql(names.length), [scope.accountId, scope.region, ...names]))).rows,
      (row) => row.name,
    );
    const destinationsSql = precompiled(
      dialect,
      (n: number) =>
        'select configuration_set, name, definition from event_destinations ' +
        `where account_id = ? and region = ? and configuration_set in (${placeholders(n)}) order by created_at, name`,
    );
    this.readDestinations = keyedReader(
      async (scope, sets) => (await this.db.executeQuery<DestinationRow>(CompiledQuery.raw(destinationsSql(sets.length), [scope.accountId, scope.region, ...sets]))).rows,
      (row) => row.configuration_set,
    );
  }

  /** The set with its options (what intake applies to a send), or undefined. */
  async get(scope: Scope, name: string): Promise<ConfigurationSet | undefined> {
    const [row] = await this.readSets(scope, [name]);
    return row && { ...scope, name: row.name, options: JSON.parse(row.options) as ConfigurationSetOptions, createdAt: Number(row.created_at) };
  }

  async exists(scope: Scope, name: string): Promise<boolean> {
    return (await this.get(scope, name)) !== undefined;
  }

  /** False when a set of that name already exists. */
  async create(set: ConfigurationSet): Promise<boolean> {
    const res = await this.db
      .insertInto('configuration_sets')
      .values({
        account_id: set.accountId,
        region: set.region,
        name: set.name,
        options: JSON.stringify(set.options),
        created_at: set.createdAt,
        updated_at: set.createdAt,
      })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updateOptions(scope: Scope, name: string, options: ConfigurationSetOptions, updatedAt: number): Promise<boolean> {
    const res = await this.db
      .updateTable('configuration_sets')
      .set({ options: JSON.stringify(options), updated_at: updatedAt })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Deletes the set and its event destinations. */
  async delete(scope: Scope, name: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('event_destinations')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('configuration_set', '=', name)
        .execute();
      return deleteNamed(trx, 'configuration_sets', scope, name);
    });
  }

  async count(scope: Scope): Promise<number> {
    return countNamed(this.db, 'configuration_sets', scope);
  }

  /** Names in order; `after` is the last name of the previous page; `nameContains` ignores case. */
  async listNames(scope: Scope, page: { after?: string; limit: number; nameContains?: string }): Promise<string[]> {
    let q = this.db.selectFrom('configuration_sets').select('name').where('account_id', '=', scope.accountId).where('region', '=', scope.region);
    if (page.after !== undefined) q = q.where('name', '>', page.after);
    if (page.nameContains !== undefined) {
      const pattern = `%${page.nameContains.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
    }
    const rows = await q.orderBy('name').limit(page.limit).execute();
    return rows.map((r) => r.name);
  }

  /** In the order they were created. */
  async eventDestinations(scope: Scope, set: string): Promise<EventDestination[]> {
    const rows = await this.readDestinations(scope, [set]);
    return rows.map((r) => ({ ...(JSON.parse(r.definition) as Omit<EventDestination, 'Name'>), Name: r.name }));
  }

  async createEventDestination(scope: Scope, set: string, destination: EventDestination, createdAt: number): Promise<boolean> {
    const { Name: name, ...definition } = destination;
    const res = await this.db
      .insertInto('event_destinations')
      .values({ account_id: scope.accountId, region: scope.region, configuration_set: set, name, definition: JSON.stringify(definition), created_at: createdAt })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'configuration_set', 'name']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updateEventDestination(scope: Scope, set: string, destination: EventDestination): Promise<boolean> {
    const { Name: name, ...definition } = destination;
    const res = await this.db
      .updateTable('event_destinations')
      .set({ definition: JSON.stringify(definition) })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('configuration_set', '=', set)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async deleteEventDestination(scope: Scope, set: string, name: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('event_destinations')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('configuration_set', '=', set)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}

// Configuration sets (their options as one JSON document) and their event destinations.
import { sql, type Kysely } from 'kysely';
import type { ConfigurationSet, ConfigurationSetOptions } from '../domain/configuration-sets/configuration-set.js';
import type { EventDestination } from '../domain/configuration-sets/event-destinations.js';
import type { Scope } from '../domain/identities/identity.js';
import type { Dialect } from './database.js';
import { countNamed, deleteNamed } from './named-rows.js';
import { CoalescedReads, type KeyedRead } from './coalesced-reads.js';
import { keyedSelects } from './keyed-selects.js';
import type { ConfigurationSetsTable, Database, EventDestinationsTable } from './schema.js';

type SetRow = Pick<ConfigurationSetsTable, 'name' | 'options' | 'created_at'>;
type DestinationRow = Pick<EventDestinationsTable, 'configuration_set' | 'name' | 'definition' | 'created_at'>;

export class ConfigurationSetsRepository {
  // Read on every send that names a set, with its event destinations (tracking), the reads of
  // concurrent sends coalesced (coalesced-reads.ts).
  private readonly readSets: KeyedRead<SetRow>;
  private readonly readDestinations: KeyedRead<DestinationRow>;

  /** `reads`: shared with the other repositories that send reads from (store.ts), so that a turn's reads are one. */
  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
    reads = new CoalescedReads(keyedSelects(db, dialect)),
  ) {
    this.readSets = reads.reader({ table: 'configuration_sets', keyColumn: 'name' }, (row) => row.name);
    this.readDestinations = reads.reader({ table: 'event_destinations', keyColumn: 'configuration_set' }, (row) => row.configuration_set);
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
    const rows = (await this.readDestinations(scope, [set])).sort(byCreation);
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

/** Destinations in the order they were created; those of one millisecond by name. */
const byCreation = (a: DestinationRow, b: DestinationRow): number => Number(a.created_at) - Number(b.created_at) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
